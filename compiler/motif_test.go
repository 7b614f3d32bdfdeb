package compiler_test

import (
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/eval"
)

func compileCase(t *testing.T, file string, opt compiler.Options) *compiler.Result {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fs := afero.NewMemMapFs()
	for _, f := range ar.Files {
		afero.WriteFile(fs, f.Name, f.Data, 0o644)
	}
	r, err := compiler.Compile(fs, "main.circ", opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rot90 turns a k×k kernel a quarter turn (x towards y, y downwards).
func rot90(k []float64, n int) []float64 {
	out := make([]float64, len(k))
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			// the cell at (x, y) comes from (y, -x)
			x, y := c-n/2, r-n/2
			sx, sy := y, -x
			out[r*n+c] = k[(sy+n/2)*n+sx+n/2]
		}
	}
	return out
}

// TestQuarterTurnsAreExact: each member of a 4-fold rotation motif is the
// template turned by whole quarter turns, exactly, with its inputs moved
// to the inputs turned alike; the reported equivariance error is 0.
func TestQuarterTurnsAreExact(t *testing.T) {
	r := compileCase(t, "testdata/ir/rotate.txtar", compiler.Options{})
	if len(r.Diags) > 0 {
		t.Fatal(r.Diags)
	}
	l := r.Network.Layer("l1")
	for q := 1; q < 4; q++ {
		u := l.Units[q]
		if u.EquivarianceError != 0 {
			t.Errorf("%s: equivariance error %g", u.Name, u.EquivarianceError)
		}
		for in := 0; in < 4; in++ {
			want := l.Kernel2D(0, in)
			for i := 0; i < q; i++ {
				want = rot90(want, 3)
			}
			got := l.Kernel2D(q, (in+q)%4)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s from input %d: %v, want %v", u.Name, (in+q)%4, got, want)
				}
			}
		}
	}
}

func TestWeightLimit(t *testing.T) {
	lim := eval.DefaultLimits
	lim.MaxWeights = 20
	r := compileCase(t, "testdata/ir/rotate.txtar", compiler.Options{Limits: lim})
	if len(r.Diags) != 1 || r.Diags[0].Code != "limit" || !strings.Contains(r.Diags[0].Summary, "more than 20 weights") {
		t.Fatalf("got %v", r.Diags)
	}
}
