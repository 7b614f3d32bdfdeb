package check_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/spf13/afero"

	"github.com/circc/circc/compiler/check"
)

// FuzzCheck: checking any text never panics and never reports an internal
// error; every diagnostic has a position in a loaded file.
func FuzzCheck(f *testing.F) {
	for _, pat := range []string{"../../circuits/*.circ", "../../stdlib/*.circ"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			b, _ := os.ReadFile(p)
			f.Add(b)
		}
	}
	cases, _ := filepath.Glob("testdata/*.txtar")
	for _, p := range cases {
		ar, _ := txtar.ParseFile(p)
		for _, x := range ar.Files {
			if x.Name == "main.circ" {
				f.Add(x.Data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fs := afero.NewMemMapFs()
		prog, ds, err := check.CheckSource(fs, "fuzz.circ", src)
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
