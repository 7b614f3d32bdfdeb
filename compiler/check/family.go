package check

import (
	"fmt"

	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
	"github.com/circc/circc/models"
	"github.com/circc/circc/stimuli"
)

// ref resolves a dotted reference (a layer, a family, a model layer) in the
// module scope.
func (c *checker) ref(m *module, r *ast.Ref, sc *scope) *Type {
	first := r.Parts[0]
	if first.Ident == nil {
		c.errorf(first.Pos, first.EndPos, diag.CodeSyntax, "a quoted tensor name follows a model name: inceptionv1.\"inception_3b/output_1\"")
		return unknown
	}
	t := c.ident(first.Ident, sc)
	for _, p := range r.Parts[1:] {
		if p.Star {
			if t.known() && t.Kind == KModel {
				c.errorf(p.Pos, p.EndPos, diag.CodeMatch, "%s.* (every layer) is searched only by match", t.model.Name)
			} else if t.known() {
				c.errorf(p.Pos, p.EndPos, diag.CodeType, "* stands for every layer of a model, not of a %s", t)
			}
			return unknown
		}
		if p.Str != nil {
			if !t.known() {
				return unknown
			}
			if t.Kind != KModel {
				c.errorf(p.Pos, p.EndPos, diag.CodeType, "only a model has quoted tensor names, not a %s", t)
				return unknown
			}
			name := p.Text()
			l, ok := t.model.Layer(name)
			if !ok {
				d := c.errorf(p.Pos, p.EndPos, diag.CodeUndefined, "model %s has no tensor %q", t.model.Name, name)
				if s := diag.Suggest(name, t.model.LayerNames()); s != "" {
					d.Hint = fmt.Sprintf("did you mean %q?", s)
				}
				return unknown
			}
			t = &Type{Kind: KNatLayer, model: t.model, natLayer: l}
			continue
		}
		t = c.field(t, p.Ident)
	}
	return t
}

func refSpan(r *ast.Ref) (ast.Pos, ast.Pos) { return r.Pos, r.EndPos }

// natLayerKey names the pseudo-layer of a reference-model layer.
var natLayerKey = func(m *models.Manifest, l *models.Layer) string { return m.Name + "." + l.Name }

func (c *checker) layerOf(m *module, r *ast.Ref) *layerSym {
	t := c.ref(m, r, m.scope)
	if !t.known() {
		return nil
	}
	switch t.Kind {
	case KLayer:
		return t.layer
	case KNatLayer:
		key := natLayerKey(t.model, t.natLayer)
		if l := c.natLayers[key]; l != nil {
			return l
		}
		l := &layerSym{name: key, index: -1, op: LayerConv, byName: map[string]*familySym{}}
		c.natLayers[key] = l
		return l
	}
	s, e := refSpan(r)
	c.errorf(s, e, diag.CodeType, "units are placed on a layer, not on a %s", t)
	return nil
}

// declareFamily enters a family or unit on its layer and types its parameters.
func (c *checker) declareFamily(m *module, d *ast.Decl) *familySym {
	f := &familySym{decl: d}
	var id *ast.Ident
	var params []*ast.Param
	var layer *layerSym
	switch {
	case d.Unit != nil:
		id, f.unit = d.Unit.Name, true
		layer = c.layerOf(m, d.Unit.Layer)
	case d.Family.Layer != nil:
		id, params = d.Family.Name, d.Family.Params
		layer = c.layerOf(m, d.Family.Layer)
	default:
		id, params = d.Family.Name, d.Family.Params
		if b := c.wantFamily(m, d.Family.Base); b != nil {
			layer = b.layer
			b.template = true
			f.base = b
			if !b.unit {
				s, e := refSpan(d.Family.Base)
				c.errorf(s, e, diag.CodeMotif, "the base of a motif is a single unit; %s.%s is a family", b.layer.name, b.name)
			}
		}
	}
	f.name, f.pos, f.end = id.Name, id.Pos, id.EndPos
	c.plainName(id)
	for _, p := range params {
		t := c.expr(p.Domain, m.scope)
		elem := unknown
		if t.known() {
			if t.Kind != KList {
				c.errorf(p.Domain.Pos, p.Domain.EndPos, diag.CodeType, "a family parameter ranges over a list, got %s", t)
			} else if t.Elem != nil {
				elem = &Type{Kind: t.Elem.Kind, Dim: t.Elem.Dim, KSize: t.Elem.KSize, Elem: t.Elem.Elem}
				elem.Len = t.Len // the domain's length, for counting units
			}
		}
		for _, prev := range f.pnames {
			if prev == p.Name.Name {
				c.errorf(p.Name.Pos, p.Name.EndPos, diag.CodeDuplicate, "parameter %s is declared twice", p.Name.Name)
			}
		}
		f.pnames = append(f.pnames, p.Name.Name)
		f.params = append(f.params, elem)
	}
	if layer == nil {
		return nil
	}
	if layer.op != LayerConv && layer.index >= 0 {
		c.errorf(id.Pos, id.EndPos, diag.CodeLayer, "units live on convolution layers; %s is a %s layer", layer.name, layer.op)
		return nil
	}
	if prev := layer.byName[f.name]; prev != nil {
		dg := c.errorf(id.Pos, id.EndPos, diag.CodeDuplicate, "layer %s already has a family or unit %s", layer.name, f.name)
		dg.Notes = append(dg.Notes, diag.Note{Message: "first declared here", At: diag.RangeAt(prev.pos, len(prev.name))})
		return nil
	}
	f.layer = layer
	layer.byName[f.name] = f
	layer.families = append(layer.families, f)
	return f
}

