package compiler_test

import (
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/eval"
	"github.com/circc/circc/internal/corpus"
)

// fuzzLimits keep one fuzzed compile small: the fuzzer looks for crashes
// and hangs, not for big networks.
var fuzzLimits = eval.Limits{MaxKernel: 15, MaxUnitsPerFamily: 64, MaxCallDepth: 64, MaxListLen: 4096, MaxWeights: 1 << 16, MaxWork: 1 << 16}

// FuzzCompile: compiling any text through every stage but emission (check,
// evaluation, expansion with its parallel member evaluation, lowering)
// never panics, never reports an internal error, and positions every
// diagnostic in a loaded file.
func FuzzCompile(f *testing.F) {
	for _, src := range corpus.CircSources("..") {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fs := afero.NewMemMapFs()
		if err := afero.WriteFile(fs, "fuzz.circ", src, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := compiler.Compile(fs, "fuzz.circ", compiler.Options{StopAfter: "lower", Limits: fuzzLimits})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range r.Diags {
			if d.Code == "internal" {
				t.Fatalf("internal error: %s", d.Summary)
			}
			if d.Subject.Start.Line < 1 || r.Program.Source(d.Subject.Start.Filename) == nil {
				t.Fatalf("diagnostic without a source position: %s", d.Error())
			}
		}
	})
}
