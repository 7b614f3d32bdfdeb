package datasets

import (
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// TestImageNetSample reads the real photo set: one photo per class, in
// label order, each decodable.
func TestImageNetSample(t *testing.T) {
	fs := afero.NewOsFs()
	items, err := ImageNetSample(fs, Dir("../../shared/datasets", "imagenet-sample"))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1000 {
		t.Fatalf("%d photos, want 1000", len(items))
	}
	for i, it := range items {
		if it.Label != i || it.Synset == "" || it.Name == "" {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	if items[0].Synset != "n01440764" || items[0].Name != "tench" {
		t.Errorf("first item %+v", items[0])
	}
	for _, i := range []int{0, 499, 999} {
		img, err := Decode(fs, items[i].Path)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() < 32 || b.Dy() < 32 {
			t.Errorf("%s: %v", items[i].Path, b)
		}
	}
}

// TestImageNetSampleProblems: a missing set says what to do; a broken
// labels file names its line.
func TestImageNetSampleProblems(t *testing.T) {
	fs := afero.NewMemMapFs()
	_, err := ImageNetSample(fs, "nowhere/imagenet-sample")
	if err == nil || !strings.Contains(err.Error(), "point --data or CIRCC_DATA at the folder") {
		t.Errorf("missing set: %v", err)
	}
	afero.WriteFile(fs, "set/labels.tsv", []byte("index\tsynset\tname\tfile\n0\tn1\ta\ta.jpg\nx\tn2\tb\tb.jpg\n"), 0o644)
	if _, err := ImageNetSample(fs, "set"); err == nil || !strings.HasPrefix(err.Error(), "set/labels.tsv:3: ") {
		t.Errorf("bad index: %v", err)
	}
	afero.WriteFile(fs, "set/labels.tsv", []byte("index\tsynset\tname\tfile\n0\tn1\ta\n"), 0o644)
	if _, err := ImageNetSample(fs, "set"); err == nil || err.Error() != "set/labels.tsv:2: 3 columns, want 4" {
		t.Errorf("short line: %v", err)
	}
	t.Setenv(EnvDir, "/data")
	if d := Dir("", "imagenet-sample"); d != "/data/imagenet-sample" {
		t.Errorf("Dir with %s: %s", EnvDir, d)
	}
}
