package onnx

import "testing"

// TestOpTableConsistent: a row's rules fit together. An op that
// linearises, differentiates or makes a probe map has a shape rule (every
// analysis infers shapes first), and a window op has a window's shape.
func TestOpTableConsistent(t *testing.T) {
	for name, op := range Ops {
		if (op.Linear != LinearUnknown || op.Grad != GradNone || op.Probe == ProbeMap) && op.shape == nil && op.shapes == nil {
			t.Errorf("%s: rules without a shape rule", name)
		}
		if (op.Field == FieldWindow) != (op.Linear == LinearConv || op.Linear == LinearPool) {
			t.Errorf("%s: a window field goes with a conv or pool linearisation", name)
		}
		if op.ReadAfter && op.Probe != ProbeMap {
			t.Errorf("%s: read after its activation, but not a probe map", name)
		}
	}
	if _, ok := Op("NoSuchOp"); ok {
		t.Error("an unknown op was found")
	}
}
