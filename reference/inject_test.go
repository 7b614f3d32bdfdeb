package reference

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/datasets"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/runtime"
)

const injected = `circuit injected

input image(c in ["r", "g", "b"]) size 224x224 range 0 .. 1

layer conv1 = conv 7x7 stride 2 pad same, relu
layer pool1 = maxpool 3x3 stride 2 pad same
layer pool2 = maxpool 3x3 stride 2 pad same
layer edges = conv 1x1, relu

family edge(o in [0deg, 90deg]) at conv1 {
  from image(_) weight kernel 7x7 (x, y) => clip((cos(o) * x + sin(o) * y) / 1px, -1, 1) / 20
}

family any(o in [0deg, 90deg]) at edges {
  from conv1.edge(i) where i == o weight 1
}

/// A hand-written kernel for natural channel 29 of conv2d1: a copy of channel 14 of its input.
unit copy14 at inceptionv1.conv2d1 {
  from inceptionv1.localresponsenorm0[c in 0 ..< 64] weight if c == 14 then 1 else 0
  bias 0.5
}

ablate inceptionv1.mixed3b[379, 320 ..< 330]
set inceptionv1.conv2d1[29] with inceptionv1.conv2d1.copy14
replace inceptionv1.mixed3b[100, 101] with edges.any
`

func compileInjected(t *testing.T) *compiler.Result {
	t.Helper()
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "injected.circ", []byte(injected), 0o644)
	r, err := compiler.Compile(fs, "injected.circ", compiler.Options{})
	if err != nil || len(r.Diags) > 0 || r.Stopped != "emit" {
		t.Fatalf("%v %v", err, r.Diags)
	}
	return r
}

