// Package exporters builds ONNX graphs with the op pattern, node naming
// and tensor layout that model exporters write for the networks
// researchers bring, at reduced width and input size, with seeded random
// weights: the test graphs of circc's compatibility matrix.
//
// It reads nothing and writes nothing; each builder returns a model's
// bytes and the names a test needs. The patterns follow:
//   - torch.onnx.export, TorchScript exporter (PyTorch 2.x, opset 17):
//     node names /module/path/Op, outputs /module/path/Op_output_0,
//     batch norms folded into the convolutions as onnx::Conv_N weights,
//     SiLU as Sigmoid·Mul, input "input" with a free batch dimension
//     (MobileNet-v3, EfficientNet-B0); a scope's later nodes of one op
//     numbered (Gather_1, Reshape_1); torchvision's channel_shuffle traced
//     from x.size() into Shape, Gather, Div, Unsqueeze and Concat, and
//     chunk as Split (ShuffleNet-v2); GELU written out with Erf, Linear
//     over an NHWC map as MatMul and Add, LayerNorm2d as Transpose,
//     LayerNormalization, Transpose (ConvNeXt-T);
//   - torch.onnx.export(dynamo=True) (PyTorch 2.5, opset 18): nodes
//     node_Op_k, outputs named after ATen ops (conv2d, relu_1),
//     parameters under module paths, batch norms unfolded, input "x"
//     (ResNet-18);
//   - tf2onnx (1.16, opset 15) from a frozen TensorFlow graph: an NHWC
//     input turned NCHW by a Transpose, SAME padding written as Pad
//     before strided convolutions, TensorFlow op names (model/conv/Conv2D);
//     from Keras applications the layers' names under the model's
//     (mobilenetv2_1.00_224/Conv1/Conv2D, resnet50/conv1_bn/FusedBatchNormV3),
//     ReLU6 as Clip, ZeroPadding2D as Pad, batch norms unfolded.
//
// The full-size graphs (FullSize) are the benchmark's: whole networks at
// their published widths and depths, seeded at random.
package exporters
