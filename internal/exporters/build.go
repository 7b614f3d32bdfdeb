package exporters

import (
	"fmt"
	"math"
	"math/rand"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
)

// graph accumulates nodes and seeded weights.
type graph struct {
	g      *pb.GraphProto
	rng    *rand.Rand
	params int
	shapes map[string][]int64 // channels of each map, for weights' shapes
	aten   map[string]int     // the dynamo exporter's count of each ATen op
}

func newGraph(name string, seed int64) *graph {
	return &graph{g: &pb.GraphProto{Name: proto.String(name)}, rng: rand.New(rand.NewSource(seed)), shapes: map[string][]int64{}, aten: map[string]int{}}
}

// weight adds a seeded random initializer (He-scaled by fan-in; a bias
// small) under an
// exporter's generated name.
func (g *graph) weight(dims ...int) string {
	g.params++
	name := fmt.Sprintf("onnx::Conv_%d", 100+g.params)
	n, fan := 1, 1
	for i, d := range dims {
		n *= d
		if i > 0 {
			fan *= d
		}
	}
	scale := math.Sqrt(2 / float64(max(fan, 1))) // He: activations keep their size through the layers
	if len(dims) == 1 {
		scale = 0.1 // a bias, small beside the weighted sum
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(g.rng.NormFloat64() * scale)
	}
	g.g.Initializer = append(g.g.Initializer, onnx.FloatTensor(name, "", dims, v))
	return name
}

func (g *graph) ints(name string, v ...int64) string {
	g.g.Initializer = append(g.g.Initializer, &pb.TensorProto{Name: proto.String(name), Dims: []int64{int64(len(v))},
		DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: v})
	return name
}

// node adds path/op with its output named as the TorchScript exporter
// names it.
func (g *graph) node(path, op string, in []string, attrs ...*pb.AttributeProto) string {
	name := path + "/" + op
	out := name + "_output_0"
	g.g.Node = append(g.g.Node, &pb.NodeProto{Name: proto.String(name), OpType: proto.String(op), Input: in, Output: []string{out}, Attribute: attrs})
	return out
}

// conv adds a convolution with folded batch norm (weight and bias).
func (g *graph) conv(path, in string, cin, cout, k, stride, group int) string {
	p := int64(k / 2)
	return g.convGrouped(path, in, cin, cout, k, k, stride, group, p, p, p, p)
}

// convGrouped adds any convolution as the TorchScript exporter writes it,
// with its bias (a folded batch norm's shift, or its own).
func (g *graph) convGrouped(path, in string, cin, cout, kh, kw, stride, group int, pads ...int64) string {
	return g.node(path, onnx.OpConv, []string{in, g.weight(cout, cin/group, kh, kw), g.weight(cout)},
		onnx.AttrInts("kernel_shape", int64(kh), int64(kw)), onnx.AttrInts("strides", int64(stride), int64(stride)),
		onnx.AttrInts("pads", pads...), onnx.AttrInts("dilations", 1, 1), onnx.AttrInt("group", int64(group)))
}

func (g *graph) model(input string, dims []*pb.TensorShapeProto_Dimension, output string, opset int64) ([]byte, error) {
	g.g.Input = []*pb.ValueInfoProto{{Name: proto.String(input), Type: &pb.TypeProto{Value: &pb.TypeProto_TensorType{TensorType: &pb.TypeProto_Tensor{
		ElemType: proto.Int32(int32(pb.TensorProto_FLOAT)), Shape: &pb.TensorShapeProto{Dim: dims}}}}}}
	g.g.Output = []*pb.ValueInfoProto{{Name: proto.String(output)}}
	return onnx.Marshal(&pb.ModelProto{IrVersion: proto.Int64(8), ProducerName: proto.String("pytorch"),
		OpsetImport: []*pb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(opset)}}, Graph: g.g})
}

func dim(v int64) *pb.TensorShapeProto_Dimension {
	return &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: v}}
}

func freeDim(p string) *pb.TensorShapeProto_Dimension {
	return &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimParam{DimParam: p}}
}

// Graph is a test graph and the tensors its checks read.
type Graph struct {
	Family string
	Data   []byte
	Input  string
	Size   int    // the input's side
	NHWC   bool   // the input is [N, H, W, C]
	From   string // a map early in the network, for expanded weights
	To     string // a map after From, linear between them
	Gated  string // a map behind a multiplicative gate from From, or ""
	Deep   string // a deep map, for gradients
}

