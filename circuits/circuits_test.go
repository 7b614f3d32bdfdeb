// Package circuits_test checks the bundled example circuits.
package circuits_test

import (
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/models"
)

// TestCurvesNetworkShape: curves.circ checks cleanly and declares the
// hand-built network of circuits-notes §3.3: 72 / 18 / 42 / 42 / 42 units
// with 7x7, 1x1, 3x3, 3x3 and 5x5 kernels, i.e. 78,660 weights.
func TestCurvesNetworkShape(t *testing.T) {
	prog, ds, err := check.Check(afero.NewOsFs(), "curves.circ", models.Builtin)
	if err != nil || len(ds) > 0 {
		t.Fatalf("%v %v", err, ds)
	}
	want := map[string][2]int{"conv2d0": {72, 7}, "conv2d1": {18, 1}, "conv2d2": {42, 3}, "mixed3a": {42, 3}, "mixed3b": {42, 5}}
	inputs, weights := 3, 0
	for _, l := range prog.Layers() {
		if l.Op != "conv" {
			continue
		}
		w, ok := want[l.Name]
		if !ok {
			t.Errorf("unexpected conv layer %s", l.Name)
			continue
		}
		if !l.UnitsKnown || l.Units != w[0] || l.Kernel != w[1] {
			t.Errorf("%s: %d units (known %v), %dx%d kernel; want %d units, %dx%d", l.Name, l.Units, l.UnitsKnown, l.Kernel, l.Kernel, w[0], w[1], w[1])
		}
		weights += inputs * l.Units * l.Kernel * l.Kernel
		inputs = l.Units
		delete(want, l.Name)
	}
	if len(want) > 0 {
		t.Errorf("missing layers %v", want)
	}
	if weights != 78660 {
		t.Errorf("%d convolution weights, want 78,660", weights)
	}
}

// TestHighLowMotif: highlow.circ checks cleanly; its detector family is
// eight rotations of one template unit, which takes no channel itself.
func TestHighLowMotif(t *testing.T) {
	prog, ds, err := check.Check(afero.NewOsFs(), "highlow.circ", models.Builtin)
	if err != nil || len(ds) > 0 {
		t.Fatalf("%v %v", err, ds)
	}
	var mixed3a *check.LayerInfo
	for _, l := range prog.Layers() {
		if l.Name == "mixed3a" {
			l := l
			mixed3a = &l
		}
	}
	if mixed3a == nil || mixed3a.Units != 8 || len(mixed3a.Families) != 2 || !mixed3a.Families[0].Template {
		t.Fatalf("mixed3a: %+v", mixed3a)
	}
}
