package format

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/circc/circc/internal/corpus"
	"github.com/circc/circc/internal/golden"
	"github.com/circc/circc/lang/ast"
	"github.com/circc/circc/lang/parser"
)

// TestGolden formats the in.circ section of each testdata/*.txtar case and
// compares the result with its out.circ section; the output must also be a
// fixed point and parse to the same tree.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) < 3 {
		t.Fatalf("expected format cases in testdata, found %d", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var in []byte
			out := -1
			for i, f := range ar.Files {
				switch f.Name {
				case "in.circ":
					in = f.Data
				case "out.circ":
					out = i
				}
			}
			got, ds := Source("in.circ", in)
			if ds != nil {
				t.Fatalf("format: %v", ds)
			}
			if golden.Update() {
				if out < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "out.circ"})
					out = len(ar.Files) - 1
				}
				ar.Files[out].Data = got
				os.WriteFile(file, txtar.Format(ar), 0o644)
				return
			}
			if out < 0 {
				t.Fatal("no out.circ section; run CIRCC_UPDATE=1 go test")
			}
			if !bytes.Equal(got, ar.Files[out].Data) {
				t.Errorf("got\n%s\nwant\n%s", got, ar.Files[out].Data)
			}
			assertFixedPoint(t, got)
		})
	}
}

// TestRepositoryFilesAreFormatted checks the example circuits and the
// standard library: circc fmt leaves them unchanged.
func TestRepositoryFilesAreFormatted(t *testing.T) {
	files, _ := filepath.Glob("../../circuits/*.circ")
	std, _ := filepath.Glob("../../stdlib/*.circ")
	files = append(files, std...)
	if len(files) < 4 {
		t.Fatalf("found only %d .circ files", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, ds := Source(f, src)
		if ds != nil {
			t.Fatalf("%s: %v", f, ds)
		}
		if !bytes.Equal(got, src) {
			t.Errorf("%s is not formatted; run circc fmt -w %s", f, f)
		}
	}
}

func assertFixedPoint(t *testing.T, src []byte) {
	t.Helper()
	again, ds := Source("again.circ", src)
	if ds != nil {
		t.Fatalf("re-format: %v", ds)
	}
	if !bytes.Equal(again, src) {
		t.Errorf("not idempotent:\n%s\n---\n%s", src, again)
	}
	f1, _ := parser.ParseFile("a", src)
	f2, _ := parser.ParseFile("b", again)
	if !ast.Equal(f1, f2) {
		t.Error("re-parse gives a different tree")
	}
}

func TestSyntaxErrorIsNotFormatted(t *testing.T) {
	out, ds := Source("bad.circ", []byte("circuit x\nlet a = (1 +\n"))
	if out != nil || !ds.HasErrors() || ds[0].Subject.Start.Line != 2 {
		t.Fatalf("got %q, %v", out, ds)
	}
}

// FuzzFormat: on any input, formatting never panics; when the input parses,
// the output parses to the same tree, keeps every comment and is a fixed
// point. The seeds are the repository's own circuits plus the golden cases.
func FuzzFormat(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		out, ds := Source("fuzz.circ", src)
		if ds.HasErrors() {
			for _, d := range ds {
				if d.Code == "internal" {
					t.Fatalf("internal error: %s\ninput:\n%s", d.Summary, src)
				}
			}
			return
		}
		assertFixedPoint(t, out)
	})
}

func addSeeds(f *testing.F) {
	for _, src := range corpus.CircSources("../..") {
		f.Add(src)
	}
}
