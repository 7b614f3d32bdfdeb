// Package runtime runs ONNX models with ONNX Runtime through onnxruntime_go.
//
// It reads the onnxruntime shared library from LibraryPath (installed by
// scripts/install-onnxruntime.sh, overridable with ONNXRUNTIME_LIB) and
// creates one environment per process. Today it provides loading and
// version checks; sessions, batches and execution providers come with the
// build and verify commands.
//
// Guarantee: a missing or unloadable library is an error that says where it
// was looked for and how to install it, never a crash.
package runtime