// units returns the number of units of a family when known (0 otherwise).
func (f *familySym) units() int {
	n := 1
	for _, p := range f.params {
		if p.Len <= 0 {
			return 0
		}
		n *= p.Len
	}
	return n
}

func (c *checker) wantFamily(m *module, r *ast.Ref) *familySym {
	t := c.ref(m, r, m.scope)
	if !t.known() {
		return nil
	}
	if t.Kind != KFamily {
		s, e := refSpan(r)
		d := c.errorf(s, e, diag.CodeType, "expected a family or unit (LAYER.NAME), got %s", t)
		if t.Kind == KLayer && len(t.layer.families) > 0 {
			d.Hint = fmt.Sprintf("for example %s.%s", t.layer.name, t.layer.families[0].name)
		}
		return nil
	}
	return t.family
}

var motifKinds = []string{"hue", "reflect", "rotate"}

func (c *checker) checkFamily(m *module, f *familySym) {
	sc := newScope(m.scope)
	var params []*ast.Param
	var body *ast.Body
	switch d := f.decl; {
	case d.Unit != nil:
		body = d.Unit.Body
	default:
		params, body = d.Family.Params, d.Family.Body
	}
	for i, p := range params {
		if _, dup := sc.syms[p.Name.Name]; i < len(f.params) && !dup {
			c.declareLocal(sc, p.Name, f.params[i]) // duplicates were reported by declareFamily
		}
	}
	if body == nil {
		for _, mo := range f.decl.Family.Motifs {
			t := c.unary(mo.Arg, sc)
			var want *Type
			switch mo.Kind.Name {
			case "rotate", "hue":
				want = number(angle)
			case "reflect":
				want = &Type{Kind: KBool}
			default:
				c.undefined(mo.Kind, fmt.Sprintf("unknown motif %q", mo.Kind.Name), motifKinds)
				continue
			}
			if !conforms(t, want) {
				c.errorf(mo.Arg.Pos, mo.Arg.EndPos, diag.CodeType, "%s takes %s, got %s", mo.Kind.Name, want, t)
			}
		}
		return
	}
	biased := false
	for _, s := range body.Stmts {
		switch {
		case s.Let != nil:
			c.declareLocal(sc, s.Let.Name, c.expr(s.Let.Value, sc))
		case s.Bias != nil:
			if biased {
				c.errorf(s.Pos, s.EndPos, diag.CodeDuplicate, "a unit has one bias")
			}
			biased = true
			t := c.expr(s.Bias.Value, sc)
			if t.known() && (t.Kind != KNumber || t.Dim != dimless) {
				c.errorf(s.Bias.Value.Pos, s.Bias.Value.EndPos, diag.CodeType, "a bias is a plain number, got %s", t)
			}
		case s.From != nil:
			c.checkFrom(m, f, s.From, sc)
		}
	}
}

// feeder returns the conv layer whose output layer l reads (through pooling
// and relu layers), or nil when it reads the input.
func feeder(m *module, l *layerSym) *layerSym {
	for i := l.index - 1; i >= 0; i-- {
		if m.layers[i].op == LayerConv {
			return m.layers[i]
		}
	}
	return nil
}

