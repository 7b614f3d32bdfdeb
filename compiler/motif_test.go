package compiler_test

import (
	"math"
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

// TestResamplingAgainstAnalyticKernels: a 45° turn resamples; checked
// against the formula itself, not against the code's own output. A
// radially symmetric kernel must come back as itself up to bilinear
// interpolation's error, h²/8·(|f_xx| + |f_yy|) ≤ 1/36 for this Gaussian
// of σ = 3 px (its corners, which a turn pushes off the grid, hold less
// than 0.005); its reported equivariance error is small. A bar is not
// symmetric: its turned copies differ from it, and its equivariance error
// is several times larger.
func TestResamplingAgainstAnalyticKernels(t *testing.T) {
	src := `circuit radial
input image(c in ["y"]) size 32x32 range 0 .. 1
layer l0 = conv 15x15 pad same, relu
unit blob0 at l0 {
  from image(_) weight kernel 15x15 (x, y, r) => exp(-(r / 1px) ^ 2 / 18)
}
family blob(a in rotations(8)) = l0.blob0 rotate a
layer l1 = conv 15x15 pad same, relu
unit bar0 at l1 {
  from l0.blob(_) weight kernel 15x15 (x, y) => exp(-(y / 1px) ^ 2 / 2)
}
family bar(a in rotations(8)) = l1.bar0 rotate a
`
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "main.circ", []byte(src), 0o644)
	r, err := compiler.Compile(fs, "main.circ", compiler.Options{StopAfter: "expand"})
	if err != nil || len(r.Diags) > 0 {
		t.Fatal(err, r.Diags)
	}
	l0 := r.Network.Layer("l0")
	for _, u := range l0.Units {
		k := l0.Kernel2D(u.Index, 0)
		worst := 0.0
		for row := 0; row < 15; row++ {
			for col := 0; col < 15; col++ {
				x, y := float64(col-7), float64(row-7)
				worst = math.Max(worst, math.Abs(k[row*15+col]-math.Exp(-(x*x+y*y)/18)))
			}
		}
		if worst > 1.0/36 {
			t.Errorf("%s: %.4f from the Gaussian, more than bilinear interpolation allows", u.Name, worst)
		}
		if u.EquivarianceError > 0.05 {
			t.Errorf("%s: equivariance error %.4f for a radially symmetric kernel", u.Name, u.EquivarianceError)
		}
	}
	l1 := r.Network.Layer("l1")
	u45 := l1.Units[1] // bar[a=45deg]
	if u45.EquivarianceError < 3*l0.Units[1].EquivarianceError {
		t.Errorf("%s: equivariance error %.4f: a turned bar must lose more", u45.Name, u45.EquivarianceError)
	}
	// The 45° bar, away from the corners, is the bar along the diagonal.
	k := l1.Kernel2D(u45.Index, 1) // from blob[a=45deg], the input turned alike
	for row := 0; row < 15; row++ {
		for col := 0; col < 15; col++ {
			x, y := float64(col-7), float64(row-7)
			if x*x+y*y > 49 {
				continue // turned, the corners fall outside the grid
			}
			d := (-math.Sin(math.Pi/4)*x + math.Cos(math.Pi/4)*y) // distance across the turned bar
			if want := math.Exp(-d * d / 2); math.Abs(k[row*15+col]-want) > 0.15 {
				t.Fatalf("%s at (%g, %g): %.3f, the turned bar is %.3f", u45.Name, x, y, k[row*9+col], want)
			}
		}
	}
}
