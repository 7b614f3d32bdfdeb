// Package onnx writes and reads ONNX models with the generated protobuf
// types of package onnxpb.
//
// Standalone builds the model of a lowered circuit: input NCHW float32 with
// a free batch dimension, Conv/MaxPool/AveragePool/Relu nodes per layer,
// every layer's activation as a graph output named after the layer, one
// float32 weight and bias initializer per convolution whose doc string names
// the source positions of the families that made it, and metadata with the
// source's sha256 and the compiler version. Marshal is deterministic: the
// same model gives the same bytes.
package onnx