// MobileNetV3 is torchvision's MobileNet-v3 (small) stem and first
// blocks as torch.onnx.export writes them at opset 17: HardSwish
// activations, a depthwise block with a squeeze-and-excitation gate
// (GlobalAveragePool, two 1×1 convolutions, HardSigmoid, Mul), an
// inverted residual with its Add, and the classifier head; widths divided
// by 2, a 224-pixel input.
func MobileNetV3() (*Graph, error) {
	g := newGraph("main_graph", 3)
	x := "input"
	stem := g.node("/features/features.0/features.0.2", onnx.OpHardSwish, []string{g.conv("/features/features.0/features.0.0", x, 3, 8, 3, 2, 1)})
	// features.1: depthwise 3×3 stride 2, ReLU, SE, project.
	dw := g.node("/features/features.1/block/block.0/block.0.2", onnx.OpRelu, []string{g.conv("/features/features.1/block/block.0/block.0.0", stem, 8, 8, 3, 2, 8)})
	pool := g.node("/features/features.1/block/block.1/avgpool", onnx.OpGlobalAveragePool, []string{dw})
	fc1 := g.node("/features/features.1/block/block.1/activation", onnx.OpRelu, []string{g.conv("/features/features.1/block/block.1/fc1", pool, 8, 4, 1, 1, 1)})
	scale := g.node("/features/features.1/block/block.1/scale_activation", onnx.OpHardSigmoid, []string{g.conv("/features/features.1/block/block.1/fc2", fc1, 4, 8, 1, 1, 1)},
		onnx.AttrFloat("alpha", 1.0/6), onnx.AttrFloat("beta", 0.5))
	gated := g.node("/features/features.1/block/block.1", onnx.OpMul, []string{scale, dw})
	proj := g.conv("/features/features.1/block/block.2/block.2.0", gated, 8, 8, 1, 1, 1)
	// features.2: expand 1×1, ReLU, depthwise 3×3, ReLU, project, residual.
	exp := g.node("/features/features.2/block/block.0/block.0.2", onnx.OpRelu, []string{g.conv("/features/features.2/block/block.0/block.0.0", proj, 8, 24, 1, 1, 1)})
	dw2 := g.node("/features/features.2/block/block.1/block.1.2", onnx.OpRelu, []string{g.conv("/features/features.2/block/block.1/block.1.0", exp, 24, 24, 3, 1, 24)})
	proj2 := g.conv("/features/features.2/block/block.2/block.2.0", dw2, 24, 8, 1, 1, 1)
	sum := g.node("/features/features.2", onnx.OpAdd, []string{proj2, proj})
	// Head: conv 1×1, HardSwish, pool, flatten, Linear, HardSwish, Linear.
	head := g.node("/features/features.3/features.3.2", onnx.OpHardSwish, []string{g.conv("/features/features.3/features.3.0", sum, 8, 48, 1, 1, 1)})
	gap := g.node("/avgpool", onnx.OpGlobalAveragePool, []string{head})
	flat := g.node("", onnx.OpFlatten, []string{gap}, onnx.AttrInt("axis", 1))
	l1 := g.node("/classifier/classifier.0", onnx.OpGemm, []string{flat, g.weight(32, 48), g.weight(32)}, onnx.AttrInt("transB", 1))
	a1 := g.node("/classifier/classifier.1", onnx.OpHardSwish, []string{l1})
	logits := g.node("/classifier/classifier.3", onnx.OpGemm, []string{a1, g.weight(10, 32), g.weight(10)}, onnx.AttrInt("transB", 1))
	data, err := g.model("input", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(224), dim(224)}, logits, 17)
	return &Graph{Family: "MobileNet-v3 (torchvision, TorchScript exporter)", Data: data, Input: "input", Size: 224,
		From: stem, To: dw, Gated: proj, Deep: sum}, err
}

// All builds every test graph, one per family.
var All = []func() (*Graph, error){AlexNet, VGG16, GoogLeNet, InceptionV3, MobileNetV3, EfficientNet, DenseNet, ResNetDynamo, TF2ONNX, RegNet, KerasMobileNetV2, ShuffleNetV2, ConvNeXt, ResNet50, MobileNetV2, KerasResNet50}

// InputShape is the graph's input shape for a batch of n, NCHW: an NHWC
// graph's once its input is made NCHW (onnx.Model.ToNCHWInput, which
// models add applies).
func (g *Graph) InputShape(n int64) []int64 {
	return []int64{n, 3, int64(g.Size), int64(g.Size)}
}

// tfNode adds a node named as TensorFlow names its op, with the output
// name:0.
func (g *graph) tfNode(name, op string, in []string, attrs ...*pb.AttributeProto) string {
	out := name + ":0"
	g.g.Node = append(g.g.Node, &pb.NodeProto{Name: proto.String(name), OpType: proto.String(op), Input: in, Output: []string{out}, Attribute: attrs})
	return out
}

// tfConv adds a TensorFlow convolution as tf2onnx writes it: SAME padding
// as a Pad before a strided one, as the convolution's pads otherwise; a
// bias added as the convolution's third input.
func (g *graph) tfConv(scope, in string, cin, cout, k, stride int) string {
	attrs := []*pb.AttributeProto{onnx.AttrInts("kernel_shape", int64(k), int64(k)), onnx.AttrInts("strides", int64(stride), int64(stride)), onnx.AttrInts("dilations", 1, 1)}
	p := int64(k / 2)
	if stride > 1 {
		// SAME on an even side: the whole pad, k − stride, at the end.
		in = g.tfNode(scope+"/Conv2D__pad", onnx.OpPad, []string{in, g.ints(scope+"/Conv2D__pads", 0, 0, 0, 0, 0, 0, int64(k-stride), int64(k-stride))})
	} else {
		attrs = append(attrs, onnx.AttrInts("pads", p, p, p, p))
	}
	return g.tfNode(scope+"/Conv2D", onnx.OpConv, []string{in, g.weight(cout, cin, k, k), g.weight(cout)}, attrs...)
}

