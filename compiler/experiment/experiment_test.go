package experiment_test

import (
	"fmt"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/experiment"
)

const circuit = `circuit plan

input image(c in ["r", "g", "b"]) size 224x224 range 0 .. 1

layer conv1 = conv 7x7 stride 2 pad same, relu

let limit = 20deg

family edge(o in [0deg, 45deg, 90deg]) at conv1 {
  from image(_) weight kernel 7x7 (x, y) => clip((cos(o) * x + sin(o) * y) / 1px, -1, 1) / 20
}

unit copy14 at inceptionv1.conv2d1 {
  from inceptionv1.localresponsenorm0[c in 0 ..< 64] weight if c == 14 then 1 else 0
}

match conv1.edge to inceptionv1.conv2d0[3, 1 + 1, 7] using lines
match conv1.edge to inceptionv1.* using edges
expect inceptionv1 conv1.edge: mean pearson_r >= 0.5, max orientation_error < limit / 2
ablate inceptionv1.mixed3b[379, 320 ..< 323]
set inceptionv1.conv2d1[29] with inceptionv1.conv2d1.copy14
replace inceptionv1.mixed3b[matched(conv1.edge), 5] with conv1.edge
`

// TestPlan: every experiment statement arrives resolved and typed, with
// its place in the source: channels evaluated, thresholds constant in the
// metric's unit (degrees for angles), families bound to their units.
func TestPlan(t *testing.T) {
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "plan.circ", []byte(circuit), 0o644)
	r, err := compiler.Compile(fs, "plan.circ", compiler.Options{StopAfter: "expand"})
	if err != nil || r.Diags.HasErrors() {
		t.Fatal(err, r.Diags)
	}
	p := r.Experiments
	if len(p.Matches) != 2 || len(p.Claims) != 2 || len(p.Edits) != 3 {
		t.Fatalf("%d matches, %d claims, %d edits", len(p.Matches), len(p.Claims), len(p.Edits))
	}
	m := p.Matches[0]
	chs, matched := m.Natural.Channels()
	if m.Layer.Name != "conv1" || m.Family != "edge" || len(m.Units) != 3 || m.Natural.Model != "inceptionv1" ||
		m.Natural.Layer != "conv2d0" || fmt.Sprint(chs) != "[3 2 7]" || matched || m.Search || m.Stimuli != "lines" || m.Start.Line != 17 {
		t.Errorf("match: %+v %v", m, chs)
	}
	if s := p.Matches[1]; !s.Search || s.Natural.Model != "inceptionv1" || s.Stimuli != "edges" || s.Natural.Items != nil {
		t.Errorf("search: %+v", s)
	}
	c := p.Claims[1]
	if c.Model != "inceptionv1" || c.Layer != "conv1" || c.Family != "edge" || c.Metric != check.MetricOrientationError ||
		c.Agg != check.AggMax || c.Op != "<" || c.Text != "max orientation_error < limit / 2" || c.Start.Line != 19 {
		t.Errorf("claim: %+v", c)
	}
	if c.Threshold != 10 {
		t.Errorf("threshold %g, want 10 (degrees, the metric's unit)", c.Threshold)
	}
	if c := p.Claims[0]; c.Metric != check.MetricPearsonR || c.Agg != check.AggMean || c.Threshold != 0.5 {
		t.Errorf("claim: %+v", c)
	}
	ab, set, rep := p.Edits[0], p.Edits[1], p.Edits[2]
	if chs, _ := ab.Target.Channels(); ab.Kind != experiment.Ablate || fmt.Sprint(chs) != "[379 320 321 322]" || ab.Target.Layer != "mixed3b" {
		t.Errorf("ablate: %+v", ab)
	}
	if set.Kind != experiment.Set || set.NaturalFamily == nil || set.NaturalFamily.Name != "copy14" ||
		len(set.Reads) != 1 || set.Reads[0].Layer != "localresponsenorm0" {
		t.Errorf("set: %+v", set)
	}
	if rep.Kind != experiment.Replace || rep.Family != "edge" || len(rep.Units) != 3 || len(rep.Target.Items) != 2 ||
		rep.Target.Items[0].Matched != "conv1.edge" || fmt.Sprint(rep.Target.Items[1].Channels) != "[5]" {
		t.Errorf("replace: %+v", rep)
	}
	if _, matched := rep.Target.Channels(); !matched {
		t.Error("matched(…) not reported")
	}
	if !p.Has(experiment.Replace) || (*experiment.Plan)(nil).Has(experiment.Set) {
		t.Error("Has")
	}
}
