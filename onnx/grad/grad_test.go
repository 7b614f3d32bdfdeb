package grad

import (
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spf13/afero"
	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/internal/exporters"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/onnx/eval64"
	pb "github.com/circc/circc/onnx/onnxpb"
	"github.com/circc/circc/runtime"
)

var sharedModels, _ = filepath.Abs("../../../shared/models")

// gradient runs the gradient graph.
func gradient(t *testing.T, m *onnx.Model, x []float32, shape []int64, target string, seed []float32, seedShape []int64) []float32 {
	t.Helper()
	// Built for one image and run on the batch, as vis runs it: no op's
	// gradient may fix the batch (a graph whose own shapes fix it, a
	// Reshape to a constant batch, is built for its batch).
	gm, err := Build(m, append([]int64{1}, shape[1:]...), target)
	if err != nil {
		gm, err = Build(m, shape, target)
	}
	if err != nil {
		t.Fatal(err)
	}
	data, err := gm.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	devs, err := runtime.ParseDevices(*benchDevices)
	if err != nil {
		t.Fatal(err)
	}
	// -device cuda runs the gradient graphs on the GPU (every backward op
	// has a CUDA kernel; a session that would fall back to the CPU is
	// refused).
	s, err := runtime.NewSessionInputs(data, []string{gm.Input().GetName(), Seed}, []string{Image}, devs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.RunInputs(runtime.Input{Data: x, Shape: shape}, runtime.Input{Data: seed, Shape: seedShape})
	if err != nil {
		t.Fatal(err)
	}
	return out[0].Data
}

// checkDirections compares, for each target, ⟨∇f, v⟩ (the gradient graph
// run by onnxruntime) with the central difference (f(x+εv) − f(x−εv)) / 2ε
// of f = Σ seed·target computed in float64 by package eval64, along random
// directions v from x, with a random seed per target. It returns the worst
// relative error per target.
func checkDirections(t *testing.T, m *onnx.Model, x []float32, shape []int64, targets []string, eps float64, dirs int, rng *rand.Rand) map[string]float64 {
	t.Helper()
	shapes, err := m.Shapes(shape)
	if err != nil {
		t.Fatal(err)
	}
	seeds, grads := map[string][]float32{}, map[string][]float32{}
	for _, target := range targets {
		seeds[target] = random(eval64.Size(shapes[target]), 1, rng)
		grads[target] = gradient(t, m, x, shape, target, seeds[target], shapes[target])
	}
	worst := map[string]float64{}
	for k := 0; k < dirs; k++ {
		v := make([]float64, len(x))
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		at := func(sign float64) map[string]*eval64.Tensor {
			y := make([]float64, len(x))
			for i := range y {
				y[i] = float64(x[i]) + sign*eps*v[i]
			}
			vals, err := eval64.Eval(m, y, shape)
			if err != nil {
				t.Fatal(err)
			}
			return vals
		}
		plus, minus := at(1), at(-1)
		for _, target := range targets {
			fd := 0.0
			for i, s := range seeds[target] {
				fd += float64(s) * (plus[target].Data[i] - minus[target].Data[i])
			}
			fd /= 2 * eps
			dot := 0.0
			for i := range v {
				dot += float64(grads[target][i]) * v[i]
			}
			worst[target] = math.Max(worst[target], math.Abs(dot-fd)/math.Max(math.Abs(fd), 1e-12))
		}
	}
	return worst
}

func random(n int64, scale float64, rng *rand.Rand) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(rng.NormFloat64() * scale)
	}
	return out
}

// graph builds a one-input graph from nodes, with the given float
// initializers (random) and int64 constants (nil: the scalar 0).
func graph(input []int64, floats map[string][]int64, ints map[string][]int64, nodes ...*pb.NodeProto) *onnx.Model {
	rng := rand.New(rand.NewSource(11))
	g := &pb.GraphProto{Name: proto.String("op"), Node: nodes, Input: []*pb.ValueInfoProto{onnx.ValueInfo("x", input)}}
	for _, name := range sorted(floats) {
		dims := floats[name]
		n := int64(1)
		for _, d := range dims {
			n *= d
		}
		d := make([]int, len(dims))
		for i := range dims {
			d[i] = int(dims[i])
		}
		vals := random(n, 0.5, rng)
		if name == "var" { // a variance is positive
			for i := range vals {
				vals[i] = vals[i]*vals[i] + 1
			}
		}
		g.Initializer = append(g.Initializer, onnx.FloatTensor(name, "", d, vals))
	}
	for _, name := range sorted(ints) {
		t := &pb.TensorProto{Name: proto.String(name), Dims: []int64{int64(len(ints[name]))},
			DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: ints[name]}
		if ints[name] == nil { // nil: the scalar 0
			t.Dims, t.Int64Data = nil, []int64{0}
		}
		g.Initializer = append(g.Initializer, t)
	}
	last := nodes[len(nodes)-1].GetOutput()[0]
	g.Output = []*pb.ValueInfoProto{{Name: proto.String(last)}}
	return &onnx.Model{P: &pb.ModelProto{IrVersion: proto.Int64(8), Graph: g,
		OpsetImport: []*pb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}}}}
}

