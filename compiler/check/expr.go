package check

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
)

// maxInstDepth bounds nested function instantiation while checking (deeper
// recursion is left to the evaluator's own limit).
const maxInstDepth = 32

// units maps a number suffix to its dimension and its factor to the base
// unit (degrees for angles, so that degree arithmetic is exact; pixels for
// lengths).
var units = map[string]struct {
	dim    Dim
	factor float64
}{
	"":    {dimless, 1},
	"deg": {angle, 1},
	"°":   {angle, 1},
	"rad": {angle, 180 / math.Pi},
	"px":  {length, 1},
}

// ParseNumber splits a number literal into its value in base units and its
// dimension. ok is false for an unknown unit suffix; a number too large for
// a float64 is ok and infinite.
func ParseNumber(raw string) (value float64, d Dim, suffix string, ok bool) {
	i := len(raw)
	for i > 0 && !(raw[i-1] >= '0' && raw[i-1] <= '9' || raw[i-1] == '.') {
		i--
	}
	num, suffix := raw[:i], raw[i:]
	// An exponent ("1e5") belongs to the number.
	if j := strings.IndexAny(raw, "eE"); j > 0 && j < len(raw)-1 && strings.ContainsAny(raw[j+1:j+2], "+-0123456789") {
		k := j + 1
		if raw[k] == '+' || raw[k] == '-' {
			k++
		}
		for k < len(raw) && raw[k] >= '0' && raw[k] <= '9' {
			k++
		}
		num, suffix = raw[:k], raw[k:]
	}
	v, err := strconv.ParseFloat(num, 64)
	u, known := units[suffix]
	// An overflow comes back as an infinity (ok, for the caller to report
	// with its position); an underflow as zero, the number meant.
	if err != nil && !errors.Is(err, strconv.ErrRange) || !known {
		return v, dimless, suffix, false
	}
	return v * u.factor, u.dim, suffix, true
}

func unitNames() []string { return []string{"deg", "rad", "px"} }

func (c *checker) expr(e *ast.Expr, sc *scope) *Type {
	if e == nil {
		return unknown
	}
	t := c.exprType(e, sc)
	c.recordType(e.Pos, e.EndPos, t)
	return t
}

func (c *checker) exprType(e *ast.Expr, sc *scope) *Type {
	if e.If != nil {
		cond := c.expr(e.If.Cond, sc)
		c.wantBool(cond, e.If.Cond.Pos, e.If.Cond.EndPos, "the condition of if")
		a, b := c.expr(e.If.Then, sc), c.expr(e.If.Else, sc)
		u := unify(a, b)
		if u == nil {
			c.errorf(e.Pos, e.EndPos, diag.CodeType, "the branches of if differ: %s and %s", a, b)
			return unknown
		}
		return u
	}
	return c.or(e.Or, sc)
}

func (c *checker) wantBool(t *Type, s, e ast.Pos, what string) {
	if t.known() && t.Kind != KBool {
		c.errorf(s, e, diag.CodeType, "%s must be a bool, got %s", what, t)
	}
}

func (c *checker) or(o *ast.Or, sc *scope) *Type {
	t := c.and(o.Left, sc)
	if len(o.Rest) == 0 {
		return t
	}
	c.wantBool(t, o.Left.Pos, o.Left.EndPos, `the operand of "or"`)
	for _, r := range o.Rest {
		c.wantBool(c.and(r.Right, sc), r.Right.Pos, r.Right.EndPos, `the operand of "or"`)
	}
	return &Type{Kind: KBool}
}

func (c *checker) and(a *ast.And, sc *scope) *Type {
	t := c.cmp(a.Left, sc)
	if len(a.Rest) == 0 {
		return t
	}
	c.wantBool(t, a.Left.Pos, a.Left.EndPos, `the operand of "and"`)
	for _, r := range a.Rest {
		c.wantBool(c.cmp(r.Right, sc), r.Right.Pos, r.Right.EndPos, `the operand of "and"`)
	}
	return &Type{Kind: KBool}
}

func (c *checker) cmp(x *ast.Cmp, sc *scope) *Type {
	l := c.rng(x.Left, sc)
	if x.Op == "" {
		return l
	}
	r := c.rng(x.Right, sc)
	if !l.known() || !r.known() {
		return &Type{Kind: KBool}
	}
	switch x.Op {
	case "==", "!=":
		if l.Kind != r.Kind || l.Kind == KNumber && l.Dim != r.Dim {
			c.errorf(x.Pos, x.EndPos, diag.CodeType, "cannot compare %s with %s", l, r)
		} else if l.Kind == KKernel || l.Kind == KList || l.Kind == KTable || l.Kind == KFunc {
			c.errorf(x.Pos, x.EndPos, diag.CodeType, "%s values cannot be compared with %s", l, x.Op)
		}
	default:
		if l.Kind != KNumber || r.Kind != KNumber {
			c.errorf(x.Pos, x.EndPos, diag.CodeType, "%s needs numbers, got %s and %s", x.Op, l, r)
		} else if l.Dim != r.Dim {
			c.errorf(x.Pos, x.EndPos, diag.CodeUnit, "cannot compare %s with %s", l.Dim, r.Dim)
		}
	}
	return &Type{Kind: KBool}
}

