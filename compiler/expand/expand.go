package expand

import (
	"fmt"
	"math"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/eval"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
)

// family is an expanded family of the layer being read from: its members
// in channel order and each parameter's domain.
type family struct {
	name    string
	pnames  []string
	domains []eval.List
	members []*Unit
}

type expander struct {
	prog    *check.Program
	ev      *eval.Evaluator
	env     *eval.Env
	net     *Network
	src     []*family // families of the layer the current one reads
	input   *check.Input
	weights int
	// motifText is the motif being applied ("rotate 15deg"), for messages.
	motifText string
}

// Expand evaluates a checked circuit into a network of units and weights.
// Evaluation stops at the first error, which is returned as a diagnostic.
func Expand(prog *check.Program, ev *eval.Evaluator) (*Network, diag.List) {
	c := prog.Circuit()
	if c == nil {
		d := &diag.Diagnostic{Code: diag.CodeBuild, Summary: "a library has no network to build; build a circuit",
			Subject: diag.RangeAt(prog.Main.AST.Pos, 0)}
		return nil, diag.List{d}
	}
	x := &expander{prog: prog, ev: ev, env: ev.ModuleEnv(prog.Main), input: c.Input,
		net: &Network{Name: prog.Main.AST.Header.Name.Name, Source: prog.Main.Name}}
	if c.Input == nil && len(c.Layers) == 0 {
		return x.net, nil // a circuit that only edits reference models: no network of its own
	}
	if d := catch(func() { x.expand(c) }); d != nil {
		return nil, diag.List{d}
	}
	return x.net, nil
}

// bailout carries a diagnostic out of deep expansion to the package's
// entry points (Expand, Natural, Channels), which return it: panics never
// leave the package.
type bailout struct{ d *diag.Diagnostic }

// fail stops the expansion with a diagnostic at [s, e).
func (x *expander) fail(s, e ast.Pos, code diag.Code, format string, a ...any) {
	panic(bailout{diag.At(s, e, code, format, a...)})
}

// expr evaluates e, stopping the expansion on a failure.
func (x *expander) expr(e *ast.Expr, env *eval.Env) eval.Value {
	v, d := x.ev.Eval(e, env)
	if d != nil {
		panic(bailout{d})
	}
	return v
}

// catch runs f and returns the diagnostic it stopped with, if any; any
// other panic is a bug and goes on.
func catch(f func()) (d *diag.Diagnostic) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			d = b.d
		}
	}()
	f()
	return nil
}

func (x *expander) expand(c *check.Circuit) {
	if c.Input == nil {
		x.fail(c.File.AST.Header.Pos, c.File.AST.Header.EndPos, diag.CodeInput, "the circuit declares no input")
	}
	x.inputLayer(c.Input)
	C, H, W := x.net.Input.C, x.net.Input.H, x.net.Input.W
	activations := C * H * W
	for _, cl := range c.Layers {
		l := &Layer{Name: cl.Name, Op: cl.Op, Kernel: cl.Kernel, Stride: 1, InC: C, InH: H, InW: W, Pos: cl.Decl.Pos.String()}
		pad := "valid"
		padN := 0
		for _, op := range cl.Decl.Ops {
			if check.LayerOp(op.Name.Name) == check.LayerRelu {
				l.Relu = true
				continue
			}
			for _, o := range op.Options {
				switch o.Name.Name {
				case "stride":
					l.Stride = x.whole(o.Value, 1, check.MaxInputSide)
				case "pad":
					if id := ast.BareIdent(o.Value); id != nil {
						pad = id.Name
					} else {
						pad, padN = "explicit", x.whole(o.Value, 0, check.MaxKernel)
					}
				}
			}
		}
		if l.Op == check.LayerRelu {
			l.Kernel, l.Stride = 0, 0
			l.OutC, l.OutH, l.OutW = C, H, W
		} else {
			l.OutH, l.Pads[0], l.Pads[2] = geometry(H, l.Kernel, l.Stride, pad, padN)
			l.OutW, l.Pads[1], l.Pads[3] = geometry(W, l.Kernel, l.Stride, pad, padN)
			if l.OutH < 1 || l.OutW < 1 {
				x.fail(cl.Decl.Pos, cl.Decl.EndPos, diag.CodeLayer, "layer %s leaves no pixels: its %dx%d input is smaller than its %dx%d kernel", l.Name, H, W, l.Kernel, l.Kernel)
			}
			l.OutC = C
		}
		if l.Op == check.LayerConv {
			x.convLayer(cl, l)
		}
		if activations += l.OutC * l.OutH * l.OutW; activations > check.MaxActivations {
			x.fail(cl.Decl.Pos, cl.Decl.EndPos, diag.CodeLimit, "the layers' outputs for one image pass %d values (the limit) at layer %s", check.MaxActivations, l.Name)
		}
		x.net.Layers = append(x.net.Layers, l)
		C, H, W = l.OutC, l.OutH, l.OutW
	}
}

