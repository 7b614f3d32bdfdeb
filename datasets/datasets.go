package datasets

import (
	"bufio"
	"fmt"
	"image"
	_ "image/jpeg" // the photos are JPEG
	_ "image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/afero"
)

// EnvDir names the environment variable that points at the folder holding
// the data sets (imagenet-sample/…).
const EnvDir = "CIRCC_DATA"

// DefaultDir is where the bundled setup keeps the data sets.
const DefaultDir = "../shared/datasets"

// Item is one labelled photo.
type Item struct {
	Label  int    // class index: the model's output order
	Synset string // WordNet id, e.g. n01440764
	Name   string // class name
	Path   string
}

// Dir returns the folder of a data set: root/name when root is given,
// else $CIRCC_DATA/name, else DefaultDir/name.
func Dir(root, name string) string {
	if root == "" {
		root = os.Getenv(EnvDir)
	}
	if root == "" {
		root = DefaultDir
	}
	return filepath.Join(root, name)
}

// ImageNetSample reads imagenet-sample's labels.tsv (index, synset, name,
// file) from dir.
func ImageNetSample(fs afero.Fs, dir string) ([]Item, error) {
	labels := filepath.Join(dir, "labels.tsv")
	f, err := fs.Open(labels)
	if err != nil {
		return nil, fmt.Errorf("the photo set is missing: %v. Put imagenet-sample there, or point --data or %s at the folder holding it", err, EnvDir)
	}
	defer f.Close()
	var items []Item
	sc := bufio.NewScanner(f)
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
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", labels, line, err)
		}
		items = append(items, Item{Label: idx, Synset: cols[1], Name: cols[2], Path: filepath.Join(dir, cols[3])})
	}
	return items, sc.Err()
}

// Decode reads an image file.
func Decode(fs afero.Fs, path string) (image.Image, error) {
	f, err := fs.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}
