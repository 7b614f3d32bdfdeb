// Package runtime runs ONNX models with ONNX Runtime through onnxruntime_go.
//
// It reads the onnxruntime shared library (the CPU build from
// scripts/install-onnxruntime.sh, the GPU build from
// scripts/install-onnxruntime-gpu.sh, either overridable with
// ONNXRUNTIME_LIB) and creates one environment per process: the first
// session's device decides which build is loaded. It produces sessions with
// chosen outputs over batches, and runs them on float32 slices or, without
// copies, on gorgonia tensors. Feed is the one batch producer for sweeps
// and evaluation: inputs filled in parallel ahead of the session, in
// batches of one size per device (DefaultBatch), into buffers that go
// round.
//
// For CUDA it finds the CUDA 13 and cuDNN 9 libraries by soname (Python's
// nvidia packages, the usual install places, or CIRCC_CUDA_LIBS) and loads
// them by path, dependencies first, before onnxruntime asks for them.
//
// Guarantees: a missing or unloadable library is an error that says where
// it was looked for and how to get it, never a crash; a session records the
// execution provider it runs on, and a CUDA request that cannot be met is an
// error, never a fallback to the CPU.
package runtime
