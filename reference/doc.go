// Package reference operates the registered reference networks: it opens a
// model (located through its manifest, sha256-checked), cuts it after the
// tensors a job needs with a free batch and a chosen input size, runs it
// with onnxruntime, tests it against the activations stored beside it,
// evaluates its accuracy on a labelled photo set, and edits it with a
// circuit's injection statements. Describe reads a user's ONNX image
// network into a manifest (circc models add).
//
// It reads manifests (package models), models (package onnx) and runs them
// (package runtime); it never writes the reference model itself.
package reference
