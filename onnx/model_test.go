package onnx

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"google.golang.org/protobuf/proto"

	pb "github.com/circc/circc/onnx/onnxpb"
	"github.com/circc/circc/runtime"
)

const refModel = "../../shared/models/inceptionv1/model.onnx"

func readRef(t *testing.T) *Model {
	t.Helper()
	m, err := Read(afero.NewOsFs(), refModel)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var refInput = []int64{1, 3, 224, 224}

// TestRoundTripKeepsMeaning: reading and writing an unedited model gives a
// model equal to the original, field by field.
func TestRoundTripKeepsMeaning(t *testing.T) {
	m := readRef(t)
	fs := afero.NewMemMapFs()
	fs.MkdirAll("/out", 0o755)
	if err := Write(fs, "/out/m.onnx", m); err != nil {
		t.Fatal(err)
	}
	back, err := Read(fs, "/out/m.onnx")
	if err != nil {
		t.Fatal(err)
	}
	orig := readRef(t)
	if !proto.Equal(back.P, orig.P) {
		t.Fatal("the round trip changed the model")
	}
	entries, _ := afero.ReadDir(fs, "/out")
	if len(entries) != 1 {
		t.Errorf("%d files in the output folder: temporary files left", len(entries))
	}
}

func TestShapes(t *testing.T) {
	m := readRef(t)
	s, err := m.Shapes(refInput)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]int64{
		"conv1/7x7_s2_2": {1, 64, 112, 112}, "pool1/3x3_s2_1": {1, 64, 56, 56}, "conv2/3x3_2": {1, 192, 56, 56},
		"inception_3a/output_1": {1, 256, 28, 28}, "inception_3b/output_1": {1, 480, 28, 28},
		"inception_4a/output_1": {1, 512, 14, 14}, "inception_5b/output_1": {1, 1024, 7, 7}, "prob_1": {1, 1000},
	} {
		if got := s[name]; len(got) != len(want) || got[1] != want[1] || got[len(got)-1] != want[len(want)-1] {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

// TestCutAndOutputs: a model cut at mixed3b keeps only what mixed3b needs,
// runs with a free batch, and gives the same activations as the whole
// model with mixed3b added as an output.
func TestCutAndOutputs(t *testing.T) {
	full := readRef(t)
	nodes := len(full.P.GetGraph().GetNode())
	cut := full.Clone()
	if err := cut.SetInputShape(224, 224); err != nil {
		t.Fatal(err)
	}
	if err := cut.SetOutputs(refInput, "inception_3b/output_1"); err != nil {
		t.Fatal(err)
	}
	if n := len(cut.P.GetGraph().GetNode()); n >= nodes/2 || n < 30 {
		t.Errorf("the cut model has %d of %d nodes", n, nodes)
	}
	for _, n := range cut.P.GetGraph().GetNode() {
		if strings.HasPrefix(n.GetOutput()[0], "inception_4") {
			t.Fatalf("the cut model still computes %s", n.GetOutput()[0])
		}
	}
	if Initializer(cut.P, "inception_4a/1x1_w_0") != nil {
		t.Error("the cut model keeps mixed4a's weights")
	}
	if err := full.AddOutputs(refInput, "inception_3b/output_1"); err != nil {
		t.Fatal(err)
	}
	in := make([]float32, 2*3*224*224)
	for i := range in {
		in[i] = float32(math.Sin(float64(i))*50 + 10)
	}
	run := func(m *Model, outs []string, batch int64, data []float32) []runtime.Output {
		b, err := m.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		s, err := runtime.NewSessionFromBytes(b, "data_0", outs, runtime.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		r, err := s.Run(data, []int64{batch, 3, 224, 224})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := run(cut, []string{"inception_3b/output_1"}, 2, in)[0]
	if a.Shape[0] != 2 {
		t.Fatalf("batch of 2 gave shape %v", a.Shape)
	}
	b := run(full, []string{"prob_1", "inception_3b/output_1"}, 1, in[:3*224*224])[1]
	for i := range b.Data {
		if math.Abs(float64(a.Data[i]-b.Data[i])) > 1e-4*(1+math.Abs(float64(b.Data[i]))) {
			t.Fatalf("value %d: cut %g, whole %g", i, a.Data[i], b.Data[i])
		}
	}
}

// TestSetSlices edits output channels of a convolution's weights, both as
// an initializer and as a Constant node, and nothing else.
func TestSetSlices(t *testing.T) {
	m := readRef(t)
	w, err := m.ReadWeight("conv1/7x7_s2_w_0")
	if err != nil {
		t.Fatal(err)
	}
	per := len(w.Data) / int(w.Dims[0])
	ones := make([]float32, per)
	for i := range ones {
		ones[i] = 1
	}
	if err := m.SetSlices("conv1/7x7_s2_w_0", []int{5}, [][]float32{ones}); err != nil {
		t.Fatal(err)
	}
	after, _ := m.ReadWeight("conv1/7x7_s2_w_0")
	for i := range after.Data {
		changed := after.Data[i] != w.Data[i]
		inSlice := i/per == 5
		if changed != inSlice && !(inSlice && w.Data[i] == 1) {
			t.Fatalf("value %d changed=%v in slice=%v", i, changed, inSlice)
		}
	}
	// The same edit on a weight held by a Constant node.
	g := m.P.GetGraph()
	b := Initializer(m.P, "conv1/7x7_s2_b_0")
	var inits []*pb.TensorProto
	for _, t := range g.GetInitializer() {
		if t != b {
			inits = append(inits, t)
		}
	}
	g.Initializer = inits
	g.Node = append([]*pb.NodeProto{{OpType: proto.String("Constant"), Output: []string{"conv1/7x7_s2_b_0"},
		Attribute: []*pb.AttributeProto{{Name: proto.String("value"), Type: pb.AttributeProto_TENSOR.Enum(), T: b}}}}, g.Node...)
	if err := m.SetSlices("conv1/7x7_s2_b_0", []int{0, 63}, [][]float32{{7}, {-7}}); err != nil {
		t.Fatal(err)
	}
	cb, _ := m.ReadWeight("conv1/7x7_s2_b_0")
	if cb.Data[0] != 7 || cb.Data[63] != -7 {
		t.Errorf("constant bias %v", cb.Data[:2])
	}
	if err := m.SetSlices("conv1/7x7_s2_w_0", []int{64}, [][]float32{ones}); err == nil {
		t.Error("an out-of-range slice was accepted")
	}
}

// TestSpliceRewireAndDeadNodes splices a scaling node after conv1, rewires
// its readers, and drops what no output needs.
func TestSpliceRewireAndDeadNodes(t *testing.T) {
	m := readRef(t)
	two := FloatTensor("circc/two", "", []int{1}, []float32{2})
	mul := &pb.NodeProto{Name: proto.String("circc/double"), OpType: proto.String("Mul"),
		Input: []string{"conv1/7x7_s2_2", "circc/two"}, Output: []string{"circc/doubled"}}
	if err := m.Splice([]*pb.NodeProto{mul}, []*pb.TensorProto{two}); err != nil {
		t.Fatal(err)
	}
	if err := m.Rewire("conv1/7x7_s2_2", "circc/doubled", mul); err != nil {
		t.Fatal(err)
	}
	if got := m.Consumers("circc/doubled"); len(got) != 1 || got[0].GetOpType() != "MaxPool" {
		t.Fatalf("readers of the new tensor: %v", got)
	}
	if err := m.SetOutputs(refInput, "pool1/3x3_s2_1"); err != nil {
		t.Fatal(err)
	}
	ops := map[string]int{}
	for _, n := range m.P.GetGraph().GetNode() {
		ops[n.GetOpType()]++
	}
	if len(m.P.GetGraph().GetNode()) != 4 || ops["Mul"] != 1 || len(m.P.GetGraph().GetInitializer()) != 3 {
		t.Errorf("after cutting at pool1: %v, %d initializers", ops, len(m.P.GetGraph().GetInitializer()))
	}
}

// TestPermuteConvWeights: the control keeps every convolution's weights
// (the same values, so the same statistics) in another order, the same
// order on every run, and touches nothing else.
func TestPermuteConvWeights(t *testing.T) {
	a, b, orig := readRef(t), readRef(t), readRef(t)
	for _, m := range []*Model{a, b} {
		if err := m.PermuteConvWeights(7); err != nil {
			t.Fatal(err)
		}
	}
	moved, convs := 0, 0
	for _, n := range orig.P.GetGraph().GetNode() {
		if n.GetOpType() != "Conv" {
			continue
		}
		convs++
		name := n.GetInput()[1]
		w0, _ := orig.ReadWeight(name)
		wa, _ := a.ReadWeight(name)
		wb, _ := b.ReadWeight(name)
		s0, sa := append([]float32(nil), w0.Data...), append([]float32(nil), wa.Data...)
		sort.Slice(s0, func(i, j int) bool { return s0[i] < s0[j] })
		sort.Slice(sa, func(i, j int) bool { return sa[i] < sa[j] })
		if fmt.Sprint(s0) != fmt.Sprint(sa) || fmt.Sprint(wa.Data) != fmt.Sprint(wb.Data) || fmt.Sprint(wa.Dims) != fmt.Sprint(w0.Dims) {
			t.Fatalf("%s: the shuffle changed the values or is not repeatable", name)
		}
		if fmt.Sprint(wa.Data) != fmt.Sprint(w0.Data) {
			moved++
		}
	}
	if convs < 50 || moved != convs {
		t.Errorf("%d of %d convolutions shuffled", moved, convs)
	}
	if len(a.P.GetGraph().GetNode()) != len(orig.P.GetGraph().GetNode()) {
		t.Error("the graph changed")
	}
}

// TestReceptiveFieldsAgainstPerturbation checks the fields against the
// network itself: changing one input pixel just outside a cell's field
// leaves the cell exactly as it was; changing one on the field's edge
// changes it. Checked at a cell of conv2d0, of mixed3a and of mixed3b,
// on all four edges.
func TestReceptiveFieldsAgainstPerturbation(t *testing.T) {
	m := readRef(t)
	fields, err := m.ReceptiveFields()
	if err != nil {
		t.Fatal(err)
	}
	if f := fields["conv1/7x7_s2_1"]; f != (Field{Jump: [2]int{2, 2}, Lo: [2]int{-3, -3}, Hi: [2]int{3, 3}}) {
		t.Errorf("conv1: %+v, want stride 2 and a 7x7 field centred on the cell", f)
	}
	if _, ok := fields["prob_1"]; ok {
		t.Error("a dense layer's output has a field")
	}
	base := make([]float32, 3*224*224)
	for i := range base {
		base[i] = float32(math.Sin(float64(i)*0.37) * 60)
	}
	for _, tc := range []struct {
		tensor string
		y, x   int // the cell read
	}{{"conv1/7x7_s2_2", 50, 60}, {"inception_3a/output_1", 14, 13}, {"inception_3b/output_1", 14, 14}} {
		f, ok := fields[tc.tensor]
		if !ok {
			t.Fatalf("%s has no field", tc.tensor)
		}
		lo := [2]int{f.Lo[0] + tc.y*f.Jump[0], f.Lo[1] + tc.x*f.Jump[1]}
		hi := [2]int{f.Hi[0] + tc.y*f.Jump[0], f.Hi[1] + tc.x*f.Jump[1]}
		cy, cx := (lo[0]+hi[0])/2, (lo[1]+hi[1])/2
		// Pixels (row, column) to change: 4 just outside, 4 on the edge.
		probes := [][2]int{{lo[0] - 1, cx}, {hi[0] + 1, cx}, {cy, lo[1] - 1}, {cy, hi[1] + 1},
			{lo[0], cx}, {hi[0], cx}, {cy, lo[1]}, {cy, hi[1]}}
		batch := make([]float32, 0, (len(probes)+1)*len(base))
		batch = append(batch, base...)
		for _, p := range probes {
			if p[0] < 0 || p[0] >= 224 || p[1] < 0 || p[1] >= 224 {
				t.Fatalf("%s: the field %v-%v of cell (%d, %d) leaves the image; pick a more central cell", tc.tensor, lo, hi, tc.y, tc.x)
			}
			img := append([]float32(nil), base...)
			for c := 0; c < 3; c++ {
				img[(c*224+p[0])*224+p[1]] += 1000
			}
			batch = append(batch, img...)
		}
		cut := m.Clone()
		if err := cut.SetInputShape(224, 224); err != nil {
			t.Fatal(err)
		}
		if err := cut.SetOutputs(refInput, tc.tensor); err != nil {
			t.Fatal(err)
		}
		data, _ := cut.Bytes()
		s, err := runtime.NewSessionFromBytes(data, "data_0", []string{tc.tensor}, runtime.Options{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.Run(batch, []int64{int64(len(probes) + 1), 3, 224, 224})
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		o := out[0]
		C, H, W := int(o.Shape[1]), int(o.Shape[2]), int(o.Shape[3])
		cell := func(n int) []float32 {
			v := make([]float32, C)
			for c := range v {
				v[c] = o.Data[((n*C+c)*H+tc.y)*W+tc.x]
			}
			return v
		}
		ref := cell(0)
		for i, p := range probes {
			got, changed := cell(i+1), false
			for c := range got {
				changed = changed || got[c] != ref[c]
			}
			if inside := i >= 4; changed != inside {
				t.Errorf("%s cell (%d, %d), field rows %d-%d cols %d-%d: changing pixel %v changed the cell: %v", tc.tensor, tc.y, tc.x, lo[0], hi[0], lo[1], hi[1], p, changed)
			}
		}
		t.Logf("%s: field %dx%d px, stride %v", tc.tensor, f.Size()[0], f.Size()[1], f.Jump)
	}
}

// TestReadWindowsAgainstTheMap: the in-graph readout equals, value for
// value, the maximum a plain loop finds over the same block of the full
// map that onnxruntime returns, for the centre cell, odd and even windows,
// and the whole map, on a 28×28 and a 14×14 layer at once.
func TestReadWindowsAgainstTheMap(t *testing.T) {
	m := readRef(t)
	if err := m.SetInputShape(224, 224); err != nil {
		t.Fatal(err)
	}
	tensors := []string{"inception_3b/output_1", "inception_4a/output_1"}
	in := make([]float32, 2*3*224*224)
	for i := range in {
		in[i] = float32(math.Sin(float64(i)*0.013)*90 + math.Cos(float64(i)*0.0007)*40)
	}
	run := func(model *Model, outs []string) []runtime.Output {
		t.Helper()
		data, _ := model.Bytes()
		s, err := runtime.NewSessionFromBytes(data, "data_0", outs, runtime.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		o, err := s.Run(in, []int64{2, 3, 224, 224})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	maps := m.Clone()
	if err := maps.SetOutputs(refInput, tensors...); err != nil {
		t.Fatal(err)
	}
	full := run(maps, tensors)
	for _, window := range []int{1, 2, 3, 5, 0, 28} {
		read := m.Clone()
		outs, err := read.ReadWindows(refInput, window, tensors...)
		if err != nil {
			t.Fatal(err)
		}
		got := run(read, outs)
		for k, o := range full {
			N, C, H, W := int(o.Shape[0]), int(o.Shape[1]), int(o.Shape[2]), int(o.Shape[3])
			if want := fmt.Sprint([]int64{int64(N), int64(C), 1, 1}); fmt.Sprint(got[k].Shape) != want {
				t.Fatalf("window %d: %s has shape %v, want %s", window, outs[k], got[k].Shape, want)
			}
			w := window
			if w <= 0 || w > H {
				w = H
			}
			y0, x0 := (H-w)/2, (W-w)/2
			for n := 0; n < N; n++ {
				for c := 0; c < C; c++ {
					plane := o.Data[(n*C+c)*H*W : (n*C+c+1)*H*W]
					best := float32(math.Inf(-1))
					for y := y0; y < y0+w; y++ {
						for x := x0; x < x0+w; x++ {
							best = max(best, plane[y*W+x])
						}
					}
					if g := got[k].Data[n*C+c]; g != best {
						t.Fatalf("window %d, %s image %d channel %d: %g in the graph, %g over the map", window, tensors[k], n, c, g, best)
					}
				}
			}
		}
	}
}

// TestCentreCropWindows: blocks of cells read on the cropped input equal
// the same blocks read at full size (each output with a window of its
// own), and the crop is smaller than the input.
func TestCentreCropWindows(t *testing.T) {
	m := readRef(t)
	if err := m.SetInputShape(224, 224); err != nil {
		t.Fatal(err)
	}
	tensors := []string{"conv2/3x3_2", "inception_3a/output_1", "inception_3b/output_1", "inception_4a/output_1"}
	windows := []int{4, 3, 2, 1}
	c, ok := m.CentreCropWindows(tensors, windows, 3, 224)
	if !ok || c.Size >= 224 {
		t.Fatalf("crop %+v %v", c, ok)
	}
	t.Logf("crop %+v", c)
	in := make([]float32, 2*3*224*224)
	for i := range in {
		in[i] = float32(math.Sin(float64(i)*0.013)*90 + math.Cos(float64(i)*0.0007)*40)
	}
	cut := make([]float32, 2*3*c.Size*c.Size)
	for n := 0; n < 6; n++ {
		for y := 0; y < c.Size; y++ {
			copy(cut[(n*c.Size+y)*c.Size:(n*c.Size+y+1)*c.Size], in[(n*224+c.Y0+y)*224+c.X0:])
		}
	}
	run := func(side int, x []float32) []runtime.Output {
		t.Helper()
		read := m.Clone()
		if err := read.SetInputShape(side, side); err != nil {
			t.Fatal(err)
		}
		outs, err := read.ReadWindowsEach([]int64{1, 3, int64(side), int64(side)}, windows, tensors...)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := read.Bytes()
		s, err := runtime.NewSessionFromBytes(data, "data_0", outs, runtime.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		o, err := s.Run(x, []int64{2, 3, int64(side), int64(side)})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	full, small := run(224, in), run(c.Size, cut)
	for k := range tensors {
		worst, scale := 0.0, 0.0
		for i, v := range full[k].Data {
			scale = math.Max(scale, math.Abs(float64(v)))
			worst = math.Max(worst, math.Abs(float64(v-small[k].Data[i])))
		}
		if worst > 1e-5*scale {
			t.Errorf("%s window %d: cropped and full-size differ by %g of %g", tensors[k], windows[k], worst, scale)
		}
	}
}
