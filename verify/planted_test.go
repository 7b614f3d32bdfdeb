package verify

import (
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
	"github.com/circc/circc/reference"
)

// plantedNetwork is curves.circ's compiled network with noise units added
// to its mixed3b layer: the 24 hand-made curve detectors (and 18 line
// units) among noise outputs with random weights of the same spread. With
// shuffled, the layer's weights are then shuffled once more (seed 99):
// its twin, with nothing planted. It is registered in a models folder as
// "planted".
func plantedNetwork(t *testing.T, noise int, shuffled bool) string {
	t.Helper()
	r := curvesAgainst(t, "inceptionv1.mixed3b")
	m, err := onnx.FromBytes(r.ONNX)
	if err != nil {
		t.Fatal(err)
	}
	w, b := onnx.Initializer(m.P, "mixed3b.weight"), onnx.Initializer(m.P, "mixed3b.bias")
	wv, _ := onnx.Floats(w)
	bv, _ := onnx.Floats(b)
	dims := w.GetDims()
	per := int(dims[1] * dims[2] * dims[3])
	var sd float64
	for _, x := range wv {
		sd += float64(x) * float64(x)
	}
	sd = math.Sqrt(sd / float64(len(wv)))
	rng := rand.New(rand.NewSource(7))
	for k := 0; k < noise*per; k++ {
		wv = append(wv, float32(rng.NormFloat64()*sd))
	}
	bv = append(bv, make([]float32, noise)...)
	out := int(dims[0]) + noise
	*w = *onnx.FloatTensor("mixed3b.weight", w.GetDocString(), []int{out, int(dims[1]), int(dims[2]), int(dims[3])}, wv)
	*b = *onnx.FloatTensor("mixed3b.bias", b.GetDocString(), []int{out}, bv)
	if shuffled {
		if err := m.PermuteConvWeightsOf(99, func(n *pb.NodeProto) bool { return n.GetInput()[1] == "mixed3b.weight" }); err != nil {
			t.Fatal(err)
		}
	}
	data, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	man, err := reference.Describe(data, "planted", "curves.circ with noise units", models.Input{Channels: []string{"r", "g", "b"}, Scale: 1, Mean: []float64{0, 0, 0}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "planted"), 0o755)
	js, _ := json.Marshal(man)
	os.WriteFile(filepath.Join(dir, "planted", models.ManifestFile), js, 0o644)
	os.WriteFile(filepath.Join(dir, "planted", "model.onnx"), data, 0o644)
	return dir
}

// TestPlantedCurveUnits: the calibrated count finds the 24 planted curve
// detectors among 40 noise units and 18 line units, far above the
// layer-only null (a large z); the twin whose layer was shuffled has a
// count inside its null (z near 0), and is not found.
func TestPlantedCurveUnits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		shuffled bool
	}{{false}, {true}} {
		dir := plantedNetwork(t, 40, tc.shuffled)
		reg := models.Registered(afero.NewOsFs(), dir)
		r := curvesAgainstIn(t, "planted.mixed3b", reg)
		rep, err := Run(afero.NewOsFs(), r, Options{Against: "planted", ModelsDir: dir, DataDir: sharedData, Photos: 64, NullSeeds: 10})
		if err != nil {
			t.Fatal(err)
		}
		f := rep.Families[0]
		e := f.Layers[0]
		t.Logf("shuffled %v: %d members of %d, null %.1f ± %.1f, z %.1f, excess %.1f [%.1f, %.1f], found %v", tc.shuffled, e.Members, e.Units,
			float64(e.NullMean), float64(e.NullSD), float64(e.Z), float64(e.Excess), float64(e.CI[0]), float64(e.CI[1]), e.Found)
		if e.Units != 82 {
			t.Fatalf("%d units, want 24 + 18 + 40", e.Units)
		}
		if !tc.shuffled {
			if e.Members < 20 || e.Members > 26 || float64(e.Z) < 5 || !e.Found || f.Genuine < 20 {
				t.Errorf("planted: %+v, %d genuine", e, f.Genuine)
			}
			// A random unit over mixed3a's early curves is now and then a
			// curve detector by every test (the null holds a few): a few
			// pairs may go to one, most to the planted units.
			noisy := 0
			for _, p := range f.Pairs {
				if p.Channel >= 24 && p.Genuine {
					noisy++
				}
			}
			if noisy > 3 {
				t.Errorf("%d pairs with noise units", noisy)
			}
		} else if math.Abs(float64(e.Z)) > 2 || e.Found {
			t.Errorf("shuffled twin: %+v", e)
		}
	}
}

