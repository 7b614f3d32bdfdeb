package exporters

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
)

// nodeAs adds a node named path/Op, or path/Op_k for a scope's (k+1)-th
// node of one op, as the TorchScript exporter numbers them (Gather_1,
// Unsqueeze_3).
func (g *graph) nodeAs(path, op string, k int, in []string, attrs ...*pb.AttributeProto) string {
	name := path + "/" + op
	if k > 0 {
		name = fmt.Sprintf("%s_%d", name, k)
	}
	out := name + "_output_0"
	g.g.Node = append(g.g.Node, &pb.NodeProto{Name: proto.String(name), OpType: proto.String(op), Input: in, Output: []string{out}, Attribute: attrs})
	return out
}

// constant adds the scope's k-th Constant node, of int64 values (a
// scalar when scalar).
func (g *graph) constant(path string, k int, scalar bool, v ...int64) string {
	t := &pb.TensorProto{DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: v}
	if !scalar {
		t.Dims = []int64{int64(len(v))}
	}
	return g.nodeAs(path, onnx.OpConstant, k, nil, &pb.AttributeProto{Name: proto.String("value"), Type: pb.AttributeProto_TENSOR.Enum(), T: t})
}

// channelShuffle adds torchvision's channel_shuffle(x, 2) as the
// TorchScript exporter traces it: x.size() as Shape and Gathers, the
// channels per group as an integer Div, the view's sizes unsqueezed and
// concatenated into each Reshape's target, and the transpose of the two
// channel axes.
func (g *graph) channelShuffle(path, x string) string {
	shape := g.nodeAs(path, onnx.OpShape, 0, []string{x})
	var dims [4]string
	for i := range dims {
		dims[i] = g.nodeAs(path, onnx.OpGather, i, []string{shape, g.constant(path, i, true, int64(i))}, onnx.AttrInt("axis", 0))
	}
	per := g.nodeAs(path, onnx.OpDiv, 0, []string{dims[1], g.constant(path, 4, true, 2)})
	axes := g.constant(path, 5, false, 0)
	k := 0
	unsqueeze := func(t string) string {
		k++
		return g.nodeAs(path, onnx.OpUnsqueeze, k-1, []string{t, axes})
	}
	to5 := g.nodeAs(path, onnx.OpConcat, 1, []string{unsqueeze(dims[0]), g.constant(path, 6, false, 2), unsqueeze(per), unsqueeze(dims[2]), unsqueeze(dims[3])}, onnx.AttrInt("axis", 0))
	r := g.nodeAs(path, onnx.OpReshape, 0, []string{x, to5})
	t := g.nodeAs(path, onnx.OpTranspose, 0, []string{r}, onnx.AttrInts("perm", 0, 2, 1, 3, 4))
	to4 := g.nodeAs(path, onnx.OpConcat, 2, []string{unsqueeze(dims[0]), g.constant(path, 7, false, -1), unsqueeze(dims[2]), unsqueeze(dims[3])}, onnx.AttrInt("axis", 0))
	return g.nodeAs(path, onnx.OpReshape, 1, []string{t, to4})
}

