package reference

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/datasets"
	"github.com/circc/circc/runtime"
)

var sharedData, _ = filepath.Abs("../../shared/datasets")

// TestAccuracyOfReference: on the 1000 imagenet-sample photos the
// unmodified InceptionV1 gives top-1 74.8 % and top-5 92.6 %, and
// SqueezeNet v1.0 what its folder's README reports an independent runner
// measured, 61.6 % and 82.5 %, to within 0.3 points (that runner used
// InceptionV1's slightly different mean values).
func TestAccuracyOfReference(t *testing.T) {
	fs := afero.NewOsFs()
	sq, err := Open(fs, "squeezenet1.0", sharedModels)
	if err != nil {
		t.Fatal(err)
	}
	items, err := datasets.ImageNetSample(fs, datasets.Dir(fs, sharedData, "imagenet-sample"))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := sq.Evaluate(fs, "intact", sq.Model, "prob_1", items, runtime.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("squeezenet1.0: top-1 %.1f %%, top-5 %.1f %%", 100*acc.Top1, 100*acc.Top5)
	if math.Abs(acc.Top1-0.616) > 0.003 || math.Abs(acc.Top5-0.825) > 0.003 {
		t.Errorf("squeezenet1.0: top-1 %.3f, top-5 %.3f; want 0.616 and 0.825 within 0.003", acc.Top1, acc.Top5)
	}
	n := open(t)
	if len(items) != 1000 {
		t.Fatalf("%d photos", len(items))
	}
	acc, err = n.Evaluate(fs, "intact", n.Model, "prob_1", items, runtime.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("top-1 %.1f %%, top-5 %.1f %% on %d photos (%s)", 100*acc.Top1, 100*acc.Top5, acc.Images, acc.Provider)
	if math.Abs(acc.Top1-0.748) > 0.0005 || math.Abs(acc.Top5-0.926) > 0.0005 {
		t.Errorf("top-1 %.3f, top-5 %.3f; want 0.748 and 0.926", acc.Top1, acc.Top5)
	}
}