func sorted(m map[string][]int64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func node(op string, ins []string, out string, attrs ...*pb.AttributeProto) *pb.NodeProto {
	return &pb.NodeProto{Name: proto.String(out), OpType: proto.String(op), Input: ins, Output: []string{out}, Attribute: attrs}
}

var ints = onnx.AttrInts

// TestEveryOpAgainstFiniteDifferences: each op's gradient against central
// differences of the forward graph (run by onnxruntime in float32, the
// objective summed in float64), along random directions from a random
// point.
func TestEveryOpAgainstFiniteDifferences(t *testing.T) {
	x4 := []int64{2, 4, 9, 10}
	cases := []struct {
		name   string
		input  []int64
		floats map[string][]int64
		ints   map[string][]int64
		nodes  []*pb.NodeProto
	}{
		{"Conv pads strides groups dilations", x4, map[string][]int64{"w": {6, 2, 3, 3}, "b": {6}}, nil,
			[]*pb.NodeProto{node("Conv", []string{"x", "w", "b"}, "y", ints("pads", 1, 0, 2, 1), ints("strides", 2, 1), ints("dilations", 1, 2), onnx.AttrInt("group", 2))}},
		{"Conv 1x1", x4, map[string][]int64{"w": {3, 4, 1, 1}}, nil, []*pb.NodeProto{node("Conv", []string{"x", "w"}, "y")}},
		{"Relu", x4, nil, nil, []*pb.NodeProto{node("Relu", []string{"x"}, "y")}},
		{"MaxPool ceil_mode pads", x4, nil, nil, []*pb.NodeProto{node("MaxPool", []string{"x"}, "y", ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 0, 0, 1), onnx.AttrInt("ceil_mode", 1))}},
		{"MaxPool overlapping", x4, nil, nil, []*pb.NodeProto{node("MaxPool", []string{"x"}, "y", ints("kernel_shape", 3, 2), ints("pads", 1, 1, 1, 0))}},
		{"AveragePool excluding pads, ceil_mode", x4, nil, nil, []*pb.NodeProto{node("AveragePool", []string{"x"}, "y", ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1), onnx.AttrInt("ceil_mode", 1))}},
		{"AveragePool including pads", x4, nil, nil, []*pb.NodeProto{node("AveragePool", []string{"x"}, "y", ints("kernel_shape", 2, 3), ints("pads", 1, 1, 0, 1), onnx.AttrInt("count_include_pad", 1))}},
		{"GlobalAveragePool", x4, nil, nil, []*pb.NodeProto{node("GlobalAveragePool", []string{"x"}, "y")}},
		{"LRN", []int64{2, 7, 5, 6}, nil, nil, []*pb.NodeProto{node("LRN", []string{"x"}, "y", onnx.AttrInt("size", 5), attrFloat("alpha", 0.3), attrFloat("beta", 0.75), attrFloat("bias", 1))}},
		{"Concat", x4, map[string][]int64{"w": {3, 4, 3, 3}}, nil, []*pb.NodeProto{node("Conv", []string{"x", "w"}, "a", ints("pads", 1, 1, 1, 1)), node("Relu", []string{"x"}, "r"), node("Concat", []string{"a", "r", "x"}, "y", onnx.AttrInt("axis", 1))}},
		{"Add Sub Mul Div", x4, map[string][]int64{"c": {1, 4, 1, 1}, "var": {1, 4, 1, 1}, "w": {4, 4, 1, 1}}, nil, []*pb.NodeProto{
			node("Conv", []string{"x", "w"}, "a"), node("Add", []string{"a", "c"}, "b"), node("Mul", []string{"b", "x"}, "m"), node("Sub", []string{"m", "a"}, "s"),
			node("Mul", []string{"x", "x"}, "q"), node("Add", []string{"q", "c"}, "q1"), node("Mul", []string{"q1", "q1"}, "q2"), node("Add", []string{"q2", "var"}, "den"),
			node("Div", []string{"s", "den"}, "d"), node("Sum", []string{"d", "x", "a"}, "y")}},
		{"Flatten Gemm Softmax", x4, map[string][]int64{"w": {30, 360}, "b": {30}}, nil, []*pb.NodeProto{
			node("Flatten", []string{"x"}, "f"), node("Gemm", []string{"f", "w", "b"}, "z", onnx.AttrInt("transB", 1), attrFloat("alpha", 0.05)), node("Softmax", []string{"z"}, "y", onnx.AttrInt("axis", 1))}},
		{"Reshape MatMul", x4, map[string][]int64{"w": {180, 7}}, map[string][]int64{"shape": {0, -1}, "back": {4, -1}}, []*pb.NodeProto{
			node("Reshape", []string{"x", "shape"}, "r"), node("Reshape", []string{"r", "back"}, "r2"), node("MatMul", []string{"r2", "w"}, "y")}},
		{"Slice Dropout Identity", x4, nil, map[string][]int64{"s": {1, 2}, "e": {3, -1}, "a": {1, 3}}, []*pb.NodeProto{
			node("Slice", []string{"x", "s", "e", "a"}, "sl"), node("Dropout", []string{"sl"}, "dr"), node("Identity", []string{"dr"}, "y")}},
		{"Sigmoid Tanh", x4, nil, nil, []*pb.NodeProto{node("Sigmoid", []string{"x"}, "s"), node("Tanh", []string{"x"}, "t"), node("Add", []string{"s", "t"}, "y")}},
		{"Pad (constant, as tf2onnx writes SAME) then Conv", x4, map[string][]int64{"w": {3, 4, 3, 3}}, map[string][]int64{"pads": {0, 0, 1, 0, 0, 0, 2, 1}}, []*pb.NodeProto{
			node("Pad", []string{"x", "pads"}, "p"), node("Conv", []string{"p", "w"}, "y", ints("strides", 2, 2))}},
		{"Transpose NCHW to NHWC and back", x4, map[string][]int64{"w": {3, 4, 3, 3}}, nil, []*pb.NodeProto{
			node("Transpose", []string{"x"}, "h", ints("perm", 0, 2, 3, 1)), node("Sigmoid", []string{"h"}, "s"),
			node("Transpose", []string{"s"}, "c", ints("perm", 0, 3, 1, 2)), node("Conv", []string{"c", "w"}, "y")}},
		{"Squeeze Unsqueeze (a classifier head)", []int64{2, 4, 1, 1}, map[string][]int64{"w": {4, 3}}, map[string][]int64{"sq": {2, 3}, "un": {1}}, []*pb.NodeProto{
			node("Squeeze", []string{"x", "sq"}, "s"), node("Unsqueeze", []string{"s", "un"}, "u"), node("Squeeze", []string{"u", "un"}, "v"), node("MatMul", []string{"v", "w"}, "y")}},
		{"ReduceMean over the map, without its axes", x4, nil, nil, []*pb.NodeProto{
			node("Tanh", []string{"x"}, "t"), node("ReduceMean", []string{"t"}, "p", ints("axes", 2, 3), onnx.AttrInt("keepdims", 0)), node("Tanh", []string{"p"}, "y")}},
		{"ReduceMean over the channels, kept", x4, nil, nil, []*pb.NodeProto{
			node("Tanh", []string{"x"}, "t"), node("ReduceMean", []string{"t"}, "c", ints("axes", -3)), node("Sigmoid", []string{"c"}, "y")}},
		{"squeeze-and-excitation gate (a broadcast product of maps)", x4, map[string][]int64{"w1": {2, 4, 1, 1}, "w2": {4, 2, 1, 1}}, nil, []*pb.NodeProto{
			node("GlobalAveragePool", []string{"x"}, "p"), node("Conv", []string{"p", "w1"}, "q"), node("Relu", []string{"q"}, "r"),
			node("Conv", []string{"r", "w2"}, "e"), node("HardSigmoid", []string{"e"}, "s"), node("Mul", []string{"x", "s"}, "m"),
			node("Sigmoid", []string{"s"}, "s2"), node("Div", []string{"m", "s2"}, "y")}},
		{"Gather Unsqueeze Mul Add Concat (torchvision's transform_input)", []int64{2, 3, 9, 10}, map[string][]int64{"a": {1}, "b": {1}, "w": {4, 5, 3, 3}}, map[string][]int64{"i0": nil, "i2": {2}, "ax": {1}}, []*pb.NodeProto{
			node("Gather", []string{"x", "i0"}, "g0", onnx.AttrInt("axis", 1)), node("Unsqueeze", []string{"g0", "ax"}, "u0"), node("Mul", []string{"u0", "a"}, "m0"),
			node("Gather", []string{"x", "i2"}, "g2", onnx.AttrInt("axis", 1)), node("Add", []string{"g2", "b"}, "m2"),
			node("Concat", []string{"m2", "m0", "x"}, "c", onnx.AttrInt("axis", 1)), node("Conv", []string{"c", "w"}, "y")}},
		{"Clip (ReLU6, and with no max)", x4, map[string][]int64{"lo": {}, "hi": {}}, nil, []*pb.NodeProto{
			node("Mul", []string{"x", "x"}, "sq"), node("Clip", []string{"sq", "lo", "hi"}, "c"), node("Clip", []string{"x", "lo"}, "r"), node("Add", []string{"c", "r"}, "y")}},
		{"HardSigmoid HardSwish Erf (GELU)", x4, nil, nil, []*pb.NodeProto{
			node("HardSigmoid", []string{"x"}, "h", attrFloat("alpha", 0.3), attrFloat("beta", 0.4)), node("HardSwish", []string{"x"}, "w"),
			node("Erf", []string{"x"}, "e"), node("Mul", []string{"e", "x"}, "ge"), node("Add", []string{"ge", "x"}, "g2"),
			node("Sum", []string{"h", "w", "g2"}, "y")}},
		{"Split and a channel shuffle traced through Shape, Gather, Div, Unsqueeze, Concat (ShuffleNet-v2)", x4, map[string][]int64{"w": {2, 2, 3, 3}},
			map[string][]int64{"split": {2, 2}, "i0": nil, "i1": {1}, "i2": {2}, "i3": {3}, "two": {2}, "minus1": {-1}, "ax0": {0}}, []*pb.NodeProto{
				node("Split", []string{"x", "split"}, "", onnx.AttrInt("axis", 1)), // outputs set below
				node("Conv", []string{"b", "w"}, "bc", ints("pads", 1, 1, 1, 1)), node("Relu", []string{"bc"}, "br"),
				node("Concat", []string{"a", "br"}, "c", onnx.AttrInt("axis", 1)),
				node("Shape", []string{"c"}, "sh"), node("Gather", []string{"sh", "i0"}, "n0"), node("Unsqueeze", []string{"n0", "ax0"}, "n"),
				node("Gather", []string{"sh", "i1"}, "ch"), node("Div", []string{"ch", "two"}, "per"),
				node("Gather", []string{"sh", "i2"}, "h"), node("Gather", []string{"sh", "i3"}, "w3"),
				node("Concat", []string{"n", "two", "per", "h", "w3"}, "to5", onnx.AttrInt("axis", 0)), node("Reshape", []string{"c", "to5"}, "r5"),
				node("Transpose", []string{"r5"}, "t5", ints("perm", 0, 2, 1, 3, 4)),
				node("Concat", []string{"n", "minus1", "h", "w3"}, "to4", onnx.AttrInt("axis", 0)), node("Reshape", []string{"t5", "to4"}, "y")}},
		{"LayerNormalization and MatMul over channels last (ConvNeXt's block)", x4, map[string][]int64{"gamma": {4}, "beta": {4}, "w1": {4, 6}, "b1": {6}, "w2": {6, 4}, "ls": {4}}, nil, []*pb.NodeProto{
			node("Transpose", []string{"x"}, "h", ints("perm", 0, 2, 3, 1)), node("LayerNormalization", []string{"h", "gamma", "beta"}, "ln", onnx.AttrInt("axis", -1), attrFloat("epsilon", 1e-6)),
			node("MatMul", []string{"ln", "w1"}, "m1"), node("Add", []string{"m1", "b1"}, "a1"), node("Erf", []string{"a1"}, "e"), node("Mul", []string{"a1", "e"}, "g"),
			node("MatMul", []string{"g", "w2"}, "m2"), node("Mul", []string{"m2", "ls"}, "s"), node("Transpose", []string{"s"}, "c", ints("perm", 0, 3, 1, 2)),
			node("Add", []string{"c", "x"}, "y")}},
		{"Relu, zero Pad, MaxPool (Keras's ZeroPadding2D before a pool)", []int64{2, 3, 12, 12}, nil, map[string][]int64{"pads": {0, 0, 1, 1, 0, 0, 1, 1}}, []*pb.NodeProto{
			node("Relu", []string{"x"}, "r"), node("Pad", []string{"r", "pads"}, "p"), node("MaxPool", []string{"p"}, "y", ints("kernel_shape", 3, 3), ints("strides", 2, 2))}},
		{"BatchNormalization", x4, map[string][]int64{"scale": {4}, "bias": {4}, "mean": {4}, "var": {4}}, nil, []*pb.NodeProto{
			node("BatchNormalization", []string{"x", "scale", "bias", "mean", "var"}, "y", attrFloat("epsilon", 1e-3))}},
	}
	rng := rand.New(rand.NewSource(5))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, n := range tc.nodes {
				if n.GetOpType() == "Split" {
					n.Output = []string{"a", "b"}
				}
			}
			m := graph(tc.input, tc.floats, tc.ints, tc.nodes...)
			worst := checkDirections(t, m, random(eval64.Size(tc.input), 1, rng), tc.input, []string{"y"}, 1e-6, 4, rng)["y"]
			t.Logf("worst relative error %.2g", worst)
			if worst > 1e-4 {
				t.Errorf("%s: the gradient differs from finite differences by %.2g", tc.name, worst)
			}
		})
	}
}

