// Package check resolves and checks circ programs: the first stage of the
// compiler.
//
// It reads a circuit through an afero.Fs, parses it and, depth first,
// everything it imports (standard modules from package stdlib, libraries by
// relative path), and produces a Program with every problem as a sorted
// diag.List. It never stops at the first error.
//
// The passes, per file, imports first:
//
//  1. Loading: resolve import paths (relative to the importer, inside the
//     main file's directory, never absolute), detect cycles.
//  2. Declaration: enter the file's top-level names (imports, lets, fns,
//     input, layers) into its scope; report duplicates.
//  3. Layers and families: check each layer's operation chain and options;
//     enter families and units on their layers, typing their parameter
//     domains; motif families take their base's layer.
//  4. Everything else: lets (typed on first use, so order does not matter),
//     function bodies (once with their annotations, then once per distinct
//     argument signature at calls), family bodies (connections against the
//     layer structure, kernel sizes against the layer), motifs, and the
//     statements about reference models (against models' manifests).
//
// Types carry dimensions (angle and length exponents) and, for numbers, the
// value when it is a constant, so kernel sizes, range lengths and channel
// selections are checked before anything is evaluated. An unknown type
// (after an error, or a value only evaluation can know) is accepted
// silently, so one mistake gives one diagnostic.
package check
