package eval

import (
	"math"
	"sort"
	"strings"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
)

// grid returns the coordinate grids x, y, r, θ of a k×k kernel.
func (ev *Evaluator) grid(k int) [4]Num {
	if g, ok := ev.grids[k]; ok {
		return g
	}
	c := float64(k-1) / 2
	var g [4]Num
	dims := []Dim{{Length: 1}, {Length: 1}, {Length: 1}, {Angle: 1}}
	for i := range g {
		g[i] = Num{Cells: make([]float64, k*k), K: k, Dim: dims[i]}
	}
	for row := 0; row < k; row++ {
		for col := 0; col < k; col++ {
			x, y := float64(col)-c, float64(row)-c
			i := row*k + col
			g[0].Cells[i], g[1].Cells[i] = x, y
			g[2].Cells[i] = math.Hypot(x, y)
			g[3].Cells[i] = math.Atan2(y, x) * 180 / math.Pi
		}
	}
	ev.grids[k] = g
	return g
}

// kernelSize evaluates and bounds a kernel constructor's size.
func (ev *Evaluator) kernelSize(ks *ast.KSize, env *Env) int {
	var v Value
	switch {
	case ks.Size != nil:
		w, _, _ := check.ParseSize(ks.Size.Raw)
		v = Num{S: float64(w)}
	case ks.Number != nil:
		v = ev.primary(&ast.Primary{Pos: ks.Pos, EndPos: ks.EndPos, Number: ks.Number}, env)
	case ks.Ident != nil:
		v = ev.lookup(env, ks.Ident)
	default:
		v = ev.expr(ks.Paren, env)
	}
	if s, ok := v.(Size); ok {
		v = Num{S: float64(s.W)}
	}
	x := ev.scalar(v, ks.Pos, ks.EndPos).S
	if x > float64(ev.Limits.MaxKernel) && check.Finite(x) {
		ev.fail(ks.Pos, ks.EndPos, diag.CodeLimit, "a %sx%s kernel is larger than the limit of %dx%d", num(x), num(x), ev.Limits.MaxKernel, ev.Limits.MaxKernel)
	}
	n, ok := check.WholeNumber(x, 1, ev.Limits.MaxKernel)
	if !ok || n%2 == 0 {
		ev.fail(ks.Pos, ks.EndPos, diag.CodeKernelSize, "a kernel size must be an odd whole number, got %s", num(x))
	}
	return n
}

func (ev *Evaluator) kernel(k *ast.Kernel, env *Env) Value {
	if k.Rows != nil {
		n := len(k.Rows)
		out := Num{Cells: make([]float64, 0, n*n), K: n}
		for _, row := range k.Rows {
			if len(row.Cells) != n {
				ev.fail(row.Pos, row.EndPos, diag.CodeKernelSize, "a kernel is square: this row has %d cells, the kernel %d rows", len(row.Cells), n)
			}
			for _, c := range row.Cells {
				x := ev.scalar(ev.expr(c, env), c.Pos, c.EndPos)
				out.Dim = x.Dim
				out.Cells = append(out.Cells, x.S)
			}
		}
		return out
	}
	size := ev.kernelSize(k.Size, env)
	ev.spend(size*size, k.Pos, k.EndPos)
	g := ev.grid(size)
	inner := NewEnv(env)
	for i, id := range k.Coords {
		if i < 4 {
			inner.Set(id.Name, g[i])
		}
	}
	v := ev.num(ev.expr(k.Body, inner), k.Body.Pos, k.Body.EndPos)
	if !v.isGrid() {
		cells := make([]float64, size*size)
		for i := range cells {
			cells[i] = v.S
		}
		return Num{Cells: cells, K: size, Dim: v.Dim}
	}
	if v.K != size {
		ev.fail(k.Body.Pos, k.Body.EndPos, diag.CodeKernelSize, "the body computes a %dx%d grid inside a %dx%d kernel", v.K, v.K, size, size)
	}
	return v
}

func (ev *Evaluator) table(t *ast.Table, env *Env) Value {
	tb := &Table{}
	for _, o := range t.Options {
		v := ev.scalar(ev.unary(o.Value, env), o.Value.Pos, o.Value.EndPos)
		switch o.Name.Name {
		case "mirror":
			tb.mirror = v.S
		case "periodic":
			tb.periodic = v.S
		case "gap":
			tb.gap, tb.hasGap = v.S, true
		case "fill":
			tb.fill = v.S
		}
	}
	type kv struct{ k, v float64 }
	var entries []kv
	for _, e := range t.Entries {
		k := ev.scalar(ev.expr(e.Key, env), e.Key.Pos, e.Key.EndPos)
		v := ev.scalar(ev.expr(e.Value, env), e.Value.Pos, e.Value.EndPos)
		tb.keyDim, tb.valDim = k.Dim, v.Dim
		entries = append(entries, kv{k.S, v.S})
	}
	if len(entries) == 0 {
		ev.fail(t.Pos, t.EndPos, diag.CodeTable, "a table needs at least one entry")
	}
	// Extend the keys by the table's symmetry, so that after folding a
	// lookup finds its neighbours across the fold.
	ext := append([]kv(nil), entries...)
	switch {
	case tb.mirror > 0:
		for _, e := range entries {
			ext = append(ext, kv{-e.k, e.v}, kv{2*tb.mirror - e.k, e.v})
		}
	case tb.periodic > 0:
		for _, e := range entries {
			ext = append(ext, kv{e.k - tb.periodic, e.v}, kv{e.k + tb.periodic, e.v})
		}
	}
	sort.SliceStable(ext, func(i, j int) bool { return ext[i].k < ext[j].k })
	for i, e := range ext {
		if i > 0 && math.Abs(e.k-ext[i-1].k) < 1e-12 {
			continue // a key on the fold appears twice
		}
		tb.keys = append(tb.keys, e.k)
		tb.vals = append(tb.vals, e.v)
	}
	return tb
}

