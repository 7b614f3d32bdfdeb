package expand

import (
	"math"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/eval"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
)

// NaturalUnit is a unit placed on a reference model's layer, evaluated
// against that layer's convolution: its kernels over the convolution's
// input channels and its bias.
type NaturalUnit struct {
	Unit
	Kernels [][]float64 // [input channel][k×k]
	Bias    float64
}

// Natural evaluates the members of a family placed on a reference-model
// layer whose convolution has inC input channels and k×k kernels.
func Natural(prog *check.Program, ev *eval.Evaluator, f *check.Family, inC, k int) ([]*NaturalUnit, diag.List) {
	x := &expander{ev: ev, env: ev.ModuleEnv(prog.Main)}
	var out []*NaturalUnit
	d := catch(func() {
		var params []*ast.Param
		var body *ast.Body
		var at ast.Pos
		if f.Decl.Unit != nil {
			body, at = f.Decl.Unit.Body, f.Decl.Unit.Pos
		} else {
			params, body, at = f.Decl.Family.Params, f.Decl.Family.Body, f.Decl.Family.Pos
		}
		if body == nil {
			x.fail(at, at, diag.CodeMotif, "a unit written into a reference model needs a body of connections")
		}
		names, _, combos := x.members(params, f.Name, at)
		l := &Layer{Name: f.Layer.Name, Kernel: k, InC: inC}
		for i, vals := range combos {
			env, ps := x.memberEnv(names, vals)
			w, b := x.body(l, body, env)
			out = append(out, &NaturalUnit{Unit: Unit{Index: i, Name: unitName(f.Name, names, vals), Family: f.Name, Params: ps,
				Pos: at.String(), EquivarianceError: math.NaN()}, Kernels: w, Bias: b})
		}
	})
	if d != nil {
		return nil, diag.List{d}
	}
	return out, nil
}
