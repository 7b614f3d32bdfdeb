package eval

import (
	"math"
	"strconv"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
)

// Limits bound what a circuit may ask of the machine; going past one is a
// diagnostic, not an exhausted machine.
type Limits struct {
	MaxKernel         int // cells per kernel side
	MaxUnitsPerFamily int
	MaxCallDepth      int
	MaxListLen        int
	MaxWeights        int // convolution weights in the whole network
	// MaxWork bounds the list items and kernel cells one evaluation may
	// create in all (nested comprehensions multiply).
	MaxWork int
}

// DefaultLimits are generous for hand-written circuits (the Curve Circuits
// network has 78,660 weights and kernels of at most 7x7).
var DefaultLimits = Limits{MaxKernel: check.MaxKernel, MaxUnitsPerFamily: check.MaxUnitsPerLayer, MaxCallDepth: 256, MaxListLen: 1 << 20, MaxWeights: check.MaxWeights, MaxWork: 1 << 24}

// Env is a scope of values. Local scopes hold a few names in slices (no
// map per scope: they are created per call and per cell block); module
// environments hold their names in maps and their lets lazily.
type Env struct {
	parent *Env
	binds  []binding
	vars   map[string]Value // module scopes only
	lets   map[string]*lazyLet
	// inline holds the first bindings, so that a call's scope is one
	// allocation, not one per parameter.
	inline [3]binding
}

type binding struct {
	name string
	val  Value
}

type lazyLet struct {
	decl  *ast.Let
	val   Value
	state int // 0 not evaluated, 1 evaluating, 2 done
}

// NewEnv returns an empty scope inside parent.
func NewEnv(parent *Env) *Env {
	e := &Env{parent: parent}
	e.binds = e.inline[:0]
	return e
}

// Set binds name in this scope (the blank "_" binds nothing).
func (e *Env) Set(name string, v Value) {
	if name == "_" {
		return
	}
	if e.vars != nil {
		e.vars[name] = v
		return
	}
	for i := range e.binds {
		if e.binds[i].name == name {
			e.binds[i].val = v
			return
		}
	}
	e.binds = append(e.binds, binding{name, v})
}

// failure carries a diagnostic out of deep evaluation.
type failure struct{ d *diag.Diagnostic }

// Evaluator evaluates expressions of a checked program.
type Evaluator struct {
	Limits  Limits
	prog    *check.Program
	modules map[*check.SourceFile]*Env
	depth   int
	work    int            // list items and kernel cells created so far
	grids   map[int][4]Num // coordinate grids per kernel size
	memo    map[memoKey]memoEntry
	slab    []Value // see values
	// overrides replace top-level lets (circc -D), per file.
	overrides map[*check.SourceFile]map[string]*ast.Expr
}

// Fork returns an evaluator for another goroutine: the same program,
// limits and overrides, its own caches and counters. Values are immutable,
// so results computed by forks can be shared.
func (ev *Evaluator) Fork() *Evaluator {
	f := New(ev.prog, ev.Limits)
	f.overrides = ev.overrides
	return f
}

// New returns an evaluator for prog.
func New(prog *check.Program, limits Limits) *Evaluator {
	return &Evaluator{Limits: limits, prog: prog, modules: map[*check.SourceFile]*Env{}, grids: map[int][4]Num{}, memo: map[memoKey]memoEntry{}}
}

// fail aborts evaluation with a diagnostic at [s, e); catch recovers it
// at the package's entry points.
func (ev *Evaluator) fail(s, e ast.Pos, code diag.Code, format string, a ...any) {
	panic(failure{diag.At(s, e, code, format, a...)})
}

// catch runs f and turns an evaluation failure into a diagnostic; any
// other panic is a bug and goes on.
func catch(f func()) (d *diag.Diagnostic) {
	defer func() {
		if r := recover(); r != nil {
			fl, ok := r.(failure)
			if !ok {
				panic(r)
			}
			d = fl.d
		}
	}()
	f()
	return nil
}

// spend counts n units of work (list items, kernel cells) against the limit.
func (ev *Evaluator) spend(n int, s, e ast.Pos) {
	ev.work += n
	if ev.Limits.MaxWork > 0 && ev.work > ev.Limits.MaxWork {
		ev.fail(s, e, diag.CodeLimit, "evaluation creates more than %d list items and kernel cells (the limit); a comprehension inside another multiplies them", ev.Limits.MaxWork)
	}
}

