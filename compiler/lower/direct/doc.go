// Package direct runs a lowered circuit with a plain, direct convolution in
// pure Go: slow, obvious, and independent of onnxruntime. Tests compare it
// with onnxruntime running the emitted model (a differential test of
// lowering and emission). It reads a lower.Network and an NCHW input and
// returns every layer's activation.
package direct
