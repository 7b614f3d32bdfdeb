package verify

import (
	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/expand"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
	"github.com/circc/circc/reference"
)

// collect reads the circuit's match statements for the model. When none
// names the model, each match is asked of it as a search of every layer:
// where, if anywhere, does this family exist in that network?
func collect(res *compiler.Result, net *reference.Net) ([]*matchSpec, *diag.Diagnostic) {
	ev := res.Evaluator
	var out []*matchSpec
	names := func(m *ast.Match) bool {
		p := m.Natural.Path.Parts[0]
		return p.Ident != nil && p.Ident.Name == net.Manifest.Name
	}
	named := false
	for _, d := range res.Program.Main.AST.Decls {
		named = named || d.Match != nil && names(d.Match)
	}
	for _, d := range res.Program.Main.AST.Decls {
		m := d.Match
		if m == nil || named && !names(m) {
			continue
		}
		parts := m.Natural.Path.Parts
		s := &matchSpec{decl: m, set: "curves"}
		if m.Using != nil {
			s.set = m.Using.Name
		}
		fp := m.Family.Parts
		s.layer = res.Network.Layer(fp[0].Ident.Name)
		if s.layer == nil || len(fp) != 2 {
			return nil, diag.At(m.Family.Pos, m.Family.EndPos, diag.CodeVerify, "match names a hand-made family: LAYER.FAMILY")
		}
		s.family = fp[1].Ident.Name
		for _, u := range s.layer.Units {
			if u.Family == s.family {
				s.units = append(s.units, u)
			}
		}
		if len(s.units) == 0 {
			return nil, diag.At(m.Family.Pos, m.Family.EndPos, diag.CodeVerify, "%s has no units on %s", s.family, s.layer.Name)
		}
		if check.SearchesLayers(m) || !named {
			for _, l := range net.Manifest.Layers {
				if l.Channels < len(s.units) {
					continue // a one-to-one pairing needs a channel per unit
				}
				ls := *s
				ls.natLayer, ls.tensor, ls.search = l.Name, l.Tensor, true
				out = append(out, &ls)
			}
			continue
		}
		name := parts[len(parts)-1].Text()
		l, ok := net.Manifest.Layer(name)
		if !ok {
			return nil, diag.At(m.Natural.Pos, m.Natural.EndPos, diag.CodeVerify, "model %s has no layer %q", net.Manifest.Name, name)
		}
		s.natLayer, s.tensor = l.Name, l.Tensor
		if m.Natural.Selector != nil {
			var d *diag.Diagnostic
			if s.channels, d = expand.Channels(ev, m.Natural.Selector, ev.ModuleEnv(res.Program.Main)); d != nil {
				return nil, d
			}
			if len(s.channels) != len(s.units) {
				return nil, diag.At(m.Natural.Selector.Pos, m.Natural.Selector.EndPos, diag.CodeVerify, "%d natural channels for the %d units of %s", len(s.channels), len(s.units), s.family)
			}
		}
		out = append(out, s)
	}
	return out, nil
}