func (c *checker) rng(r *ast.Range, sc *scope) *Type {
	from := c.add(r.From, sc)
	if r.Op == "" {
		return from
	}
	to := c.add(r.To, sc)
	var step *Type
	if r.Step != nil {
		step = c.add(r.Step, sc)
	}
	for _, p := range []struct {
		t    *Type
		s, e ast.Pos
	}{{from, r.From.Pos, r.From.EndPos}, {to, r.To.Pos, r.To.EndPos}} {
		if p.t.known() && p.t.Kind != KNumber {
			c.errorf(p.s, p.e, diag.CodeType, "a range bound must be a number, got %s", p.t)
		}
	}
	if from.Kind == KNumber && to.Kind == KNumber && from.Dim != to.Dim {
		c.errorf(r.Pos, r.EndPos, diag.CodeUnit, "range from %s to %s", from.Dim, to.Dim)
	}
	n := 0
	if step != nil && step.known() {
		if step.Kind != KNumber {
			c.errorf(r.Step.Pos, r.Step.EndPos, diag.CodeType, "a range step must be a number, got %s", step)
		} else if from.Kind == KNumber && step.Dim != from.Dim {
			c.errorf(r.Step.Pos, r.Step.EndPos, diag.CodeUnit, "the step is %s but the range is %s", step.Dim, from.Dim)
		} else if step.Const != nil && *step.Const <= 0 {
			c.errorf(r.Step.Pos, r.Step.EndPos, diag.CodeRange, "the step must be positive, got %g", *step.Const)
		}
	} else if step == nil && from.Kind == KNumber && from.Dim != dimless {
		c.errorf(r.Pos, r.EndPos, diag.CodeRange, "a range of %s needs a step", from.Dim)
		d := c.diags[len(c.diags)-1]
		d.Hint = "add one: " + "step 10deg, step 1px…"
	}
	if from.Const != nil && to.Const != nil {
		st := 1.0
		if step != nil && step.Const != nil && *step.Const > 0 {
			st = *step.Const
		}
		if step == nil || step.Const != nil {
			n = rangeLen(*from.Const, *to.Const, st, r.Op == "..<")
			if n == 0 {
				c.errorf(r.Pos, r.EndPos, diag.CodeRange, "the range is empty")
			}
		}
	}
	return &Type{Kind: KList, Elem: number(from.Dim), Len: n}
}

// rangeLen counts the values of a range; a bound within 1e-9 of a step is
// reached (so 0deg .. 170deg step 10deg has 18 values despite rounding).
func rangeLen(from, to, step float64, exclusive bool) int {
	if step <= 0 {
		return 0
	}
	span := (to - from) / step
	n := math.Floor(span + 1e-9)
	if exclusive && math.Abs(span-math.Round(span)) < 1e-9 {
		n = math.Round(span) - 1
	}
	if n < 0 {
		return 0
	}
	if n > 1e7 {
		return int(1e7)
	}
	return int(n) + 1
}

func (c *checker) add(a *ast.Add, sc *scope) *Type {
	t := c.mul(a.Left, sc)
	for _, r := range a.Rest {
		u := c.mul(r.Right, sc)
		t = c.arith(r.Op, t, u, a.Pos, r.EndPos)
	}
	return t
}

func (c *checker) mul(m *ast.Mul, sc *scope) *Type {
	t := c.unary(m.Left, sc)
	for _, r := range m.Rest {
		u := c.unary(r.Right, sc)
		t = c.arith(r.Op, t, u, m.Pos, r.EndPos)
	}
	return t
}