// TestRefusals: an op without a gradient and an old operator set are
// errors that say so.
func TestRefusals(t *testing.T) {
	m := graph([]int64{1, 2, 4, 4}, nil, nil, node("GlobalMaxPool", []string{"x"}, "s"), node("Relu", []string{"s"}, "y"))
	if _, err := Build(m, []int64{1, 2, 4, 4}, "y"); err == nil || fmt.Sprint(err) != "node s (GlobalMaxPool): circc has no gradient for GlobalMaxPool" {
		t.Errorf("got %v", err)
	}
	m.P.OpsetImport[0].Version = proto.Int64(9)
	if _, err := Build(m, []int64{1, 2, 4, 4}, "y"); err == nil {
		t.Error("opset 9 was accepted")
	}
}

var _ = afero.NewOsFs

// TestRealNetworksAgainstFiniteDifferences: the gradient of a random
// objective on InceptionV1 and SqueezeNet, cut at several depths, against
// central differences in float64 along random directions from a random
// image of 96×96 (the networks are convolutional up to these layers;
// relative error below 1e-3).
func TestRealNetworksAgainstFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for _, tc := range []struct {
		model   string
		tensors []string
	}{
		{"inceptionv1", []string{"conv2/3x3_2", "inception_3a/output_1", "inception_3b/output_1", "inception_4a/output_1"}},
		{"squeezenet1.0", []string{"fire3/concat_1", "fire6/concat_1", "fire9/concat_1"}},
	} {
		t.Run(tc.model, func(t *testing.T) {
			m, err := onnx.Read(afero.NewOsFs(), filepath.Join(sharedModels, tc.model, "model.onnx"))
			if err != nil {
				t.Fatal(err)
			}
			const side = 96
			if err := m.SetInputShape(side, side); err != nil {
				t.Fatal(err)
			}
			shape := []int64{1, 3, side, side}
			if err := m.SetOutputs(shape, tc.tensors...); err != nil {
				t.Fatal(err)
			}
			worst := checkDirections(t, m, random(3*side*side, 40, rng), shape, tc.tensors, 1e-5, 2, rng)
			for _, target := range tc.tensors {
				t.Logf("%s: worst relative error %.2g", target, worst[target])
				if worst[target] > 1e-3 {
					t.Errorf("%s: the gradient differs from finite differences by %.2g", target, worst[target])
				}
			}
		})
	}
}

