// Package weights reads circuits in the weights of a network: the
// expanded weights between two layers, hand-made tiles beside natural
// ones, and how well a weight matrix obeys the rotation motif.
//
// It reads ONNX graphs (a reference network or a compiled circuit, through
// package onnx) and produces gorgonia tensors: Expand's result is
// [outputs, inputs, kh, kw], the linear map from one layer to another with
// the nonlinearities between them left out, as in Visualizing Weights
// (Voss et al., Distill 2021): ReLU and LRN are taken as the identity, a
// max pool as the average pool of the same window (captum's linear
// InceptionV1 does the same), biases are dropped. The contractions are
// gorgonia matrix products; an op it cannot linearise is an error naming
// the node and op, never a silently wrong number.
//
// Guarantees: results are deterministic (the same graph gives the same
// floats), and errors say which node or layer stopped the walk.
package weights
