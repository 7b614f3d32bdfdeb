// Package experiment resolves the statements of a circuit that are about
// reference models rather than about its own network: match, expect,
// ablate, set and replace.
//
// It reads the checked program, the evaluator and the expanded network,
// and produces typed values (Plan): each match's hand-made family and
// units, the natural layer and channels it names and its stimulus set;
// each claim's typed metric, aggregate and constant threshold; each edit's
// natural target, channel selection and hand-made or natural family. Every
// value carries its source span.
//
// It guarantees that nothing after it needs the syntax tree: verify,
// reference and the command line read a Plan. What depends on the model a
// run is against (whether a layer exists in it, which channels a search
// matched) is left to them, by name.
package experiment