func (c *checker) checkFrom(m *module, f *familySym, fr *ast.From, outer *scope) {
	sc := newScope(outer)
	src := fr.Source
	s, e := refSpan(src.Path)
	t := c.ref(m, src.Path, m.scope)
	var binderTypes []*Type
	known := true
	switch {
	case !t.known():
		known = false
	case t.Kind == KInput:
		in := m.input
		if f.layer.index >= 0 {
			if fd := feeder(m, f.layer); fd != nil {
				d := c.errorf(s, e, diag.CodeConnection, "%s reads the output of %s, not the input", f.layer.name, fd.name)
				d.Hint = fmt.Sprintf("name a family of %s", fd.name)
			}
		}
		if len(src.Binders) > 1 {
			c.errorf(src.Pos, src.EndPos, diag.CodeArity, "the input has one parameter (its channel), got %d binders", len(src.Binders))
		}
		binderTypes = []*Type{in.channel}
	case t.Kind == KFamily:
		sf := t.family
		switch {
		case f.layer.index < 0:
			c.errorf(s, e, diag.CodeConnection, "a unit on a reference-model layer reads that model's channels, not hand-made units")
		case sf.layer == f.layer:
			c.errorf(s, e, diag.CodeConnection, "layer %s cannot read its own units", f.layer.name)
		case sf.layer.index > f.layer.index:
			c.errorf(s, e, diag.CodeConnection, "connection goes backwards: %s comes after %s", sf.layer.name, f.layer.name)
		default:
			if fd := feeder(m, f.layer); fd != sf.layer {
				from := "the input"
				if fd != nil {
					from = fd.name
				}
				c.errorf(s, e, diag.CodeConnection, "%s reads the output of %s; %s is not connected to it", f.layer.name, from, sf.layer.name)
			}
		}
		if src.Binders != nil || !sf.unit {
			if len(src.Binders) != len(sf.params) {
				c.errorf(src.Pos, src.EndPos, diag.CodeArity, "%s.%s has %d parameter%s, got %d binder%s", sf.layer.name, sf.name,
					len(sf.params), plural(len(sf.params)), len(src.Binders), plural(len(src.Binders)))
			}
		}
		binderTypes = sf.params
	case t.Kind == KNatLayer:
		if f.layer.index >= 0 {
			c.errorf(s, e, diag.CodeConnection, "a hand-made layer cannot read a reference model's channels; place the unit on the model's layer (unit u at %s.…)", t.model.Name)
		}
		if src.Binders != nil {
			c.errorf(src.Pos, src.EndPos, diag.CodeSyntax, "model channels are bound in the selector: %s.%s[c in 0 ..< %d]", t.model.Name, t.natLayer.Name, t.natLayer.Channels)
		}
		if src.Selector == nil {
			c.errorf(s, e, diag.CodeConnection, "say which channels to read: %s.%s[0 ..< %d]", t.model.Name, t.natLayer.Name, t.natLayer.Channels)
		} else {
			c.selector(sc, t, src.Selector, true)
		}
	default:
		d := c.errorf(s, e, diag.CodeConnection, "a connection reads the input, a family or a unit (LAYER.NAME), not a %s", t)
		if t.Kind == KLayer && len(t.layer.families) > 0 {
			d.Hint = fmt.Sprintf("for example from %s.%s(…)", t.layer.name, t.layer.families[0].name)
		}
		known = false
	}
	if t.known() && t.Kind != KNatLayer && src.Selector != nil {
		c.errorf(src.Selector.Pos, src.Selector.EndPos, diag.CodeSyntax, "a channel selector [...] applies to reference-model layers only")
	}
	for i, b := range src.Binders {
		bt := unknown
		if known && i < len(binderTypes) && binderTypes[i] != nil {
			bt = binderTypes[i]
		}
		c.declareLocal(sc, b, bt)
	}
	if fr.Where != nil {
		c.wantBool(c.expr(fr.Where, sc), fr.Where.Pos, fr.Where.EndPos, "the where condition")
	}
	w := c.expr(fr.Weight, sc)
	if !w.known() {
		return
	}
	k := f.layer.ksize
	switch {
	case w.Kind == KNumber:
		if w.Dim != dimless {
			c.errorf(fr.Weight.Pos, fr.Weight.EndPos, diag.CodeUnit, "a weight is a plain number, got %s", w.Dim)
		} else if k > 1 {
			d := c.errorf(fr.Weight.Pos, fr.Weight.EndPos, diag.CodeKernelSize, "a weight into the %dx%d layer %s must be a %dx%d kernel, got a number", k, k, f.layer.name, k, k)
			d.Hint = fmt.Sprintf("build one with kernel %dx%d (x, y) => …", k, k)
		}
	case w.Kind == KKernel:
		if w.Dim != dimless {
			c.errorf(fr.Weight.Pos, fr.Weight.EndPos, diag.CodeUnit, "kernel weights are plain numbers, got %s", w.Dim)
		}
		if k > 0 && w.KSize > 0 && w.KSize != k {
			c.errorf(fr.Weight.Pos, fr.Weight.EndPos, diag.CodeKernelSize, "a %dx%d kernel on the %dx%d layer %s", w.KSize, w.KSize, k, k, f.layer.name)
		}
	default:
		c.errorf(fr.Weight.Pos, fr.Weight.EndPos, diag.CodeType, "a weight is a number or a kernel, got %s", w)
	}
}