// TF2ONNX is a small TensorFlow image network converted by tf2onnx from a
// frozen graph at opset 15: an NHWC input "input_1" turned NCHW by a
// Transpose, SAME padding as Pad before the strided convolution, TF op
// names (model/conv1/Conv2D, model/conv1/Relu:0), a Transpose back to NHWC
// before the head, whose spatial mean is a ReduceMean over axes 1 and 2,
// and a MatMul with an Add.
func TF2ONNX() (*Graph, error) {
	g := newGraph("tf2onnx", 5)
	nchw := g.tfNode("model/conv1/Conv2D__6", onnx.OpTranspose, []string{"input_1"}, onnx.AttrInts("perm", 0, 3, 1, 2))
	c1 := g.tfNode("model/conv1/Relu", onnx.OpRelu, []string{g.tfConv("model/conv1", nchw, 3, 24, 3, 2)})
	c2 := g.tfNode("model/conv2/Relu", onnx.OpRelu, []string{g.tfConv("model/conv2", c1, 24, 32, 3, 1)})
	pool := g.tfNode("model/pool/MaxPool", onnx.OpMaxPool, []string{c2}, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2))
	// An Inception-style block as Lucid's InceptionV1 names it: the Concat
	// op is the layer (mixed3b), its output mixed3b:0.
	b1 := g.tfNode("mixed3b_1x1", onnx.OpRelu, []string{g.tfConv("mixed3b_1x1_pre", pool, 32, 16, 1, 1)})
	b3 := g.tfNode("mixed3b_3x3", onnx.OpRelu, []string{g.tfConv("mixed3b_3x3_pre", pool, 32, 16, 3, 1)})
	mixed := g.tfNode("mixed3b", onnx.OpConcat, []string{b1, b3}, onnx.AttrInt("axis", 1))
	c3 := g.tfNode("model/conv3/Relu", onnx.OpRelu, []string{g.tfConv("model/conv3", mixed, 32, 48, 3, 1)})
	nhwc := g.tfNode("model/conv3/Relu__20", onnx.OpTranspose, []string{c3}, onnx.AttrInts("perm", 0, 2, 3, 1))
	mean := g.tfNode("model/gap/Mean", onnx.OpReduceMean, []string{nhwc}, onnx.AttrInts("axes", 1, 2), onnx.AttrInt("keepdims", 0))
	mm := g.tfNode("model/dense/MatMul", onnx.OpMatMul, []string{mean, g.weight(48, 10)})
	logits := g.tfNode("model/dense/BiasAdd", onnx.OpAdd, []string{mm, g.weight(10)})
	data, err := g.model("input_1", []*pb.TensorShapeProto_Dimension{freeDim("unk__30"), dim(224), dim(224), dim(3)}, logits, 15)
	return &Graph{Family: "TensorFlow graph (tf2onnx, NHWC)", Data: data, Input: "input_1", Size: 224, NHWC: true,
		From: c1, To: c2, Deep: c3}, err
}

// dynNode adds a node as the dynamo exporter (torch.onnx.export(...,
// dynamo=True), PyTorch 2.5, opset 18) names it: the node node_Op_k, its
// output the ATen op's name with a counter (conv2d, relu_1, add_2).
func (g *graph) dynNode(aten, op string, in []string, attrs ...*pb.AttributeProto) string {
	k := g.aten[aten]
	g.aten[aten]++
	out := aten
	if k > 0 {
		out = fmt.Sprintf("%s_%d", aten, k)
	}
	g.g.Node = append(g.g.Node, &pb.NodeProto{Name: proto.String(fmt.Sprintf("node_%s_%d", op, len(g.g.Node))), OpType: proto.String(op), Input: in, Output: []string{out}, Attribute: attrs})
	return out
}

// param adds a parameter under its module path, as the dynamo exporter
// keeps them (conv1.weight, layer1.0.bn1.running_var).
func (g *graph) param(name string, positive bool, dims ...int) string {
	n := 1
	for _, d := range dims {
		n *= d
	}
	fan := n / dims[0]
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(g.rng.NormFloat64() * 1.4 / math.Sqrt(float64(max(fan, 1))))
		if positive {
			v[i] = float32(0.5 + g.rng.Float64())
		}
	}
	g.g.Initializer = append(g.g.Initializer, onnx.FloatTensor(name, "", dims, v))
	return name
}

// convBN adds a convolution without bias and its BatchNormalization,
// unfolded, as the dynamo exporter writes a Conv2d and BatchNorm2d.
func (g *graph) convBN(module, bn, in string, cin, cout, k, stride int) string {
	p := int64(k / 2)
	c := g.dynNode("conv2d", onnx.OpConv, []string{in, g.param(module+".weight", false, cout, cin, k, k)},
		onnx.AttrInts("kernel_shape", int64(k), int64(k)), onnx.AttrInts("strides", int64(stride), int64(stride)),
		onnx.AttrInts("pads", p, p, p, p), onnx.AttrInts("dilations", 1, 1), onnx.AttrInt("group", 1))
	return g.dynNode("_native_batch_norm_legit_no_training", onnx.OpBatchNormalization, []string{c,
		g.param(bn+".weight", true, cout), g.param(bn+".bias", false, cout), g.param(bn+".running_mean", false, cout), g.param(bn+".running_var", true, cout)},
		onnx.AttrFloat("epsilon", 1e-5), onnx.AttrFloat("momentum", 0.9))
}