// geometry returns the output size and the padding before and after along
// one axis. "same" pads like TensorFlow: the output is ceil(in/stride) and
// the odd pixel of padding goes after.
func geometry(in, k, stride int, pad string, n int) (out, before, after int) {
	switch pad {
	case "same":
		out = (in + stride - 1) / stride
		total := max((out-1)*stride+k-in, 0)
		return out, total / 2, total - total/2
	case "explicit":
		return (in+2*n-k)/stride + 1, n, n
	}
	return (in-k)/stride + 1, 0, 0
}

func (x *expander) inputLayer(in *check.Input) {
	d := in.Decl
	dom, ok := x.expr(d.Channel.Domain, x.env).(eval.List)
	if !ok || len(dom) == 0 {
		x.fail(d.Channel.Domain.Pos, d.Channel.Domain.EndPos, diag.CodeInput, "the input needs a non-empty list of channels")
	}
	if len(dom) > check.MaxInputChannels {
		x.fail(d.Channel.Domain.Pos, d.Channel.Domain.EndPos, diag.CodeLimit, "the input has more than %d channels (the limit)", check.MaxInputChannels)
	}
	x.net.Input = Input{Name: in.Name, C: len(dom), Lo: 0, Hi: 1}
	f := &family{name: in.Name, pnames: []string{d.Channel.Name.Name}, domains: []eval.List{dom}}
	seen := map[string]bool{}
	for i, v := range dom {
		name := eval.Format(v)
		if s, ok := v.(eval.Str); ok {
			name = string(s)
		}
		if seen[name] {
			x.fail(d.Channel.Domain.Pos, d.Channel.Domain.EndPos, diag.CodeDuplicate, "the input has two channels named %s", name)
		}
		seen[name] = true
		x.net.Input.Channels = append(x.net.Input.Channels, name)
		f.members = append(f.members, &Unit{Index: i, Name: fmt.Sprintf("%s[%s=%s]", in.Name, d.Channel.Name.Name, eval.Format(v)),
			Family: in.Name, Params: []Param{{d.Channel.Name.Name, v}}, EquivarianceError: math.NaN()})
	}
	for _, o := range d.Options {
		v := x.expr(o.Value, x.env)
		switch o.Name.Name {
		case "size":
			s := v.(eval.Size)
			x.net.Input.W, x.net.Input.H = s.W, s.H
		case "range":
			l := v.(eval.List)
			if len(l) > 0 {
				x.net.Input.Lo, x.net.Input.Hi = l[0].(eval.Num).S, l[len(l)-1].(eval.Num).S
			}
		}
	}
	x.src = []*family{f}
}

