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

// Dir returns the folder of a data set, ROOT/name, where ROOT is the
// --data flag's folder when given, else $CIRCC_DATA, else shared/datasets
// beside the circc checkout the working directory is in, else
// $CIRCC_HOME/datasets (see package places).
func Dir(root, name string) string {
	return filepath.Join(places.Dir(root, EnvDir, "datasets"), name)
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

// Decode reads an image file: a regular file, whose header declares at
// most MaxPixels pixels.
func Decode(fs afero.Fs, path string) (image.Image, error) {
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
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}
