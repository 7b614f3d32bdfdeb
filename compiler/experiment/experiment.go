package experiment

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/eval"
	"github.com/circc/circc/compiler/expand"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
)

// Span is a statement's or a part's place in the source.
type Span struct{ Start, End lexer.Position }

// String is the span's start, FILE:LINE:COL.
func (s Span) String() string { return s.Start.String() }

func spanOf(s, e lexer.Position) Span { return Span{s, e} }

// Plan is every experiment statement of the main file, in source order
// within each kind.
type Plan struct {
	File    Span // the main file's start: where a diagnostic about the whole circuit points
	Matches []*Match
	Claims  []*Claim
	Edits   []*Edit
}

// Has reports whether the plan holds an edit of the kind.
func (p *Plan) Has(k EditKind) bool {
	if p == nil {
		return false
	}
	for _, e := range p.Edits {
		if e.Kind == k {
			return true
		}
	}
	return false
}

// Natural names natural units: MODEL.LAYER[selector].
type Natural struct {
	Span
	Model string // the reference model's name
	Layer string // the model's layer (or quoted tensor) name
	// Items are the selector's items; nil without a selector.
	Items        []Item
	SelectorSpan Span
}

// Item is one selector item: channels, or the natural units matched to a
// hand-made family.
type Item struct {
	Span
	Channels []int
	Matched  string // LAYER.FAMILY of matched(LAYER.FAMILY); "" for channels
}

// Channels are the selected channels when no item is matched(…).
func (n *Natural) Channels() (out []int, matched bool) {
	for _, it := range n.Items {
		if it.Matched != "" {
			return nil, true
		}
		out = append(out, it.Channels...)
	}
	return out, false
}

// Match is match LAYER.FAMILY to MODEL.LAYER[…] using SET.
type Match struct {
	Span
	FamilySpan Span
	Layer      *expand.Layer
	Family     string
	Units      []*expand.Unit
	Natural    Natural
	Search     bool   // to MODEL.*: every layer of the model
	Stimuli    string // the stimulus set
}

// Claim is one claim of expect [MODEL] SUBJECT: [AGG] METRIC OP VALUE.
type Claim struct {
	Span
	Model string // "" : about every model
	// Layer and Family name the subject when it is a hand-made family;
	// both are "" when it is a model.
	Layer, Family string
	Subject       string // as written
	Text          string // the claim as written
	Agg           check.Aggregate
	Metric        check.Metric
	Op            string  // <, <=, >, >=, == or !=
	Threshold     float64 // in the metric's unit: degrees for an angle
}

// EditKind is what an edit does to natural units.
type EditKind string

const (
	Ablate  EditKind = "ablate"
	Set     EditKind = "set"
	Replace EditKind = "replace"
)

// Edit is an ablate, set or replace statement.
type Edit struct {
	Kind EditKind
	Span
	Target   Natural
	WithSpan Span
	// Set: the family placed on the natural layer, and the layers (or
	// tensors) its connections read, each with its span.
	NaturalFamily *check.Family
	Reads         []Read
	// Replace: the hand-made family that stands in.
	Layer  *expand.Layer
	Family string
	Units  []*expand.Unit
}

// Read is a layer a set family's connection reads.
type Read struct {
	Span
	Layer string
}

// Resolve builds the plan of a checked, evaluated and expanded circuit.
func Resolve(prog *check.Program, ev *eval.Evaluator, net *expand.Network) (*Plan, diag.List) {
	r := &resolver{prog: prog, ev: ev, net: net, env: ev.ModuleEnv(prog.Main), plan: &Plan{File: spanOf(prog.Main.AST.Pos, prog.Main.AST.Pos)}}
	src := prog.Source(prog.Main.Name)
	for _, d := range prog.Main.AST.Decls {
		switch {
		case d.Match != nil:
			r.match(d.Match)
		case d.Expect != nil:
			r.expect(d.Expect, src)
		case d.Ablate != nil:
			r.edit(Ablate, d.Ablate.Natural, nil, spanOf(d.Ablate.Pos, d.Ablate.EndPos))
		case d.Set != nil:
			r.edit(Set, d.Set.Natural, d.Set.With, spanOf(d.Set.Pos, d.Set.EndPos))
		case d.Replace != nil:
			r.edit(Replace, d.Replace.Natural, d.Replace.With, spanOf(d.Replace.Pos, d.Replace.EndPos))
		}
	}
	if r.diags.HasErrors() {
		return nil, r.diags
	}
	return r.plan, r.diags
}

