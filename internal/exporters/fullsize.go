package exporters

import (
	"fmt"

	pb "github.com/circc/circc/onnx/onnxpb"

	"github.com/circc/circc/onnx"
)

// ResNet50 is torchvision's ResNet-50 stem and a bottleneck block of each
// of two stages (the second strided, with its 1×1 downsample) as
// torch.onnx.export (TorchScript) writes them at opset 17: batch norms
// folded, the block's one ReLU module called three times (relu, relu_1,
// relu_2), the residual Add; widths divided by 4, a 224-pixel input.
func ResNet50() (*Graph, error) {
	return resNet50(16, []int{1, 1}, 10, "ResNet-50 (torchvision, TorchScript exporter, bottlenecks)")
}

// FullResNet50 is ResNet-50 at its full width and depth (blocks 3, 4, 6,
// 3; 25.6 million parameters, seeded at random) for the full-size
// benchmark.
func FullResNet50() (*Graph, error) {
	return resNet50(64, []int{3, 4, 6, 3}, 1000, "ResNet-50 (full size)")
}

func resNet50(width int, blocks []int, classes int, family string) (*Graph, error) {
	g := newGraph("main_graph", 47)
	x := g.node("/relu", onnx.OpRelu, []string{g.conv("/conv1", "input", 3, width, 7, 2, 1)})
	x = g.maxPool("/maxpool", x, 3, 2, 1, 0)
	cin := width
	var outs []string
	for s, n := range blocks {
		w := width << s
		for b := range n {
			p := fmt.Sprintf("/layer%d/layer%d.%d", s+1, s+1, b)
			stride := 1
			if b == 0 && s > 0 {
				stride = 2
			}
			a := g.node(p+"/relu", onnx.OpRelu, []string{g.conv(p+"/conv1", x, cin, w, 1, 1, 1)})
			c := g.node(p+"/relu_1", onnx.OpRelu, []string{g.conv(p+"/conv2", a, w, w, 3, stride, 1)})
			d := g.conv(p+"/conv3", c, w, 4*w, 1, 1, 1)
			short := x
			if b == 0 {
				short = g.conv(p+"/downsample/downsample.0", x, cin, 4*w, 1, stride, 1)
			}
			x = g.node(p+"/relu_2", onnx.OpRelu, []string{g.node(p, onnx.OpAdd, []string{d, short})})
			cin = 4 * w
			outs = append(outs, x)
		}
	}
	gap := g.node("/avgpool", onnx.OpGlobalAveragePool, []string{x})
	flat := g.node("", onnx.OpFlatten, []string{gap}, onnx.AttrInt("axis", 1))
	logits := g.node("/fc", onnx.OpGemm, []string{flat, g.weight(classes, cin), g.weight(classes)}, onnx.AttrInt("transB", 1))
	data, err := g.model("input", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(224), dim(224)}, logits, 17)
	return &Graph{Family: family, Data: data, Input: "input", Size: 224, From: outs[0], To: outs[1], Deep: outs[len(outs)-1]}, err
}

// bneck is one row of torchvision's MobileNet-v3 configuration: kernel,
// expanded width, output width, squeeze-and-excitation, hard swish (else
// ReLU), stride.
type bneck struct {
	k, exp, out int
	se, hs      bool
	stride      int
}

// mobileNetV3Large is torchvision's mobilenet_v3_large configuration.
var mobileNetV3Large = []bneck{
	{3, 16, 16, false, false, 1}, {3, 64, 24, false, false, 2}, {3, 72, 24, false, false, 1},
	{5, 72, 40, true, false, 2}, {5, 120, 40, true, false, 1}, {5, 120, 40, true, false, 1},
	{3, 240, 80, false, true, 2}, {3, 200, 80, false, true, 1}, {3, 184, 80, false, true, 1}, {3, 184, 80, false, true, 1},
	{3, 480, 112, true, true, 1}, {3, 672, 112, true, true, 1},
	{5, 672, 160, true, true, 2}, {5, 960, 160, true, true, 1}, {5, 960, 160, true, true, 1},
}

