package compiler_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
)

var update = flag.Bool("update", false, "rewrite the out/STAGE sections of testdata/ir/*.txtar")

// TestIRGolden compiles the main.circ of each testdata/ir case and compares
// each "out/STAGE" section with that stage's dump ("out/expand+weights" for
// the expansion with every kernel). A case with an "out/diagnostics"
// section must fail with exactly those diagnostics.
func TestIRGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/ir/*.txtar")
	if len(files) < 4 {
		t.Fatalf("found %d IR cases", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fs := afero.NewMemMapFs()
			for _, f := range ar.Files {
				if !strings.HasPrefix(f.Name, "out/") {
					afero.WriteFile(fs, f.Name, f.Data, 0o644)
				}
			}
			changed := false
			for i, f := range ar.Files {
				stage, ok := strings.CutPrefix(f.Name, "out/")
				if !ok {
					continue
				}
				weights := false
				stage, weights = strings.CutSuffix(stage, "+weights")
				opt := compiler.Options{Weights: weights}
				if stage != "diagnostics" {
					opt.StopAfter = stage
				}
				r, err := compiler.Compile(fs, "main.circ", opt)
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				if stage == "diagnostics" {
					r.Diags.WriteText(&got, r.Program.Source)
				} else {
					if len(r.Diags) > 0 {
						var b bytes.Buffer
						r.Diags.WriteText(&b, r.Program.Source)
						t.Fatalf("unexpected diagnostics:\n%s", b.String())
					}
					st, _ := compiler.LookupStage(stage)
					st.Dump(r, &got, opt)
				}
				if *update {
					ar.Files[i].Data = got.Bytes()
					changed = true
					continue
				}
				if got.String() != string(f.Data) {
					t.Errorf("%s differs\n--- got\n%s--- want\n%s", f.Name, got.String(), f.Data)
				}
			}
			if changed {
				os.WriteFile(file, txtar.Format(ar), 0o644)
			}
		})
	}
}
