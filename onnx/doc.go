// Package onnx reads, writes, edits and analyses ONNX models with the
// generated protobuf types of package onnxpb; it depends on nothing else of
// circc but the safe file reader and writer.
//
// Read and FromBytes decode a model (refusing tensors kept in external
// files), Write replaces a model file after checking that it decodes to
// the same model, and Marshal is deterministic: the same model gives the
// same bytes. A Model is edited in place: input shapes, outputs, cuts,
// weight slices, splices and rewiring, with shape inference. It analyses
// image networks: the tensors worth probing (ProbePoints), every tensor's
// receptive field and total stride (ReceptiveFields), and a control copy
// with shuffled weights (PermuteConvWeights). The builders
// (FloatTensor, AttrInts, TensorType) serve any package that makes graphs,
// such as the compiler's emitter (package compiler/emit).
package onnx