// makeDivisible is torchvision's _make_divisible(v, 8).
func makeDivisible(v int) int {
	n := max(8, (v+4)/8*8)
	if float64(n) < 0.9*float64(v) {
		n += 8
	}
	return n
}

// FullMobileNetV3 is torchvision's MobileNet-v3 (large) at full size (5.5
// million parameters, seeded at random), as torch.onnx.export
// (TorchScript) writes it at opset 17, for the full-size benchmark.
func FullMobileNetV3() (*Graph, error) {
	g := newGraph("main_graph", 53)
	act := func(path, in string, hs bool) string {
		if hs {
			return g.node(path, onnx.OpHardSwish, []string{in})
		}
		return g.node(path, onnx.OpRelu, []string{in})
	}
	x := act("/features/features.0/features.0.2", g.conv("/features/features.0/features.0.0", "input", 3, 16, 3, 2, 1), true)
	cin := 16
	var outs []string
	for i, b := range mobileNetV3Large {
		p := fmt.Sprintf("/features/features.%d/block", i+1)
		h, j := x, 0
		if b.exp != cin {
			h = act(fmt.Sprintf("%s/block.0/block.0.2", p), g.conv(p+"/block.0/block.0.0", h, cin, b.exp, 1, 1, 1), b.hs)
			j++
		}
		h = act(fmt.Sprintf("%s/block.%d/block.%d.2", p, j, j), g.conv(fmt.Sprintf("%s/block.%d/block.%d.0", p, j, j), h, b.exp, b.exp, b.k, b.stride, b.exp), b.hs)
		j++
		if b.se {
			sp := fmt.Sprintf("%s/block.%d", p, j)
			sq := makeDivisible(b.exp / 4)
			pool := g.node(sp+"/avgpool", onnx.OpGlobalAveragePool, []string{h})
			r := g.node(sp+"/activation", onnx.OpRelu, []string{g.conv(sp+"/fc1", pool, b.exp, sq, 1, 1, 1)})
			scale := g.node(sp+"/scale_activation", onnx.OpHardSigmoid, []string{g.conv(sp+"/fc2", r, sq, b.exp, 1, 1, 1)},
				onnx.AttrFloat("alpha", 1.0/6), onnx.AttrFloat("beta", 0.5))
			h = g.node(sp, onnx.OpMul, []string{scale, h})
			j++
		}
		h = g.conv(fmt.Sprintf("%s/block.%d/block.%d.0", p, j, j), h, b.exp, b.out, 1, 1, 1)
		if b.stride == 1 && cin == b.out {
			h = g.node(fmt.Sprintf("/features/features.%d", i+1), onnx.OpAdd, []string{h, x})
		}
		x, cin = h, b.out
		outs = append(outs, x)
	}
	head := act("/features/features.16/features.16.2", g.conv("/features/features.16/features.16.0", x, cin, 960, 1, 1, 1), true)
	gap := g.node("/avgpool", onnx.OpGlobalAveragePool, []string{head})
	flat := g.node("", onnx.OpFlatten, []string{gap}, onnx.AttrInt("axis", 1))
	l1 := act("/classifier/classifier.1", g.node("/classifier/classifier.0", onnx.OpGemm, []string{flat, g.weight(1280, 960), g.weight(1280)}, onnx.AttrInt("transB", 1)), true)
	logits := g.node("/classifier/classifier.3", onnx.OpGemm, []string{l1, g.weight(1000, 1280), g.weight(1000)}, onnx.AttrInt("transB", 1))
	data, err := g.model("input", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(224), dim(224)}, logits, 17)
	return &Graph{Family: "MobileNet-v3 large (full size)", Data: data, Input: "input", Size: 224, From: outs[1], To: outs[2], Deep: head}, err
}

