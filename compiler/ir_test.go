package compiler_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/golden"
)

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
					opt.StopAfter = compiler.StageName(stage)
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
					st, _ := compiler.LookupStage(compiler.StageName(stage))
					st.Dump(r, &got, opt)
				}
				if golden.Update() {
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

// irProperties pairs each IR golden with a property of the same case that
// is computed independently of the dump, so that a golden rewritten with
// CIRCC_UPDATE=1 cannot silently bless a wrong result.
var irProperties = map[string]func(t *testing.T, r *compiler.Result){
	"tiny": func(t *testing.T, r *compiler.Result) {
		l0, l1 := r.Network.Layer("l0"), r.Network.Layer("l1")
		// ramp[o=0] from r: x / 1px; from g: the centre; bias -0.25.
		want := []float64{-1, 0, 1, -1, 0, 1, -1, 0, 1}
		if got := l0.Kernel2D(0, 0); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ramp[o=0] from r: %v, want %v", got, want)
		}
		if got := l0.Kernel2D(1, 1); fmt.Sprint(got) != fmt.Sprint([]float64{0, 0, 0, 0, 1, 0, 0, 0, 0}) || l0.Bias[1] != -0.25 {
			t.Errorf("ramp[o=90deg] from g: %v, bias %g", got, l0.Bias[1])
		}
		// pooled: coef(∓45deg) = halfway between 1 and -0.5 in the mirrored table.
		for i := 0; i < 2; i++ {
			if got := l1.Kernel2D(0, i)[0]; math.Abs(got-0.25) > 1e-12 {
				t.Errorf("pooled from ramp %d: %g, want 0.25", i, got)
			}
		}
		if l1.InH != 4 || l1.OutC != 1 {
			t.Errorf("l1 reads %dx%d, has %d units; want 4x4 after the stride-2 pool, 1 unit", l1.InH, l1.InW, l1.OutC)
		}
	},
	"resample": func(t *testing.T, r *compiler.Result) {
		l := r.Network.Layer("l0")
		base := l.Kernel2D(0, 0)
		for _, u := range l.Units {
			a := u.Params[0].Value.(interface{ At(int) float64 }).At(0)
			quarter := math.Mod(a, 90) == 0
			switch {
			case quarter && u.EquivarianceError != 0:
				t.Errorf("%s: a quarter turn has error %g", u.Name, u.EquivarianceError)
			case !quarter && (u.EquivarianceError < 0.1 || u.EquivarianceError > 0.5):
				t.Errorf("%s: error %g; a 45deg turn of a thin bar loses a visible part", u.Name, u.EquivarianceError)
			}
			if a == 90 { // the bar turned upright: the transpose
				k := l.Kernel2D(u.Index, 0)
				for y := 0; y < 5; y++ {
					for x := 0; x < 5; x++ {
						if k[y*5+x] != base[x*5+(4-y)] && k[y*5+x] != base[x*5+y] {
							t.Fatalf("%s is not the bar turned upright", u.Name)
						}
					}
				}
			}
		}
	},
	"reflect_hue": func(t *testing.T, r *compiler.Result) {
		l0, l1 := r.Network.Layer("l0"), r.Network.Layer("l1")
		centre := func(o, c int) float64 { return l0.Kernel2D(o, c)[4] }
		for i, name := range []string{"hued[hue=0deg]", "hued[hue=120deg]", "hued[hue=240deg]"} {
			o := unitIndex(t, l0, name)
			for c := 0; c < 3; c++ {
				want := 0.0
				if c == i {
					want = 1
				}
				if math.Abs(centre(o, c)-want) > 1e-12 {
					t.Errorf("%s from channel %d: %g, want %g", name, c, centre(o, c), want)
				}
			}
		}
		// Mirrored: reads the 180deg edge one cell to its left.
		m := unitIndex(t, l1, "mirrored[m=true]")
		e180 := unitIndex(t, l0, "edge[o=180deg]")
		if k := l1.Kernel2D(m, e180); k[3] != 1 || k[5] != 0 {
			t.Errorf("mirrored from edge 180deg: %v", k)
		}
	},
	"rotate":      func(t *testing.T, r *compiler.Result) {}, // TestQuarterTurnsAreExact checks every kernel
	"motif_error": diagProperty(diag.CodeMotif, 16, "maps edge\\[o=0deg\\] to edge\\[o=15deg\\]"),
	"limits":      diagProperty(diag.CodeLimit, 9, "more than 4096 units"),
	"recursion":   diagProperty(diag.CodeLimit, 7, "deeper than 256"),
	"runaway":     diagProperty(diag.CodeLimit, 7, "more than 16777216 list items"),
	"bigkernel":   diagProperty(diag.CodeLimit, 7, "larger than the limit of 63x63"),
}

func diagProperty(code diag.Code, line int, summary string) func(t *testing.T, r *compiler.Result) {
	return func(t *testing.T, r *compiler.Result) {
		if len(r.Diags) != 1 || r.Diags[0].Code != code || r.Diags[0].Subject.Start.Line != line || !regexp.MustCompile(summary).MatchString(r.Diags[0].Summary) {
			t.Errorf("want one [%s] %q on line %d, got %v", code, summary, line, r.Diags)
		}
	}
}

// TestIRProperties runs every IR case's property; a case without one fails.
func TestIRProperties(t *testing.T) {
	files, _ := filepath.Glob("testdata/ir/*.txtar")
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			prop, ok := irProperties[name]
			if !ok {
				t.Fatalf("testdata/ir/%s.txtar has no property in irProperties", name)
			}
			prop(t, compileCase(t, file, compiler.Options{StopAfter: "expand"}))
		})
	}
}
