package weights

import (
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/runtime"
)

var sharedModels, _ = filepath.Abs("../../shared/models")

// linearised is the part of m from one tensor to another with its
// nonlinearities made linear the way Expand reads them (Relu, LRN, Dropout,
// Sigmoid, Tanh and Clip the identity, MaxPool the AveragePool of its
// window; a batch normalisation stays, being affine), for
// onnxruntime to run as the oracle.
func linearised(t *testing.T, m *onnx.Model, from string, input []int64, to string) []byte {
	t.Helper()
	c := m.Clone()
	if err := c.Between(from, input, to); err != nil {
		t.Fatal(err)
	}
	sigmoidOf := map[string]string{} // a sigmoid's output: its input
	for _, n := range c.P.GetGraph().GetNode() {
		if n.GetOpType() == "Sigmoid" {
			sigmoidOf[n.GetOutput()[0]] = n.GetInput()[0]
		}
	}
	for _, n := range c.P.GetGraph().GetNode() {
		if in := n.GetInput(); n.GetOpType() == "Mul" && len(in) == 2 && sigmoidOf[in[1]] == in[0] {
			n.OpType, n.Input = proto.String("Identity"), in[:1] // SiLU, x·σ(x)
		}
		switch n.GetOpType() {
		case "Relu", "LRN", "Dropout", "Sigmoid", "Tanh", "Clip", "HardSigmoid", "HardSwish", "Erf":
			n.OpType, n.Attribute = proto.String("Identity"), nil
			n.Output = n.Output[:1]
		case "MaxPool":
			n.OpType = proto.String("AveragePool")
			var keep []*pb.AttributeProto
			for _, a := range n.GetAttribute() {
				if a.GetName() != "storage_order" && a.GetName() != "dilations" {
					keep = append(keep, a)
				}
			}
			n.Attribute = append(keep, onnx.AttrInt("count_include_pad", 1))
		}
	}
	data, err := c.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkAgainstImpulses runs, through the linearised part, a zero map and
// one-hot impulses at the centre of every chosen input channel (at every
// phase of the stride), and checks that each chosen output's change at
// every cell near the centre is the expanded weight the impulse's offset
// names, and zero where the offset falls outside the kernel. side is the
// side of the input map (room for the field without touching the border).
func checkAgainstImpulses(t *testing.T, m *onnx.Model, modelInput []int64, from, to string, outs, ins []int, side int) *Expanded {
	t.Helper()
	e, err := Expand(m, modelInput, from, to, outs)
	if err != nil {
		t.Fatal(err)
	}
	shapes, err := m.Shapes(modelInput)
	if err != nil {
		t.Fatal(err)
	}
	cin := int(shapes[from][1])
	input := []int64{1, int64(cin), int64(side), int64(side)}
	data := linearised(t, m, from, input, to)
	s, err := runtime.NewSessionFromBytes(data, from, []string{to}, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type impulse struct{ ch, y, x int }
	c0 := side / 2
	var imps []impulse
	for _, i := range ins {
		for py := 0; py < e.Jump[0]; py++ {
			for px := 0; px < e.Jump[1]; px++ {
				imps = append(imps, impulse{i, c0 + py, c0 + px})
			}
		}
	}
	plane := side * side
	batch := make([]float32, (len(imps)+1)*cin*plane)
	for k, im := range imps {
		batch[(k+1)*cin*plane+im.ch*plane+im.y*side+im.x] = 1
	}
	res, err := s.Run(batch, []int64{int64(len(imps) + 1), int64(cin), int64(side), int64(side)})
	if err != nil {
		t.Fatal(err)
	}
	o := res[0]
	C, H, W := int(o.Shape[1]), int(o.Shape[2]), int(o.Shape[3])
	shape := e.Shape()
	peak := 0.0
	for _, v := range e.W.Data().([]float32) {
		peak = math.Max(peak, math.Abs(float64(v)))
	}
	if peak == 0 {
		t.Fatal("the expanded weights are all zero")
	}
	worst, checked, inside := 0.0, 0, 0
	for k, im := range imps {
		for oi, ch := range e.Channels {
			for qy := 0; qy < H; qy++ {
				for qx := 0; qx < W; qx++ {
					// Only cells whose field stays inside the map.
					y0, x0 := qy*e.Jump[0]+e.Lo[0], qx*e.Jump[1]+e.Lo[1]
					if y0 < 0 || x0 < 0 || y0+shape[2] > side || x0+shape[3] > side {
						continue
					}
					got := float64(o.Data[((k+1)*C+ch)*H*W+qy*W+qx] - o.Data[(0*C+ch)*H*W+qy*W+qx])
					dy, dx := im.y-y0, im.x-x0
					want := 0.0
					if dy >= 0 && dy < shape[2] && dx >= 0 && dx < shape[3] {
						want = float64(e.Tile(oi, im.ch)[dy*shape[3]+dx])
						inside++
					}
					worst = math.Max(worst, math.Abs(got-want)/peak)
					checked++
				}
			}
		}
	}
	t.Logf("%s → %s: W %v, lo %v, jump %v; %d impulses, %d cells checked (%d inside the kernel), worst difference %.2g of the largest weight",
		from, to, shape, e.Lo, e.Jump, len(imps), checked, inside, worst)
	if inside < len(imps)*len(outs) || worst > 1e-4 {
		t.Errorf("%s → %s: %d cells inside the kernel, worst difference %.2g", from, to, inside, worst)
	}
	return e
}

func openNet(t *testing.T, name string) *reference.Net {
	t.Helper()
	n, err := reference.Open(afero.NewOsFs(), name, sharedModels)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func tensorOf(t *testing.T, n *reference.Net, layer string) string {
	t.Helper()
	s, err := n.Tensor(layer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExpandedWeightsEqualImpulseResponses: on both shared networks, the
// expanded weights equal what onnxruntime computes on the linearised part
// of the network for one-hot impulses: across an Inception block (four
// branches, a max pool taken as an average), across a stride-2 max pool
// into the next block, and across SqueezeNet's fire modules with and
// without a pool between.
func TestExpandedWeightsEqualImpulseResponses(t *testing.T) {
	inc := openNet(t, "inceptionv1")
	sq := openNet(t, "squeezenet1.0")
	incIn := []int64{1, 3, 224, 224}
	sqIn := []int64{1, 3, 227, 227}
	every := func(n, step, off int) []int {
		var out []int
		for i := off; i < n; i += step {
			out = append(out, i)
		}
		return out
	}
	for _, tc := range []struct {
		net      *reference.Net
		input    []int64
		from, to string
		outs     []int
		ins      []int
		side     int
	}{
		{inc, incIn, "mixed3a", "mixed3b", every(480, 5, 2), every(256, 1, 0), 11},
		{inc, incIn, "mixed3b", "mixed4a", every(508, 37, 3), every(480, 20, 1), 25},
		{sq, sqIn, "fire2", "fire3", every(128, 3, 0), every(128, 1, 0), 9},
		{sq, sqIn, "fire4", "fire5", every(256, 9, 4), every(256, 8, 0), 13},
	} {
		t.Run(tc.net.Manifest.Name+"/"+tc.from+"-"+tc.to, func(t *testing.T) {
			checkAgainstImpulses(t, tc.net.Model, tc.input, tensorOf(t, tc.net, tc.from), tensorOf(t, tc.net, tc.to), tc.outs, tc.ins, tc.side)
		})
	}
}

// synthetic builds a small graph from the nodes, with random initializers
// of the given shapes, input x of the given channels.
func synthetic(channels int, inits map[string][]int64, nodes ...*pb.NodeProto) *onnx.Model {
	g := &pb.GraphProto{Name: proto.String("synthetic"), Node: nodes}
	seed := uint32(7)
	for _, name := range sortedKeys(inits) {
		dims := inits[name]
		n := int64(1)
		for _, d := range dims {
			n *= d
		}
		vals := make([]float32, n)
		for i := range vals {
			seed = seed*1664525 + 1013904223
			vals[i] = float32(seed>>8)/float32(1<<24) - 0.5
		}
		g.Initializer = append(g.Initializer, &pb.TensorProto{Name: proto.String(name), Dims: dims,
			DataType: proto.Int32(int32(pb.TensorProto_FLOAT)), FloatData: vals})
	}
	g.Input = []*pb.ValueInfoProto{onnxValue("x", []int64{1, int64(channels), 32, 32})}
	last := nodes[len(nodes)-1].GetOutput()[0]
	g.Output = []*pb.ValueInfoProto{{Name: proto.String(last)}}
	return &onnx.Model{P: &pb.ModelProto{IrVersion: proto.Int64(7), Graph: g,
		OpsetImport: []*pb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}}}}
}

func sortedKeys(m map[string][]int64) []string {
	out := slices.Collect(maps.Keys(m))
	slices.Sort(out)
	return out
}

func onnxValue(name string, shape []int64) *pb.ValueInfoProto {
	var dims []*pb.TensorShapeProto_Dimension
	for _, d := range shape {
		dims = append(dims, &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: d}})
	}
	return &pb.ValueInfoProto{Name: proto.String(name), Type: &pb.TypeProto{Value: &pb.TypeProto_TensorType{TensorType: &pb.TypeProto_Tensor{
		ElemType: proto.Int32(int32(pb.TensorProto_FLOAT)), Shape: &pb.TensorShapeProto{Dim: dims}}}}}
}

func node(op string, ins []string, out string, attrs ...*pb.AttributeProto) *pb.NodeProto {
	return &pb.NodeProto{Name: proto.String(out), OpType: proto.String(op), Input: ins, Output: []string{out}, Attribute: attrs}
}

func ints(name string, v ...int64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_INTS.Enum(), Ints: v}
}

