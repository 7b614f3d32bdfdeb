package verify

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/eval"
	"github.com/circc/circc/diag"
)

// metricValues returns the values a claim's metric takes in a family.
func metricValues(f *Family, metric string) ([]float64, error) {
	var v []float64
	for _, p := range f.Pairs {
		if p.Channel < 0 && (metric == "pearson_r" || metric == "orientation_error" || metric == "overlap") {
			continue // a hand-made unit without a natural partner
		}
		switch metric {
		case "pearson_r":
			v = append(v, float64(p.PearsonR))
		case "orientation_error":
			v = append(v, float64(p.OrientationErrorDeg))
		case "echo":
			v = append(v, float64(p.Handmade.Echo))
		case "width":
			v = append(v, float64(p.Handmade.WidthDeg))
		case "curve_preference":
			v = append(v, float64(p.Handmade.CurvePreference))
		case "overlap":
			if p.Overlap == nil {
				return nil, fmt.Errorf("overlap needs dataset photos (--photos)")
			}
			v = append(v, *p.Overlap)
		}
	}
	switch metric {
	case "coverage":
		v = []float64{f.Coverage}
	case "spacing_error":
		v = []float64{float64(f.SpacingErrorDeg)}
	case "equivariance_error":
		if f.EquivarianceError == nil {
			return nil, fmt.Errorf("%s is not derived by a motif", f.Family)
		}
		v = []float64{*f.EquivarianceError}
	case "top1", "top5":
		return nil, fmt.Errorf("%s is measured by circc eval, not verify", metric)
	}
	return v, nil
}

func compare(op string, x, y float64) bool {
	switch op {
	case "<":
		return x < y
	case "<=":
		return x <= y
	case ">":
		return x > y
	case ">=":
		return x >= y
	case "==":
		return x == y
	}
	return x != y
}

// expects checks the circuit's expect claims against the report. Without
// an aggregate every value must satisfy the claim, and the reported value
// is the one furthest on the wrong side.
func expects(res *compiler.Result, rep *Report) ([]*ExpectResult, *diag.Diagnostic) {
	ev := res.Evaluator
	env := ev.ModuleEnv(res.Program.Main)
	var out []*ExpectResult
	src := res.Program.Source(res.Program.Main.Name)
	for _, d := range res.Program.Main.AST.Decls {
		ex := d.Expect
		if ex == nil || ex.Model != nil && ex.Model.Name != rep.Against {
			continue // a claim about another network
		}
		parts := ex.Subject.Parts
		var f *Family
		for _, x := range rep.Families {
			if len(parts) == 2 && parts[0].Ident != nil && parts[1].Ident != nil && x.Layer == parts[0].Ident.Name && x.Family == parts[1].Ident.Name {
				f = x
			}
		}
		for _, cl := range ex.Claims {
			text := strings.TrimSpace(string(src[cl.Pos.Offset:cl.EndPos.Offset]))
			r := &ExpectResult{Claim: ex.Subject.String() + ": " + text, Pos: cl.Pos.String()}
			out = append(out, r)
			if f == nil {
				r.Detail = "no match statement pairs this family with " + rep.Against
				r.Value = Float(math.NaN())
				continue
			}
			vals, err := metricValues(f, cl.Metric.Name)
			if err != nil {
				r.Detail, r.Value = err.Error(), Float(math.NaN())
				continue
			}
			v, d := ev.Eval(cl.Value, env)
			if d != nil {
				return nil, d
			}
			limit, ok := v.(eval.Num)
			if !ok {
				return nil, diag.At(cl.Value.Pos, cl.Value.EndPos, diag.CodeType, "a threshold is a number")
			}
			agg := ""
			if cl.Agg != nil {
				agg = cl.Agg.Name
			}
			got, ok := aggregate(vals, agg, cl.Op, limit.S)
			r.Value, r.OK = Float(got), ok
		}
	}
	return out, nil
}

func aggregate(vals []float64, agg, op string, limit float64) (float64, bool) {
	var clean []float64
	for _, v := range vals {
		if !math.IsNaN(v) {
			clean = append(clean, v)
		}
	}
	if len(clean) == 0 {
		return math.NaN(), false
	}
	sort.Float64s(clean)
	var v float64
	switch agg {
	case "mean":
		for _, x := range clean {
			v += x
		}
		v /= float64(len(clean))
	case "median":
		v = clean[len(clean)/2]
		if len(clean)%2 == 0 {
			v = (clean[len(clean)/2-1] + clean[len(clean)/2]) / 2
		}
	case "min":
		v = clean[0]
	case "max":
		v = clean[len(clean)-1]
	default:
		// every value must hold: report the worst
		v = clean[len(clean)-1]
		if op == ">" || op == ">=" {
			v = clean[0]
		}
		for _, x := range vals {
			if math.IsNaN(x) || !compare(op, x, limit) {
				return v, false
			}
		}
		return v, true
	}
	return v, compare(op, v, limit)
}