// ModuleEnv returns the top-level environment of a loaded file.
func (ev *Evaluator) ModuleEnv(f *check.SourceFile) *Env {
	if env, ok := ev.modules[f]; ok {
		return env
	}
	env := &Env{vars: map[string]Value{}, lets: map[string]*lazyLet{}}
	ev.modules[f] = env
	for _, d := range f.AST.Decls {
		switch {
		case d.Import != nil:
			im := ev.prog.Imported(d.Import)
			if im == nil || im.AST.Header == nil {
				continue
			}
			name := im.AST.Header.Name.Name
			if d.Import.Alias != nil {
				name = d.Import.Alias.Name
			} else if d.Import.Module != nil {
				name = d.Import.Module.Name
			}
			env.vars[name] = &Module{name: name, env: ev.ModuleEnv(im)}
		case d.Let != nil:
			l := d.Let
			if e, ok := ev.overrides[f][l.Name.Name]; ok {
				l = &ast.Let{Pos: l.Pos, EndPos: l.EndPos, Doc: l.Doc, Name: l.Name, Value: e}
			}
			env.lets[d.Let.Name.Name] = &lazyLet{decl: l}
		case d.Fn != nil:
			env.vars[d.Fn.Name.Name] = &Closure{decl: d.Fn, env: env}
		}
	}
	return env
}

// lookup finds a name from env outwards, then among the builtins.
func (ev *Evaluator) lookup(env *Env, id *ast.Ident) Value {
	for e := env; e != nil; e = e.parent {
		for i := len(e.binds) - 1; i >= 0; i-- {
			if e.binds[i].name == id.Name {
				return e.binds[i].val
			}
		}
		if e.vars == nil {
			continue
		}
		if v, ok := e.vars[id.Name]; ok {
			return v
		}
		if l, ok := e.lets[id.Name]; ok {
			return ev.forceLet(e, l)
		}
	}
	if b, ok := builtins[id.Name]; ok {
		return b
	}
	if c, ok := check.Constant(id.Name); ok {
		return Num{S: c}
	}
	ev.fail(id.Pos, id.EndPos, diag.CodeUndefined, "undefined name %q", id.Name)
	return nil
}

func (ev *Evaluator) forceLet(env *Env, l *lazyLet) Value {
	switch l.state {
	case 2:
		return l.val
	case 1:
		ev.fail(l.decl.Name.Pos, l.decl.Name.EndPos, diag.CodeCycle, "%s is defined in terms of itself", l.decl.Name.Name)
	}
	l.state = 1
	l.val = ev.expr(l.decl.Value, env)
	l.state = 2
	return l.val
}

// Eval evaluates an expression in env. A failure found only now (an index
// out of range, an empty list reduced, a limit passed) is returned as a
// diagnostic: the evaluator's panics never leave the package.
func (ev *Evaluator) Eval(e *ast.Expr, env *Env) (v Value, d *diag.Diagnostic) {
	d = catch(func() { v = ev.expr(e, env) })
	return v, d
}

// expr evaluates an expression, panicking with a failure on an error.
func (ev *Evaluator) expr(e *ast.Expr, env *Env) Value {
	if e.If != nil {
		return ev.ifExpr(e, env)
	}
	return ev.or(e.Or, env)
}

func (ev *Evaluator) ifExpr(e *ast.Expr, env *Env) Value {
	c := ev.wantBool(ev.expr(e.If.Cond, env), e.If.Cond)
	if c.Cells == nil {
		if c.B {
			return ev.expr(e.If.Then, env)
		}
		return ev.expr(e.If.Else, env)
	}
	all, none := true, true
	for _, b := range c.Cells {
		all = all && b
		none = none && !b
	}
	switch {
	case all:
		return ev.expr(e.If.Then, env)
	case none:
		return ev.expr(e.If.Else, env)
	}
	// The condition varies per cell: both branches are evaluated and the
	// result is chosen cell by cell.
	a, b := ev.expr(e.If.Then, env), ev.expr(e.If.Else, env)
	switch a := a.(type) {
	case Num:
		bn, ok := b.(Num)
		if !ok {
			ev.fail(e.Pos, e.EndPos, diag.CodeType, "the branches of if differ")
		}
		out := Num{Cells: make([]float64, len(c.Cells)), K: c.K, Dim: a.Dim}
		for i, t := range c.Cells {
			if t {
				out.Cells[i] = a.At(i)
			} else {
				out.Cells[i] = bn.At(i)
			}
		}
		return out
	case Bool:
		bb, ok := b.(Bool)
		if !ok {
			ev.fail(e.Pos, e.EndPos, diag.CodeType, "the branches of if differ")
		}
		out := Bool{Cells: make([]bool, len(c.Cells)), K: c.K}
		for i, t := range c.Cells {
			if t {
				out.Cells[i] = a.at(i)
			} else {
				out.Cells[i] = bb.at(i)
			}
		}
		return out
	}
	ev.fail(e.Pos, e.EndPos, diag.CodeType, "a condition that varies per cell can only choose between numbers or bools")
	return nil
}

