package vis

import (
	"math"
	"math/rand"
	"testing"

	"github.com/circc/circc/stimuli"
	"github.com/circc/circc/weights"
)

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func normals(n int, rng *rand.Rand) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

// TestAdjoints: for the spectrum (odd and even sizes) and the warp,
// ⟨A·p, d⟩ = ⟨p, Aᵀ·d⟩ for random p and d; the colour map's adjoint
// matches its finite differences.
func TestAdjoints(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, n := range [][2]int{{16, 16}, {15, 12}, {9, 7}} {
		s := newSpectrum(n[0], n[1])
		p, d := normals(s.params(), rng), normals(n[0]*n[1], rng)
		lhs, rhs := dot(s.image(p), d), dot(p, s.adjoint(d))
		if math.Abs(lhs-rhs) > 1e-9*math.Abs(lhs) {
			t.Errorf("spectrum %v: ⟨Ap, d⟩ %.12g, ⟨p, Aᵀd⟩ %.12g", n, lhs, rhs)
		}
	}
	const n = 20
	for _, w := range []warp{newWarp(n, 1, 0, [2]float64{}), newWarp(n, 1.08, 0.14, [2]float64{2.5, -3.5}), randomWarp(n, rng)} {
		img, d := normals(3*n*n, rng), normals(3*n*n, rng)
		zero := w.apply(make([]float64, 3*n*n), n)
		lin := w.apply(img, n)
		for i := range lin {
			lin[i] -= zero[i] // the grey border is constant
		}
		lhs, rhs := dot(lin, d), dot(img, w.adjoint(d, n))
		if math.Abs(lhs-rhs) > 1e-9*math.Abs(lhs) {
			t.Errorf("warp %+v: %.12g against %.12g", w, lhs, rhs)
		}
	}
	var ch [3][]float64
	for c := range ch {
		ch[c] = normals(10, rng)
	}
	_, slope := rgb(ch)
	d := normals(30, rng)
	back := rgbAdjoint(d, slope)
	for c := 0; c < 3; c++ {
		for k := 0; k < 10; k++ {
			const eps = 1e-6
			ch[c][k] += eps
			plus, _ := rgb(ch)
			ch[c][k] -= 2 * eps
			minus, _ := rgb(ch)
			ch[c][k] += eps
			fd := (dot(plus, d) - dot(minus, d)) / (2 * eps)
			if math.Abs(fd-back[c][k]) > 1e-6 {
				t.Fatalf("colour adjoint at (%d, %d): %g, differences %g", c, k, back[c][k], fd)
			}
		}
	}
}

// TestIdentityWarpKeepsTheImage: without transforms the network sees the
// image itself.
func TestIdentityWarpKeepsTheImage(t *testing.T) {
	const n = 12
	img := normals(3*n*n, rand.New(rand.NewSource(3)))
	out := newWarp(n, 1, 0, [2]float64{}).apply(img, n)
	for i := range img {
		if math.Abs(out[i]-img[i]) > 1e-12 {
			t.Fatalf("pixel %d: %g, was %g", i, out[i], img[i])
		}
	}
}

// TestRotateTurnsStimuli: a curve turned by 30° is the curve of the
// orientation 30° further, up to resampling and the grey the corners take
// (correlation at least 0.6), and not the one 30° the other way.
func TestRotateTurnsStimuli(t *testing.T) {
	for _, o := range []float64{0, 45, 200} {
		turned := Rotate(stimuli.Curve(96, o, 30, 3, 1), 30)
		want, wrong := stimuli.Curve(96, o+30, 30, 3, 1), stimuli.Curve(96, o-30, 30, 3, 1)
		corr := func(a, b *stimuli.Image) float64 {
			var x, y []float64
			for i := range a.Pix {
				x, y = append(x, float64(a.Pix[i])), append(y, float64(b.Pix[i]))
			}
			return weights.Pearson(x, y)
		}
		if c, w := corr(turned, want), corr(turned, wrong); c < 0.6 || w > c-0.3 {
			t.Errorf("orientation %g turned 30°: r %.2f with %g°, %.2f with %g°", o, c, o+30, w, o-30)
		}
	}
}
