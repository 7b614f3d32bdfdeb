// Package compiler turns checked circ programs into weights.
//
// The compiler is an ordered table of named stages. Today the table holds
// the front end (package check: load, resolve and check); evaluation,
// motif expansion, lowering to gorgonia.org/tensor weights and ONNX
// emission join it as they are built, each with a deterministic text dump
// of its result.
package compiler