type resolver struct {
	prog  *check.Program
	ev    *eval.Evaluator
	net   *expand.Network
	env   *eval.Env
	plan  *Plan
	diags diag.List
}

func (r *resolver) errorf(s Span, code diag.Code, format string, a ...any) {
	r.diags = append(r.diags, diag.At(s.Start, s.End, code, format, a...))
}

// family resolves LAYER.FAMILY to the hand-made layer and the family's units.
func (r *resolver) family(ref *ast.Ref) (*expand.Layer, string, []*expand.Unit, bool) {
	parts := ref.Parts
	if len(parts) != 2 || parts[0].Ident == nil || parts[1].Ident == nil {
		return nil, "", nil, false
	}
	l := r.net.Layer(parts[0].Ident.Name)
	if l == nil {
		return nil, "", nil, false
	}
	name := parts[1].Ident.Name
	var units []*expand.Unit
	for _, u := range l.Units {
		if u.Family == name {
			units = append(units, u)
		}
	}
	return l, name, units, true
}

func (r *resolver) natural(nr *ast.NatRef) (Natural, bool) {
	parts := nr.Path.Parts
	n := Natural{Span: spanOf(nr.Pos, nr.EndPos), Layer: parts[len(parts)-1].Text()}
	if parts[0].Ident != nil {
		n.Model = parts[0].Ident.Name
	}
	if nr.Selector == nil {
		return n, true
	}
	n.SelectorSpan = spanOf(nr.Selector.Pos, nr.Selector.EndPos)
	for _, it := range nr.Selector.Items {
		item := Item{Span: spanOf(it.Pos, it.EndPos)}
		if item.Matched = matchedFamily(it); item.Matched == "" {
			chs, d := expand.Channels(r.ev, &ast.Selector{Items: []*ast.Expr{it}}, r.env)
			if d != nil {
				r.diags = append(r.diags, d)
				return n, false
			}
			item.Channels = chs
		}
		n.Items = append(n.Items, item)
	}
	return n, true
}

func (r *resolver) match(m *ast.Match) {
	s := &Match{Span: spanOf(m.Pos, m.EndPos), FamilySpan: spanOf(m.Family.Pos, m.Family.EndPos), Search: check.SearchesLayers(m), Stimuli: "curves"}
	if m.Using != nil {
		s.Stimuli = m.Using.Name
	}
	var ok bool
	if s.Layer, s.Family, s.Units, ok = r.family(m.Family); !ok {
		r.errorf(s.FamilySpan, diag.CodeMatch, "match names a hand-made family: LAYER.FAMILY")
		return
	}
	if len(s.Units) == 0 {
		r.errorf(s.FamilySpan, diag.CodeMatch, "%s has no units on %s", s.Family, s.Layer.Name)
		return
	}
	if s.Natural, ok = r.natural(m.Natural); !ok {
		return
	}
	if chs, _ := s.Natural.Channels(); s.Natural.Items != nil && len(chs) != len(s.Units) {
		r.errorf(s.Natural.SelectorSpan, diag.CodeMatch, "%s for the %s of %s", diag.Count(len(chs), "natural channel"), diag.Count(len(s.Units), "unit"), s.Family)
		return
	}
	r.plan.Matches = append(r.plan.Matches, s)
}

