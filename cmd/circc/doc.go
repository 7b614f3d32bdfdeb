// Command circc compiles hand-written neural-network circuits and checks
// them against reference networks.
//
//	circc check [--json] [-v] FILE...         parse and check; report every problem
//	circc build [-o OUT.onnx] FILE             the ONNX model and its units manifest
//	circc build --into MODEL -o OUT.onnx FILE  the reference model with the circuit's edits
//	circc ir --after STAGE FILE                a compiler stage's result as text
//	circc verify --against MODEL FILE          hand-made units beside the model's own
//	circc eval --against MODEL [FILE]          top-1/top-5 accuracy, intact and edited
//	circc stimuli --kind KIND --out DIR        contact sheets of the synthetic stimuli
//	circc models list|tensors|test [NAME]      the registered reference models
//	circc doctor [--json]                      what the CPU and CUDA paths found
//	circc fmt [-w] [--check] FILE...           canonical layout
//	circc grammar | version
//
// The command holds flags, progress and exit codes only; the work is done
// by the packages below it. Exit status: 0 success, 1 diagnostics or a
// failed claim, 2 usage errors and unreadable input, 3 a bug (a panic).
// Every command that takes --json writes one JSON value on every path.
// Files are read and written through an afero.Fs and package safefs.
package main
