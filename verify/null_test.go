package verify

import (
	"math"
	"testing"
)

// TestNullBlockReproducesLayer: a layer's block, run alone on the block of
// its input the probe read (or on the cropped stimuli, for a block that
// reads the image), with its weights as learned, gives the layer's
// readout exactly: the null differs from the layer only by the shuffle.
// For an Inception block (mixed3b, on mixed3a's centre block), a 1×1
// convolution (conv2d1) and the first layer (conv2d0, on the image).
func TestNullBlockReproducesLayer(t *testing.T) {
	t.Parallel()
	fs, res, net, specs := curvesSpecs(t)
	base := specs[0]
	var all []*matchSpec
	plans := map[string]*nullPlan{}
	for _, name := range []string{"mixed3b", "conv2d1", "conv2d0"} {
		l, _ := net.Manifest.Layer(name)
		s := *base
		s.natLayer, s.tensor = l.Name, l.Tensor
		all = append(all, &s)
	}
	windows, err := readWindows(net.Model, tensorsOf(all), 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, tensor := range tensorsOf(all) {
		plans[tensor] = planNull(net, tensor, windows[i])
		if p := plans[tensor]; p.noNull != "" {
			t.Fatalf("%s: %s", tensor, p.noNull)
		}
	}
	pr, err := newProbe(fs, res, net, all, Options{}, plans)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.close()
	sweeps, sets, err := pr.sweepSets(all[:1], "")
	if err != nil {
		t.Fatal(err)
	}
	kind := KindOf("curves")
	for _, s := range all {
		p := plans[s.tensor]
		in, err := nullInputs(net, p, kind, sets, sweeps, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := runNull(net, p, -1, in, Options{}.Runtime)
		if err != nil {
			t.Fatal(err)
		}
		want := sweeps["curves"][s.tensor]
		worst, scale := 0.0, 0.0
		for i, row := range want {
			for c, v := range row {
				scale = math.Max(scale, math.Abs(float64(v)))
				worst = math.Max(worst, math.Abs(float64(v-got["curves"][i][c])))
			}
		}
		t.Logf("%s (window %d, input block %d, image %v): worst difference %.2g of %.3g", s.natLayer, p.window, p.side, p.image, worst, scale)
		if len(got["curves"]) != len(want) || worst > 1e-5*scale {
			t.Errorf("%s: the block alone differs from the layer by %g", s.natLayer, worst)
		}
		// Shuffled, it does differ.
		shuffled, err := runNull(net, p, 1, in, Options{}.Runtime)
		if err != nil {
			t.Fatal(err)
		}
		moved := 0.0
		for i, row := range got["curves"] {
			for c, v := range row {
				moved += math.Abs(float64(v - shuffled["curves"][i][c]))
			}
		}
		if moved == 0 {
			t.Errorf("%s: the shuffle changed nothing", s.natLayer)
		}
	}
}