// Lookup evaluates the table at x.
func (t *Table) Lookup(x float64) float64 {
	switch {
	case t.mirror > 0:
		x = math.Abs(pyMod(x, 2*t.mirror))
		if x > t.mirror {
			x = 2*t.mirror - x
		}
	case t.periodic > 0:
		x = pyMod(x, t.periodic)
	}
	i := sort.SearchFloat64s(t.keys, x) // first key >= x
	if i < len(t.keys) && t.keys[i] == x {
		return t.vals[i]
	}
	// Neighbours: below (i-1) and above (i), each replaced by (gap, fill)
	// when farther than gap.
	var x1, v1, x2, v2 float64
	hasBelow, hasAbove := i > 0, i < len(t.keys)
	if hasBelow {
		x1, v1 = x-t.keys[i-1], t.vals[i-1]
	}
	if hasAbove {
		x2, v2 = t.keys[i]-x, t.vals[i]
	}
	if t.hasGap {
		if !hasBelow || x1 > t.gap {
			x1, v1, hasBelow = t.gap, t.fill, true
		}
		if !hasAbove || x2 > t.gap {
			x2, v2, hasAbove = t.gap, t.fill, true
		}
	}
	switch {
	case !hasBelow:
		return v2
	case !hasAbove:
		return v1
	}
	w := x1 / (x1 + x2)
	return (1-w)*v1 + w*v2
}

// values returns a slice of n values carved from a shared slab: calls are
// the evaluator's most frequent allocation, and their argument lists are
// small and live as long as the memo that may keep them.
func (ev *Evaluator) values(n int) []Value {
	if n > len(ev.slab) {
		if n > 64 {
			return make([]Value, n)
		}
		ev.slab = make([]Value, 1024)
	}
	v := ev.slab[:n:n]
	ev.slab = ev.slab[n:]
	return v
}

// call applies a function, builtin or table.
func (ev *Evaluator) call(f Value, c *ast.Call, env *Env, s, e ast.Pos) Value {
	args := ev.values(len(c.Args))
	for i, a := range c.Args {
		args[i] = ev.expr(a.Value, env)
	}
	switch f := f.(type) {
	case *Closure:
		return ev.callClosure(f, c, args, s, e)
	case *Builtin:
		return f.fn(&callCtx{ev: ev, name: f.name, args: args, call: c, s: s, e: e})
	case *Table:
		if len(args) != 1 {
			ev.fail(s, e, diag.CodeArity, "a table takes 1 argument, got %d", len(args))
		}
		x := ev.num(args[0], c.Args[0].Pos, c.Args[0].EndPos)
		return mapNum(x, f.valDim, f.Lookup)
	}
	ev.fail(s, e, diag.CodeType, "%s cannot be called", Format(f))
	return nil
}

func (ev *Evaluator) callClosure(f *Closure, c *ast.Call, args []Value, s, e ast.Pos) Value {
	names := "" // the call's shape matters only when it names arguments
	for _, a := range c.Args {
		if a.Name != nil {
			var b strings.Builder
			for _, a := range c.Args {
				if a.Name != nil {
					b.WriteString(a.Name.Name)
				}
				b.WriteByte(',')
			}
			names = b.String()
			break
		}
	}
	key, memo := ev.memoKey(f, names, args)
	if memo {
		if m, ok := ev.memo[key]; ok {
			return m.val
		}
	}
	v := ev.apply(f, c, args, s, e)
	if memo {
		if len(ev.memo) >= memoMax {
			clear(ev.memo)
		}
		ev.memo[key] = memoEntry{args: args, val: v}
	}
	return v
}

func (ev *Evaluator) apply(f *Closure, c *ast.Call, args []Value, s, e ast.Pos) Value {
	params := f.decl.Params
	inner := NewEnv(f.env)
	bound := make([]bool, len(params))
	for i, a := range c.Args {
		j := i
		if a.Name != nil {
			for k, p := range params {
				if p.Name.Name == a.Name.Name {
					j = k
				}
			}
		}
		if j >= len(params) {
			ev.fail(s, e, diag.CodeArity, "%s takes %d arguments, got %d", f.decl.Name.Name, len(params), len(args))
		}
		inner.Set(params[j].Name.Name, args[i])
		bound[j] = true
	}
	for i, b := range bound {
		if !b {
			ev.fail(s, e, diag.CodeArity, "%s: missing argument %s", f.decl.Name.Name, params[i].Name.Name)
		}
	}
	ev.depth++
	defer func() { ev.depth-- }()
	if ev.depth > ev.Limits.MaxCallDepth {
		ev.fail(s, e, diag.CodeLimit, "calls nested deeper than %d (unbounded recursion in %s?)", ev.Limits.MaxCallDepth, f.decl.Name.Name)
	}
	return ev.expr(f.decl.Body, inner)
}
