// Package compiler turns circ circuits into weights and ONNX models.
//
// The compiler is an ordered table of named stages (Stages), each with a
// deterministic text dump of its result — the format of the golden tests
// and of "circc ir --after STAGE":
//
//   - check: load, resolve and check (package check);
//   - eval: evaluate the circuit's top-level lets (package eval);
//   - expand: families and motifs into named units and float64 weights
//     (package expand), then the statements about reference models
//     (match, expect, ablate, set, replace) resolved into a typed plan,
//     Result.Experiments (package experiment), which is all that later
//     stages read of the circuit's text;
//   - lower: float32 gorgonia tensors, one OIHW weight and one bias per
//     convolution (package lower);
//   - emit: the standalone ONNX model, encoded deterministically (package
//     onnx).
//
// Compile runs them in order and stops after a chosen stage or at the first
// stage that reports errors; a Result holds every stage's output. Manifest
// describes a built model's layers and units (OUT.units.json). The same
// source always gives the same bytes.
package compiler
