package datasets

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/afero"
)

// countingFs counts the files opened through it.
type countingFs struct {
	afero.Fs
	mu    sync.Mutex
	opens map[string]int
}

func (c *countingFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	c.mu.Lock()
	c.opens[name]++
	c.mu.Unlock()
	return c.Fs.OpenFile(name, flag, perm)
}

// TestReaderDecodesEachPhotoOnce: a photo listed 200 times is read and
// decoded once, and every listing gets the image; photos past the run's
// pixel budget are refused before they are decoded.
func TestReaderDecodesEachPhotoOnce(t *testing.T) {
	fs := &countingFs{Fs: afero.NewMemMapFs(), opens: map[string]int{}}
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 300, 200)))
	afero.WriteFile(fs.Fs, "/set/big.png", buf.Bytes(), 0o644)
	afero.WriteFile(fs.Fs, "/set/other.png", buf.Bytes(), 0o644)
	var items []Item
	for i := 0; i < 200; i++ {
		items = append(items, Item{Path: "/set/big.png"})
	}
	items = append(items, Item{Path: "/set/other.png"})
	r := NewReader(fs, items)
	var wg sync.WaitGroup
	for i := range items {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			img, err := r.Decode(items[i].Path)
			if err != nil || img.Bounds().Dx() != 300 {
				t.Errorf("listing %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	if fs.opens["/set/big.png"] != 1 || fs.opens["/set/other.png"] != 1 {
		t.Errorf("opens %v, want one each", fs.opens)
	}
	if len(r.kept) != 0 {
		t.Errorf("%d decoded images still held after their last use", len(r.kept))
	}
	// A budget of two photos' pixels: the third distinct photo is refused.
	afero.WriteFile(fs.Fs, "/set/third.png", buf.Bytes(), 0o644)
	r = NewReader(fs, []Item{{Path: "/set/big.png"}, {Path: "/set/other.png"}, {Path: "/set/third.png"}})
	r.left = 2 * 300 * 200
	for i, p := range []string{"/set/big.png", "/set/other.png", "/set/third.png"} {
		_, err := r.Decode(p)
		if (i < 2) != (err == nil) || i == 2 && !strings.Contains(err.Error(), "pixels of photos in one run") {
			t.Errorf("photo %d: %v", i, err)
		}
	}
}
