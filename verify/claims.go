package verify

import (
	"fmt"
	"math"
	"sort"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/experiment"
)

// metricValues returns the values a claim's metric takes in a family.
func metricValues(f *Family, metric check.Metric) ([]float64, error) {
	if metric.MeasuredByEval() {
		return nil, fmt.Errorf("%s is measured by circc eval, not verify", metric)
	}
	perFamily := map[check.Metric]func() ([]float64, error){
		check.MetricCoverage:     func() ([]float64, error) { return []float64{float64(f.Coverage)}, nil },
		check.MetricSpacingError: func() ([]float64, error) { return []float64{float64(f.SpacingErrorDeg)}, nil },
		check.MetricEquivarianceError: func() ([]float64, error) {
			if f.EquivarianceError == nil {
				return nil, fmt.Errorf("%s is not derived by a motif", f.Family)
			}
			return []float64{*f.EquivarianceError}, nil
		},
	}
	if get, ok := perFamily[metric]; ok {
		return get()
	}
	perPair := map[check.Metric]func(p *Pair) (float64, error){
		check.MetricPearsonR:         func(p *Pair) (float64, error) { return float64(p.PearsonR), nil },
		check.MetricOrientationError: func(p *Pair) (float64, error) { return float64(p.OrientationErrorDeg), nil },
		check.MetricEcho:             func(p *Pair) (float64, error) { return float64(p.Handmade.Echo), nil },
		check.MetricWidth:            func(p *Pair) (float64, error) { return float64(p.Handmade.WidthDeg), nil },
		check.MetricCurvePreference:  func(p *Pair) (float64, error) { return float64(p.Handmade.CurvePreference), nil },
		check.MetricOverlap: func(p *Pair) (float64, error) {
			if p.Overlap == nil {
				return 0, fmt.Errorf("overlap needs dataset photos (--photos)")
			}
			return *p.Overlap, nil
		},
	}
	get, ok := perPair[metric]
	if !ok {
		return nil, fmt.Errorf("verify does not measure %s", metric)
	}
	// A hand-made unit without a natural partner has no comparison.
	needsPartner := metric == check.MetricPearsonR || metric == check.MetricOrientationError || metric == check.MetricOverlap
	var v []float64
	for _, p := range f.Pairs {
		if p.Channel < 0 && needsPartner {
			continue
		}
		x, err := get(p)
		if err != nil {
			return nil, err
		}
		v = append(v, x)
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
func expects(plan *experiment.Plan, rep *Report) []*ExpectResult {
	var out []*ExpectResult
	for _, cl := range plan.Claims {
		if cl.Model != "" && cl.Model != rep.Against {
			continue // a claim about another network
		}
		var f *Family
		for _, x := range rep.Families {
			if cl.Family != "" && x.Layer == cl.Layer && x.Family == cl.Family {
				f = x
			}
		}
		r := &ExpectResult{Claim: cl.Subject + ": " + cl.Text, Pos: cl.String()}
		out = append(out, r)
		if f == nil {
			r.Detail = "no match statement pairs this family with " + rep.Against
			r.Value = Float(math.NaN())
			continue
		}
		vals, err := metricValues(f, cl.Metric)
		if err != nil {
			r.Detail, r.Value = err.Error(), Float(math.NaN())
			continue
		}
		got, ok := aggregate(vals, cl.Agg, cl.Op, cl.Threshold)
		r.Value, r.OK = Float(got), ok
	}
	return out
}

func aggregate(vals []float64, agg check.Aggregate, op string, limit float64) (float64, bool) {
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
	case check.AggMean:
		for _, x := range clean {
			v += x
		}
		v /= float64(len(clean))
	case check.AggMedian:
		v = median(clean)
	case check.AggMin:
		v = clean[0]
	case check.AggMax:
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