// arith types a binary arithmetic operation: numbers and kernels combine
// cell-wise; + - % need equal dimensions, * and / combine them.
func (c *checker) arith(op string, a, b *Type, s, e ast.Pos) *Type {
	if !a.known() || !b.known() {
		if a.known() && a.Kind == KKernel || b.known() && b.Kind == KKernel {
			return &Type{Kind: KKernel}
		}
		return unknown
	}
	if !a.numeric() || !b.numeric() {
		c.errorf(s, e, diag.CodeType, "operator %s needs numbers or kernels, got %s and %s", op, a, b)
		return unknown
	}
	if a.anyDim || b.anyDim {
		return &Type{Kind: KKernel, anyDim: true}
	}
	var d Dim
	switch op {
	case "+", "-", "%":
		if a.Dim != b.Dim {
			c.errorf(s, e, diag.CodeUnit, "cannot %s %s and %s", verb(op), a.Dim, b.Dim)
			return unknown
		}
		d = a.Dim
	case "*":
		d = a.Dim.Mul(b.Dim)
	case "/":
		d = a.Dim.Div(b.Dim)
		if b.Const != nil && *b.Const == 0 {
			c.errorf(s, e, diag.CodeArith, "division by zero")
		}
	}
	if a.Kind == KKernel || b.Kind == KKernel {
		k := a.KSize
		if a.Kind == KKernel && b.Kind == KKernel && a.KSize != 0 && b.KSize != 0 && a.KSize != b.KSize {
			c.errorf(s, e, diag.CodeKernelSize, "cell-wise %s of a %dx%d and a %dx%d kernel", op, a.KSize, a.KSize, b.KSize, b.KSize)
		}
		if a.Kind != KKernel || k == 0 {
			k = b.KSize
		}
		return &Type{Kind: KKernel, Dim: d, KSize: k}
	}
	if a.Const != nil && b.Const != nil {
		x, y := *a.Const, *b.Const
		switch op {
		case "+":
			return c.folded(x+y, d, s, e)
		case "-":
			return c.folded(x-y, d, s, e)
		case "*":
			return c.folded(x*y, d, s, e)
		case "/":
			if y != 0 {
				return c.folded(x/y, d, s, e)
			}
		}
	}
	return number(d)
}

