package expand

import (
	"math"

	"github.com/circc/circc/compiler/eval"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
)

// motifs derives a member's kernels from its base's: each motif transforms
// every kernel spatially and moves it to the input channel its transform
// maps to — W(T·a → T·b) = T·W(a → b). It returns the kernels and the
// relative error of resampling them (0 for exact transforms).
func (x *expander) motifs(ms []*ast.Motif, env *eval.Env, base [][]float64, k int) ([][]float64, float64) {
	cur := base
	worst := 0.0
	for _, m := range ms {
		arg := x.expr(&ast.Expr{Pos: m.Arg.Pos, EndPos: m.Arg.EndPos, Or: orOf(m.Arg)}, env)
		x.motifText = m.Kind.Name + " " + eval.Format(arg)
		switch m.Kind.Name {
		case "rotate":
			th := arg.(eval.Num).S
			cur = x.permute(m, cur, func(name string, p float64) float64 {
				if name == "hue" {
					return p
				}
				return p + th
			}, func(kern []float64) []float64 { return RotateKernel(kern, k, th) })
			if !quarterTurn(th) {
				worst = math.Max(worst, roundTripError(base, k, th))
			}
		case "reflect":
			if !arg.(eval.Bool).B {
				continue
			}
			cur = x.permute(m, cur, func(name string, p float64) float64 {
				if name == "hue" {
					return p
				}
				return 180 - p
			}, func(kern []float64) []float64 { return flipKernel(kern, k) })
		case "hue":
			h := arg.(eval.Num).S
			cur = x.permute(m, cur, func(name string, p float64) float64 {
				if name == "hue" {
					return p + h
				}
				return p
			}, func(kern []float64) []float64 { return append([]float64(nil), kern...) })
			cur = x.hueMix(m, cur, h)
		}
	}
	return cur, worst
}

// orOf wraps a unary operand as the Or level of an expression.
func orOf(u *ast.Unary) *ast.Or {
	mul := &ast.Mul{Pos: u.Pos, EndPos: u.EndPos, Left: u}
	add := &ast.Add{Pos: u.Pos, EndPos: u.EndPos, Left: mul}
	rng := &ast.Range{Pos: u.Pos, EndPos: u.EndPos, From: add}
	cmp := &ast.Cmp{Pos: u.Pos, EndPos: u.EndPos, Left: rng}
	and := &ast.And{Pos: u.Pos, EndPos: u.EndPos, Left: cmp}
	return &ast.Or{Pos: u.Pos, EndPos: u.EndPos, Left: and}
}

func quarterTurn(th float64) bool {
	q := th / 90
	return math.Abs(q-math.Round(q)) < 1e-9
}

// permute moves kernel i to the channel whose parameters are those of i
// transformed by move (applied to angle parameters), transforming it by
// spatial.
func (x *expander) permute(m *ast.Motif, w [][]float64, move func(name string, p float64) float64, spatial func([]float64) []float64) [][]float64 {
	out := make([][]float64, len(w))
	for i := range out {
		out[i] = make([]float64, len(w[i]))
	}
	for _, f := range x.src {
		for _, u := range f.members {
			j := x.target(m, f, u, move)
			t := spatial(w[u.Index])
			for c := range t {
				out[j.Index][c] += t[c]
			}
		}
	}
	return out
}

// target finds the member of f whose parameters are u's moved.
func (x *expander) target(m *ast.Motif, f *family, u *Unit, move func(string, float64) float64) *Unit {
	want := make([]eval.Value, len(u.Params))
	moved := false
	for i, p := range u.Params {
		want[i] = p.Value
		if n, ok := p.Value.(eval.Num); ok && n.Cells == nil && n.Dim == (eval.Dim{Angle: 1}) {
			v := move(p.Name, n.S)
			if v != n.S {
				moved = true
				want[i] = eval.Num{S: wrap(v, f.domains[i]), Dim: n.Dim}
			}
		}
	}
	if !moved {
		return u
	}
	for _, c := range f.members {
		same := true
		for i, p := range c.Params {
			same = same && equalValue(p.Value, want[i])
		}
		if same {
			return c
		}
	}
	x.fail(m.Pos, m.EndPos, diag.CodeMotif, "%s maps %s to %s, which is not a member of %s",
		x.motifText, u.Name, unitName(f.name, f.pnames, want), f.name)
	return nil
}

// wrap brings an angle into the period of a parameter's domain: a domain of
// n evenly spaced angles s apart has period n·s (so 0deg ..< 180deg step
// 10deg has period 180deg); any other domain has period 360deg.
func wrap(v float64, dom eval.List) float64 {
	period := 360.0 // degrees
	first := 0.0
	if len(dom) > 0 {
		first = dom[0].(eval.Num).S
	}
	if len(dom) >= 2 {
		s := dom[1].(eval.Num).S - first
		even := s > 0
		for i := 2; i < len(dom) && even; i++ {
			even = math.Abs(dom[i].(eval.Num).S-dom[i-1].(eval.Num).S-s) < 1e-9
		}
		if even {
			period = float64(len(dom)) * s
		}
	}
	r := math.Mod(v-first, period)
	if r < 0 {
		r += period
	}
	if period-r < 1e-9 {
		r = 0
	}
	return first + r
}