func (b Bool) at(i int) bool {
	if b.Cells == nil {
		return b.B
	}
	return b.Cells[i]
}

func (ev *Evaluator) wantBool(v Value, e *ast.Expr) Bool {
	b, ok := v.(Bool)
	if !ok {
		ev.fail(e.Pos, e.EndPos, diag.CodeType, "expected a bool, got %s", Format(v))
	}
	return b
}

func boolOp(a, b Bool, f func(x, y bool) bool) Bool {
	if a.Cells == nil && b.Cells == nil {
		return Bool{B: f(a.B, b.B)}
	}
	k, n := a.K, len(a.Cells)
	if a.Cells == nil {
		k, n = b.K, len(b.Cells)
	}
	out := Bool{Cells: make([]bool, n), K: k}
	for i := range out.Cells {
		out.Cells[i] = f(a.at(i), b.at(i))
	}
	return out
}

func (ev *Evaluator) or(o *ast.Or, env *Env) Value {
	v := ev.and(o.Left, env)
	for _, r := range o.Rest {
		l := ev.wantBool(v, &ast.Expr{Pos: o.Pos, EndPos: r.Pos})
		if l.Cells == nil && l.B {
			return l // short circuit
		}
		v = boolOp(l, ev.wantBool(ev.and(r.Right, env), &ast.Expr{Pos: r.Right.Pos, EndPos: r.Right.EndPos}), func(x, y bool) bool { return x || y })
	}
	return v
}

func (ev *Evaluator) and(a *ast.And, env *Env) Value {
	v := ev.cmp(a.Left, env)
	for _, r := range a.Rest {
		l := ev.wantBool(v, &ast.Expr{Pos: a.Pos, EndPos: r.Pos})
		if l.Cells == nil && !l.B {
			return l
		}
		v = boolOp(l, ev.wantBool(ev.cmp(r.Right, env), &ast.Expr{Pos: r.Right.Pos, EndPos: r.Right.EndPos}), func(x, y bool) bool { return x && y })
	}
	return v
}

func (ev *Evaluator) cmp(c *ast.Cmp, env *Env) Value {
	l := ev.rng(c.Left, env)
	if c.Op == "" {
		return l
	}
	r := ev.rng(c.Right, env)
	switch a := l.(type) {
	case Num:
		b, ok := r.(Num)
		if !ok {
			break
		}
		var f func(x, y float64) bool
		switch c.Op {
		case "==":
			f = func(x, y float64) bool { return x == y }
		case "!=":
			f = func(x, y float64) bool { return x != y }
		case "<":
			f = func(x, y float64) bool { return x < y }
		case "<=":
			f = func(x, y float64) bool { return x <= y }
		case ">":
			f = func(x, y float64) bool { return x > y }
		case ">=":
			f = func(x, y float64) bool { return x >= y }
		}
		if !a.isGrid() && !b.isGrid() {
			return Bool{B: f(a.S, b.S)}
		}
		k, n := ev.gridOf(a, b, c.Pos, c.EndPos)
		out := Bool{Cells: make([]bool, n), K: k}
		for i := range out.Cells {
			out.Cells[i] = f(a.At(i), b.At(i))
		}
		return out
	case Str:
		if b, ok := r.(Str); ok && (c.Op == "==" || c.Op == "!=") {
			return Bool{B: (a == b) == (c.Op == "==")}
		}
	case Bool:
		if b, ok := r.(Bool); ok && (c.Op == "==" || c.Op == "!=") {
			eq := c.Op == "=="
			return boolOp(a, b, func(x, y bool) bool { return (x == y) == eq })
		}
	}
	ev.fail(c.Pos, c.EndPos, diag.CodeType, "cannot compare %s with %s", Format(l), Format(r))
	return nil
}