// TestExpandedWeightsOfSyntheticGraphs: strides, dilations, uneven pads,
// a residual Add, a concatenation of unequal kernels and an average pool,
// each against the impulse oracle.
func TestExpandedWeightsOfSyntheticGraphs(t *testing.T) {
	in := []int64{1, 4, 32, 32}
	cases := map[string]*onnx.Model{
		"stride and dilation": synthetic(4, map[string][]int64{"w1": {6, 4, 3, 3}, "b1": {6}, "w2": {5, 6, 3, 3}},
			node("Conv", []string{"x", "w1", "b1"}, "a", ints("strides", 2, 2), ints("pads", 1, 0, 1, 2)),
			node("Relu", []string{"a"}, "r"),
			node("Conv", []string{"r", "w2"}, "y", ints("dilations", 2, 2), ints("pads", 2, 2, 2, 2))),
		"residual and concat": synthetic(4, map[string][]int64{"w1": {4, 4, 1, 1}, "w2": {4, 4, 5, 5}, "w3": {3, 8, 3, 3}},
			node("Conv", []string{"x", "w1"}, "a"),
			node("Conv", []string{"x", "w2"}, "b", ints("pads", 2, 2, 2, 2)),
			node("Add", []string{"a", "b"}, "s"),
			node("AveragePool", []string{"x"}, "p", ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1)),
			node("Concat", []string{"s", "p"}, "c", onnx.AttrInt("axis", 1)),
			node("Conv", []string{"c", "w3"}, "y", ints("strides", 2, 2))),
	}
	// A batch normalisation between convolutions, with the activations
	// exporters put after it; its variances made positive.
	bn := synthetic(4, map[string][]int64{"w1": {6, 4, 3, 3}, "scale": {6}, "bias": {6}, "mean": {6}, "var": {6}, "w2": {5, 6, 3, 3}},
		node("Conv", []string{"x", "w1"}, "a", ints("pads", 1, 1, 1, 1)),
		node("BatchNormalization", []string{"a", "scale", "bias", "mean", "var"}, "n"),
		node("Sigmoid", []string{"n"}, "s"), node("Tanh", []string{"s"}, "t"), node("Clip", []string{"t"}, "c"),
		node("Conv", []string{"c", "w2"}, "y", ints("strides", 2, 2)))
	for _, init := range bn.P.GetGraph().GetInitializer() {
		if init.GetName() == "var" {
			for i, v := range init.FloatData {
				init.FloatData[i] = float32(math.Abs(float64(v))) + 0.1
			}
		}
	}
	cases["batch norm, sigmoid, tanh, clip"] = bn
	// Grouped and depthwise convolutions, as MobileNets export them.
	cases["grouped and depthwise"] = synthetic(4, map[string][]int64{"w1": {8, 2, 3, 3}, "w2": {8, 1, 3, 3}, "w3": {5, 8, 1, 1}},
		node("Conv", []string{"x", "w1"}, "a", onnx.AttrInt("group", 2), ints("pads", 1, 1, 1, 1)),
		node("Relu", []string{"a"}, "r"),
		node("Conv", []string{"r", "w2"}, "d", onnx.AttrInt("group", 8), ints("strides", 2, 2)),
		node("Conv", []string{"d", "w3"}, "y"))
	// tf2onnx's SAME padding before a strided convolution, and the
	// activations of MobileNet-v3 and of transformers' GELU.
	pad := synthetic(4, map[string][]int64{"w1": {6, 4, 3, 3}, "w2": {5, 6, 3, 3}},
		node("Pad", []string{"x", "pads"}, "p"),
		node("Conv", []string{"p", "w1"}, "a", ints("strides", 2, 2)),
		node("HardSwish", []string{"a"}, "h"), node("HardSigmoid", []string{"h"}, "s"), node("Erf", []string{"s"}, "e"),
		node("Conv", []string{"e", "w2"}, "y", ints("pads", 1, 1, 1, 1)))
	pad.P.Graph.Initializer = append(pad.P.Graph.Initializer, &pb.TensorProto{Name: proto.String("pads"), Dims: []int64{8},
		DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: []int64{0, 0, 0, 1, 0, 0, 1, 2}})
	cases["pad, hard swish, hard sigmoid, erf"] = pad
	cases["SiLU as Sigmoid and Mul"] = synthetic(4, map[string][]int64{"w1": {6, 4, 3, 3}, "w2": {5, 6, 1, 1}},
		node("Conv", []string{"x", "w1"}, "a", ints("pads", 1, 1, 1, 1)),
		node("Sigmoid", []string{"a"}, "s"), node("Mul", []string{"a", "s"}, "m"),
		node("Conv", []string{"m", "w2"}, "y"))
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			shapes, err := m.Shapes(in)
			if err != nil {
				t.Fatal(err)
			}
			var outs []int
			for c := 0; c < int(shapes["y"][1]); c++ {
				outs = append(outs, c)
			}
			checkAgainstImpulses(t, m, in, "x", "y", outs, []int{0, 1, 2, 3}, 31)
		})
	}
}