func equalValue(a, b eval.Value) bool {
	switch a := a.(type) {
	case eval.Num:
		b, ok := b.(eval.Num)
		return ok && a.Cells == nil && b.Cells == nil && math.Abs(a.S-b.S) < 1e-9
	case eval.Bool:
		b, ok := b.(eval.Bool)
		return ok && a.B == b.B
	case eval.Str:
		return a == b
	}
	return false
}

// RotateKernel returns k rotated by th degrees about its centre (x right, y down,
// so positive angles turn from x towards y), resampled bilinearly with
// zeros outside. Quarter turns land on cells exactly.
func RotateKernel(k []float64, n int, th float64) []float64 {
	out := make([]float64, len(k))
	c := float64(n-1) / 2
	cs, sn := math.Cos(th*math.Pi/180), math.Sin(th*math.Pi/180)
	snap := func(v float64) float64 {
		if r := math.Round(v); math.Abs(v-r) < 1e-9 {
			return r
		}
		return v
	}
	at := func(r, col int) float64 {
		if r < 0 || r >= n || col < 0 || col >= n {
			return 0
		}
		return k[r*n+col]
	}
	for row := 0; row < n; row++ {
		for col := 0; col < n; col++ {
			x, y := float64(col)-c, float64(row)-c
			sx, sy := snap(cs*x+sn*y+c), snap(-sn*x+cs*y+c)
			x0, y0 := math.Floor(sx), math.Floor(sy)
			fx, fy := sx-x0, sy-y0
			c0, r0 := int(x0), int(y0)
			out[row*n+col] = (1-fx)*(1-fy)*at(r0, c0) + fx*(1-fy)*at(r0, c0+1) + (1-fx)*fy*at(r0+1, c0) + fx*fy*at(r0+1, c0+1)
		}
	}
	return out
}

func flipKernel(k []float64, n int) []float64 {
	out := make([]float64, len(k))
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			out[r*n+c] = k[r*n+(n-1-c)]
		}
	}
	return out
}

// roundTripError is ‖R(−θ)R(θ)W − W‖ / ‖W‖ over all of a unit's kernels:
// how much resampling by θ loses.
func roundTripError(w [][]float64, n int, th float64) float64 {
	var num, den float64
	for _, k := range w {
		back := RotateKernel(RotateKernel(k, n, th), n, -th)
		for i := range k {
			d := back[i] - k[i]
			num += d * d
			den += k[i] * k[i]
		}
	}
	if den == 0 {
		return 0
	}
	return math.Sqrt(num / den)
}

// hueMix rotates the hue of an RGB input: the member's weights on the image
// channels are the base's mixed by the transpose of the hue rotation by −h.
func (x *expander) hueMix(m *ast.Motif, w [][]float64, h float64) [][]float64 {
	if len(x.src) != 1 || x.src[0].name != x.input.Name {
		return w // hue acts on hand-made families through their "hue" parameters
	}
	idx := map[string]int{}
	for _, u := range x.src[0].members {
		if s, ok := u.Params[0].Value.(eval.Str); ok {
			idx[string(s)] = u.Index
		}
	}
	r, okR := idx["r"]
	g, okG := idx["g"]
	b, okB := idx["b"]
	if !okR || !okG || !okB {
		x.fail(m.Pos, m.EndPos, diag.CodeMotif, "hue needs an input whose channels include \"r\", \"g\" and \"b\"")
	}
	H := hueMatrix(-h)
	ch := []int{r, g, b}
	out := make([][]float64, len(w))
	for i := range w {
		out[i] = append([]float64(nil), w[i]...)
	}
	for c := range w[0] {
		for oi, o := range ch {
			s := 0.0
			for di, d := range ch {
				s += H[di][oi] * w[d][c]
			}
			out[o][c] = s
		}
	}
	return out
}

// hueMatrix rotates RGB space by a degrees about the grey axis (1, 1, 1)
// (Rodrigues' formula): a hue rotation that keeps grey grey and, at
// 120deg, is exactly the cycle red → green → blue.
func hueMatrix(a float64) [3][3]float64 {
	c, s := math.Cos(a*math.Pi/180), math.Sin(a*math.Pi/180)
	t := (1 - c) / 3
	q := s / math.Sqrt(3)
	m := [3][3]float64{
		{c + t, t - q, t + q},
		{t + q, c + t, t - q},
		{t - q, t + q, c + t},
	}
	for i := range m {
		for j := range m[i] {
			if r := math.Round(m[i][j]); math.Abs(m[i][j]-r) < 1e-12 {
				m[i][j] = r // exact at multiples of 120deg
			}
		}
	}
	return m
}