// ResNetDynamo is torchvision's ResNet-18 stem and first two basic blocks
// (the second with a strided 1×1 downsample) as the dynamo exporter
// writes them at opset 18: batch norms left unfolded as
// BatchNormalization nodes, parameters under their module paths, outputs
// named after the ATen ops; the classifier head; widths divided by 2, a
// 224-pixel input with a free batch.
func ResNetDynamo() (*Graph, error) {
	g := newGraph("main_graph", 7)
	stem := g.dynNode("relu", onnx.OpRelu, []string{g.convBN("conv1", "bn1", "x", 3, 32, 7, 2)})
	pool := g.dynNode("max_pool2d", onnx.OpMaxPool, []string{stem}, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", 2, 2), onnx.AttrInts("pads", 1, 1, 1, 1), onnx.AttrInt("ceil_mode", 0))
	a := g.dynNode("relu", onnx.OpRelu, []string{g.convBN("layer1.0.conv1", "layer1.0.bn1", pool, 32, 32, 3, 1)})
	b := g.convBN("layer1.0.conv2", "layer1.0.bn2", a, 32, 32, 3, 1)
	block1 := g.dynNode("relu", onnx.OpRelu, []string{g.dynNode("add", onnx.OpAdd, []string{b, pool})})
	c := g.dynNode("relu", onnx.OpRelu, []string{g.convBN("layer2.0.conv1", "layer2.0.bn1", block1, 32, 64, 3, 2)})
	d := g.convBN("layer2.0.conv2", "layer2.0.bn2", c, 64, 64, 3, 1)
	down := g.convBN("layer2.0.downsample.0", "layer2.0.downsample.1", block1, 32, 64, 1, 2)
	block2 := g.dynNode("relu", onnx.OpRelu, []string{g.dynNode("add", onnx.OpAdd, []string{d, down})})
	gap := g.dynNode("mean", onnx.OpGlobalAveragePool, []string{block2})
	flat := g.dynNode("view", onnx.OpFlatten, []string{gap}, onnx.AttrInt("axis", 1))
	logits := g.dynNode("linear", onnx.OpGemm, []string{flat, g.param("fc.weight", false, 10, 64), g.param("fc.bias", false, 10)}, onnx.AttrInt("transB", 1))
	data, err := g.model("x", []*pb.TensorShapeProto_Dimension{freeDim("s0"), dim(3), dim(224), dim(224)}, logits, 18)
	return &Graph{Family: "ResNet-18 (torchvision, dynamo exporter, batch norm unfolded)", Data: data, Input: "x", Size: 224,
		From: block1, To: c, Deep: block2}, err
}

// silu adds SiLU as the TorchScript exporter writes it: Sigmoid, then Mul.
func (g *graph) silu(path, in string) string {
	return g.node(path, onnx.OpMul, []string{in, g.node(path, onnx.OpSigmoid, []string{in})})
}

// EfficientNet is torchvision's EfficientNet-B0 stem and first two MBConv
// blocks as torch.onnx.export (TorchScript) writes them at opset 17: SiLU
// as Sigmoid·Mul, depthwise convolutions, squeeze-and-excitation gates
// with SiLU inside and a Sigmoid scale; widths divided by 2, a 224-pixel
// input with a free batch.
func EfficientNet() (*Graph, error) {
	g := newGraph("main_graph", 9)
	stem := g.silu("/features/features.0/features.0.2", g.conv("/features/features.0/features.0.0", "input", 3, 16, 3, 2, 1))
	se := func(path, in string, c, r int) string {
		p := g.node(path+"/avgpool", onnx.OpGlobalAveragePool, []string{in})
		f := g.silu(path+"/activation", g.conv(path+"/fc1", p, c, r, 1, 1, 1))
		scale := g.node(path+"/scale_activation", onnx.OpSigmoid, []string{g.conv(path+"/fc2", f, r, c, 1, 1, 1)})
		return g.node(path, onnx.OpMul, []string{scale, in})
	}
	// features.1: depthwise 3×3, SiLU, SE, project (no expansion).
	dw := g.silu("/features/features.1/features.1.0/block/block.0/block.0.2", g.conv("/features/features.1/features.1.0/block/block.0/block.0.0", stem, 16, 16, 3, 1, 16))
	proj := g.conv("/features/features.1/features.1.0/block/block.2/block.2.0", se("/features/features.1/features.1.0/block/block.1", dw, 16, 4), 16, 8, 1, 1, 1)
	// features.2: expand 1×1, SiLU, depthwise 3×3 stride 2, SiLU, SE, project.
	exp := g.silu("/features/features.2/features.2.0/block/block.0/block.0.2", g.conv("/features/features.2/features.2.0/block/block.0/block.0.0", proj, 8, 48, 1, 1, 1))
	dw2 := g.silu("/features/features.2/features.2.0/block/block.1/block.1.2", g.conv("/features/features.2/features.2.0/block/block.1/block.1.0", exp, 48, 48, 3, 2, 48))
	proj2 := g.conv("/features/features.2/features.2.0/block/block.3/block.3.0", se("/features/features.2/features.2.0/block/block.2", dw2, 48, 2), 48, 12, 1, 1, 1)
	head := g.silu("/features/features.8/features.8.2", g.conv("/features/features.8/features.8.0", proj2, 12, 64, 1, 1, 1))
	gap := g.node("/avgpool", onnx.OpGlobalAveragePool, []string{head})
	flat := g.node("", onnx.OpFlatten, []string{gap}, onnx.AttrInt("axis", 1))
	logits := g.node("/classifier/classifier.1", onnx.OpGemm, []string{flat, g.weight(10, 64), g.weight(10)}, onnx.AttrInt("transB", 1))
	data, err := g.model("input", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(224), dim(224)}, logits, 17)
	return &Graph{Family: "EfficientNet-B0 (torchvision, TorchScript exporter)", Data: data, Input: "input", Size: 224,
		From: stem, To: dw, Gated: proj, Deep: head}, err
}

