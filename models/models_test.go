package models

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// sharedModels is where tests and CI find the reference models.
var sharedModels, _ = filepath.Abs("../../shared/models")

func TestManifests(t *testing.T) {
	m, ok := Lookup("inceptionv1")
	if !ok || len(Names()) == 0 {
		t.Fatal("inceptionv1 is not registered")
	}
	for _, name := range []string{"mixed3b", "inception_3b/output_1", "inception_3b/output"} {
		if l, ok := m.Layer(name); !ok || l.Channels != 480 {
			t.Errorf("Layer(%q) = %+v, %v", name, l, ok)
		}
	}
	l, _ := m.Layer("mixed3b")
	covered := 0
	for _, b := range l.Branches {
		covered += b.To - b.From
	}
	if covered != l.Channels || l.Branches[2].From != 320 || l.Branches[2].To != 416 {
		t.Errorf("mixed3b branches %+v", l.Branches)
	}
}

// TestManifestMatchesModelFile reads each registered model: its sha256 is
// the pinned one, every tensor of the layer map is named in the file, and
// the branches of a concatenation cover its channels.
func TestManifestMatchesModelFile(t *testing.T) {
	t.Setenv(EnvDir, sharedModels)
	if len(Names()) < 2 {
		t.Fatalf("registered: %v", Names())
	}
	for _, name := range Names() {
		m, _ := Lookup(name)
		p, data, err := m.Load(afero.NewOsFs(), "")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range m.Layers {
			if !bytes.Contains(data, []byte(l.Tensor)) {
				t.Errorf("%s: tensor %s (%s) is not in %s", name, l.Tensor, l.Name, p)
			}
			if len(l.Branches) > 0 && (l.Branches[0].From != 0 || l.Branches[len(l.Branches)-1].To != l.Channels) {
				t.Errorf("%s: the branches of %s do not cover its %d channels", name, l.Name, l.Channels)
			}
		}
		if !bytes.Contains(data, []byte(m.Input.Name)) {
			t.Errorf("%s: input %s not in the model", name, m.Input.Name)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	m, _ := Lookup("inceptionv1")
	fs := afero.NewMemMapFs()
	t.Setenv(EnvDir, "/models")
	_, _, err := m.Load(fs, "")
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "/models/inceptionv1/model.onnx") || !strings.Contains(err.Error(), EnvDir) {
		t.Errorf("missing model: %v", err)
	}
	afero.WriteFile(fs, "/models/inceptionv1/model.onnx", []byte("not a model"), 0o644)
	_, _, err = m.Load(fs, "")
	if !errors.Is(err, ErrAltered) || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("altered model: %v", err)
	}
	fs.Remove("/models/inceptionv1/model.onnx")
	fs.MkdirAll("/models/inceptionv1/model.onnx", 0o755)
	if _, _, err = m.Load(fs, ""); err == nil || errors.Is(err, ErrAltered) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a folder for a model: %v", err)
	}
}

// swappingFs serves the genuine model on the first open and an altered one
// on every later open: a loader that checks one read and uses another gets
// caught.
type swappingFs struct {
	afero.Fs
	opens   int
	altered []byte
}

func (s *swappingFs) Open(name string) (afero.File, error) {
	return s.OpenFile(name, os.O_RDONLY, 0)
}

func (s *swappingFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	s.opens++
	if s.opens > 1 {
		afero.WriteFile(s.Fs, name, s.altered, 0o644)
	}
	return s.Fs.OpenFile(name, flag, perm)
}

// TestLoadUsesTheBytesItChecked: the model is swapped after the first open
// and, on the real file system, by another goroutine while Load runs; every
// successful Load returns bytes with the pinned sha256.
func TestLoadUsesTheBytesItChecked(t *testing.T) {
	m, _ := Lookup("inceptionv1")
	genuine, err := os.ReadFile(filepath.Join(sharedModels, "inceptionv1", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	altered := bytes.Clone(genuine)
	altered[len(altered)/2] ^= 1
	pinned := func(data []byte) bool {
		sum := sha256.Sum256(data)
		return hex.EncodeToString(sum[:]) == m.SHA256
	}

	mem := afero.NewMemMapFs()
	afero.WriteFile(mem, "/m/inceptionv1/model.onnx", genuine, 0o644)
	sw := &swappingFs{Fs: mem, altered: altered}
	if _, data, err := m.Load(sw, "/m"); err != nil || !pinned(data) || sw.opens != 1 {
		t.Fatalf("Load after a swap: err %v, pinned %v, %d opens", err, err == nil && pinned(data), sw.opens)
	}

	dir := t.TempDir()
	model := filepath.Join(dir, "inceptionv1", "model.onnx")
	os.MkdirAll(filepath.Dir(model), 0o755)
	for name, data := range map[string][]byte{"genuine": genuine, "altered": altered} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Link(filepath.Join(dir, "genuine"), model)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			src := []string{"genuine", "altered"}[i%2]
			tmp := model + ".swap"
			os.Link(filepath.Join(dir, src), tmp)
			os.Rename(tmp, model)
		}
	}()
	var ok, refused int
	for i := 0; i < 30; i++ {
		_, data, err := m.Load(afero.NewOsFs(), dir)
		switch {
		case err == nil && !pinned(data):
			t.Fatalf("run %d: Load returned bytes that are not the pinned model", i)
		case err == nil:
			ok++
		case errors.Is(err, ErrAltered):
			refused++
		default:
			t.Fatalf("run %d: %v", i, err)
		}
	}
	close(stop)
	<-done
	t.Logf("%d loads of the genuine model, %d of the altered one refused", ok, refused)
}
