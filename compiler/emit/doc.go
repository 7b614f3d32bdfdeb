// Package emit builds the ONNX model of a lowered circuit (package lower).
//
// Standalone reads a lowered network and produces a *onnxpb.ModelProto:
// input NCHW float32 with a free batch dimension, Conv/MaxPool/AveragePool
// and Relu nodes per layer, every layer's activation as a graph output
// named after the layer, one float32 weight and bias initializer per
// convolution (WeightName, BiasName) whose doc string names the source
// positions of the families that made it, and metadata with the source's
// sha256 and the compiler version. It uses package onnx's general builders
// and never the other way round: onnx knows nothing of circuits.
package emit