// bn adds a BatchNormalization the TorchScript exporter cannot fold (it
// comes before its convolution), under its module path.
func (g *graph) bn(path, in string, c int) string {
	w := func(positive bool) string {
		g.params++
		name := fmt.Sprintf("%s.%d", strings.TrimPrefix(strings.ReplaceAll(path, "/", "."), "."), g.params)
		v := make([]float32, c)
		for i := range v {
			v[i] = float32(g.rng.NormFloat64() * 0.3)
			if positive {
				v[i] = float32(0.5 + g.rng.Float64())
			}
		}
		g.g.Initializer = append(g.g.Initializer, onnx.FloatTensor(name, "", []int{c}, v))
		return name
	}
	return g.node(path, onnx.OpBatchNormalization, []string{in, w(true), w(false), w(false), w(true)}, onnx.AttrFloat("epsilon", 1e-5), onnx.AttrFloat("momentum", 0.9))
}

// DenseNet is torchvision's DenseNet-121 stem, first dense block (three
// layers) and transition as torch.onnx.export (TorchScript) writes them
// at opset 17: pre-activation layers, batch norm then ReLU then
// convolution, so the batch norms stay as BatchNormalization nodes
// between layers; each layer's output concatenated to its input; the
// transition's average pool; growth rate and widths divided by 4, a
// 224-pixel input with a free batch.
func DenseNet() (*Graph, error) {
	g := newGraph("main_graph", 13)
	stem := g.node("/features/relu0", onnx.OpRelu, []string{g.conv("/features/conv0", "input", 3, 16, 7, 2, 1)})
	x := g.node("/features/pool0", onnx.OpMaxPool, []string{stem}, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", 2, 2), onnx.AttrInts("pads", 1, 1, 1, 1))
	c, pool0 := 16, x
	for i := 1; i <= 3; i++ {
		p := fmt.Sprintf("/features/denseblock1/denselayer%d", i)
		a := g.node(p+"/relu1", onnx.OpRelu, []string{g.bn(p+"/norm1", x, c)})
		b := g.node(p+"/relu2", onnx.OpRelu, []string{g.conv(p+"/conv1", a, c, 32, 1, 1, 1)}) // norm2 folded into conv1
		y := g.conv(p+"/conv2", b, 32, 8, 3, 1, 1)
		x = g.node(fmt.Sprintf("/features/denseblock1/Concat_%d", i), onnx.OpConcat, []string{x, y}, onnx.AttrInt("axis", 1))
		c += 8
	}
	t := g.node("/features/transition1/relu", onnx.OpRelu, []string{g.bn("/features/transition1/norm", x, c)})
	tc := g.conv("/features/transition1/conv", t, c, c/2, 1, 1, 1)
	pool := g.node("/features/transition1/pool", onnx.OpAveragePool, []string{tc}, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2))
	gap := g.node("/GlobalAveragePool", onnx.OpGlobalAveragePool, []string{g.node("/Relu", onnx.OpRelu, []string{g.bn("/features/norm5", pool, c/2)})})
	flat := g.node("", onnx.OpFlatten, []string{gap}, onnx.AttrInt("axis", 1))
	logits := g.node("/classifier", onnx.OpGemm, []string{flat, g.weight(10, c/2), g.weight(10)}, onnx.AttrInt("transB", 1))
	data, err := g.model("input", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(224), dim(224)}, logits, 17)
	return &Graph{Family: "DenseNet-121 (torchvision, TorchScript exporter, batch norm between layers)", Data: data, Input: "input", Size: 224,
		From: pool0, To: t, Deep: pool}, err
}

// scalar adds a constant of one value (shape [1], as the TorchScript
// exporter folds a Python float).
func (g *graph) scalar(name string, v float32) string {
	g.g.Initializer = append(g.g.Initializer, onnx.FloatTensor(name, "", []int{1}, []float32{v}))
	return name
}

