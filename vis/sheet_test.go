package vis

import (
	"strings"
	"testing"

	"github.com/circc/circc/stimuli"
)

// TestSheetLabelsWhole: a label wider than its image wraps, whole, at a
// '.', ':' or '/' where it can, and the sheet grows to hold the lines.
func TestSheetLabelsWhole(t *testing.T) {
	for _, c := range []struct {
		label string
		n     int
		want  string
	}{
		{"mixed3b:379", 9, "mixed3b:|379"},
		{"inceptionv1.mixed3b:379", 12, "inceptionv1.|mixed3b:379"},
		{"abcdefghij", 4, "abcd|efgh|ij"},
		{"short", 9, "short"},
	} {
		got := wrapLabel(c.label, c.n)
		if strings.Join(got, "|") != c.want {
			t.Errorf("wrapLabel(%q, %d) = %q, want %q", c.label, c.n, got, c.want)
		}
	}
	im := stimuli.NewImage(64, 64, 0.5)
	one := Sheet([]*stimuli.Image{im}, []string{"a:1"}, 6)
	long := "inceptionv1.mixed3b:379"
	lines := len(wrapLabel(long, 64/7))
	more := Sheet([]*stimuli.Image{im}, []string{long}, 6)
	if d := more.Bounds().Dy() - one.Bounds().Dy(); lines < 2 || d != (lines-1)*14 {
		t.Errorf("a %d-line label adds %d pixels, want %d", lines, d, (lines-1)*14)
	}
}
