// Package corpus gathers the circ sources of the repository, for the fuzz
// tests' seed corpora.
//
// It reads the example circuits (circuits/*.circ), the standard library
// (stdlib/*.circ) and every .circ member of the txtar golden cases under
// any testdata folder. It produces their contents in a fixed order (path,
// then member), so every fuzzer starts from the same seeds.
package corpus