// GoogLeNet is torchvision's GoogLeNet (with its pretrained weights'
// transform_input: each channel taken by Gather, unsqueezed, scaled and
// shifted, concatenated back) up to inception3a as torch.onnx.export
// (TorchScript) writes it at opset 17: batch norms folded, max pools with
// ceil_mode, the four branches concatenated; widths divided by 4, a
// 224-pixel input with a free batch.
func GoogLeNet() (*Graph, error) {
	g := newGraph("main_graph", 17)
	mean, std := []float32{0.485, 0.456, 0.406}, []float32{0.229, 0.224, 0.225}
	var chans []string
	for c := range 3 {
		idx := fmt.Sprintf("/Constant_%d_output_0", c)
		g.g.Initializer = append(g.g.Initializer, &pb.TensorProto{Name: proto.String(idx), DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: []int64{int64(c)}})
		x := g.node(fmt.Sprintf("/Gather_%d", c), onnx.OpGather, []string{"x", idx}, onnx.AttrInt("axis", 1))
		x = g.node(fmt.Sprintf("/Unsqueeze_%d", c), onnx.OpUnsqueeze, []string{x, g.ints(fmt.Sprintf("/Unsqueeze_%d_axes", c), 1)})
		x = g.node(fmt.Sprintf("/Mul_%d", c), onnx.OpMul, []string{x, g.scalar(fmt.Sprintf("/Constant_%d_scale", c), std[c]/0.5)})
		chans = append(chans, g.node(fmt.Sprintf("/Add_%d", c), onnx.OpAdd, []string{x, g.scalar(fmt.Sprintf("/Constant_%d_shift", c), (mean[c]-0.5)/0.5)}))
	}
	x := g.node("/Concat", onnx.OpConcat, chans, onnx.AttrInt("axis", 1))
	basic := func(path, in string, cin, cout, k, stride int) string {
		return g.node(path+"/relu", onnx.OpRelu, []string{g.conv(path+"/conv", in, cin, cout, k, stride, 1)})
	}
	pool := func(path, in string, k, stride int) string {
		return g.node(path, onnx.OpMaxPool, []string{in}, onnx.AttrInts("kernel_shape", int64(k), int64(k)), onnx.AttrInts("strides", int64(stride), int64(stride)),
			onnx.AttrInts("pads", 0, 0, 0, 0), onnx.AttrInt("ceil_mode", 1))
	}
	c1 := basic("/conv1", x, 3, 16, 7, 2)
	p1 := pool("/maxpool1", c1, 3, 2)
	c3 := basic("/conv3", basic("/conv2", p1, 16, 16, 1, 1), 16, 48, 3, 1)
	p2 := pool("/maxpool2", c3, 3, 2)
	b1 := basic("/inception3a/branch1", p2, 48, 16, 1, 1)
	b2 := basic("/inception3a/branch2/branch2.1", basic("/inception3a/branch2/branch2.0", p2, 48, 24, 1, 1), 24, 32, 3, 1)
	b3 := basic("/inception3a/branch3/branch3.1", basic("/inception3a/branch3/branch3.0", p2, 48, 4, 1, 1), 4, 8, 3, 1)
	bp := g.node("/inception3a/branch4/branch4.0", onnx.OpMaxPool, []string{p2}, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", 1, 1),
		onnx.AttrInts("pads", 1, 1, 1, 1), onnx.AttrInt("ceil_mode", 1))
	b4 := basic("/inception3a/branch4/branch4.1", bp, 48, 8, 1, 1)
	mixed := g.node("/inception3a", onnx.OpConcat, []string{b1, b2, b3, b4}, onnx.AttrInt("axis", 1))
	gap := g.node("/avgpool", onnx.OpGlobalAveragePool, []string{mixed})
	flat := g.node("", onnx.OpFlatten, []string{gap}, onnx.AttrInt("axis", 1))
	logits := g.node("/fc", onnx.OpGemm, []string{flat, g.weight(10, 64), g.weight(10)}, onnx.AttrInt("transB", 1))
	data, err := g.model("x", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(224), dim(224)}, logits, 17)
	return &Graph{Family: "GoogLeNet (torchvision, TorchScript exporter, transform_input)", Data: data, Input: "x", Size: 224,
		From: p2, To: mixed, Deep: mixed}, err
}

// convAt adds a convolution with its own kernel, strides and pads (rows,
// columns), bias included, as the TorchScript exporter writes any Conv2d.
func (g *graph) convAt(path, in string, cin, cout, kh, kw, stride int, pads ...int64) string {
	return g.convGrouped(path, in, cin, cout, kh, kw, stride, 1, pads...)
}

func (g *graph) maxPool(path, in string, k, stride int, pad int64, ceil int64) string {
	return g.node(path, onnx.OpMaxPool, []string{in}, onnx.AttrInts("kernel_shape", int64(k), int64(k)), onnx.AttrInts("strides", int64(stride), int64(stride)),
		onnx.AttrInts("pads", pad, pad, pad, pad), onnx.AttrInt("ceil_mode", ceil))
}

// classifier adds torchvision's head after a 4-D map: Flatten and Linear
// layers with ReLU between (Dropout is gone at export, in eval mode).
func (g *graph) classifier(in string, features int) string {
	flat := g.node("", onnx.OpFlatten, []string{in}, onnx.AttrInt("axis", 1))
	h := g.node("/classifier/classifier.2", onnx.OpRelu, []string{g.node("/classifier/classifier.1", onnx.OpGemm, []string{flat, g.weight(32, features), g.weight(32)}, onnx.AttrInt("transB", 1))})
	return g.node("/classifier/classifier.4", onnx.OpGemm, []string{h, g.weight(10, 32), g.weight(10)}, onnx.AttrInt("transB", 1))
}

// AlexNet is torchvision's AlexNet as torch.onnx.export (TorchScript)
// writes it at opset 17: an 11×11 stride-4 convolution, overlapping max
// pools, the adaptive average pool to 6×6 (an AveragePool of 1 at 224
// px), Flatten and Linear layers; widths divided by 4.
func AlexNet() (*Graph, error) {
	g := newGraph("main_graph", 19)
	c1 := g.node("/features/features.1", onnx.OpRelu, []string{g.convAt("/features/features.0", "input", 3, 16, 11, 11, 4, 2, 2, 2, 2)})
	p1 := g.maxPool("/features/features.2", c1, 3, 2, 0, 0)
	c2 := g.node("/features/features.4", onnx.OpRelu, []string{g.convAt("/features/features.3", p1, 16, 48, 5, 5, 1, 2, 2, 2, 2)})
	p2 := g.maxPool("/features/features.5", c2, 3, 2, 0, 0)
	c3 := g.node("/features/features.7", onnx.OpRelu, []string{g.convAt("/features/features.6", p2, 48, 96, 3, 3, 1, 1, 1, 1, 1)})
	c4 := g.node("/features/features.9", onnx.OpRelu, []string{g.convAt("/features/features.8", c3, 96, 64, 3, 3, 1, 1, 1, 1, 1)})
	c5 := g.node("/features/features.11", onnx.OpRelu, []string{g.convAt("/features/features.10", c4, 64, 64, 3, 3, 1, 1, 1, 1, 1)})
	p5 := g.maxPool("/features/features.12", c5, 3, 2, 0, 0)
	avg := g.node("/avgpool", onnx.OpAveragePool, []string{p5}, onnx.AttrInts("kernel_shape", 1, 1), onnx.AttrInts("strides", 1, 1))
	logits := g.classifier(avg, 64*6*6)
	data, err := g.model("input", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(224), dim(224)}, logits, 17)
	return &Graph{Family: "AlexNet (torchvision, TorchScript exporter)", Data: data, Input: "input", Size: 224, From: p2, To: c3, Deep: c5}, err
}

