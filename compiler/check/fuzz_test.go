package check_test

import (
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/internal/corpus"
	"github.com/circc/circc/models"
)

// FuzzCheck: checking any text never panics and never reports an internal
// error; every diagnostic has a position in a loaded file.
func FuzzCheck(f *testing.F) {
	for _, src := range corpus.CircSources("../..") {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fs := afero.NewMemMapFs()
		prog, ds, err := check.CheckSource(fs, "fuzz.circ", src, models.Builtin)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Code == "internal" {
				t.Fatalf("internal error: %s", d.Summary)
			}
			if d.Subject.Start.Line < 1 || prog.Source(d.Subject.Start.Filename) == nil {
				t.Fatalf("diagnostic without a source position: %s", d.Error())
			}
		}
	})
}