// members enumerates a family's parameter combinations, first parameter
// slowest.
func (x *expander) members(params []*ast.Param, fname string, at ast.Pos) ([]string, []eval.List, [][]eval.Value) {
	var names []string
	var doms []eval.List
	total := 1
	for _, p := range params {
		dom, ok := x.expr(p.Domain, x.env).(eval.List)
		if !ok {
			x.fail(p.Domain.Pos, p.Domain.EndPos, diag.CodeType, "a family parameter ranges over a list")
		}
		if len(dom) == 0 {
			x.fail(p.Domain.Pos, p.Domain.EndPos, diag.CodeRange, "parameter %s of %s has no values", p.Name.Name, fname)
		}
		seen := map[string]bool{}
		for _, v := range dom {
			if n, ok := v.(eval.Num); ok && n.Cells == nil && !check.Finite(n.S) {
				x.fail(p.Domain.Pos, p.Domain.EndPos, diag.CodeArith, "parameter %s of %s takes the value %s, which is not a finite number", p.Name.Name, fname, eval.Format(v))
			}
			if s := eval.Format(v); seen[s] {
				x.fail(p.Domain.Pos, p.Domain.EndPos, diag.CodeDuplicate, "parameter %s of %s takes the value %s twice, so two members would have one name", p.Name.Name, fname, s)
			} else {
				seen[s] = true
			}
		}
		names = append(names, p.Name.Name)
		doms = append(doms, dom)
		total *= len(dom)
		if total > x.ev.Limits.MaxUnitsPerFamily {
			x.fail(at, at, diag.CodeLimit, "family %s has more than %d units (the limit)", fname, x.ev.Limits.MaxUnitsPerFamily)
		}
	}
	combos := [][]eval.Value{{}}
	for _, dom := range doms {
		var next [][]eval.Value
		for _, c := range combos {
			for _, v := range dom {
				next = append(next, append(append([]eval.Value(nil), c...), v))
			}
		}
		combos = next
	}
	return names, doms, combos
}

// memberEnv binds a family member's parameters for its body.
func (x *expander) memberEnv(names []string, vals []eval.Value) (*eval.Env, []Param) {
	env := eval.NewEnv(x.env)
	ps := make([]Param, len(names))
	for i, n := range names {
		env.Set(n, vals[i])
		ps[i] = Param{n, vals[i]}
	}
	return env, ps
}

func unitName(fam string, names []string, vals []eval.Value) string {
	if len(names) == 0 {
		return fam
	}
	parts := make([]string, len(names))
	for i := range names {
		parts[i] = names[i] + "=" + eval.Format(vals[i])
	}
	return fam + "[" + strings.Join(parts, ",") + "]"
}

// convLayer places the units of every family on l and computes their weights.
func (x *expander) convLayer(cl *check.Layer, l *Layer) {
	kk := l.Kernel * l.Kernel
	type pending struct {
		unit   *Unit
		w      [][]float64 // per input channel, K×K
		bias   float64
		family *check.Family
	}
	var placed []pending
	var fams []*family
	templates := map[*check.Family]*pending{}
	for _, f := range cl.Families {
		var declPos ast.Pos
		var params []*ast.Param
		if f.Decl.Unit != nil {
			declPos = f.Decl.Unit.Pos
		} else {
			declPos, params = f.Decl.Family.Pos, f.Decl.Family.Params
		}
		l.Families = append(l.Families, FamilyPos{f.Name, declPos.String()})
		names, doms, combos := x.members(params, f.Name, declPos)
		if len(placed)+len(combos) > check.MaxUnitsPerLayer {
			x.fail(declPos, declPos, diag.CodeLimit, "layer %s has more than %d units (the limit)", l.Name, check.MaxUnitsPerLayer)
		}
		if x.weights+(len(placed)+len(combos))*l.InC*kk > x.ev.Limits.MaxWeights {
			x.fail(declPos, declPos, diag.CodeLimit, "the network has more than %d weights (the limit)", x.ev.Limits.MaxWeights)
		}
		fam := &family{name: f.Name, pnames: names, domains: doms}
		type result struct {
			w    [][]float64
			bias float64
		}
		bodies := make([]result, len(combos))
		if f.Base == nil {
			// The members' bodies are independent: evaluate them in parallel.
			var body *ast.Body
			if f.Decl.Unit != nil {
				body = f.Decl.Unit.Body
			} else {
				body = f.Decl.Family.Body
			}
			x.parallel(len(combos), func(wx *expander, i int) {
				env, _ := wx.memberEnv(names, combos[i])
				bodies[i].w, bodies[i].bias = wx.body(l, body, env)
			})
		}
		for i, vals := range combos {
			env, ps := x.memberEnv(names, vals)
			u := &Unit{Name: unitName(f.Name, names, vals), Family: f.Name, Params: ps, Pos: declPos.String(), EquivarianceError: math.NaN()}
			var p pending
			if f.Base != nil {
				base := templates[f.Base]
				if base == nil {
					x.fail(declPos, declPos, diag.CodeMotif, "the base %s of %s must be declared before it", f.Base.Name, f.Name)
				}
				p = pending{unit: u, bias: base.bias, family: f}
				p.w, u.EquivarianceError = x.motifs(f.Decl.Family.Motifs, env, base.w, l.Kernel)
			} else {
				p = pending{unit: u, w: bodies[i].w, bias: bodies[i].bias, family: f}
			}
			if f.Template {
				pp := p
				templates[f] = &pp
				continue
			}
			placed = append(placed, p)
			fam.members = append(fam.members, u)
		}
		if !f.Template {
			fams = append(fams, fam)
		}
	}
	l.OutC = len(placed)
	x.weights += l.OutC * l.InC * kk
	if x.weights > x.ev.Limits.MaxWeights {
		x.fail(cl.Decl.Pos, cl.Decl.EndPos, diag.CodeLimit, "the network has more than %d weights (the limit)", x.ev.Limits.MaxWeights)
	}
	l.Weights = make([]float64, l.OutC*l.InC*kk)
	l.Bias = make([]float64, l.OutC)
	for o, p := range placed {
		p.unit.Index = o
		l.Units = append(l.Units, p.unit)
		l.Bias[o] = p.bias
		for i, k := range p.w {
			copy(l.Weights[(o*l.InC+i)*kk:], k)
		}
	}
	x.src = fams
}