// VGG16 is torchvision's VGG-16 first three stages as torch.onnx.export
// (TorchScript) writes them at opset 17: 3×3 convolutions with ReLU and
// 2×2 max pools; widths divided by 4 (channels 16, 32, 64), the head
// after the third stage's pool.
func VGG16() (*Graph, error) {
	g := newGraph("main_graph", 23)
	x, c, k := "input", 3, 0
	var outs []string
	for stage, w := range []int{16, 32, 64} {
		for range []int{0, 1, 2}[:2+stage/2] {
			x = g.node(fmt.Sprintf("/features/features.%d", k+1), onnx.OpRelu, []string{g.convAt(fmt.Sprintf("/features/features.%d", k), x, c, w, 3, 3, 1, 1, 1, 1, 1)})
			c, k = w, k+2
			outs = append(outs, x)
		}
		x = g.maxPool(fmt.Sprintf("/features/features.%d", k), x, 2, 2, 0, 0)
		k++
	}
	gap := g.node("/avgpool", onnx.OpGlobalAveragePool, []string{x})
	logits := g.classifier(gap, 64)
	data, err := g.model("input", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(224), dim(224)}, logits, 17)
	return &Graph{Family: "VGG-16 (torchvision, TorchScript exporter)", Data: data, Input: "input", Size: 224, From: outs[1], To: outs[3], Deep: outs[len(outs)-1]}, err
}

// InceptionV3 is torchvision's Inception-v3 stem and one Inception-C
// style block as torch.onnx.export (TorchScript) writes them at opset 17:
// folded batch norms, asymmetric 1×7
// and 7×1 convolutions, an average-pool branch that excludes padding;
// widths divided by 8, a 299-pixel input.
func InceptionV3() (*Graph, error) {
	g := newGraph("main_graph", 29)
	basic := func(path, in string, cin, cout, kh, kw, stride int, pads ...int64) string {
		return g.node(path+"/relu", onnx.OpRelu, []string{g.convAt(path+"/conv", in, cin, cout, kh, kw, stride, pads...)})
	}
	c1 := basic("/Conv2d_1a_3x3", "x", 3, 8, 3, 3, 2, 0, 0, 0, 0)
	c2 := basic("/Conv2d_2a_3x3", c1, 8, 8, 3, 3, 1, 0, 0, 0, 0)
	c3 := basic("/Conv2d_2b_3x3", c2, 8, 16, 3, 3, 1, 1, 1, 1, 1)
	p1 := g.maxPool("/maxpool1", c3, 3, 2, 0, 0)
	c4 := basic("/Conv2d_3b_1x1", p1, 16, 24, 1, 1, 1, 0, 0, 0, 0)
	b1 := basic("/Mixed_6b/branch1x1", c4, 24, 24, 1, 1, 1, 0, 0, 0, 0)
	b7 := basic("/Mixed_6b/branch7x7_1", c4, 24, 16, 1, 1, 1, 0, 0, 0, 0)
	b7 = basic("/Mixed_6b/branch7x7_2", b7, 16, 16, 1, 7, 1, 0, 3, 0, 3)
	b7 = basic("/Mixed_6b/branch7x7_3", b7, 16, 24, 7, 1, 1, 3, 0, 3, 0)
	bp := g.node("/Mixed_6b/avg_pool2d", onnx.OpAveragePool, []string{c4}, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", 1, 1),
		onnx.AttrInts("pads", 1, 1, 1, 1), onnx.AttrInt("count_include_pad", 0))
	bp = basic("/Mixed_6b/branch_pool", bp, 24, 24, 1, 1, 1, 0, 0, 0, 0)
	mixed := g.node("/Mixed_6b", onnx.OpConcat, []string{b1, b7, bp}, onnx.AttrInt("axis", 1))
	gap := g.node("/avgpool", onnx.OpGlobalAveragePool, []string{mixed})
	flat := g.node("", onnx.OpFlatten, []string{gap}, onnx.AttrInt("axis", 1))
	logits := g.node("/fc", onnx.OpGemm, []string{flat, g.weight(10, 72), g.weight(10)}, onnx.AttrInt("transB", 1))
	data, err := g.model("x", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(299), dim(299)}, logits, 17)
	return &Graph{Family: "Inception-v3 (torchvision, TorchScript exporter)", Data: data, Input: "x", Size: 299, From: c4, To: mixed, Deep: mixed}, err
}

