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
// unmodified model gives top-1 74.8 % and top-5 92.6 %.
func TestAccuracyOfReference(t *testing.T) {
	n := open(t)
	fs := afero.NewOsFs()
	items, err := datasets.ImageNetSample(fs, datasets.Dir(sharedData, "imagenet-sample"))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1000 {
		t.Fatalf("%d photos", len(items))
	}
	acc, err := n.Evaluate(fs, "intact", n.Model, "prob_1", items, runtime.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("top-1 %.1f %%, top-5 %.1f %% on %d photos (%s)", 100*acc.Top1, 100*acc.Top5, acc.Images, acc.Provider)
	if math.Abs(acc.Top1-0.748) > 0.0005 || math.Abs(acc.Top5-0.926) > 0.0005 {
		t.Errorf("top-1 %.3f, top-5 %.3f; want 0.748 and 0.926", acc.Top1, acc.Top5)
	}
}