// TestExporterGraphsAgainstFiniteDifferences: the same on the graphs
// exporters write (package exporters), at a deep map: through
// HardSwish, depthwise convolutions, a squeeze-and-excitation gate and a
// residual sum.
func TestExporterGraphsAgainstFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for _, build := range exporters.All {
		g, err := build()
		if err != nil {
			t.Fatal(err)
		}
		t.Run(g.Family, func(t *testing.T) {
			m, err := onnx.FromBytes(g.Data)
			if err != nil {
				t.Fatal(err)
			}
			m.ToNCHWInput() // as models add does
			// 96 px, as for the real networks, and a step of 1e-6: over a
			// larger map, or with a larger step, more ReLUs and max-pool
			// windows switch within a difference's step.
			const side = 96
			if err := m.SetInputShape(side, side); err != nil {
				t.Fatal(err)
			}
			shape := []int64{1, 3, side, side}
			if err := m.SetOutputs(shape, g.Deep); err != nil {
				t.Fatal(err)
			}
			// Three directions, the median judged: these nets are piecewise
			// smooth, and a step may cross one ReLU's, max pool's or hard
			// activation's switch, which one direction then shows.
			x := random(shape[1]*shape[2]*shape[3], 1, rng)
			var errs []float64
			for range 3 {
				errs = append(errs, checkDirections(t, m, x, shape, []string{g.Deep}, 1e-6, 1, rng)[g.Deep])
			}
			slices.Sort(errs)
			t.Logf("%s: relative errors %.2g", g.Deep, errs)
			if errs[1] > 1e-4 {
				t.Errorf("%s: the gradient differs from finite differences by %.2g (median of three directions)", g.Deep, errs[1])
			}
		})
	}
}

