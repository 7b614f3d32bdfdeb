package models

import (
	"bytes"
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

// TestManifestMatchesModelFile reads the real model: its sha256 is the
// pinned one, and every tensor of the layer map is named in the file.
func TestManifestMatchesModelFile(t *testing.T) {
	t.Setenv(EnvDir, sharedModels)
	m, _ := Lookup("inceptionv1")
	p, err := m.Locate(afero.NewOsFs(), "")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range m.Layers {
		if !bytes.Contains(data, []byte(l.Tensor)) {
			t.Errorf("tensor %s (%s) is not in %s", l.Tensor, l.Name, p)
		}
	}
	if !bytes.Contains(data, []byte(m.Input.Name)) {
		t.Errorf("input %s not in the model", m.Input.Name)
	}
}

func TestLocateErrors(t *testing.T) {
	m, _ := Lookup("inceptionv1")
	fs := afero.NewMemMapFs()
	t.Setenv(EnvDir, "/models")
	_, err := m.Locate(fs, "")
	if err == nil || !strings.Contains(err.Error(), "/models/inceptionv1/model.onnx") || !strings.Contains(err.Error(), EnvDir) {
		t.Errorf("missing model: %v", err)
	}
	afero.WriteFile(fs, "/models/inceptionv1/model.onnx", []byte("not a model"), 0o644)
	_, err = m.Locate(fs, "")
	if err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("altered model: %v", err)
	}
}