// gridOf returns the grid shape shared by two values, at least one a grid.
func (ev *Evaluator) gridOf(a, b Num, s, e ast.Pos) (k, n int) {
	switch {
	case a.isGrid() && b.isGrid():
		if a.K != b.K {
			ev.fail(s, e, diag.CodeKernelSize, "cell-wise operation on a %dx%d and a %dx%d kernel", a.K, a.K, b.K, b.K)
		}
		return a.K, len(a.Cells)
	case a.isGrid():
		return a.K, len(a.Cells)
	}
	return b.K, len(b.Cells)
}

func (ev *Evaluator) rng(r *ast.Range, env *Env) Value {
	from := ev.add(r.From, env)
	if r.Op == "" {
		return from
	}
	a := ev.scalar(from, r.From.Pos, r.From.EndPos)
	b := ev.scalar(ev.add(r.To, env), r.To.Pos, r.To.EndPos)
	step := 1.0
	if r.Step != nil {
		step = ev.scalar(ev.add(r.Step, env), r.Step.Pos, r.Step.EndPos).S
	}
	if step <= 0 || !check.Finite(step) {
		ev.fail(r.Pos, r.EndPos, diag.CodeRange, "the step must be a positive finite number, got %s", FormatQuantity(step, a.Dim))
	}
	if !check.Finite(a.S) || !check.Finite(b.S) {
		ev.fail(r.Pos, r.EndPos, diag.CodeRange, "the bounds of a range must be finite numbers, got %s and %s", FormatQuantity(a.S, a.Dim), FormatQuantity(b.S, b.Dim))
	}
	n := rangeLen(a.S, b.S, step, r.Op == "..<")
	if n > ev.Limits.MaxListLen {
		ev.fail(r.Pos, r.EndPos, diag.CodeLimit, "the range has %d values, more than the limit of %d", n, ev.Limits.MaxListLen)
	}
	ev.spend(n, r.Pos, r.EndPos)
	out := make(List, n)
	for i := range out {
		out[i] = Num{S: a.S + float64(i)*step, Dim: a.Dim}
	}
	return out
}

// rangeLen counts a range's values; a bound within 1e-9 steps is reached.
func rangeLen(from, to, step float64, exclusive bool) int {
	span := (to - from) / step
	n := math.Floor(span + 1e-9)
	if exclusive && math.Abs(span-math.Round(span)) < 1e-9 {
		n = math.Round(span) - 1
	}
	if n < 0 || math.IsNaN(n) {
		return 0
	}
	if n > 1<<40 {
		return 1 << 40
	}
	return int(n) + 1
}

func (ev *Evaluator) scalar(v Value, s, e ast.Pos) Num {
	n, ok := v.(Num)
	if !ok || n.isGrid() {
		ev.fail(s, e, diag.CodeType, "expected a number, got %s", Format(v))
	}
	return n
}

func (ev *Evaluator) add(a *ast.Add, env *Env) Value {
	v := ev.mul(a.Left, env)
	for _, r := range a.Rest {
		v = ev.arith(r.Op, v, ev.mul(r.Right, env), a.Pos, r.EndPos)
	}
	return v
}

func (ev *Evaluator) mul(m *ast.Mul, env *Env) Value {
	v := ev.unary(m.Left, env)
	for _, r := range m.Rest {
		v = ev.arith(r.Op, v, ev.unary(r.Right, env), m.Pos, r.EndPos)
	}
	return v
}

// pyMod is the remainder with the sign of the divisor.
func pyMod(x, y float64) float64 {
	m := math.Mod(x, y)
	if m != 0 && (m < 0) != (y < 0) {
		m += y
	}
	return m
}

func (ev *Evaluator) arith(op string, l, r Value, s, e ast.Pos) Value {
	a, ok1 := l.(Num)
	b, ok2 := r.(Num)
	if !ok1 || !ok2 {
		ev.fail(s, e, diag.CodeType, "operator %s needs numbers or kernels, got %s and %s", op, Format(l), Format(r))
	}
	var f func(x, y float64) float64
	d := a.Dim
	switch op {
	case "+":
		f = func(x, y float64) float64 { return x + y }
	case "-":
		f = func(x, y float64) float64 { return x - y }
	case "*":
		f = func(x, y float64) float64 { return x * y }
		d = a.Dim.Mul(b.Dim)
	case "/":
		f = func(x, y float64) float64 { return x / y }
		d = a.Dim.Div(b.Dim)
	case "%":
		f = pyMod
	}
	return ev.zip(a, b, d, f, s, e)
}

