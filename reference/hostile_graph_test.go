package reference

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
)

var rgb = models.Input{Channels: []string{"r", "g", "b"}, Scale: 1, Mean: []float64{0, 0, 0}}

// hostileGraphs are the tiny network with one edit each that used to make
// shape inference panic (models add exited 3), with what the error must
// say. Every one is refused with an error that names the node.
func hostileGraphs(t testing.TB) map[string]struct {
	data []byte
	want string
} {
	edit := func(f func(g *pb.GraphProto)) []byte {
		m, err := onnx.FromBytes(tinyTorchvisionNet(t))
		if err != nil {
			t.Fatal(err)
		}
		f(m.P.Graph)
		b, _ := m.Bytes()
		return b
	}
	node := func(g *pb.GraphProto, out string) *pb.NodeProto {
		for _, n := range g.Node {
			if n.Output[0] == out {
				return n
			}
		}
		t.Fatalf("no node makes %s", out)
		return nil
	}
	setAttr := func(n *pb.NodeProto, a *pb.AttributeProto) {
		for i, b := range n.Attribute {
			if b.GetName() == a.GetName() {
				n.Attribute[i] = a
				return
			}
		}
		n.Attribute = append(n.Attribute, a)
	}
	weight := func(g *pb.GraphProto, name string, dims ...int) {
		for i, w := range g.Initializer {
			if w.GetName() == name {
				n := 1
				for _, d := range dims {
					n *= d
				}
				g.Initializer[i] = onnx.FloatTensor(name, "", dims, make([]float32, n))
			}
		}
	}
	return map[string]struct {
		data []byte
		want string
	}{
		"Concat axis -1": {edit(func(g *pb.GraphProto) { setAttr(node(g, "block.out"), onnx.AttrInt("axis", -1)) }), "block.out (Concat): inputs of shapes"},
		"Concat axis 7":  {edit(func(g *pb.GraphProto) { setAttr(node(g, "block.out"), onnx.AttrInt("axis", 7)) }), "block.out (Concat): axis 7 out of range"},
		"Conv on a flattened tensor": {edit(func(g *pb.GraphProto) {
			g.Node = append(g.Node[:2:2], append([]*pb.NodeProto{{OpType: proto.String("Flatten"), Input: []string{"stem.relu"}, Output: []string{"flat"}}}, g.Node[2:]...)...)
			node(g, "pool").Input[0] = "flat"
		}), "pool (MaxPool): input 0 has the shape [1 8192]"},
		"Conv weight of rank 1": {edit(func(g *pb.GraphProto) { weight(g, "a.weight", 32) }), "a.conv (Conv): input 1 has the shape [32]"},
		"Conv weight of rank 2": {edit(func(g *pb.GraphProto) { weight(g, "a.weight", 4, 8) }), "a.conv (Conv): input 1 has the shape [4 8]"},
		"short strides":         {edit(func(g *pb.GraphProto) { setAttr(node(g, "a.conv"), onnx.AttrInts("strides", 2)) }), "a.conv (Conv): not a 2-D window"},
		"short pads":            {edit(func(g *pb.GraphProto) { setAttr(node(g, "a.conv"), onnx.AttrInts("pads", 1)) }), "a.conv (Conv): not a 2-D window"},
		"short dilations":       {edit(func(g *pb.GraphProto) { setAttr(node(g, "b.conv"), onnx.AttrInts("dilations", 1)) }), "b.conv (Conv): not a 2-D window"},
		"MaxPool without kernel_shape": {edit(func(g *pb.GraphProto) {
			n := node(g, "pool")
			n.Attribute = n.Attribute[1:]
		}), "pool (MaxPool): not a 2-D window"},
		"Gemm with a rank-1 weight": {edit(func(g *pb.GraphProto) {
			g.Initializer = append(g.Initializer, onnx.FloatTensor("fc.weight", "", []int{10}, make([]float32, 10)))
			g.Node = append(g.Node, &pb.NodeProto{OpType: proto.String("GlobalAveragePool"), Input: []string{"block.out"}, Output: []string{"gap"}},
				&pb.NodeProto{OpType: proto.String("Flatten"), Input: []string{"gap"}, Output: []string{"flat"}},
				&pb.NodeProto{OpType: proto.String("Gemm"), Input: []string{"flat", "fc.weight"}, Output: []string{"logits"}})
		}), "logits (Gemm): input 1 has the shape [10]"},
		"Constant with only a sparse_value": {edit(func(g *pb.GraphProto) {
			g.Node = append([]*pb.NodeProto{{OpType: proto.String("Constant"), Output: []string{"k"}, Attribute: []*pb.AttributeProto{{Name: proto.String("sparse_value"),
				SparseTensor: &pb.SparseTensorProto{Values: onnx.FloatTensor("v", "", []int{1}, []float32{1}), Indices: onnx.FloatTensor("i", "", []int{1}, []float32{0}), Dims: []int64{4}}}}}}, g.Node...)
		}), "sparse tensors are not supported"},
		"a huge weight":             {edit(func(g *pb.GraphProto) { g.Initializer[0].Dims = []int64{1 << 40, 3, 3, 3} }), "tensor stem.weight: the shape [1099511627776 3 3 3] holds more than"},
		"a group that does not fit": {edit(func(g *pb.GraphProto) { setAttr(node(g, "a.conv"), onnx.AttrInt("group", 3)) }), "a.conv (Conv): weight [4 8 1 1] with group 3"},
		"a window larger than the map": {edit(func(g *pb.GraphProto) {
			setAttr(node(g, "pool"), onnx.AttrInts("kernel_shape", 99, 99))
		}), "pool (MaxPool): a window of [99 99] does not fit"},
		"a negative pad": {edit(func(g *pb.GraphProto) { setAttr(node(g, "b.conv"), onnx.AttrInts("pads", -5, 0, 0, 0)) }), "b.conv (Conv): pads"},
		"Split sizes that do not add up": {edit(func(g *pb.GraphProto) {
			g.Initializer = append(g.Initializer, &pb.TensorProto{Name: proto.String("sizes"), Dims: []int64{2}, DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: []int64{1, 2}})
			g.Node = append(g.Node, &pb.NodeProto{Name: proto.String("halves"), OpType: proto.String("Split"), Input: []string{"block.out", "sizes"}, Output: []string{"h0", "h1"}, Attribute: []*pb.AttributeProto{onnx.AttrInt("axis", 1)}})
		}), "halves (Split): split sizes [1 2] for 2 outputs"},
		"a layer norm's scale of the wrong length": {edit(func(g *pb.GraphProto) {
			g.Initializer = append(g.Initializer, onnx.FloatTensor("gamma", "", []int{5}, make([]float32, 5)))
			g.Node = append(g.Node, &pb.NodeProto{Name: proto.String("norm"), OpType: proto.String("LayerNormalization"), Input: []string{"block.out", "gamma"}, Output: []string{"n"}})
		}), "norm (LayerNormalization): a scale or bias of shape [5]"},
		"a Reshape to a traced size that does not exist": {edit(func(g *pb.GraphProto) {
			g.Initializer = append(g.Initializer, &pb.TensorProto{Name: proto.String("nine"), Dims: []int64{1}, DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: []int64{9}})
			g.Node = append(g.Node, &pb.NodeProto{Name: proto.String("size"), OpType: proto.String("Shape"), Input: []string{"block.out"}, Output: []string{"s"}},
				&pb.NodeProto{Name: proto.String("pick"), OpType: proto.String("Gather"), Input: []string{"s", "nine"}, Output: []string{"d"}},
				&pb.NodeProto{Name: proto.String("view"), OpType: proto.String("Reshape"), Input: []string{"block.out", "d"}, Output: []string{"v"}})
		}), "view (Reshape): Reshape to a shape that is neither constant nor computed from shapes"},
	}
}