// folded is a constant the checker computed; a result that is not a finite
// number is reported where it is computed.
func (c *checker) folded(v float64, d Dim, s, e ast.Pos) *Type {
	if !Finite(v) {
		c.errorf(s, e, diag.CodeArith, "the result is not a finite number (%g)", v)
		return number(d)
	}
	return constant(v, d)
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func verb(op string) string {
	switch op {
	case "+":
		return "add"
	case "-":
		return "subtract"
	}
	return "take the remainder of"
}

func (c *checker) unary(u *ast.Unary, sc *scope) *Type {
	if u.Power != nil {
		return c.power(u.Power, sc)
	}
	t := c.unary(u.Operand, sc)
	if !t.known() {
		return t
	}
	switch u.Op {
	case "not":
		c.wantBool(t, u.Operand.Pos, u.Operand.EndPos, `the operand of "not"`)
		return &Type{Kind: KBool}
	default:
		if !t.numeric() {
			c.errorf(u.Pos, u.EndPos, diag.CodeType, "operator %s needs a number or a kernel, got %s", u.Op, t)
			return unknown
		}
		if u.Op == "-" && t.Const != nil {
			return constant(-*t.Const, t.Dim)
		}
		return t
	}
}

func (c *checker) power(p *ast.Power, sc *scope) *Type {
	base := c.postfix(p.Base, sc)
	if p.Exp == nil {
		return base
	}
	exp := c.unary(p.Exp, sc)
	if !base.known() || !exp.known() {
		return unknownLike(base)
	}
	if !base.numeric() || exp.Kind != KNumber {
		c.errorf(p.Pos, p.EndPos, diag.CodeType, "^ needs a number or kernel base and a number exponent, got %s and %s", base, exp)
		return unknown
	}
	if exp.Dim != dimless {
		c.errorf(p.Exp.Pos, p.Exp.EndPos, diag.CodeUnit, "an exponent must be a plain number, got %s", exp.Dim)
		return unknown
	}
	d := dimless
	if base.Dim != dimless {
		n, whole := WholeNumber(deref(exp.Const), -MaxPower, MaxPower)
		if exp.Const == nil || !whole {
			c.errorf(p.Exp.Pos, p.Exp.EndPos, diag.CodeUnit, "a %s can only be raised to a constant whole power from %d to %d", base.Dim, -MaxPower, MaxPower)
			return unknown
		}
		d = Dim{base.Dim.Angle * n, base.Dim.Length * n}
	}
	if base.Const != nil && exp.Const != nil {
		return c.folded(math.Pow(*base.Const, *exp.Const), d, p.Pos, p.EndPos)
	}
	return cellwise(base, d)
}

func (c *checker) postfix(p *ast.Postfix, sc *scope) *Type {
	t := c.primary(p.Primary, sc)
	for _, s := range p.Suffixes {
		switch {
		case s.Call != nil:
			t = c.call(t, s.Call, sc, p.Pos, s.EndPos)
		case s.Index != nil:
			i := c.expr(s.Index, sc)
			if !t.known() {
				continue
			}
			if t.Kind != KList {
				c.errorf(p.Pos, s.EndPos, diag.CodeType, "cannot index a %s", t)
				t = unknown
				continue
			}
			if i.known() && (i.Kind != KNumber || i.Dim != dimless) {
				c.errorf(s.Index.Pos, s.Index.EndPos, diag.CodeType, "a list index must be a plain number, got %s", i)
			} else if _, whole := WholeNumber(deref(i.Const), 0, max(t.Len-1, 0)); i.Const != nil && t.Len > 0 && !whole {
				c.errorf(s.Index.Pos, s.Index.EndPos, diag.CodeRange, "index %g is not a whole number from 0 to %d: the list has %d items", *i.Const, t.Len-1, t.Len)
			}
			t = t.Elem
			if t == nil {
				t = unknown
			}
		case s.Field != nil:
			t = c.field(t, s.Field)
		}
	}
	return t
}

// field resolves "x.name": a module member, a family of a layer, a layer of
// a reference model.
func (c *checker) field(t *Type, f *ast.Ident) *Type {
	if !t.known() {
		return unknown
	}
	switch t.Kind {
	case KModule:
		sym := t.module.scope.syms[f.Name]
		if sym == nil {
			c.undefined(f, fmt.Sprintf("module %s has no member %q", t.module.file.AST.Header.Name.Name, f.Name), t.module.scope.names())
			return unknown
		}
		return c.symType(sym, f)
	case KLayer:
		fam := t.layer.byName[f.Name]
		if fam == nil {
			var names []string
			for n := range t.layer.byName {
				names = append(names, n)
			}
			c.undefined(f, fmt.Sprintf("layer %s has no family or unit %q", t.layer.name, f.Name), names)
			return unknown
		}
		c.recordOther(f, "family", Span{fam.pos, fam.end}, familyDescription(fam), familyDoc(fam))
		return &Type{Kind: KFamily, family: fam}
	case KModel:
		l, ok := t.model.Layer(f.Name)
		if !ok {
			c.undefined(f, fmt.Sprintf("model %s has no layer %q", t.model.Name, f.Name), t.model.LayerNames())
			return unknown
		}
		c.recordOther(f, "model layer", Span{}, fmt.Sprintf("%s.%s: tensor %s, %d channels", t.model.Name, l.Name, l.Tensor, l.Channels), "")
		return &Type{Kind: KNatLayer, model: t.model, natLayer: l}
	case KNatLayer:
		if l := c.natLayers[natLayerKey(t.model, t.natLayer)]; l != nil && l.byName[f.Name] != nil {
			return &Type{Kind: KFamily, family: l.byName[f.Name]}
		}
		c.errorf(f.Pos, f.EndPos, diag.CodeUndefined, "no unit %q is placed on %s.%s", f.Name, t.model.Name, t.natLayer.Name)
		return unknown
	}
	c.errorf(f.Pos, f.EndPos, diag.CodeType, "a %s has no field %q", t, f.Name)
	return unknown
}

func (c *checker) undefined(id *ast.Ident, summary string, candidates []string) {
	d := c.errorf(id.Pos, id.EndPos, diag.CodeUndefined, "%s", summary)
	if s := diag.Suggest(id.Name, candidates); s != "" {
		d.Hint = fmt.Sprintf("did you mean %q?", s)
	}
}

func (c *checker) primary(p *ast.Primary, sc *scope) *Type {
	switch {
	case p.Number != nil:
		v, d, suffix, ok := ParseNumber(p.Number.Raw)
		if ok && !Finite(v) {
			c.errorf(p.Pos, p.EndPos, diag.CodeNumber, "%s is too large for a number (the largest is about 1.8e308)", p.Number.Raw)
			return unknown
		}
		if !ok {
			dg := c.errorf(p.Pos, p.EndPos, diag.CodeUnit, "unknown unit %q", suffix)
			if s := diag.Suggest(suffix, unitNames()); s != "" {
				dg.Hint = fmt.Sprintf("did you mean %q?", s)
			} else {
				dg.Detail = "units are deg, rad (angles) and px (lengths)"
			}
			return unknown
		}
		return constant(v, d)
	case p.Size != nil:
		w, h, ok := ParseSize(p.Size.Raw)
		if !ok {
			c.errorf(p.Pos, p.EndPos, diag.CodeLimit, "size %s is larger than any circuit may use (at most %dx%d)", p.Size.Raw, MaxInputSide, MaxInputSide)
			return unknown
		}
		return &Type{Kind: KSize, KSize: w, Len: h}
	case p.String != nil:
		return &Type{Kind: KString}
	case p.Bool != "":
		return &Type{Kind: KBool}
	case p.Paren != nil:
		return c.expr(p.Paren, sc)
	case p.List != nil:
		return c.list(p.List, sc)
	case p.Block != nil:
		inner := newScope(sc)
		for _, l := range p.Block.Lets {
			t := c.expr(l.Value, inner)
			c.declareLocal(inner, l.Name, t)
		}
		return c.expr(p.Block.Result, inner)
	case p.Kernel != nil:
		return c.kernel(p.Kernel, sc)
	case p.Table != nil:
		return c.table(p.Table, sc)
	case p.Ident != nil:
		return c.ident(p.Ident, sc)
	}
	return unknown
}

// ParseSize splits "WxH". ok is false when a side is not a number or is
// larger than MaxInputSide, the largest side anything in a circuit has.
func ParseSize(raw string) (w, h int, ok bool) {
	a, b, found := strings.Cut(raw, "x")
	if !found {
		return 0, 0, false
	}
	w, err1 := strconv.Atoi(a)
	h, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || w > MaxInputSide || h > MaxInputSide {
		return 0, 0, false
	}
	return w, h, true
}

func (c *checker) ident(id *ast.Ident, sc *scope) *Type {
	sym := sc.lookup(id.Name)
	if sym == nil {
		if b, ok := builtins[id.Name]; ok {
			c.recordOther(id, "builtin", Span{}, builtinSignature(b), b.doc)
			return &Type{Kind: KBuiltin, builtin: b}
		}
		if v, ok := constants[id.Name]; ok {
			c.recordOther(id, "constant", Span{}, fmt.Sprintf("constant %s = %g", id.Name, v), "")
			return constant(v, dimless)
		}
		if m, ok := c.models.Lookup(id.Name); ok {
			c.recordOther(id, "model", Span{}, fmt.Sprintf("reference model %s: %d layers, input %s %dx%d", m.Name, len(m.LayerNames()), strings.Join(m.Input.Channels, ""), m.Input.Size[1], m.Input.Size[0]), "")
			return &Type{Kind: KModel, model: m}
		}
		if _, ok := units[id.Name]; ok && id.Name != "" {
			d := c.errorf(id.Pos, id.EndPos, diag.CodeUndefined, "undefined name %q", id.Name)
			d.Hint = fmt.Sprintf("a unit goes right after its number, with no space: 10%s", id.Name)
			return unknown
		}
		cands := append(sc.names(), builtinNames()...)
		cands = append(cands, c.models.Names()...)
		c.undefined(id, fmt.Sprintf("undefined name %q", id.Name), cands)
		return unknown
	}
	return c.symType(sym, id)
}

// symType returns the type of a symbol, checking a global let on first use.
func (c *checker) symType(sym *symbol, at *ast.Ident) *Type {
	t := c.symTypeOf(sym, at)
	c.record(at, sym, t)
	return t
}

func (c *checker) symTypeOf(sym *symbol, at *ast.Ident) *Type {
	switch sym.kind {
	case symLet:
		if sym.typ != nil {
			return sym.typ
		}
		if sym.resolving {
			c.errorf(at.Pos, at.EndPos, diag.CodeCycle, "%s is defined in terms of itself", sym.name)
			return unknown
		}
		sym.resolving = true
		sym.typ = c.expr(sym.let.Value, sym.letScope)
		sym.resolving = false
		return sym.typ
	case symFn:
		return &Type{Kind: KFunc, fn: sym.fn}
	case symLayer:
		return &Type{Kind: KLayer, layer: sym.layer}
	case symInput:
		return &Type{Kind: KInput}
	case symModule:
		return &Type{Kind: KModule, module: sym.module}
	}
	if sym.typ == nil {
		return unknown
	}
	return sym.typ
}

func (c *checker) declareLocal(sc *scope, id *ast.Ident, t *Type) {
	if id.Name == "_" || !c.plainName(id) {
		return
	}
	if prev, ok := sc.syms[id.Name]; ok {
		d := c.errorf(id.Pos, id.EndPos, diag.CodeDuplicate, "%s is already defined in this scope", id.Name)
		d.Notes = append(d.Notes, diag.Note{Message: "first defined here", At: diag.RangeAt(prev.pos, len(prev.name))})
		return
	}
	sc.syms[id.Name] = &symbol{name: id.Name, kind: symLocal, pos: id.Pos, end: id.EndPos, typ: t}
}

func (c *checker) list(l *ast.List, sc *scope) *Type {
	if l.For != nil {
		if len(l.Items) != 1 {
			c.errorf(l.Pos, l.EndPos, diag.CodeSyntax, "a list comprehension has exactly one item before \"for\"")
		}
		dom := c.expr(l.For.Domain, sc)
		inner := newScope(sc)
		elem := unknown
		if dom.known() {
			if dom.Kind != KList {
				c.errorf(l.For.Domain.Pos, l.For.Domain.EndPos, diag.CodeType, "for needs a list, got %s", dom)
			} else if dom.Elem != nil {
				elem = dom.Elem
			}
		}
		c.declareLocal(inner, l.For.Var, elem)
		if l.For.Cond != nil {
			c.wantBool(c.expr(l.For.Cond, inner), l.For.Cond.Pos, l.For.Cond.EndPos, "the condition of a comprehension")
		}
		var item *Type = unknown
		for _, it := range l.Items {
			item = c.expr(it, inner)
		}
		n := 0
		if l.For.Cond == nil {
			n = dom.Len
		}
		return &Type{Kind: KList, Elem: item, Len: n}
	}
	var elem *Type
	for _, it := range l.Items {
		t := c.expr(it, sc)
		if elem == nil {
			elem = t
			continue
		}
		u := unify(elem, t)
		if u == nil {
			c.errorf(it.Pos, it.EndPos, diag.CodeType, "list items differ: %s and %s", elem, t)
			continue
		}
		elem = u
	}
	if elem == nil {
		elem = unknown
	}
	return &Type{Kind: KList, Elem: elem, Len: len(l.Items)}
}

// kernel types a literal matrix or a constructor. Kernels are square.
func (c *checker) kernel(k *ast.Kernel, sc *scope) *Type {
	if k.Rows != nil {
		var d *Dim
		n := len(k.Rows)
		for _, row := range k.Rows {
			if len(row.Cells) != n {
				c.errorf(row.Pos, row.EndPos, diag.CodeKernelSize, "a kernel is square: this row has %d cells, the kernel %d rows", len(row.Cells), n)
			}
			for _, cell := range row.Cells {
				t := c.expr(cell, sc)
				if !t.known() {
					continue
				}
				if t.Kind != KNumber {
					c.errorf(cell.Pos, cell.EndPos, diag.CodeType, "a kernel cell must be a number, got %s", t)
					continue
				}
				if d == nil {
					d = &t.Dim
				} else if *d != t.Dim {
					c.errorf(cell.Pos, cell.EndPos, diag.CodeUnit, "kernel cells mix %s and %s", *d, t.Dim)
				}
			}
		}
		if d == nil {
			d = &dimless
		}
		return &Type{Kind: KKernel, Dim: *d, KSize: n}
	}
	size := 0
	var t *Type
	switch {
	case k.Size.Size != nil:
		t = c.primary(&ast.Primary{Pos: k.Size.Pos, EndPos: k.Size.EndPos, Size: k.Size.Size}, sc)
	case k.Size.Number != nil:
		t = c.primary(&ast.Primary{Pos: k.Size.Pos, EndPos: k.Size.EndPos, Number: k.Size.Number}, sc)
	case k.Size.Ident != nil:
		t = c.ident(k.Size.Ident, sc)
	default:
		t = c.expr(k.Size.Paren, sc)
	}
	if t.known() {
		if t.Kind == KSize {
			if t.KSize != t.Len {
				c.errorf(k.Size.Pos, k.Size.EndPos, diag.CodeKernelSize, "a kernel is square, not %dx%d", t.KSize, t.Len)
			}
			size = t.KSize
			if size > MaxKernel {
				c.errorf(k.Size.Pos, k.Size.EndPos, diag.CodeLimit, "a kernel is at most %dx%d", MaxKernel, MaxKernel)
				size = 0
			}
		} else if t.Kind != KNumber || t.Dim != dimless {
			c.errorf(k.Size.Pos, k.Size.EndPos, diag.CodeType, "a kernel size must be a count of cells, got %s", t)
		} else if t.Const != nil {
			var whole bool
			if *t.Const > MaxKernel && Finite(*t.Const) {
				c.errorf(k.Size.Pos, k.Size.EndPos, diag.CodeLimit, "a %gx%g kernel is larger than the limit of %dx%d", *t.Const, *t.Const, MaxKernel, MaxKernel)
			} else if size, whole = WholeNumber(*t.Const, 1, MaxKernel); !whole {
				c.errorf(k.Size.Pos, k.Size.EndPos, diag.CodeKernelSize, "a kernel size must be a whole number of at least 1, got %g", *t.Const)
			}
		}
	}
	if size > 0 && size%2 == 0 {
		c.errorf(k.Size.Pos, k.Size.EndPos, diag.CodeKernelSize, "a kernel size must be odd so that it has a centre, got %d", size)
	}
	inner := newScope(sc)
	coordTypes := []*Type{number(length), number(length), number(length), number(angle)}
	if len(k.Coords) > 4 {
		c.errorf(k.Coords[4].Pos, k.Coords[len(k.Coords)-1].EndPos, "arity", "a kernel has at most four coordinates: x, y, r, θ")
	}
	for i, id := range k.Coords {
		if i < 4 {
			c.declareLocal(inner, id, coordTypes[i])
		}
	}
	body := c.expr(k.Body, inner)
	if body.known() && body.Kind != KNumber {
		c.errorf(k.Body.Pos, k.Body.EndPos, diag.CodeType, "a kernel constructor computes a number per cell, got %s", body)
		return &Type{Kind: KKernel, KSize: size}
	}
	return &Type{Kind: KKernel, Dim: body.Dim, KSize: size}
}

var tableOptions = []string{"mirror", "periodic", "gap", "fill"}

func (c *checker) table(t *ast.Table, sc *scope) *Type {
	var keyDim, valDim *Dim
	note := func(dp **Dim, ty *Type, s, e ast.Pos, what string) {
		if !ty.known() {
			return
		}
		if ty.Kind != KNumber {
			c.errorf(s, e, diag.CodeType, "a table %s must be a number, got %s", what, ty)
			return
		}
		if *dp == nil {
			d := ty.Dim
			*dp = &d
		} else if **dp != ty.Dim {
			c.errorf(s, e, diag.CodeUnit, "table %ss mix %s and %s", what, **dp, ty.Dim)
		}
	}
	var prev *float64
	for _, en := range t.Entries {
		kt := c.expr(en.Key, sc)
		note(&keyDim, kt, en.Key.Pos, en.Key.EndPos, "key")
		if kt.Const != nil {
			if prev != nil && *kt.Const <= *prev {
				c.errorf(en.Key.Pos, en.Key.EndPos, diag.CodeTable, "table keys must increase")
			}
			prev = kt.Const
		}
		note(&valDim, c.expr(en.Value, sc), en.Value.Pos, en.Value.EndPos, "value")
	}
	seen := map[string]bool{}
	for _, o := range t.Options {
		ty := c.unary(o.Value, sc)
		switch o.Name.Name {
		case "mirror", "periodic", "gap":
			note(&keyDim, ty, o.Value.Pos, o.Value.EndPos, "key")
			if ty.Const != nil && *ty.Const <= 0 {
				c.errorf(o.Value.Pos, o.Value.EndPos, diag.CodeTable, "%s must be positive", o.Name.Name)
			}
		case "fill":
			note(&valDim, ty, o.Value.Pos, o.Value.EndPos, "value")
		default:
			c.undefined(o.Name, fmt.Sprintf("unknown table option %q", o.Name.Name), tableOptions)
			continue
		}
		if seen[o.Name.Name] {
			c.errorf(o.Name.Pos, o.Name.EndPos, diag.CodeDuplicate, "table option %s is given twice", o.Name.Name)
		}
		seen[o.Name.Name] = true
	}
	if seen["mirror"] && seen["periodic"] {
		c.errorf(t.Pos, t.EndPos, diag.CodeTable, "a table is either mirror or periodic, not both")
	}
	if seen["fill"] != seen["gap"] {
		c.errorf(t.Pos, t.EndPos, diag.CodeTable, "gap and fill go together: gap D fill V")
	}
	if len(t.Entries) == 0 {
		c.errorf(t.Pos, t.EndPos, diag.CodeTable, "a table needs at least one entry")
	}
	res := &Type{Kind: KTable}
	if keyDim != nil {
		res.KeyDim = *keyDim
	}
	if valDim != nil {
		res.Dim = *valDim
	}
	return res
}

// call types a call of a function, a builtin or a table.
func (c *checker) call(callee *Type, cl *ast.Call, sc *scope, s, e ast.Pos) *Type {
	args := make([]*Type, len(cl.Args))
	for i, a := range cl.Args {
		args[i] = c.expr(a.Value, sc)
	}
	if !callee.known() {
		return unknown
	}
	switch callee.Kind {
	case KFunc:
		return c.callFn(callee.fn, cl, args, s, e)
	case KBuiltin:
		b := callee.builtin
		for _, a := range cl.Args {
			if a.Name != nil {
				c.errorf(a.Name.Pos, a.Name.EndPos, diag.CodeArity, "%s takes no named arguments", b.name)
			}
		}
		if len(args) < b.arity[0] || b.arity[1] >= 0 && len(args) > b.arity[1] {
			c.errorf(s, e, diag.CodeArity, "%s takes %s, got %d", b.name, argCount(b.arity), len(args))
			return unknown
		}
		return b.check(&call{args: args, fail: func(i int, format string, a ...any) {
			if i < 0 {
				c.errorf(s, e, diag.CodeType, "%s: "+format, append([]any{b.name}, a...)...)
				return
			}
			c.errorf(cl.Args[i].Pos, cl.Args[i].EndPos, diag.CodeType, "%s: "+format, append([]any{b.name}, a...)...)
		}})
	case KTable:
		if len(args) != 1 {
			c.errorf(s, e, diag.CodeArity, "a table takes 1 argument, got %d", len(args))
			return unknown
		}
		a := args[0]
		if !a.known() || callee.anyDim {
			return unknownLike(a)
		}
		if !a.numeric() {
			c.errorf(cl.Args[0].Pos, cl.Args[0].EndPos, diag.CodeType, "a table is looked up with a number, got %s", a)
			return unknown
		}
		if a.Dim != callee.KeyDim {
			c.errorf(cl.Args[0].Pos, cl.Args[0].EndPos, diag.CodeUnit, "the table's keys are %s, the argument is %s", callee.KeyDim, a.Dim)
		}
		return cellwise(a, callee.Dim)
	}
	c.errorf(s, e, diag.CodeType, "a %s cannot be called", callee)
	return unknown
}

func argCount(a [2]int) string {
	switch {
	case a[1] < 0:
		return fmt.Sprintf("at least %d argument%s", a[0], plural(a[0]))
	case a[0] == a[1]:
		return fmt.Sprintf("%d argument%s", a[0], plural(a[0]))
	}
	return fmt.Sprintf("%d to %d arguments", a[0], a[1])
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// paramTypes are the names usable in a function parameter annotation.
var paramTypes = map[string]*Type{
	"number": number(dimless), "angle": number(angle), "length": number(length),
	"bool": {Kind: KBool}, "kernel": {Kind: KKernel, anyDim: true}, "list": {Kind: KList}, "string": {Kind: KString},
	"table": {Kind: KTable, anyDim: true},
}

func paramTypeNames() []string {
	return []string{"angle", "bool", "kernel", "length", "list", "number", "string", "table"}
}

// conforms reports whether an argument of type a may be passed where an
// annotation asks for want.
func conforms(a, want *Type) bool {
	if !a.known() {
		return true
	}
	if want.Kind == KKernel {
		return a.Kind == KKernel
	}
	if a.Kind != want.Kind {
		return false
	}
	return want.Kind != KNumber || a.Dim == want.Dim
}

// signature writes a function's parameters as its declaration does, with
// its module when it comes from an import: "filters.edge(size: number, a:
// angle)".
func (c *checker) signature(f *fnSym) string {
	if h := f.mod.file.AST.Header; h != nil && f.mod != c.mods[c.prog.Main.Name] {
		return h.Name.Name + "." + f.decl.Signature()
	}
	return f.decl.Signature()
}

// callFn binds arguments to parameters (positionally, then by name), checks
// annotations, and checks the body for these argument types once.
func (c *checker) callFn(f *fnSym, cl *ast.Call, args []*Type, s, e ast.Pos) *Type {
	params := f.decl.Params
	bound := make([]*Type, len(params))
	named := false
	for i, a := range cl.Args {
		if a.Name == nil {
			if named {
				c.errorf(a.Pos, a.EndPos, diag.CodeArity, "a positional argument cannot follow a named one")
				return unknown
			}
			if i >= len(params) {
				d := c.errorf(s, e, diag.CodeArity, "%s takes %d argument%s, got %d", f.name, len(params), plural(len(params)), len(cl.Args))
				d.Hint = c.signature(f)
				return unknown
			}
			bound[i] = args[i]
			continue
		}
		named = true
		j := -1
		var names []string
		for k, p := range params {
			names = append(names, p.Name.Name)
			if p.Name.Name == a.Name.Name {
				j = k
			}
		}
		if j < 0 {
			c.undefined(a.Name, fmt.Sprintf("%s has no parameter %q", f.name, a.Name.Name), names)
			return unknown
		}
		if bound[j] != nil {
			c.errorf(a.Name.Pos, a.Name.EndPos, diag.CodeArity, "parameter %s is given twice", a.Name.Name)
			return unknown
		}
		bound[j] = args[i]
	}
	mismatched := false
	for i, b := range bound {
		if b == nil {
			d := c.errorf(s, e, diag.CodeArity, "%s: missing argument %s", f.name, params[i].Name.Name)
			d.Hint = c.signature(f)
			return unknown
		}
		if params[i].Type != nil {
			if want, ok := paramTypes[params[i].Type.Name]; ok && !conforms(b, want) {
				c.errorf(cl.Args[min(i, len(cl.Args)-1)].Pos, cl.Args[min(i, len(cl.Args)-1)].EndPos, "type",
					"%s: parameter %s is %s, got %s", f.name, params[i].Name.Name, params[i].Type.Name, b)
				mismatched = true
			}
		}
	}
	if mismatched {
		return unknown // the call is wrong: its body would only repeat it, inside the callee
	}
	before := len(c.diags)
	t := c.instantiate(f, bound)
	for _, d := range c.diags[before:] {
		d.Notes = append(d.Notes, diag.Note{Message: "in the call of " + f.name + " here", At: diag.Span(s, e)})
	}
	return t
}

// instantiate checks f's body for the given parameter types.
func (c *checker) instantiate(f *fnSym, params []*Type) *Type {
	var kb strings.Builder
	for _, p := range params {
		kb.WriteString(p.key())
		kb.WriteByte(';')
	}
	key := kb.String()
	if t, ok := f.insts[key]; ok {
		return t
	}
	if f.active[key] || c.depth >= maxInstDepth {
		return unknown // recursion: the evaluator bounds it
	}
	f.active[key] = true
	c.depth++
	sc := newScope(f.mod.scope)
	for i, p := range f.decl.Params {
		c.declareLocal(sc, p.Name, params[i])
	}
	t := c.expr(f.decl.Body, sc)
	c.depth--
	delete(f.active, key)
	f.insts[key] = t
	return t
}