// FullConvNeXt is ConvNeXt-T at full size (widths 96 to 768, depths 3, 3,
// 9, 3; 28.6 million parameters, seeded at random), for the full-size
// benchmark.
func FullConvNeXt() (*Graph, error) {
	return convNeXt([]int{96, 192, 384, 768}, []int{3, 3, 9, 3}, "ConvNeXt-T (full size)")
}

// FullSize builds the full-size graphs of the benchmark.
var FullSize = []func() (*Graph, error){FullResNet50, FullMobileNetV3, FullConvNeXt}

// MobileNetV2 is torchvision's MobileNet-v2 stem and first three
// inverted residual blocks as torch.onnx.export (TorchScript) writes them
// at opset 17: ReLU6 as Clip with scalar min and max inputs, batch norms
// folded, the third block's residual Add; widths divided by 2.
func MobileNetV2() (*Graph, error) {
	g := newGraph("main_graph", 59)
	relu6 := func(path, in string) string {
		lo, hi := path+"/Constant_output_0", path+"/Constant_1_output_0"
		g.g.Initializer = append(g.g.Initializer, onnx.FloatTensor(lo, "", nil, []float32{0}), onnx.FloatTensor(hi, "", nil, []float32{6}))
		return g.node(path, onnx.OpClip, []string{in, lo, hi})
	}
	stem := relu6("/features/features.0/features.0.2", g.conv("/features/features.0/features.0.0", "input", 3, 16, 3, 2, 1))
	// features.1 (expansion 1): depthwise, ReLU6, project.
	dw := relu6("/features/features.1/conv/conv.0/conv.0.2", g.conv("/features/features.1/conv/conv.0/conv.0.0", stem, 16, 16, 3, 1, 16))
	p1 := g.conv("/features/features.1/conv/conv.1", dw, 16, 8, 1, 1, 1)
	// features.2 and 3 (expansion 6): expand, depthwise, project; 3 adds its input.
	block := func(i int, in string, cin, cout, stride int) string {
		p := fmt.Sprintf("/features/features.%d/conv", i)
		e := relu6(p+"/conv.0/conv.0.2", g.conv(p+"/conv.0/conv.0.0", in, cin, 6*cin, 1, 1, 1))
		d := relu6(p+"/conv.1/conv.1.2", g.conv(p+"/conv.1/conv.1.0", e, 6*cin, 6*cin, 3, stride, 6*cin))
		return g.conv(p+"/conv.2", d, 6*cin, cout, 1, 1, 1)
	}
	p2 := block(2, p1, 8, 12, 2)
	p3 := g.node("/features/features.3", onnx.OpAdd, []string{p2, block(3, p2, 12, 12, 1)})
	head := relu6("/features/features.18/features.18.2", g.conv("/features/features.18/features.18.0", p3, 12, 64, 1, 1, 1))
	gap := g.node("/GlobalAveragePool", onnx.OpGlobalAveragePool, []string{head})
	flat := g.node("", onnx.OpFlatten, []string{gap}, onnx.AttrInt("axis", 1))
	logits := g.node("/classifier/classifier.1", onnx.OpGemm, []string{flat, g.weight(10, 64), g.weight(10)}, onnx.AttrInt("transB", 1))
	data, err := g.model("input", []*pb.TensorShapeProto_Dimension{freeDim("batch_size"), dim(3), dim(224), dim(224)}, logits, 17)
	return &Graph{Family: "MobileNet-v2 (torchvision, TorchScript exporter, ReLU6 as Clip)", Data: data, Input: "input", Size: 224,
		From: stem, To: p1, Deep: p3}, err
}

