package compiler_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/eval"
)

// fuzzLimits keep one fuzzed compile small: the fuzzer looks for crashes
// and hangs, not for big networks.
var fuzzLimits = eval.Limits{MaxKernel: 15, MaxUnitsPerFamily: 64, MaxCallDepth: 64, MaxListLen: 4096, MaxWeights: 1 << 16, MaxWork: 1 << 16}

// FuzzCompile: compiling any text through every stage but emission (check,
// evaluation, expansion with its parallel member evaluation, lowering)
// never panics, never reports an internal error, and positions every
// diagnostic in a loaded file.
func FuzzCompile(f *testing.F) {
	for _, pat := range []string{"../circuits/*.circ", "../stdlib/*.circ"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			b, _ := os.ReadFile(p)
			f.Add(b)
		}
	}
	cases, _ := filepath.Glob("testdata/*/*.txtar")
	checks, _ := filepath.Glob("check/testdata/*.txtar")
	for _, p := range append(cases, checks...) {
		ar, _ := txtar.ParseFile(p)
		for _, x := range ar.Files {
			if filepath.Ext(x.Name) == ".circ" {
				f.Add(x.Data)
			}
		}
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
