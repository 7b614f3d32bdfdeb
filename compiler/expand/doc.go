// Package expand turns a checked circuit into concrete units and dense
// weights: the evaluate-and-expand stage of the compiler.
//
// It reads the checked program's structure (layers in order, families on
// each) and evaluates, through package eval, every family's parameter
// domains and every unit's connections. It produces a Network: per layer
// the geometry (kernel, stride, TensorFlow-style "same" padding, sizes), the
// units with stable names ("curve[a=30deg]") and channel indices (families
// in declaration order, members with the first parameter varying slowest),
// and float64 weights in OIHW order with biases.
//
// Motif families are derived from their base unit: each member's kernels
// are the base's, transformed spatially (rotated with bilinear resampling,
// or mirrored) and moved to the input channel the transform maps to; each
// member records the relative error of that resampling (its equivariance
// error; exactly 0 for quarter turns). A transform that maps an input
// member outside its family is an error. Templates (motif bases) take no
// channel.
//
// Guarantees: the same source gives identical networks; weights are finite;
// the evaluator's limits bound the work.
package expand