// ShuffleNetV2 is torchvision's ShuffleNet-v2 (x1.0) stem, a stride-2
// unit and a stride-1 unit of stage2, and the head, as torch.onnx.export
// (TorchScript) writes them at opset 17: batch norms folded, the stride-1
// unit's chunk as a Split, each unit's channel shuffle traced through
// Shape, Gather, Div, Unsqueeze, Concat, Reshape and Transpose, the global
// mean as a ReduceMean; widths divided by 4, a 224-pixel input.
func ShuffleNetV2() (*Graph, error) {
	g := newGraph("main_graph", 41)
	relu := func(path, in string) string { return g.node(path, onnx.OpRelu, []string{in}) }
	stem := relu("/conv1/conv1.2", g.conv("/conv1/conv1.0", "input", 3, 8, 3, 2, 1))
	pool := g.maxPool("/maxpool", stem, 3, 2, 1, 0)
	// branch2: 1×1, ReLU, depthwise 3×3 (stride s), 1×1, ReLU.
	branch2 := func(p, in string, cin, c, stride int) string {
		a := relu(p+"/branch2/branch2.2", g.conv(p+"/branch2/branch2.0", in, cin, c, 1, 1, 1))
		d := g.conv(p+"/branch2/branch2.3", a, c, c, 3, stride, c)
		return relu(p+"/branch2/branch2.7", g.conv(p+"/branch2/branch2.5", d, c, c, 1, 1, 1))
	}
	// stage2.0, stride 2: branch1 (depthwise 3×3 stride 2, 1×1, ReLU) beside branch2.
	p := "/stage2/stage2.0"
	b1 := relu(p+"/branch1/branch1.4", g.conv(p+"/branch1/branch1.2", g.conv(p+"/branch1/branch1.0", pool, 8, 8, 3, 2, 8), 8, 16, 1, 1, 1))
	cat0 := g.node(p, onnx.OpConcat, []string{b1, branch2(p, pool, 8, 16, 2)}, onnx.AttrInt("axis", 1))
	unit0 := g.channelShuffle(p, cat0)
	// stage2.1, stride 1: x.chunk(2, dim=1), the second half through branch2.
	p = "/stage2/stage2.1"
	halves := []string{p + "/Split_output_0", p + "/Split_output_1"}
	g.g.Node = append(g.g.Node, &pb.NodeProto{Name: proto.String(p + "/Split"), OpType: proto.String(onnx.OpSplit),
		Input: []string{unit0, g.ints("onnx::Split_201", 16, 16)}, Output: halves, Attribute: []*pb.AttributeProto{onnx.AttrInt("axis", 1)}})
	cat1 := g.node(p, onnx.OpConcat, []string{halves[0], branch2(p, halves[1], 16, 16, 1)}, onnx.AttrInt("axis", 1))
	unit1 := g.channelShuffle(p, cat1)
	conv5 := relu("/conv5/conv5.2", g.conv("/conv5/conv5.0", unit1, 32, 64, 1, 1, 1))
	mean := g.node("", onnx.OpReduceMean, []string{conv5}, onnx.AttrInts("axes", 2, 3), onnx.AttrInt("keepdims", 0))
	logits := g.node("/fc", onnx.OpGemm, []string{mean, g.weight(10, 64), g.weight(10)}, onnx.AttrInt("transB", 1))
	data, err := g.model("input", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(224), dim(224)}, logits, 17)
	return &Graph{Family: "ShuffleNet-v2 (torchvision, TorchScript exporter, traced channel shuffle)", Data: data, Input: "input", Size: 224,
		From: unit0, To: unit1, Deep: conv5}, err
}

// layerNorm2d adds torchvision's LayerNorm2d: the map permuted to NHWC, a
// LayerNormalization over the channels (opset 17), permuted back.
func (g *graph) layerNorm2d(path, in string, c int) string {
	h := g.node(path, onnx.OpTranspose, []string{in}, onnx.AttrInts("perm", 0, 2, 3, 1))
	ln := g.node(path, onnx.OpLayerNormalization, []string{h, g.param(path+".weight", true, c), g.weight(c)}, onnx.AttrInt("axis", -1), onnx.AttrFloat("epsilon", 1e-6))
	return g.nodeAs(path, onnx.OpTranspose, 1, []string{ln}, onnx.AttrInts("perm", 0, 3, 1, 2))
}

// linear adds a Linear layer on a channels-last map as the TorchScript
// exporter writes it: MatMul by the transposed weight, then Add.
func (g *graph) linear(path, in string, cin, cout int) string {
	return g.node(path, onnx.OpAdd, []string{g.node(path, onnx.OpMatMul, []string{in, g.weight(cin, cout)}), g.weight(cout)})
}

// gelu adds nn.GELU() as the TorchScript exporter writes it at opset 17:
// x·(erf(x/√2) + 1)·0.5.
func (g *graph) gelu(path, x string) string {
	e := g.node(path, onnx.OpErf, []string{g.node(path, onnx.OpDiv, []string{x, g.scalar(path+"/Constant_output_0", 1.4142135)})})
	one := g.node(path, onnx.OpAdd, []string{e, g.scalar(path+"/Constant_1_output_0", 1)})
	return g.nodeAs(path, onnx.OpMul, 1, []string{g.node(path, onnx.OpMul, []string{x, one}), g.scalar(path+"/Constant_2_output_0", 0.5)})
}