func (r *resolver) expect(ex *ast.Expect, src []byte) {
	subject := Span{}
	subject.Start, subject.End = ex.Subject.Pos, ex.Subject.EndPos
	var model, layer, family string
	if ex.Model != nil {
		model = ex.Model.Name
	}
	if p := ex.Subject.Parts; len(p) == 2 && p[0].Ident != nil && p[1].Ident != nil {
		layer, family = p[0].Ident.Name, p[1].Ident.Name
	}
	for _, cl := range ex.Claims {
		metric, _ := check.LookupMetric(cl.Metric.Name)
		c := &Claim{Span: spanOf(cl.Pos, cl.EndPos), Model: model, Layer: layer, Family: family, Subject: ex.Subject.String(),
			Text: strings.TrimSpace(string(src[cl.Pos.Offset:cl.EndPos.Offset])), Metric: metric, Op: cl.Op}
		if cl.Agg != nil {
			c.Agg = check.Aggregate(cl.Agg.Name)
		}
		v, d := r.ev.Eval(cl.Value, r.env)
		if d != nil {
			r.diags = append(r.diags, d)
			continue
		}
		limit, ok := v.(eval.Num)
		if !ok || limit.Cells != nil {
			r.diags = append(r.diags, diag.At(cl.Value.Pos, cl.Value.EndPos, diag.CodeType, "a threshold is a number"))
			continue
		}
		c.Threshold = limit.S
		r.plan.Claims = append(r.plan.Claims, c)
	}
}

func (r *resolver) edit(kind EditKind, nr *ast.NatRef, with *ast.Ref, at Span) {
	e := &Edit{Kind: kind, Span: at}
	var ok bool
	if e.Target, ok = r.natural(nr); !ok {
		return
	}
	if with != nil {
		e.WithSpan = spanOf(with.Pos, with.EndPos)
	}
	switch kind {
	case Set:
		name := with.Parts[len(with.Parts)-1].Ident.Name
		if e.NaturalFamily = r.naturalFamily(e.Target.Model, name); e.NaturalFamily == nil {
			r.errorf(e.WithSpan, diag.CodeInject, "no unit of that name is placed on %s", e.Target.Layer)
			return
		}
		e.Reads = reads(e.NaturalFamily)
	case Replace:
		if e.Layer, e.Family, e.Units, ok = r.family(with); !ok {
			r.errorf(e.WithSpan, diag.CodeInject, "replace takes a hand-made family (LAYER.FAMILY)")
			return
		}
	}
	r.plan.Edits = append(r.plan.Edits, e)
}

// naturalFamily is the family of that name placed on a layer of the model.
func (r *resolver) naturalFamily(model, name string) *check.Family {
	c := r.prog.Circuit()
	if c == nil {
		return nil
	}
	for _, l := range c.Natural {
		for _, f := range l.Families {
			if f.Name == name && l.Model == model {
				return f
			}
		}
	}
	return nil
}

// reads lists the layers a natural family's selected connections read.
func reads(f *check.Family) []Read {
	body := f.Decl.Unit.Body
	if f.Decl.Family != nil {
		body = f.Decl.Family.Body
	}
	var out []Read
	for _, s := range body.Stmts {
		if s.From == nil || s.From.Source.Selector == nil {
			continue
		}
		parts := s.From.Source.Path.Parts
		out = append(out, Read{Span: spanOf(s.From.Source.Pos, s.From.Source.EndPos), Layer: parts[len(parts)-1].Text()})
	}
	return out
}

// matchedFamily returns the family named by a selector item matched(L.F)
// ("L.F"), or "" for any other item.
func matchedFamily(e *ast.Expr) string {
	if e.Or == nil {
		return ""
	}
	u := e.Or.Left.Left.Left.From.Left.Left
	if u.Power == nil || u.Power.Base.Primary.Ident == nil || u.Power.Base.Primary.Ident.Name != "matched" || len(u.Power.Base.Suffixes) != 1 || u.Power.Base.Suffixes[0].Call == nil {
		return ""
	}
	args := u.Power.Base.Suffixes[0].Call.Args
	if len(args) != 1 || args[0].Value.Or == nil {
		return ""
	}
	pf := args[0].Value.Or.Left.Left.Left.From.Left.Left.Power
	if pf == nil || pf.Base.Primary.Ident == nil {
		return ""
	}
	parts := []string{pf.Base.Primary.Ident.Name}
	for _, sf := range pf.Base.Suffixes {
		if sf.Field == nil {
			return ""
		}
		parts = append(parts, sf.Field.Name)
	}
	return strings.Join(parts, ".")
}