// whole evaluates a layer option that must be a whole number in [lo, hi].
func (x *expander) whole(e *ast.Expr, lo, hi int) int {
	v, ok := x.expr(e, x.env).(eval.Num)
	n, whole := check.WholeNumber(v.S, lo, hi)
	if !ok || v.Cells != nil || !whole {
		x.fail(e.Pos, e.EndPos, diag.CodeLayer, "must be a whole number from %d to %d, got %s", lo, hi, eval.Format(v))
	}
	return n
}

// source returns what a connection reads, as a family, and the names its
// members' parameters are bound to: a family of the layer read (bound by
// the source's binders), or selected channels of a reference model (one
// member per channel, bound by the selector's binder).
func (x *expander) source(src *ast.Source, env *eval.Env) (*family, []*ast.Ident) {
	if src.Selector == nil {
		return x.sourceFamily(src), src.Binders
	}
	name := "c"
	if src.Selector.Binder != nil {
		name = src.Selector.Binder.Name
	}
	f := &family{name: src.Path.String(), pnames: []string{name}}
	for _, c := range x.channels(src.Selector, env) {
		f.members = append(f.members, &Unit{Index: c, Name: fmt.Sprintf("%s[%d]", f.name, c), Params: []Param{{name, eval.Num{S: float64(c)}}}})
	}
	var binders []*ast.Ident
	if src.Selector.Binder != nil {
		binders = []*ast.Ident{src.Selector.Binder}
	}
	return f, binders
}

// Channels evaluates a selector's items (channel numbers and ranges of
// them) into channel numbers, in order.
func Channels(ev *eval.Evaluator, sel *ast.Selector, env *eval.Env) (out []int, d *diag.Diagnostic) {
	x := &expander{ev: ev}
	d = catch(func() { out = x.channels(sel, env) })
	return out, d
}

func (x *expander) channels(sel *ast.Selector, env *eval.Env) []int {
	var out []int
	add := func(v eval.Value, it *ast.Expr) {
		n, ok := v.(eval.Num)
		c, whole := check.WholeNumber(n.S, 0, math.MaxInt32)
		if !ok || n.Cells != nil || !whole {
			x.fail(it.Pos, it.EndPos, diag.CodeSelector, "a channel is a whole number, got %s", eval.Format(v))
		}
		out = append(out, c)
	}
	for _, it := range sel.Items {
		switch v := x.expr(it, env).(type) {
		case eval.List:
			for _, c := range v {
				add(c, it)
			}
		default:
			add(v, it)
		}
	}
	return out
}

// sourceFamily finds the family a connection reads among those of the layer
// the current one reads.
func (x *expander) sourceFamily(src *ast.Source) *family {
	parts := src.Path.Parts
	name := parts[len(parts)-1].Ident.Name
	for _, f := range x.src {
		if f.name == name {
			return f
		}
	}
	x.fail(src.Pos, src.EndPos, diag.CodeConnection, "%s is not an input of this layer", name)
	return nil
}