func runTensors(t *testing.T, m *onnx.Model, names ...string) []runtime.Output {
	t.Helper()
	cut := m.Clone()
	if err := cut.SetInputShape(224, 224); err != nil {
		t.Fatal(err)
	}
	if err := cut.SetOutputs([]int64{1, 3, 224, 224}, names...); err != nil {
		t.Fatal(err)
	}
	b, _ := cut.Bytes()
	s, err := runtime.NewSessionFromBytes(b, "data_0", names, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sums, err := readSums(afero.NewOsFs(), "../../shared/models/inceptionv1")
	if err != nil {
		t.Fatal(err)
	}
	_, input, err := readTensor(afero.NewOsFs(), "../../shared/models/inceptionv1/test_data_set_0/input_0.pb", sums)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Run(input, []int64{1, 3, 224, 224})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func channel(o runtime.Output, c int) []float32 {
	plane := int(o.Shape[2] * o.Shape[3])
	return o.Data[c*plane : (c+1)*plane]
}

// TestInject applies set, replace and ablate to the reference model and
// checks each edit where it lands.
func TestInject(t *testing.T) {
	n := open(t)
	fs := afero.NewOsFs()
	items, err := datasets.ImageNetSample(fs, datasets.Dir(fs, sharedData, "imagenet-sample"))
	if err != nil {
		t.Fatal(err)
	}
	res := compileInjected(t)
	m, edits, err := n.Inject(fs, res, InjectOptions{Calibration: items[:16]})
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) != 3 || edits[0].Kind != "ablate" || edits[1].Kind != "set" || edits[2].Kind != "replace" {
		t.Fatalf("edits %+v", edits)
	}
	// set: channel 29 of conv2d1 is now relu(1 · channel 14 of its input + 0.5).
	orig := runTensors(t, n.Model, "conv2/3x3_reduce_2", "pool1/norm1_1", "inception_3b/output_1")
	got := runTensors(t, m, "conv2/3x3_reduce_2", "pool1/norm1_1")
	lrn, ch29 := channel(got[1], 14), channel(got[0], 29)
	for i := range lrn {
		if want := float32(math.Max(0, float64(lrn[i])+0.5)); math.Abs(float64(ch29[i]-want)) > 1e-4 {
			t.Fatalf("conv2d1[29] at %d = %g, want %g", i, ch29[i], want)
		}
	}
	if c28o, c28 := channel(orig[0], 28), channel(got[0], 28); c28o[100] != c28[100] {
		t.Error("set changed another channel")
	}
	// ablate: the channels mixed4a reads are zero at 379 and 320..329 and
	// (apart from the replaced ones) the natural values elsewhere.
	readers := m.Consumers("circc/ablate/0/inception_3b/output_1")
	if len(readers) != 1 || !strings.HasPrefix(readers[0].GetName(), "circc/replace/2/keep") {
		t.Fatalf("the ablated tensor is read by %v", readers)
	}
	final := "circc/replace/2/inception_3b/output_1"
	if r := m.Consumers(final); len(r) < 1 || r[0].GetOpType() != "MaxPool" {
		t.Fatalf("the edited mixed3b is read by %v", r)
	}
	after := runTensors(t, m, final, "circc/circuit/edges")[0]
	hand := runTensors(t, m, "circc/circuit/edges")[0]
	for _, c := range []int{379, 320, 329} {
		for _, v := range channel(after, c) {
			if v != 0 {
				t.Fatalf("ablated channel %d is %g", c, v)
			}
		}
	}
	if a, b := channel(orig[2], 200), channel(after, 200); a[50] != b[50] {
		t.Error("an untouched mixed3b channel changed")
	}
	// replace: channels 100 and 101 are the hand-made units, scaled.
	for j, c := range []int{100, 101} {
		s := float32(edits[2].Scales[j])
		if s <= 0 {
			t.Fatalf("scale %g", s)
		}
		h, a := channel(hand, j), channel(after, c)
		for i := range a {
			if math.Abs(float64(a[i]-s*h[i])) > 1e-4*(1+math.Abs(float64(a[i]))) {
				t.Fatalf("mixed3b[%d] at %d = %g, want %g × %g", c, i, a[i], s, h[i])
			}
		}
	}
	// The written model reads back equal.
	mem := afero.NewMemMapFs()
	if err := onnx.Write(mem, "/edited.onnx", m); err != nil {
		t.Fatal(err)
	}
}

// TestInjectRefusesNoOp: an injection that changes nothing is an error.
func TestInjectRefusesNoOp(t *testing.T) {
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "noop.circ", []byte(`circuit noop

input image(c in ["r", "g", "b"]) size 224x224 range 0 .. 1

layer l = conv 1x1

unit u at l {
  from image(_) weight 1
}

unit same at inceptionv1.conv2d1 {
  from inceptionv1.localresponsenorm0[c in 0 ..< 64] weight 0
}
`), 0o644)
	r, err := compiler.Compile(fs, "noop.circ", compiler.Options{})
	if err != nil || len(r.Diags) > 0 {
		t.Fatal(err, r.Diags)
	}
	_, _, err = open(t).Inject(afero.NewOsFs(), r, InjectOptions{})
	if err == nil || !strings.Contains(err.Error(), "no set, replace or ablate statement") {
		t.Fatalf("got %v", err)
	}
}

// TestInjectMatched resolves matched(…) through the hook circc fills with
// verify's matching.
func TestInjectMatched(t *testing.T) {
	fs := afero.NewMemMapFs()
	src := strings.Replace(injected, "ablate inceptionv1.mixed3b[379, 320 ..< 330]", "ablate inceptionv1.mixed3b[matched(edges.any), 7]", 1)
	afero.WriteFile(fs, "m.circ", []byte(src), 0o644)
	r, err := compiler.Compile(fs, "m.circ", compiler.Options{})
	if err != nil || len(r.Diags) > 0 {
		t.Fatal(err, r.Diags)
	}
	var asked string
	_, edits, err := open(t).Inject(afero.NewOsFs(), r, InjectOptions{Kinds: map[string]bool{"ablate": true},
		Matched: func(f string) ([]int, error) { asked = f; return []int{40, 41}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if asked != "edges.any" || fmt.Sprint(edits[0].Channels) != "[40 41 7]" {
		t.Errorf("asked for %q, ablated %v", asked, edits[0].Channels)
	}
	_, _, err = open(t).Inject(afero.NewOsFs(), r, InjectOptions{Kinds: map[string]bool{"ablate": true}})
	var ds diag.List
	if !errors.As(err, &ds) || len(ds) != 1 || !strings.Contains(ds[0].Summary, "matching, which is not available here") {
		t.Errorf("without a matcher: %v", ds)
	}
}
