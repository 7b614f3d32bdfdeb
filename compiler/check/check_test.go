package check_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/spf13/afero"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/golden"
	"github.com/circc/circc/models"
)

// errorMarker is an expected diagnostic written on the line it belongs to:
// `// ERROR "regexp"`; several may share a line.
var errorMarker = regexp.MustCompile(`ERROR "((?:[^"\\]|\\.)*)"`)

// TestCheck runs every testdata/*.txtar case: its files are laid out in an
// in-memory file system, main.circ is checked, and
//   - every diagnostic must match an ERROR marker on its line, and every
//     marker must match a diagnostic;
//   - the rendered diagnostics must equal the "out/diagnostics" section.
func TestCheck(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) < 5 {
		t.Fatalf("expected the check cases in testdata, found %d", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fs := afero.NewMemMapFs()
			section := -1
			for i, f := range ar.Files {
				if f.Name == "out/diagnostics" {
					section = i
					continue
				}
				afero.WriteFile(fs, f.Name, f.Data, 0o644)
			}
			prog, ds, err := check.Check(fs, "main.circ", models.Builtin)
			if err != nil {
				t.Fatal(err)
			}
			matchMarkers(t, prog, ds)
			var out bytes.Buffer
			ds.WriteText(&out, prog.Source)
			if golden.Update() {
				if section < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "out/diagnostics"})
					section = len(ar.Files) - 1
				}
				ar.Files[section].Data = out.Bytes()
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if section < 0 {
				t.Fatal("no out/diagnostics section; run CIRCC_UPDATE=1 go test")
			}
			if want := string(ar.Files[section].Data); out.String() != want {
				t.Errorf("diagnostics differ from the section section\n--- got\n%s--- want\n%s", out.String(), want)
			}
		})
	}
}

func matchMarkers(t *testing.T, prog *check.Program, ds diag.List) {
	t.Helper()
	type key struct {
		file string
		line int
	}
	want := map[key][]string{}
	for _, f := range prog.Files {
		for i, line := range strings.Split(string(prog.Source(f.Name)), "\n") {
			for _, m := range errorMarker.FindAllStringSubmatch(line, -1) {
				want[key{f.Name, i + 1}] = append(want[key{f.Name, i + 1}], m[1])
			}
		}
	}
	for _, d := range ds {
		k := key{d.Subject.Start.Filename, d.Subject.Start.Line}
		found := -1
		for i, re := range want[k] {
			if regexp.MustCompile(re).MatchString(d.Summary) {
				found = i
				break
			}
		}
		if found < 0 {
			t.Errorf("unexpected diagnostic %s", d.Error())
			continue
		}
		want[k] = append(want[k][:found], want[k][found+1:]...)
	}
	var missing []string
	for k, res := range want {
		for _, re := range res {
			missing = append(missing, fmt.Sprintf("%s:%d: ERROR %q", k.file, k.line, re))
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("no diagnostic for %s", m)
	}
}