// TestCompiledCircuitAgainstFiniteDifferences: the same on curves.circ's
// compiled network (its own convolutions, pools and ReLUs), at every
// layer a feature visualization of its units would target.
func TestCompiledCircuitAgainstFiniteDifferences(t *testing.T) {
	res, err := compiler.Compile(afero.NewOsFs(), "../../circuits/curves.circ", compiler.Options{})
	if err != nil || res.Diags.HasErrors() {
		t.Fatal(err, res.Diags)
	}
	m, err := onnx.FromBytes(res.ONNX)
	if err != nil {
		t.Fatal(err)
	}
	const side = 64
	if err := m.SetInputShape(side, side); err != nil {
		t.Fatal(err)
	}
	shape := []int64{1, 3, side, side}
	layers := []string{"conv2d1", "mixed3a", "mixed3b"}
	if err := m.SetOutputs(shape, layers...); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(4))
	x := make([]float32, 3*side*side)
	for i := range x {
		x[i] = float32(rng.Float64())
	}
	worst := checkDirections(t, m, x, shape, layers, 1e-6, 2, rng)
	for _, l := range layers {
		t.Logf("%s: worst relative error %.2g", l, worst[l])
		if worst[l] > 1e-3 {
			t.Errorf("%s: the gradient differs from finite differences by %.2g", l, worst[l])
		}
	}
}