// KerasResNet50 is Keras's ResNet50 (keras.applications) stem and first
// block converted by tf2onnx at opset 15: an NHWC input, ZeroPadding2D as
// Pad before the 7×7 convolution and the max pool, batch norms left as
// BatchNormalization (FusedBatchNormV3), the stride on the block's first
// 1×1 convolution as Keras places it, the head's mean as a ReduceMean
// over NHWC; widths divided by 4.
func KerasResNet50() (*Graph, error) {
	g := newGraph("tf2onnx", 61)
	m := "resnet50/"
	bn := func(scope, in string, c int) string {
		w := func(name string, positive bool) string { return g.param(m+scope+"/"+name, positive, c) }
		return g.tfNode(m+scope+"/FusedBatchNormV3", onnx.OpBatchNormalization, []string{in, w("gamma", true), w("beta", false), w("moving_mean", false), w("moving_variance", true)},
			onnx.AttrFloat("epsilon", 1.001e-5))
	}
	conv := func(scope, in string, cin, cout, k, stride int) string {
		attrs := []*pb.AttributeProto{onnx.AttrInts("kernel_shape", int64(k), int64(k)), onnx.AttrInts("strides", int64(stride), int64(stride)), onnx.AttrInts("dilations", 1, 1)}
		if k > 1 && stride == 1 { // SAME at stride 1: the convolution's own pads
			p := int64(k / 2)
			attrs = append(attrs, onnx.AttrInts("pads", p, p, p, p))
		}
		return g.tfNode(m+scope+"/Conv2D", onnx.OpConv, []string{in, g.weight(cout, cin, k, k), g.weight(cout)}, attrs...)
	}
	relu := func(scope, in string) string { return g.tfNode(m+scope+"/Relu", onnx.OpRelu, []string{in}) }
	nchw := g.tfNode(m+"conv1_pad/Pad__6", onnx.OpTranspose, []string{"input_1"}, onnx.AttrInts("perm", 0, 3, 1, 2))
	pad := g.tfNode(m+"conv1_pad/Pad", onnx.OpPad, []string{nchw, g.ints(m+"conv1_pad/Pad__pads", 0, 0, 3, 3, 0, 0, 3, 3)})
	stem := relu("conv1_relu", bn("conv1_bn", conv("conv1_conv", pad, 3, 16, 7, 2), 16))
	pool := g.tfNode(m+"pool1_pool/MaxPool", onnx.OpMaxPool, []string{g.tfNode(m+"pool1_pad/Pad", onnx.OpPad, []string{stem, g.ints(m+"pool1_pad/Pad__pads", 0, 0, 1, 1, 0, 0, 1, 1)})},
		onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", 2, 2))
	a := relu("conv2_block1_1_relu", bn("conv2_block1_1_bn", conv("conv2_block1_1_conv", pool, 16, 16, 1, 1), 16))
	b := relu("conv2_block1_2_relu", bn("conv2_block1_2_bn", conv("conv2_block1_2_conv", a, 16, 16, 3, 1), 16))
	c := bn("conv2_block1_3_bn", conv("conv2_block1_3_conv", b, 16, 64, 1, 1), 64)
	short := bn("conv2_block1_0_bn", conv("conv2_block1_0_conv", pool, 16, 64, 1, 1), 64)
	out := relu("conv2_block1_out", g.tfNode(m+"conv2_block1_add/add", onnx.OpAdd, []string{short, c}))
	nhwc := g.tfNode(m+"conv2_block1_out/Relu__30", onnx.OpTranspose, []string{out}, onnx.AttrInts("perm", 0, 2, 3, 1))
	mean := g.tfNode(m+"avg_pool/Mean", onnx.OpReduceMean, []string{nhwc}, onnx.AttrInts("axes", 1, 2), onnx.AttrInt("keepdims", 0))
	logits := g.tfNode(m+"predictions/BiasAdd", onnx.OpAdd, []string{g.tfNode(m+"predictions/MatMul", onnx.OpMatMul, []string{mean, g.weight(64, 10)}), g.weight(10)})
	data, err := g.model("input_1", []*pb.TensorShapeProto_Dimension{freeDim("unk__618"), dim(224), dim(224), dim(3)}, logits, 15)
	return &Graph{Family: "ResNet50 (Keras applications, tf2onnx, NHWC, batch norm unfolded)", Data: data, Input: "input_1", Size: 224, NHWC: true,
		From: pool, To: b, Deep: out}, err
}
