// Package lower converts an expanded network's float64 weights into
// gorgonia.org/tensor dense float32 tensors: one OIHW weight and one bias
// per convolution, in the layer's unit and input-channel order. It keeps
// the expanded network alongside for the geometry and names. Lowering is a
// pure, deterministic function of the expanded weights.
package lower