// body evaluates a unit's statements into per-input-channel kernels and a bias.
func (x *expander) body(l *Layer, body *ast.Body, env *eval.Env) ([][]float64, float64) {
	kk := l.Kernel * l.Kernel
	w := make([][]float64, l.InC)
	for i := range w {
		w[i] = make([]float64, kk)
	}
	bias := 0.0
	env = eval.NewEnv(env)
	for _, s := range body.Stmts {
		switch {
		case s.Let != nil:
			env.Set(s.Let.Name.Name, x.expr(s.Let.Value, env))
		case s.Bias != nil:
			b, ok := x.expr(s.Bias.Value, env).(eval.Num)
			if !ok || b.Cells != nil {
				x.fail(s.Bias.Value.Pos, s.Bias.Value.EndPos, diag.CodeType, "a bias is a plain number")
			}
			bias = b.S
			if !check.FitsFloat32(bias) {
				x.fail(s.Bias.Value.Pos, s.Bias.Value.EndPos, diag.CodeArith, "the bias is %s: not a finite float32 (at most about 3.4e38)", eval.Format(b))
			}
		case s.From != nil:
			x.from(l, s.From, env, w)
		}
	}
	return w, bias
}

func (x *expander) from(l *Layer, fr *ast.From, env *eval.Env, w [][]float64) {
	f, binders := x.source(fr.Source, env)
	kk := l.Kernel * l.Kernel
	for _, m := range f.members {
		inner := eval.NewEnv(env)
		for i, b := range binders {
			if i < len(m.Params) {
				inner.Set(b.Name, m.Params[i].Value)
			}
		}
		if fr.Where != nil {
			c, ok := x.expr(fr.Where, inner).(eval.Bool)
			if !ok || c.Cells != nil {
				x.fail(fr.Where.Pos, fr.Where.EndPos, diag.CodeType, "the where condition must be one bool")
			}
			if !c.B {
				continue
			}
		}
		v, ok := x.expr(fr.Weight, inner).(eval.Num)
		if !ok {
			x.fail(fr.Weight.Pos, fr.Weight.EndPos, diag.CodeType, "a weight is a number or a kernel")
		}
		if m.Index < 0 || m.Index >= len(w) {
			x.fail(fr.Source.Pos, fr.Source.EndPos, diag.CodeSelector, "channel %d is not an input of this layer (it has %d)", m.Index, len(w))
		}
		k := w[m.Index]
		switch {
		case v.Cells == nil && kk == 1:
			k[0] += v.S
		case v.Cells != nil && v.K == l.Kernel:
			for i, c := range v.Cells {
				k[i] += c
			}
		default:
			x.fail(fr.Weight.Pos, fr.Weight.EndPos, diag.CodeKernelSize, "the weight from %s is %s, the layer's kernels are %dx%d", m.Name, eval.Format(v), l.Kernel, l.Kernel)
		}
		for _, c := range k {
			if !check.FitsFloat32(c) {
				x.fail(fr.Weight.Pos, fr.Weight.EndPos, diag.CodeArith, "the weight from %s, summed with the connections before it, is %s: not a finite float32 (at most about 3.4e38)", m.Name, eval.Format(eval.Num{S: c}))
			}
		}
	}
}

// parallel runs job(i) for i in [0, n) on as many goroutines as there are
// processors, each with its own evaluator fork. The first failure in job
// order is raised, so the outcome does not depend on scheduling.
func (x *expander) parallel(n int, job func(wx *expander, i int)) {
	workers := min(goruntime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			job(x, i)
		}
		return
	}
	fails := make([]*diag.Diagnostic, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		fork := x.ev.Fork()
		wx := &expander{prog: x.prog, ev: fork, env: fork.ModuleEnv(x.prog.Main), net: x.net, src: x.src, input: x.input}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fails[i] = catch(func() { job(wx, i) })
			}
		}()
	}
	wg.Wait()
	for _, d := range fails {
		if d != nil {
			panic(bailout{d})
		}
	}
}
