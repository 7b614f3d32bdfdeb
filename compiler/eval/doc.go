// Package eval evaluates circ expressions of a checked program.
//
// It reads syntax trees that package check accepted and produces values:
// numbers with dimensions (angles in degrees, lengths in pixels), bools,
// strings, lists, sizes, tables, functions and modules. A number may be a
// square grid of cells: that is how kernels are held, and how a kernel
// constructor's body is evaluated — once over whole coordinate grids rather
// than once per cell, with per-cell conditions as grids of bools (an if whose
// condition varies per cell evaluates both branches and chooses cell by
// cell). Functions are pure, so calls are memoised on their arguments.
//
// Errors at evaluation time (a range with no values, an index out of range,
// going past a Limit) abort evaluation with a positioned diagnostic, which
// the entry points (Eval, Let) return: as go/parser keeps its bailout, the
// evaluator's panics never leave the package. Limits bound kernel size,
// units per family, call depth, list length and total weights.
package eval