// zip applies f cell by cell (broadcasting plain numbers).
func (ev *Evaluator) zip(a, b Num, d Dim, f func(x, y float64) float64, s, e ast.Pos) Num {
	if !a.isGrid() && !b.isGrid() {
		return Num{S: f(a.S, b.S), Dim: d}
	}
	k, n := ev.gridOf(a, b, s, e)
	out := Num{Cells: make([]float64, n), K: k, Dim: d}
	for i := range out.Cells {
		out.Cells[i] = f(a.At(i), b.At(i))
	}
	return out
}

// mapNum applies f to every cell of a.
func mapNum(a Num, d Dim, f func(float64) float64) Num {
	if !a.isGrid() {
		return Num{S: f(a.S), Dim: d}
	}
	out := Num{Cells: make([]float64, len(a.Cells)), K: a.K, Dim: d}
	for i, x := range a.Cells {
		out.Cells[i] = f(x)
	}
	return out
}

func (ev *Evaluator) unary(u *ast.Unary, env *Env) Value {
	if u.Power != nil {
		return ev.power(u.Power, env)
	}
	v := ev.unary(u.Operand, env)
	switch u.Op {
	case "not":
		b := ev.wantBool(v, &ast.Expr{Pos: u.Operand.Pos, EndPos: u.Operand.EndPos})
		return boolOp(b, Bool{}, func(x, _ bool) bool { return !x })
	case "-":
		n := ev.num(v, u.Pos, u.EndPos)
		return mapNum(n, n.Dim, func(x float64) float64 { return -x })
	}
	return ev.num(v, u.Pos, u.EndPos)
}

func (ev *Evaluator) num(v Value, s, e ast.Pos) Num {
	n, ok := v.(Num)
	if !ok {
		ev.fail(s, e, diag.CodeType, "expected a number, got %s", Format(v))
	}
	return n
}

func (ev *Evaluator) power(p *ast.Power, env *Env) Value {
	base := ev.postfix(p.Base, env)
	if p.Exp == nil {
		return base
	}
	b := ev.num(base, p.Pos, p.EndPos)
	x := ev.scalar(ev.unary(p.Exp, env), p.Exp.Pos, p.Exp.EndPos)
	var d Dim
	if b.Dim != (Dim{}) {
		n, ok := check.WholeNumber(x.S, -check.MaxPower, check.MaxPower)
		if !ok {
			ev.fail(p.Exp.Pos, p.Exp.EndPos, diag.CodeUnit, "a number with a unit can only be raised to a whole power from %d to %d, got %s", -check.MaxPower, check.MaxPower, num(x.S))
		}
		d = Dim{Angle: b.Dim.Angle * n, Length: b.Dim.Length * n}
	}
	if x.S == 2 {
		return mapNum(b, d, func(v float64) float64 { return v * v })
	}
	return mapNum(b, d, func(v float64) float64 { return math.Pow(v, x.S) })
}

func (ev *Evaluator) postfix(p *ast.Postfix, env *Env) Value {
	v := ev.primary(p.Primary, env)
	for _, s := range p.Suffixes {
		switch {
		case s.Call != nil:
			v = ev.call(v, s.Call, env, p.Pos, s.EndPos)
		case s.Index != nil:
			l, ok := v.(List)
			if !ok {
				ev.fail(p.Pos, s.EndPos, diag.CodeType, "cannot index %s", Format(v))
			}
			i := ev.scalar(ev.expr(s.Index, env), s.Index.Pos, s.Index.EndPos)
			k, ok := check.WholeNumber(i.S, 0, len(l)-1)
			if !ok {
				ev.fail(s.Index.Pos, s.Index.EndPos, diag.CodeRange, "index %s is out of range: the list has %d items", num(i.S), len(l))
			}
			v = l[k]
		case s.Field != nil:
			m, ok := v.(*Module)
			if !ok {
				ev.fail(s.Field.Pos, s.Field.EndPos, diag.CodeType, "%s has no member %q", Format(v), s.Field.Name)
			}
			v = ev.lookupMember(m, s.Field)
		}
	}
	return v
}

func (ev *Evaluator) lookupMember(m *Module, id *ast.Ident) Value {
	if v, ok := m.env.vars[id.Name]; ok {
		return v
	}
	if l, ok := m.env.lets[id.Name]; ok {
		return ev.forceLet(m.env, l)
	}
	ev.fail(id.Pos, id.EndPos, diag.CodeUndefined, "module %s has no member %q", m.name, id.Name)
	return nil
}