// cnBlock adds torchvision's CNBlock: a depthwise 7×7 convolution, the
// permute to NHWC, a layer norm, Linear, GELU, Linear, the permute back,
// the layer scale (a [C, 1, 1] parameter) and the residual Add.
func (g *graph) cnBlock(p, in string, c int) string {
	dw := g.convGrouped(p+"/block/block.0", in, c, c, 7, 7, 1, c, 3, 3, 3, 3)
	h := g.node(p+"/block/block.1", onnx.OpTranspose, []string{dw}, onnx.AttrInts("perm", 0, 2, 3, 1))
	ln := g.node(p+"/block/block.2", onnx.OpLayerNormalization, []string{h, g.param(p+".block.2.weight", true, c), g.weight(c)}, onnx.AttrInt("axis", -1), onnx.AttrFloat("epsilon", 1e-6))
	mlp := g.linear(p+"/block/block.5", g.gelu(p+"/block/block.4", g.linear(p+"/block/block.3", ln, c, 4*c)), 4*c, c)
	back := g.node(p+"/block/block.6", onnx.OpTranspose, []string{mlp}, onnx.AttrInts("perm", 0, 3, 1, 2))
	scale := make([]float32, c)
	for i := range scale {
		scale[i] = float32(0.3 + 0.4*g.rng.Float64())
	}
	g.g.Initializer = append(g.g.Initializer, onnx.FloatTensor(p+".layer_scale", "", []int{c, 1, 1}, scale))
	return g.node(p, onnx.OpAdd, []string{g.node(p, onnx.OpMul, []string{p + ".layer_scale", back}), in})
}

// ConvNeXt is torchvision's ConvNeXt-T stem, first stage (two blocks),
// downsampling layer, one block of the second stage and head as
// torch.onnx.export (TorchScript) writes them at opset 17: LayerNorm2d as
// Transpose, LayerNormalization, Transpose; Linear layers over NHWC maps
// as MatMul and Add; GELU written out with Erf; widths divided by 6, a
// 224-pixel input.
func ConvNeXt() (*Graph, error) {
	return convNeXt([]int{16, 32}, []int{2, 1}, "ConvNeXt-T (torchvision, TorchScript exporter, layer norm and Linear over NHWC)")
}

// convNeXt builds ConvNeXt with the given stages' widths and depths.
func convNeXt(dims, depths []int, family string) (*Graph, error) {
	g := newGraph("main_graph", 43)
	x := g.layerNorm2d("/features/features.0/features.0.1", g.convAt("/features/features.0/features.0.0", "input", 3, dims[0], 4, 4, 4, 0, 0, 0, 0), dims[0])
	var outs []string
	for s, c := range dims {
		if s > 0 { // downsampling: LayerNorm2d, then a 2×2 stride-2 convolution
			p := fmt.Sprintf("/features/features.%d", 2*s)
			x = g.convAt(fmt.Sprintf("%s/features.%d.1", p, 2*s), g.layerNorm2d(fmt.Sprintf("%s/features.%d.0", p, 2*s), x, dims[s-1]), dims[s-1], c, 2, 2, 2, 0, 0, 0, 0)
		}
		for b := range depths[s] {
			x = g.cnBlock(fmt.Sprintf("/features/features.%d/features.%d.%d", 2*s+1, 2*s+1, b), x, c)
			outs = append(outs, x)
		}
	}
	c := dims[len(dims)-1]
	gap := g.node("/avgpool", onnx.OpGlobalAveragePool, []string{x})
	head := g.layerNorm2d("/classifier/classifier.0", gap, c)
	flat := g.node("/classifier/classifier.1", onnx.OpFlatten, []string{head}, onnx.AttrInt("axis", 1))
	classes := 10
	if depths[0] > 2 {
		classes = 1000
	}
	logits := g.node("/classifier/classifier.2", onnx.OpGemm, []string{flat, g.weight(classes, c), g.weight(classes)}, onnx.AttrInt("transB", 1))
	data, err := g.model("input", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(224), dim(224)}, logits, 17)
	return &Graph{Family: family, Data: data, Input: "input", Size: 224, From: outs[0], To: outs[1], Deep: outs[len(outs)-1]}, err
}