// TestMaxPoolTies: where a window holds its maximum more than once (no
// derivative exists there), the gradient goes to the first maximum of the
// window in row-major order, once: against a plain loop over windows of
// an input made of flat blocks, with overlapping windows and padding.
func TestMaxPoolTies(t *testing.T) {
	const H, W = 7, 8
	shape := []int64{1, 2, H, W}
	x := make([]float32, 2*H*W)
	for c := 0; c < 2; c++ {
		for y := 0; y < H; y++ {
			for xx := 0; xx < W; xx++ {
				x[(c*H+y)*W+xx] = float32((y/2 + xx/3 + c) % 3) // 2×3 flat blocks: ties in most windows
			}
		}
	}
	m := graph(shape, nil, nil, node("MaxPool", []string{"x"}, "y", ints("kernel_shape", 3, 3), ints("strides", 2, 1), ints("pads", 1, 1, 1, 1)))
	oh, ow := (H+2-3)/2+1, (W+2-3)/1+1
	seed := make([]float32, 2*oh*ow)
	rng := rand.New(rand.NewSource(9))
	for i := range seed {
		seed[i] = float32(1 + rng.Intn(5))
	}
	got := gradient(t, m, x, shape, "y", seed, []int64{1, 2, int64(oh), int64(ow)})
	want := make([]float32, len(x))
	for c := 0; c < 2; c++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				by, bx, best := -1, -1, float32(math.Inf(-1))
				for ky := 0; ky < 3; ky++ {
					for kx := 0; kx < 3; kx++ {
						y, xx := oy*2-1+ky, ox-1+kx
						if y < 0 || y >= H || xx < 0 || xx >= W {
							continue
						}
						if v := x[(c*H+y)*W+xx]; v > best {
							by, bx, best = y, xx, v
						}
					}
				}
				want[(c*H+by)*W+bx] += seed[(c*oh+oy)*ow+ox]
			}
		}
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("cell %d: gradient %g, the first maximum's rule gives %g", i, got[i], want[i])
		}
	}
}
