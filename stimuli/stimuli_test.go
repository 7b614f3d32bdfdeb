package stimuli

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"testing"
)

func TestCurveGeometry(t *testing.T) {
	// A curve of orientation 0deg and radius 60 through the centre: dark at
	// the centre, its circle's centre 60 px to the left, so the stroke
	// passes 60 px left of the centre above and below it.
	im := Curve(224, 0, 60, 2, 1)
	if v := im.At(0, 112, 112); v > 0.05 {
		t.Errorf("centre %g, want dark", v)
	}
	if v := im.At(0, 52, 52); v > 0.05 { // (112-60, 112-60) lies on the circle
		t.Errorf("(52,52) %g, want dark", v)
	}
	if v := im.At(0, 150, 112); v < 0.99 {
		t.Errorf("(150,112) %g, want light", v)
	}
	// Anti-aliased: some pixels are partly covered.
	partial := 0
	for _, v := range im.Pix {
		if v > 0.05 && v < 0.95 {
			partial++
		}
	}
	if partial == 0 {
		t.Error("no partly covered pixels: not anti-aliased")
	}
	// Deterministic.
	again := Curve(224, 0, 60, 2, 1)
	for i := range im.Pix {
		if im.Pix[i] != again.Pix[i] {
			t.Fatal("two renderings differ")
		}
	}
}

func TestRotationMovesTheStroke(t *testing.T) {
	// At 90deg the circle's centre is 60 px above the image centre.
	im := Curve(224, 90, 60, 2, 1)
	if v := im.At(0, 112+60, 112-60); v > 0.05 {
		t.Errorf("(172,52) %g, want dark", v)
	}
	// Straight lines are even under a half turn.
	a, b := Curve(64, 30, math.Inf(1), 2, 1), Curve(64, 210, math.Inf(1), 2, 1)
	for i := range a.Pix {
		if math.Abs(float64(a.Pix[i]-b.Pix[i])) > 1e-6 {
			t.Fatal("a line and its half turn differ")
		}
	}
}

func TestSets(t *testing.T) {
	for _, name := range Names() {
		s, err := Lookup(name, 64)
		if err != nil {
			t.Fatal(err)
		}
		if s.Len() < 12 {
			t.Errorf("%s has %d stimuli", name, s.Len())
		}
		im := s.Render(s.Len() - 1)
		lo, hi := float32(1), float32(0)
		for _, v := range im.Pix {
			lo, hi = min(lo, v), max(hi, v)
		}
		if hi-lo < 0.3 {
			t.Errorf("%s: last stimulus has contrast %g", name, hi-lo)
		}
	}
	s, _ := Lookup("curves", 224)
	if s.Len() != 360*len(CurveRadii) {
		t.Errorf("curves: %d", s.Len())
	}
	p := s.Params(3*len(CurveRadii) + 1)
	if p["orientation"] != 3 || p["radius"] != CurveRadii[1] {
		t.Errorf("params %v", p)
	}
	if _, err := Lookup("spirals", 64); err == nil {
		t.Error("unknown set accepted")
	}
}

func TestVariants(t *testing.T) {
	plain := StyledCurve(224, 0, 60, DefaultStyle)
	ref := Curve(224, 0, 60, StrokeWidth, 1)
	for i := range plain.Pix {
		if plain.Pix[i] != ref.Pix[i] {
			t.Fatal("the default style differs from Curve")
		}
	}
	short := StyledCurve(224, 0, 60, Variants[2].Style)
	if short.At(0, 112, 112) > 0.05 || short.At(0, 52, 52) < 0.95 {
		t.Errorf("a 60deg arc: centre %g (want dark), 90deg round the circle %g (want light)", short.At(0, 112, 112), short.At(0, 52, 52))
	}
	filled := StyledCurve(224, 0, 60, Variants[4].Style)
	if filled.At(0, 60, 112) > 0.05 || filled.At(0, 150, 112) < 0.95 {
		t.Error("the filled variant is not filled inside the circle only")
	}
	colour := StyledCurve(224, 0, 60, Variants[5].Style)
	if colour.At(0, 112, 112) < 0.8 || colour.At(2, 150, 112) < 0.79 {
		t.Error("the colour variant lacks its colours")
	}
}

func TestRotate(t *testing.T) {
	im := Curve(64, 0, math.Inf(1), 2, 1) // a vertical line (normal along x)
	r := Rotate(im, 90)                   // becomes horizontal
	want := Curve(64, 90, math.Inf(1), 2, 1)
	diff := 0.0
	for i := range r.Pix {
		diff = math.Max(diff, math.Abs(float64(r.Pix[i]-want.Pix[i])))
	}
	if diff > 1e-5 {
		t.Errorf("a quarter turn of a line differs from the turned line by %g", diff)
	}
	if same := Rotate(im, 0); same.Pix[100] != im.Pix[100] {
		t.Error("rotation by 0 changed the image")
	}
}

// TestOrientationConvention: what circc stimuli --list promises. An edge
// is dark on the side its orientation points to: at 180deg, dark on the
// left and light on the right; at 90deg, dark below. A curve's circle lies
// behind its orientation: at 0deg the arc bends away to the left.
func TestOrientationConvention(t *testing.T) {
	const n = 64
	grey := func(im *Image, x, y int) float32 { return im.At(0, x, y) }
	e := Edge(n, 180, 0)
	if !(grey(e, 4, n/2) < 0.3 && grey(e, n-5, n/2) > 0.7) {
		t.Errorf("edge 180°: left %.2f, right %.2f; want dark left, light right", grey(e, 4, n/2), grey(e, n-5, n/2))
	}
	e = Edge(n, 90, 0)
	if !(grey(e, n/2, n-5) < 0.3 && grey(e, n/2, 4) > 0.7) {
		t.Errorf("edge 90°: bottom %.2f, top %.2f; want dark below", grey(e, n/2, n-5), grey(e, n/2, 4))
	}
	c := Curve(n, 0, 20, 2, 1)
	// The arc passes through the centre; above and below it, it has bent
	// towards the circle's centre, to the left of the middle column.
	darkest := func(y int) int {
		best, at := float32(2), -1
		for x := 0; x < n; x++ {
			if v := grey(c, x, y); v < best {
				best, at = v, x
			}
		}
		return at
	}
	if x := darkest(n/2 - 15); x >= n/2-2 {
		t.Errorf("curve 0°: the arc 15 px above the centre is at x = %d; it must bend left", x)
	}
}

// TestSpecListsEverySet: spec.md's table of stimulus sets names every set
// with its size at 224 px, and no other.
func TestSpecListsEverySet(t *testing.T) {
	spec, err := os.ReadFile("../spec.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `([a-z]+)` \\| (\\d+) \\|").FindAllStringSubmatch(string(spec), -1)
	listed := map[string]string{}
	for _, r := range rows {
		listed[r[1]] = r[2]
	}
	for _, n := range Names() {
		set, _ := Lookup(n, 224)
		if listed[n] != fmt.Sprint(set.Len()) {
			t.Errorf("spec.md lists %s with %q stimuli, the set has %d", n, listed[n], set.Len())
		}
		delete(listed, n)
	}
	for n := range listed {
		t.Errorf("spec.md lists a stimulus set %s that does not exist", n)
	}
}