// TestReadoutsOnPlanted: the readout check runs every readout but the one
// the main report already has, and the planted curve detectors are found,
// best, under each of them.
func TestReadoutsOnPlanted(t *testing.T) {
	t.Parallel()
	dir := plantedNetwork(t, 40, false)
	reg := models.Registered(afero.NewOsFs(), dir)
	r := curvesAgainstIn(t, "planted.mixed3b", reg)
	runs := 0
	opt := Options{Against: "planted", ModelsDir: dir, DataDir: sharedData, Window: 2, NullSeeds: 20,
		Progress: func(s Stage, _, _ int) {
			if strings.Contains(s.Label, "loading ") {
				runs++
			}
		}}
	main, err := Run(afero.NewOsFs(), r, opt)
	if err != nil {
		t.Fatal(err)
	}
	runs = 0
	rob, err := CheckReadouts(afero.NewOsFs(), r, opt, main)
	if err != nil {
		t.Fatal(err)
	}
	if runs != len(Readouts)-1 || len(rob.Verdicts) != len(Readouts) {
		t.Errorf("%d runs, %d verdicts for %d readouts (the main report stands for window 2)", runs, len(rob.Verdicts), len(Readouts))
	}
	for _, v := range rob.Verdicts {
		t.Logf("%s: found %v, best %q, tie %v, lead %+v", v.Readout, v.Found, v.Best, v.Tie, v.Lead)
		if v.Best != "mixed3b" {
			t.Errorf("%s: best %q", v.Readout, v.Best)
		}
	}
	if !rob.Stable["mixed3b.curve"] {
		t.Errorf("not stable: %+v", rob.Verdicts)
	}
}

// TestNetworkNullOnPlanted: the network null (every convolution of the
// network shuffled, one pass per seed) says the layer with the 24
// planted curve detectors holds a population, against a null of next to
// no members, and a layer without members holds none.
func TestNetworkNullOnPlanted(t *testing.T) {
	t.Parallel()
	dir := plantedNetwork(t, 40, false)
	reg := models.Registered(afero.NewOsFs(), dir)
	r := curvesAgainstIn(t, "planted.*", reg)
	rep, err := Run(afero.NewOsFs(), r, Options{Against: "planted", ModelsDir: dir, DataDir: sharedData, Photos: 32, NullSeeds: 5, NetworkSeeds: 5})
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Families[0]
	held := 0
	for _, e := range f.Layers {
		h := e.Holds
		if h == nil || h.Seeds != 5 {
			t.Fatalf("%s: no network null: %+v", e.Layer, e)
		}
		t.Logf("%-10s %3d members; network null %.1f ± %.1f, p %.2g, holds %v", e.Layer, e.Members, float64(h.NullMean), float64(h.NullSD), float64(h.P), h.Holds)
		switch {
		case e.Layer == "mixed3b" && (!h.Holds || float64(h.NullMean) > 3 || e.Members < 20):
			t.Errorf("the planted layer: %+v", e)
		case e.Members == 0 && h.Holds:
			t.Errorf("%s holds a population of none", e.Layer)
		}
		if h.Holds {
			held++
		}
	}
	if held == 0 || !strings.Contains(verdict(f), "populations held in") {
		t.Errorf("verdict: %s", verdict(f))
	}
}