// natRef checks a reference to natural units: MODEL.LAYER[selector].
func (c *checker) natRef(m *module, nr *ast.NatRef, needSelector bool) *Type {
	t := c.ref(m, nr.Path, m.scope)
	if !t.known() {
		return nil
	}
	if t.Kind != KNatLayer {
		s, e := refSpan(nr.Path)
		c.errorf(s, e, diag.CodeType, "expected a layer of a reference model (e.g. %s.mixed3b), got %s", c.firstModel(), t)
		return nil
	}
	if nr.Selector == nil {
		if needSelector {
			c.errorf(nr.Pos, nr.EndPos, diag.CodeSelector, "say which channels: %s.%s[…]", t.model.Name, t.natLayer.Name)
		}
		return t
	}
	if nr.Selector.Binder != nil {
		c.errorf(nr.Selector.Binder.Pos, nr.Selector.Binder.EndPos, diag.CodeSyntax, "a selector binds a name only in a connection (from …)")
	}
	c.selector(newScope(m.scope), t, nr.Selector, false)
	return t
}

func (c *checker) firstModel() string {
	if n := c.models.Names(); len(n) > 0 {
		return n[0]
	}
	return "model"
}

// selector checks channel selections against the model layer's width and
// returns the number of channels selected (0 when not known statically).
func (c *checker) selector(sc *scope, t *Type, sel *ast.Selector, bind bool) int {
	n := 0
	width := t.natLayer.Channels
	inRange := func(v float64, s, e ast.Pos) {
		if v < 0 || v >= float64(width) || v != float64(int(v)) {
			c.errorf(s, e, diag.CodeSelector, "channel %g is out of range: %s.%s has channels 0 to %d", v, t.model.Name, t.natLayer.Name, width-1)
		}
	}
	for _, it := range sel.Items {
		ty := c.expr(it, sc)
		if !ty.known() {
			n = -1 << 20
			continue
		}
		switch {
		case ty.Kind == KNumber && ty.Dim == dimless:
			if ty.Const != nil {
				inRange(*ty.Const, it.Pos, it.EndPos)
			}
			n++
		case ty.Kind == KList && ty.Elem != nil && (ty.Elem.Kind == KNumber && ty.Elem.Dim == dimless || !ty.Elem.known()):
			if r := rangeOf(it); r != nil {
				if lo := c.add(r.From, sc); lo.Const != nil {
					inRange(*lo.Const, r.From.Pos, r.From.EndPos)
				}
				if hi := c.add(r.To, sc); hi.Const != nil {
					v := *hi.Const
					if r.Op == "..<" {
						v--
					}
					inRange(v, r.To.Pos, r.To.EndPos)
				}
			}
			if ty.Len > 0 {
				n += ty.Len
			} else {
				n = -1 << 20
			}
		default:
			c.errorf(it.Pos, it.EndPos, diag.CodeType, "a channel selector holds channel numbers and ranges, got %s", ty)
		}
	}
	if bind && sel.Binder != nil {
		c.declareLocal(sc, sel.Binder, number(dimless))
	}
	if n < 0 {
		return 0
	}
	return n
}

// rangeOf returns the range expression e is, or nil.
func rangeOf(e *ast.Expr) *ast.Range {
	if e.Or == nil || len(e.Or.Rest) > 0 || len(e.Or.Left.Rest) > 0 || e.Or.Left.Left.Op != "" {
		return nil
	}
	if r := e.Or.Left.Left.Left; r.Op != "" {
		return r
	}
	return nil
}

