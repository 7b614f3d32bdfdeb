package datasets

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/afero"
)

// TestImageNetSample reads the real photo set: one photo per class, in
// label order, each decodable.
func TestImageNetSample(t *testing.T) {
	fs := afero.NewOsFs()
	items, err := ImageNetSample(fs, Dir(fs, "../../shared/datasets", "imagenet-sample"))
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
	// The variable's folder is the top of the stack: it holds the set
	// (here, in memory), or the shipped one below it stands in.
	t.Setenv(EnvDir, "/data")
	fs.MkdirAll("/data/imagenet-sample", 0o755)
	if d := Dir(fs, "", "imagenet-sample"); d != "/data/imagenet-sample" {
		t.Errorf("Dir with %s: %s", EnvDir, d)
	}
	fs.RemoveAll("/data")
	shipped, _ := filepath.Abs("../../shared/datasets/imagenet-sample")
	if d := Dir(afero.NewOsFs(), "", "imagenet-sample"); d != shipped {
		t.Errorf("Dir with %s not holding the set: %s, want the shipped %s", EnvDir, d, shipped)
	}
}

// pngHeader is a PNG whose header declares w×h pixels and that holds none:
// enough for DecodeConfig, and a trap for a decoder that trusts it.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := append([]byte("IHDR"), ihdr...)
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// TestHostilePhotosAndLabels: untrusted photos and label files are errors
// that name the file, never a hang or an exhausted memory.
func TestHostilePhotosAndLabels(t *testing.T) {
	dir := t.TempDir()
	fs := afero.NewOsFs()
	os.WriteFile(filepath.Join(dir, "huge.png"), pngHeader(45000, 45000), 0o644)
	syscall.Mkfifo(filepath.Join(dir, "fifo.jpg"), 0o644)
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "huge.png"), "a 45000x45000 image; circc reads photos of at most 67108864 pixels"},
		{filepath.Join(dir, "fifo.jpg"), "not a regular file (a named pipe)"},
		{"/dev/zero", "not a regular file (a device)"},
	} {
		if _, err := Decode(fs, tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.path, err, tc.want)
		}
	}
	labels := filepath.Join(dir, "labels.tsv")
	for _, tc := range []struct{ text, want string }{
		{"index\tsynset\tname\tfile\n", "lists no photos"},
		{"", "lists no photos"},
		{"index\tsynset\tname\tfile\n0\tn1\ta\t" + strings.Repeat("x", 2<<20) + "\n", labels + ":2: a line is longer than 1048576 bytes"},
		{"index\tsynset\tname\tfile\n-3\tn1\ta\ta.jpg\n", "the class index \"-3\" is not a whole number"},
		{"index\tsynset\tname\tfile\n0\tn1\ta\t../../etc/passwd\n", "outside the set's folder"},
		{"index\tsynset\tname\tfile\n0\tn1\ta\t/etc/passwd\n", "outside the set's folder"},
	} {
		os.WriteFile(labels, []byte(tc.text), 0o644)
		if _, err := ImageNetSample(fs, dir); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.40q: %v, want %q", tc.text, err, tc.want)
		}
	}
	items := []Item{{Label: 0, Path: "a.jpg"}, {Label: 1000, Synset: "n9", Path: "b.jpg"}}
	if err := CheckLabels(items, 1000); err == nil || !strings.Contains(err.Error(), "b.jpg: class 1000 (n9), but the model has 1000 classes (0 to 999)") {
		t.Errorf("label outside the classes: %v", err)
	}
	if err := CheckLabels(items[:1], 1000); err != nil {
		t.Error(err)
	}
}
