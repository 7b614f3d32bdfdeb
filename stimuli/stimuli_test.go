package stimuli

import (
	"math"
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