func (c *checker) checkMatch(m *module, mt *ast.Match) {
	f := c.wantFamily(m, mt.Family)
	if SearchesLayers(mt) {
		c.checkSearch(m, mt)
		return
	}
	t := c.natRef(m, mt.Natural, false)
	if mt.Using != nil && !contains(stimuli.Names(), mt.Using.Name) {
		c.undefined(mt.Using, fmt.Sprintf("unknown stimulus set %q", mt.Using.Name), stimuli.Names())
	}
	if f == nil || t == nil || mt.Natural.Selector == nil {
		return
	}
	n := c.selector(newScope(m.scope), t, mt.Natural.Selector, false)
	if u := f.units(); n > 0 && u > 0 && n != u {
		c.errorf(mt.Natural.Selector.Pos, mt.Natural.Selector.EndPos, diag.CodeMatch, "%s for the %s of %s", diag.Count(n, "natural unit"), diag.Count(u, "unit"), f.name)
	}
}

// SearchesLayers reports whether a match asks for every layer of a model
// (match LAYER.FAMILY to MODEL.* …) rather than naming one.
func SearchesLayers(mt *ast.Match) bool {
	parts := mt.Natural.Path.Parts
	return len(parts) == 2 && parts[1].Star
}

// checkSearch checks match … to MODEL.*: a model, no channel selection.
func (c *checker) checkSearch(m *module, mt *ast.Match) {
	first := mt.Natural.Path.Parts[0]
	if first.Ident == nil {
		c.errorf(first.Pos, first.EndPos, diag.CodeSyntax, "a search names a model: match LAYER.FAMILY to MODEL.*")
	} else if t := c.ident(first.Ident, m.scope); t.known() && t.Kind != KModel {
		c.errorf(first.Pos, first.EndPos, diag.CodeType, "* searches every layer of a model; %s is a %s", first.Ident.Name, t)
	}
	if mt.Natural.Selector != nil {
		c.errorf(mt.Natural.Selector.Pos, mt.Natural.Selector.EndPos, diag.CodeMatch, "a search over every layer takes no channel selection")
	}
	if mt.Using != nil && !contains(stimuli.Names(), mt.Using.Name) {
		c.undefined(mt.Using, fmt.Sprintf("unknown stimulus set %q", mt.Using.Name), stimuli.Names())
	}
}

func (c *checker) checkExpect(m *module, ex *ast.Expect) {
	if ex.Model != nil {
		if _, ok := c.models.Lookup(ex.Model.Name); !ok {
			c.undefined(ex.Model, fmt.Sprintf("no reference model %q", ex.Model.Name), c.models.Names())
		}
	}
	t := c.ref(m, ex.Subject, m.scope)
	if t.known() && t.Kind != KFamily && t.Kind != KModel {
		s, e := refSpan(ex.Subject)
		c.errorf(s, e, diag.CodeType, "a claim is about a family (LAYER.NAME) or a model, got %s", t)
	}
	for _, cl := range ex.Claims {
		if cl.Agg != nil && !contains(aggregates, cl.Agg.Name) {
			c.undefined(cl.Agg, fmt.Sprintf("unknown aggregate %q", cl.Agg.Name), aggregates)
		}
		d, ok := metrics[Metric(cl.Metric.Name)]
		if !ok {
			c.undefined(cl.Metric, fmt.Sprintf("unknown metric %q", cl.Metric.Name), MetricNames())
			continue
		}
		v := c.expr(cl.Value, m.scope)
		if v.known() && (v.Kind != KNumber || v.Dim != d) {
			dg := c.errorf(cl.Value.Pos, cl.Value.EndPos, diag.CodeUnit, "%s is %s, the threshold is %s", cl.Metric.Name, d, v)
			if d == angle {
				dg.Hint = "give the threshold in degrees: 10deg"
			}
		}
	}
}

func (c *checker) checkSet(m *module, st *ast.Set) {
	f := c.wantFamily(m, st.With)
	t := c.natRef(m, st.Natural, true)
	if f == nil || t == nil || st.Natural.Selector == nil {
		return
	}
	if f.layer.name != natLayerKey(t.model, t.natLayer) {
		s, e := refSpan(st.With)
		d := c.errorf(s, e, diag.CodeSet, "%s.%s is not placed on %s.%s", f.layer.name, f.name, t.model.Name, t.natLayer.Name)
		d.Detail = "set writes kernels into a reference convolution, so the unit must read that convolution's inputs: declare it with at " + t.model.Name + "." + t.natLayer.Name
	}
	if n := c.selector(newScope(m.scope), t, st.Natural.Selector, false); n > 0 && f.units() > 0 && n != f.units() {
		c.errorf(st.Natural.Selector.Pos, st.Natural.Selector.EndPos, diag.CodeSet, "%s for the %s of %s", diag.Count(n, "natural channel"), diag.Count(f.units(), "unit"), f.name)
	}
}
