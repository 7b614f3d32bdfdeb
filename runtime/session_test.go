package runtime_test

import (
	"testing"

	"github.com/spf13/afero"
	"gorgonia.org/tensor"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/runtime"
)

// TestRunDenseSharesMemory runs a compiled circuit on a gorgonia tensor;
// onnxruntime writes the activations straight into gorgonia's arrays.
func TestRunDenseSharesMemory(t *testing.T) {
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "c.circ", []byte(`circuit c

input image(c in ["y"]) size 4x4 range 0 .. 1

layer l0 = conv 3x3 pad same

unit sum at l0 {
  from image(_) weight kernel 3x3 (x, y) => 1
  bias 0.5
}
`), 0o644)
	r, err := compiler.Compile(fs, "c.circ", compiler.Options{})
	if err != nil || len(r.Diags) > 0 {
		t.Fatal(err, r.Diags)
	}
	s, err := runtime.NewSessionFromBytes(r.ONNX, "image", []string{"l0"}, runtime.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Provider != runtime.CPU {
		t.Errorf("provider %s", s.Provider)
	}
	in := tensor.New(tensor.WithShape(1, 1, 4, 4), tensor.WithBacking(make([]float32, 16)))
	for i := range in.Data().([]float32) {
		in.Data().([]float32)[i] = 1
	}
	backing := make([]float32, 16)
	out := tensor.New(tensor.WithShape(1, 1, 4, 4), tensor.WithBacking(backing))
	if err := s.RunDense(in, []*tensor.Dense{out}); err != nil {
		t.Fatal(err)
	}
	// A corner sees 4 ones, an edge 6, the middle 9; plus the bias.
	want := []float32{4.5, 6.5, 6.5, 4.5, 6.5, 9.5, 9.5, 6.5, 6.5, 9.5, 9.5, 6.5, 4.5, 6.5, 6.5, 4.5}
	for i := range want {
		if backing[i] != want[i] {
			t.Fatalf("activation %v, want %v", backing, want)
		}
	}
}
