package datasets

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // the photos are JPEG
	_ "image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/afero"

	"github.com/circc/circc/internal/places"
	"github.com/circc/circc/internal/safefs"
)

// EnvDir names the environment variable that points at the folder holding
// the data sets (imagenet-sample/…).
const EnvDir = "CIRCC_DATA"

// Item is one labelled photo.
type Item struct {
	Label  int    // class index: the model's output order
	Synset string // WordNet id, e.g. n01440764
	Name   string // class name
	Path   string
}

// Dir returns the folder of a data set: the first folder named name in the
// stack of data folders (places.Dirs: the --data flag's, $CIRCC_DATA, the
// user's own, shared/datasets beside the checkout), the top's when none
// holds it.
func Dir(fsys afero.Fs, root, name string) string {
	return places.Find(fsys, root, EnvDir, "datasets", name)
}

// ImageNetSample reads imagenet-sample's labels.tsv (index, synset, name,
// file) from dir.
func ImageNetSample(fs afero.Fs, dir string) ([]Item, error) {
	labels := filepath.Join(dir, "labels.tsv")
	f, _, err := safefs.Open(fs, labels, safefs.MaxData)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("the photo set is missing: %w. Put imagenet-sample there, or point --data or %s at the folder holding it", err, EnvDir)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var items []Item
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue // header
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 4 {
			return nil, fmt.Errorf("%s:%d: %d columns, want 4", labels, line, len(cols))
		}
		idx, err := strconv.Atoi(cols[0])
		if err != nil || idx < 0 {
			return nil, fmt.Errorf("%s:%d: the class index %q is not a whole number of at least 0", labels, line, cols[0])
		}
		if p := filepath.Clean(cols[3]); filepath.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
			return nil, fmt.Errorf("%s:%d: the photo %q is outside the set's folder", labels, line, cols[3])
		}
		items = append(items, Item{Label: idx, Synset: cols[1], Name: cols[2], Path: filepath.Join(dir, cols[3])})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: a line is longer than %d bytes", labels, line+1, maxLine)
		}
		return nil, fmt.Errorf("reading %s: %w", labels, err)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("%s lists no photos", labels)
	}
	return items, nil
}

// maxLine is the longest line a label file may have.
const maxLine = 1 << 20

// MaxPixels is the largest photo Decode accepts (width × height), checked
// on the header before the pixels are decoded.
const MaxPixels = 64 << 20

// CheckLabels checks that every label is one of the model's classes.
func CheckLabels(items []Item, classes int) error {
	for _, it := range items {
		if it.Label >= classes {
			return fmt.Errorf("%s: class %d (%s), but the model has %d classes (0 to %d)", it.Path, it.Label, it.Synset, classes, classes-1)
		}
	}
	return nil
}

// MaxRunPixels is the most pixels a Reader decodes in one run, all
// photos together.
const MaxRunPixels = 1 << 32

// Reader decodes the photos of one run: each distinct file once, however
// often the set lists it, and at most MaxRunPixels pixels in all. It is
// safe for concurrent use.
type Reader struct {
	fs   afero.Fs
	mu   sync.Mutex
	left int64                    // pixels that may still be decoded
	uses map[string]int           // uses left of the files listed more than once
	kept map[string]*sharedDecode // their decoded images, while uses are left
}

type sharedDecode struct {
	once sync.Once
	img  image.Image
	err  error
}

// NewReader is a Reader for the photos of items.
func NewReader(fs afero.Fs, items []Item) *Reader {
	r := &Reader{fs: fs, left: MaxRunPixels, uses: map[string]int{}, kept: map[string]*sharedDecode{}}
	for _, it := range items {
		r.uses[it.Path]++
	}
	for p, n := range r.uses {
		if n < 2 {
			delete(r.uses, p)
		}
	}
	return r
}

// Decode decodes the photo at path (see Decode), or hands back the image
// already decoded for an earlier listing of the same file.
func (r *Reader) Decode(path string) (image.Image, error) {
	r.mu.Lock()
	if r.uses[path] == 0 {
		r.mu.Unlock()
		return r.decode(path)
	}
	k := r.kept[path]
	if k == nil {
		k = &sharedDecode{}
		r.kept[path] = k
	}
	if r.uses[path]--; r.uses[path] == 0 {
		delete(r.kept, path) // the last use: nothing holds it after this
	}
	r.mu.Unlock()
	k.once.Do(func() { k.img, k.err = r.decode(path) })
	return k.img, k.err
}

func (r *Reader) decode(path string) (image.Image, error) {
	return decode(r.fs, path, func(pixels int64) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if pixels > r.left {
			return fmt.Errorf("%s: decoding it would pass the limit of %d pixels of photos in one run", path, int64(MaxRunPixels))
		}
		r.left -= pixels
		return nil
	})
}

// Decode reads an image file: a regular file, whose header declares at
// most MaxPixels pixels.
func Decode(fs afero.Fs, path string) (image.Image, error) {
	return decode(fs, path, nil)
}

// decode is Decode, with charge told the pixels before they are decoded.
func decode(fs afero.Fs, path string, charge func(pixels int64) error) (image.Image, error) {
	data, err := safefs.ReadFile(fs, path, safefs.MaxData)
	if err != nil {
		return nil, err
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("%s: a %dx%d image; circc reads photos of at most %d pixels", path, cfg.Width, cfg.Height, MaxPixels)
	}
	if charge != nil {
		if err := charge(int64(cfg.Width) * int64(cfg.Height)); err != nil {
			return nil, err
		}
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}
