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
	// Another run, one thread instead of many: the outputs agree with the
	// first run's to float32 rounding, as two devices must.
	one, err := open(t).TestGolden(afero.NewOsFs(), runtime.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	agree, err := Agreement(res, one)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range agree {
		if r.RelL2 > 1e-6 || r.Values == 0 {
			t.Errorf("%s %s: one thread against many: relative difference %.3g over %d values", r.Set, r.Tensor, r.RelL2, r.Values)
		}
	}
	t.Logf("one thread against many: worst relative difference %.2g", WorstRelL2(agree))
	if _, err := Agreement(res, one[1:]); err == nil {
		t.Error("runs of different lengths were compared")
	}
}

// TestAgreementArithmetic: Agreement measures b against a.
func TestAgreementArithmetic(t *testing.T) {
	a := []GoldenResult{{Set: "s", Tensor: "t", got: []float32{3, 4}}}
	b := []GoldenResult{{Set: "s", Tensor: "t", got: []float32{3, 4.5}}}
	r, err := Agreement(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if r[0].RelL2 != 0.1 || r[0].MaxAbs != 0.5 || r[0].Values != 2 || WorstRelL2(r) != 0.1 {
		t.Errorf("got %+v", r[0])
	}
	b[0].Tensor = "u"
	if _, err := Agreement(a, b); err == nil {
		t.Error("different tensors were compared")
	}
}
