package verify

import (
	"github.com/circc/circc/compiler"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/reference"
)

// collect reads the circuit's match statements for the model. When none
// names the model, each match is asked of it as a search of every layer:
// where, if anywhere, does this family exist in that network?
func collect(res *compiler.Result, net *reference.Net) ([]*matchSpec, *diag.Diagnostic) {
	var out []*matchSpec
	named := false
	for _, m := range res.Experiments.Matches {
		named = named || m.Natural.Model == net.Manifest.Name
	}
	for _, m := range res.Experiments.Matches {
		if named && m.Natural.Model != net.Manifest.Name {
			continue
		}
		s := &matchSpec{match: m, set: m.Stimuli, layer: m.Layer, family: m.Family, units: m.Units}
		if m.Search || !named {
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
		l, ok := net.Manifest.Layer(m.Natural.Layer)
		if !ok {
			return nil, diag.At(m.Natural.Start, m.Natural.End, diag.CodeVerify, "model %s has no layer %q", net.Manifest.Name, m.Natural.Layer)
		}
		s.natLayer, s.tensor = l.Name, l.Tensor
		s.channels, _ = m.Natural.Channels()
		out = append(out, s)
	}
	return out, nil
}