// TestExpandRefusesWhatItCannotLinearise: an op with no linear reading
// and a path around the source are errors naming them.
func TestExpandRefusesWhatItCannotLinearise(t *testing.T) {
	in := []int64{1, 4, 32, 32}
	for want, m := range map[string]*onnx.Model{
		"Mul": synthetic(4, map[string][]int64{"w": {4, 4, 3, 3}, "se": {4, 4, 1, 1}}, // a squeeze-and-excitation gate has no linear reading
			node("Conv", []string{"x", "w"}, "a"), node("GlobalAveragePool", []string{"a"}, "p"), node("Conv", []string{"p", "se"}, "q"),
			node("Sigmoid", []string{"q"}, "s"), node("Mul", []string{"a", "s"}, "g"), node("Conv", []string{"g", "w"}, "y")),
		"does not come from": synthetic(4, map[string][]int64{"w": {4, 4, 1, 1}},
			node("Conv", []string{"x", "w"}, "a"), node("Relu", []string{"a"}, "r"), node("Add", []string{"r", "x"}, "y")),
	} {
		from := "x"
		if want == "does not come from" {
			from = "r"
		}
		_, err := Expand(m, in, from, "y", nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", want, err)
		}
	}
	if _, err := Expand(synthetic(4, map[string][]int64{"w": {4, 4, 1, 1}}, node("Conv", []string{"x", "w"}, "y")), in, "x", "y", []int{9}); err == nil {
		t.Error("channel 9 of 4 was taken")
	}
}
