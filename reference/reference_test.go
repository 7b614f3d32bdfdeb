package reference

import (
	"path/filepath"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/runtime"
)

var sharedModels, _ = filepath.Abs("../../shared/models")

func open(t testing.TB) *Net {
	t.Helper()
	n, err := Open(afero.NewOsFs(), "inceptionv1", sharedModels)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGoldenActivations: the reference model reproduces the model zoo's
// output and Caffe's own activations at ten depths to about 1e-6.
func TestGoldenActivations(t *testing.T) {
	res, err := open(t).TestGolden(afero.NewOsFs(), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 11 {
		t.Fatalf("%d comparisons, want 11 (1 zoo output + 10 Caffe tensors)", len(res))
	}
	for _, r := range res {
		t.Logf("%-16s %-24s rel L2 %.2g  max abs %.2g", r.Set, r.Tensor, r.RelL2, r.MaxAbs)
		if r.RelL2 > 1e-5 {
			t.Errorf("%s %s: relative error %.3g", r.Set, r.Tensor, r.RelL2)
		}
	}
}