// TestHostileGraphsAreRefused: each hostile graph gets an error naming its
// node from Describe (what models add runs), never a panic.
func TestHostileGraphsAreRefused(t *testing.T) {
	for name, h := range hostileGraphs(t) {
		_, err := Describe(h.data, "x", "", rgb, 32)
		if err == nil || !strings.Contains(err.Error(), h.want) {
			t.Errorf("%s: got %v, want an error saying %q", name, err, h.want)
		}
	}
}

// TestGraphDeclaredSizeIsBounded: a graph that declares a 100000×100000
// input is refused, as --size past the limit is.
func TestGraphDeclaredSizeIsBounded(t *testing.T) {
	m, _ := onnx.FromBytes(tinyTorchvisionNet(t))
	for _, d := range m.Input().GetType().GetTensorType().GetShape().GetDim()[2:] {
		d.Value = &pb.TensorShapeProto_Dimension_DimValue{DimValue: 100000}
	}
	b, _ := m.Bytes()
	if _, err := Describe(b, "x", "", rgb, 0); err == nil || !strings.Contains(err.Error(), "sides must be 1 to 4096") {
		t.Errorf("a 100000² input: %v", err)
	}
	if _, err := Describe(b, "x", "", rgb, 64); err != nil {
		t.Errorf("the same graph at --size 64: %v", err)
	}
}