// RegNet is torchvision's RegNetY-400MF stem and first block as
// torch.onnx.export (TorchScript) writes them at opset 17: a stride-2
// stem, then a residual bottleneck whose 3×3 convolution is grouped (group
// width 8), with a squeeze-and-excitation gate (ReLU, Sigmoid) and a
// strided 1×1 projection on the shortcut; widths divided by 2.
func RegNet() (*Graph, error) {
	g := newGraph("main_graph", 31)
	stem := g.node("/stem/stem.2", onnx.OpRelu, []string{g.conv("/stem/stem.0", "x", 3, 16, 3, 2, 1)})
	p := "/trunk_output/block1/block1-0"
	a := g.node(p+"/f/a/a.2", onnx.OpRelu, []string{g.conv(p+"/f/a/a.0", stem, 16, 24, 1, 1, 1)})
	b := g.node(p+"/f/b/b.2", onnx.OpRelu, []string{g.conv(p+"/f/b/b.0", a, 24, 24, 3, 2, 3)})
	pool := g.node(p+"/f/se/avgpool", onnx.OpGlobalAveragePool, []string{b})
	r := g.node(p+"/f/se/activation", onnx.OpRelu, []string{g.conv(p+"/f/se/fc1", pool, 24, 4, 1, 1, 1)})
	scale := g.node(p+"/f/se/scale_activation", onnx.OpSigmoid, []string{g.conv(p+"/f/se/fc2", r, 4, 24, 1, 1, 1)})
	gated := g.node(p+"/f/se", onnx.OpMul, []string{scale, b})
	c := g.conv(p+"/f/c/c.0", gated, 24, 24, 1, 1, 1)
	short := g.conv(p+"/proj/proj.0", stem, 16, 24, 1, 2, 1)
	out := g.node(p+"/activation", onnx.OpRelu, []string{g.node(p, onnx.OpAdd, []string{short, c})})
	gap := g.node("/avgpool", onnx.OpGlobalAveragePool, []string{out})
	flat := g.node("", onnx.OpFlatten, []string{gap}, onnx.AttrInt("axis", 1))
	logits := g.node("/fc", onnx.OpGemm, []string{flat, g.weight(10, 24), g.weight(10)}, onnx.AttrInt("transB", 1))
	data, err := g.model("x", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(224), dim(224)}, logits, 17)
	return &Graph{Family: "RegNetY-400MF (torchvision, TorchScript exporter)", Data: data, Input: "x", Size: 224, From: stem, To: b, Gated: c, Deep: out}, err
}

// KerasMobileNetV2 is Keras's MobileNetV2 (keras.applications) converted
// by tf2onnx at opset 15: an NHWC input, Keras layer names
// (mobilenetv2_1.00_224/Conv1/Conv2D), ReLU6 as Clip with min and max
// inputs, SAME padding as Pad before strided convolutions, depthwise
// blocks and an inverted residual's Add; widths divided by 2.
func KerasMobileNetV2() (*Graph, error) {
	g := newGraph("tf2onnx", 37)
	m := "mobilenetv2_1.00_224/"
	lo, hi := g.scalar(m+"Conv1_relu/Relu6__min", 0), g.scalar(m+"Conv1_relu/Relu6__max", 6)
	relu6 := func(name, in string) string { return g.tfNode(m+name+"/Relu6", onnx.OpClip, []string{in, lo, hi}) }
	dwConv := func(scope, in string, c, stride int) string {
		attrs := []*pb.AttributeProto{onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", int64(stride), int64(stride)), onnx.AttrInt("group", int64(c))}
		if stride > 1 {
			in = g.tfNode(scope+"/depthwise__pad", onnx.OpPad, []string{in, g.ints(scope+"/depthwise__pads", 0, 0, 0, 0, 0, 0, 1, 1)})
		} else {
			attrs = append(attrs, onnx.AttrInts("pads", 1, 1, 1, 1))
		}
		return g.tfNode(scope+"/depthwise", onnx.OpConv, []string{in, g.weight(c, 1, 3, 3), g.weight(c)}, attrs...)
	}
	nchw := g.tfNode(m+"Conv1/Conv2D__6", onnx.OpTranspose, []string{"input_1"}, onnx.AttrInts("perm", 0, 3, 1, 2))
	stem := relu6("Conv1_relu", g.tfConv(m+"Conv1", nchw, 3, 16, 3, 2))
	dw := relu6("expanded_conv_depthwise_relu", dwConv(m+"expanded_conv_depthwise", stem, 16, 1))
	proj := g.tfConv(m+"expanded_conv_project", dw, 16, 8, 1, 1)
	e1 := relu6("block_1_expand_relu", g.tfConv(m+"block_1_expand", proj, 8, 48, 1, 1))
	d1 := relu6("block_1_depthwise_relu", dwConv(m+"block_1_depthwise", e1, 48, 2))
	p1 := g.tfConv(m+"block_1_project", d1, 48, 12, 1, 1)
	e2 := relu6("block_2_expand_relu", g.tfConv(m+"block_2_expand", p1, 12, 72, 1, 1))
	d2 := relu6("block_2_depthwise_relu", dwConv(m+"block_2_depthwise", e2, 72, 1))
	p2 := g.tfConv(m+"block_2_project", d2, 72, 12, 1, 1)
	add := g.tfNode(m+"block_2_add/add", onnx.OpAdd, []string{p1, p2})
	nhwc := g.tfNode(m+"block_2_add/add__30", onnx.OpTranspose, []string{add}, onnx.AttrInts("perm", 0, 2, 3, 1))
	mean := g.tfNode(m+"global_average_pooling2d/Mean", onnx.OpReduceMean, []string{nhwc}, onnx.AttrInts("axes", 1, 2), onnx.AttrInt("keepdims", 0))
	logits := g.tfNode(m+"predictions/BiasAdd", onnx.OpAdd, []string{g.tfNode(m+"predictions/MatMul", onnx.OpMatMul, []string{mean, g.weight(12, 10)}), g.weight(10)})
	data, err := g.model("input_1", []*pb.TensorShapeProto_Dimension{freeDim("unk__612"), dim(224), dim(224), dim(3)}, logits, 15)
	return &Graph{Family: "MobileNetV2 (Keras applications, tf2onnx, NHWC)", Data: data, Input: "input_1", Size: 224, NHWC: true, From: stem, To: p1, Deep: add}, err
}
