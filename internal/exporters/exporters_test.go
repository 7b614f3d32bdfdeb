package exporters

import (
	"slices"
	"strings"
	"testing"

	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/weights"
)

// TestExporterGraphs: each exporter-shaped graph is read as `models add`
// reads it (layers with readable names, the maps the checks use among
// them, receptive fields), runs in onnxruntime at any batch with each
// image's output independent of the others, and has expanded weights
// between two maps joined by linear parts, while a path through a
// multiplicative gate is refused saying so. Gradients are checked against
// finite differences in onnx/grad.
func TestExporterGraphs(t *testing.T) {
	t.Parallel()
	for _, build := range All {
		g, err := build()
		if err != nil {
			t.Fatal(err)
		}
		t.Run(g.Family, func(t *testing.T) {
			data, changed, err := reference.Import(g.Data)
			if err != nil || len(changed) > 0 != g.NHWC {
				t.Fatalf("import: %v, changed %v", err, changed)
			}
			in := models.Input{Channels: []string{"r", "g", "b"}, Scale: 1, Mean: []float64{0.485, 0.456, 0.406}, Std: []float64{0.229, 0.224, 0.225}}
			man, err := reference.Describe(data, "exported", "", in, 0)
			if err != nil {
				t.Fatal(err)
			}
			var tensors, names []string
			for _, l := range man.Layers {
				tensors, names = append(tensors, l.Tensor), append(names, l.Name)
				if strings.ContainsAny(l.Name, "/:") || l.Channels == 0 {
					t.Errorf("layer %+v: not a readable name or no channels", l)
				}
			}
			t.Logf("layers: %s", strings.Join(names, " "))
			if g.Family == "TensorFlow graph (tf2onnx, NHWC)" && !slices.Contains(names, "mixed3b") {
				t.Errorf("Lucid's layer name mixed3b is not a layer: %v", names)
			}
			for _, want := range []string{g.From, g.To, g.Deep} {
				if !slices.Contains(tensors, want) {
					t.Errorf("%s is not among the layers %v", want, tensors)
				}
			}
			m, err := onnx.FromBytes(data)
			if err != nil {
				t.Fatal(err)
			}
			fields, err := m.ReceptiveFields()
			if err != nil {
				t.Fatal(err)
			}
			for _, tensor := range []string{g.From, g.To, g.Deep} {
				if _, ok := fields[tensor]; !ok {
					t.Errorf("%s has no receptive field", tensor)
				}
			}
			// Any batch: three images alone and together give the same.
			if err := checkForward(m, g); err != nil {
				t.Error(err)
			}
			// Expanded weights between linear neighbours, refused through a gate.
			e, err := weights.Expand(m, g.InputShape(1), g.From, g.To, []int{0, 1})
			if err != nil {
				t.Fatalf("expanded weights %s → %s: %v", g.From, g.To, err)
			}
			if sh := e.W.Shape(); sh[0] != 2 || sh[1] == 0 {
				t.Errorf("expanded weights of shape %v", sh)
			}
			if g.Gated != "" {
				if _, err := weights.Expand(m, g.InputShape(1), g.From, g.Gated, []int{0}); err == nil || !strings.Contains(err.Error(), "gate") {
					t.Errorf("through the gate: %v", err)
				}
			}
		})
	}
}