// mutate applies a few random edits, drawn from seed, to a graph: ops
// swapped for others the shape rules know, attributes set to odd values,
// inputs rewired, weights reshaped.
func mutate(g *pb.GraphProto, seed []byte) {
	if len(g.Node) == 0 {
		return
	}
	var s int64
	for _, b := range seed {
		s = s*131 + int64(b)
	}
	r := rand.New(rand.NewSource(s))
	ops := []string{"Conv", "MaxPool", "AveragePool", "Concat", "Gemm", "Flatten", "Relu", "Add", "GlobalAveragePool", "Reshape", "Slice", "Gather", "MatMul", "Constant", "Softmax",
		"Split", "LayerNormalization", "Shape", "Transpose", "Div", "Unsqueeze"}
	attrs := []string{"axis", "strides", "pads", "dilations", "kernel_shape", "group", "transB", "ceil_mode"}
	odd := []int64{-7, -1, 0, 1, 2, 3, 1 << 20, 1 << 40}
	for k := 0; k < 1+len(seed)%4; k++ {
		n := g.Node[r.Intn(len(g.Node))]
		switch r.Intn(5) {
		case 0:
			n.OpType = proto.String(ops[r.Intn(len(ops))])
		case 1:
			vals := make([]int64, r.Intn(5))
			for i := range vals {
				vals[i] = odd[r.Intn(len(odd))]
			}
			a := onnx.AttrInts(attrs[r.Intn(len(attrs))], vals...)
			if r.Intn(2) == 0 {
				a = onnx.AttrInt(a.GetName(), odd[r.Intn(len(odd))])
			}
			n.Attribute = append(n.Attribute, a)
		case 2:
			if len(n.Input) > 0 {
				o := g.Node[r.Intn(len(g.Node))]
				n.Input[r.Intn(len(n.Input))] = o.Output[0]
			}
		case 3:
			if len(g.Initializer) > 0 {
				w := g.Initializer[r.Intn(len(g.Initializer))]
				dims := make([]int, 1+r.Intn(4))
				total := 1
				for i := range dims {
					dims[i] = 1 + r.Intn(4)
					total *= dims[i]
				}
				*w = *onnx.FloatTensor(w.GetName(), "", dims, make([]float32, total))
			}
		case 4:
			n.Input = n.Input[:r.Intn(len(n.Input)+1)]
		}
	}
}

// sharedSqueezeNet is the shared SqueezeNet's model file.
func sharedSqueezeNet(t testing.TB) []byte {
	data, err := os.ReadFile(filepath.Join(sharedModels, "squeezenet1.0", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FuzzGraphs drives what models add runs (Describe: validation, shapes,
// probes) and the receptive fields over graphs made by mutating the tiny
// network, the hostile graphs and the shared SqueezeNet's graph, and over
// raw bytes: it never panics, and what it accepts has shapes for every
// probe.
func FuzzGraphs(f *testing.F) {
	bases := [][]byte{tinyTorchvisionNet(f), sharedSqueezeNet(f)}
	for _, h := range hostileGraphs(f) {
		bases = append(bases, h.data)
	}
	parsed := make([]*onnx.Model, len(bases))
	for i, b := range bases {
		parsed[i], _ = onnx.FromBytes(b)
	}
	for i := range bases {
		f.Add(uint8(i), []byte{}, false)
		f.Add(uint8(i), []byte{byte(i), 1, 2}, false)
	}
	f.Add(uint8(0), tinyTorchvisionNet(f)[:100], true)
	f.Fuzz(func(t *testing.T, base uint8, seed []byte, raw bool) {
		var data []byte
		if raw {
			data = seed
		} else {
			p := parsed[int(base)%len(parsed)]
			if p == nil {
				return
			}
			m := p.Clone()
			mutate(m.P.Graph, seed)
			data, _ = m.Bytes()
		}
		man, err := Describe(data, "fuzz", "", rgb, 40)
		if err != nil {
			if strings.Contains(err.Error(), "panic") {
				t.Fatal(err)
			}
			return
		}
		m, err := onnx.FromBytes(data)
		if err != nil {
			t.Fatalf("Describe accepted what FromBytes refuses: %v", err)
		}
		if _, err := m.ReceptiveFields(); err != nil && errors.Is(err, onnx.ErrUnsafe) {
			t.Fatal(err)
		}
		for _, l := range man.Layers {
			if l.Channels < 1 || len(l.Size) != 2 || l.Size[0] < 1 || l.Size[1] < 1 {
				t.Fatalf("layer %+v", l)
			}
		}
		_ = fmt.Sprint(man)
	})
}