func (ev *Evaluator) primary(p *ast.Primary, env *Env) Value {
	switch {
	case p.Number != nil:
		v, d, _, ok := check.ParseNumber(p.Number.Raw)
		if !ok || !check.Finite(v) {
			ev.fail(p.Pos, p.EndPos, diag.CodeNumber, "bad number %q", p.Number.Raw)
		}
		return Num{S: v, Dim: d}
	case p.Size != nil:
		w, h, ok := check.ParseSize(p.Size.Raw)
		if !ok {
			ev.fail(p.Pos, p.EndPos, diag.CodeLimit, "size %s is larger than any circuit may use", p.Size.Raw)
		}
		return Size{w, h}
	case p.String != nil:
		s, err := strconv.Unquote(p.String.Raw)
		if err != nil {
			ev.fail(p.Pos, p.EndPos, diag.CodeSyntax, "malformed string")
		}
		return Str(s)
	case p.Bool != "":
		return Bool{B: p.Bool == "true"}
	case p.Paren != nil:
		return ev.expr(p.Paren, env)
	case p.List != nil:
		return ev.list(p.List, env)
	case p.Block != nil:
		inner := NewEnv(env)
		for _, l := range p.Block.Lets {
			inner.Set(l.Name.Name, ev.expr(l.Value, inner))
		}
		return ev.expr(p.Block.Result, inner)
	case p.Kernel != nil:
		return ev.kernel(p.Kernel, env)
	case p.Table != nil:
		return ev.table(p.Table, env)
	case p.Ident != nil:
		return ev.lookup(env, p.Ident)
	}
	ev.fail(p.Pos, p.EndPos, diag.CodeInternal, "unhandled expression")
	return nil
}

func (ev *Evaluator) list(l *ast.List, env *Env) Value {
	if l.For == nil {
		out := make(List, len(l.Items))
		for i, it := range l.Items {
			out[i] = ev.expr(it, env)
		}
		return out
	}
	dom, ok := ev.expr(l.For.Domain, env).(List)
	if !ok {
		ev.fail(l.For.Domain.Pos, l.For.Domain.EndPos, diag.CodeType, "for needs a list")
	}
	ev.spend(len(dom), l.Pos, l.EndPos)
	out := make(List, 0, len(dom))
	for _, x := range dom {
		inner := NewEnv(env)
		inner.Set(l.For.Var.Name, x)
		if l.For.Cond != nil {
			c := ev.wantBool(ev.expr(l.For.Cond, inner), l.For.Cond)
			if c.Cells != nil {
				ev.fail(l.For.Cond.Pos, l.For.Cond.EndPos, diag.CodeType, "a comprehension's condition cannot vary per cell")
			}
			if !c.B {
				continue
			}
		}
		out = append(out, ev.expr(l.Items[0], inner))
	}
	return out
}

// Let returns the value of the top-level let name of file f, evaluating it
// on first use; nil when f has no such let.
func (ev *Evaluator) Let(f *check.SourceFile, name string) (v Value, d *diag.Diagnostic) {
	env := ev.ModuleEnv(f)
	l, ok := env.lets[name]
	if !ok {
		return nil, nil
	}
	d = catch(func() { v = ev.forceLet(env, l) })
	return v, d
}

// Override replaces the value of file f's top-level let name with e, for
// this evaluator; it reports false when there is no such let.
func (ev *Evaluator) Override(f *check.SourceFile, name string, e *ast.Expr) bool {
	env := ev.ModuleEnv(f)
	l, ok := env.lets[name]
	if !ok {
		return false
	}
	if ev.overrides == nil {
		ev.overrides = map[*check.SourceFile]map[string]*ast.Expr{}
	}
	if ev.overrides[f] == nil {
		ev.overrides[f] = map[string]*ast.Expr{}
	}
	ev.overrides[f][name] = e
	env.lets[name] = &lazyLet{decl: &ast.Let{Pos: l.decl.Pos, EndPos: l.decl.EndPos, Doc: l.decl.Doc, Name: l.decl.Name, Value: e}}
	return true
}

// SameKind reports whether two values have the same kind and dimension.
func SameKind(a, b Value) bool {
	switch a := a.(type) {
	case Num:
		b, ok := b.(Num)
		return ok && a.Dim == b.Dim && (a.Cells == nil) == (b.Cells == nil)
	case Bool:
		_, ok := b.(Bool)
		return ok
	case Str:
		_, ok := b.(Str)
		return ok
	case List:
		_, ok := b.(List)
		return ok
	}
	return false
}
