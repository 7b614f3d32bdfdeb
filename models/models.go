package models

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/afero"

	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed manifests/*.json
var manifests embed.FS

// Manifest describes one reference model: where its file is, how to feed it,
// and the names of its layers.
type Manifest struct {
	Name       string  `json:"name"`
	Title      string  `json:"title"`
	DefaultDir string  `json:"default_dir"`
	File       string  `json:"file"`
	SHA256     string  `json:"sha256"`
	Input      Input   `json:"input"`
	Layers     []Layer `json:"layers"`
}

// Input is the model's input tensor and its preprocessing.
type Input struct {
	Name     string    `json:"name"`
	Channels []string  `json:"channels"`
	Size     [2]int    `json:"size"`
	Scale    float64   `json:"scale"`
	Mean     []float64 `json:"mean"`
}

// Layer is one addressable activation: a Lucid-style name and the model's
// own tensor name, with its channel count and, for concatenated blocks, the
// channel range of each branch.
type Layer struct {
	Name     string   `json:"name"`
	Tensor   string   `json:"tensor"`
	Channels int      `json:"channels"`
	Branches []Branch `json:"branches,omitempty"`
}

// Branch is the channel range [From, To) one branch contributes to a block.
type Branch struct {
	Name string `json:"name"`
	From int    `json:"from"`
	To   int    `json:"to"`
}

var registry = load()

func load() map[string]*Manifest {
	out := map[string]*Manifest{}
	entries, err := fs.ReadDir(manifests, "manifests")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := manifests.ReadFile("manifests/" + e.Name())
		if err != nil {
			panic(err)
		}
		m := &Manifest{}
		if err := json.Unmarshal(b, m); err != nil {
			panic(fmt.Sprintf("models: %s: %v", e.Name(), err)) // embedded data, checked by tests
		}
		out[m.Name] = m
	}
	return out
}

// Lookup returns the manifest of the named reference model.
func Lookup(name string) (*Manifest, bool) {
	m, ok := registry[name]
	return m, ok
}

// Names lists the registered models in sorted order.
func Names() []string {
	var out []string
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Layer finds a layer by its Lucid name or by the model's tensor name.
func (m *Manifest) Layer(name string) (*Layer, bool) {
	for i := range m.Layers {
		l := &m.Layers[i]
		if l.Name == name || l.Tensor == name || strings.TrimSuffix(l.Tensor, "_1") == name {
			return l, true
		}
	}
	return nil, false
}

// LayerNames lists every name a layer can be addressed by.
func (m *Manifest) LayerNames() []string {
	var out []string
	for _, l := range m.Layers {
		out = append(out, l.Name, l.Tensor)
	}
	return out
}

// EnvDir names the environment variable that points at the folder holding
// the reference models, one sub-folder per model (inceptionv1/model.onnx…).
const EnvDir = "CIRCC_MODELS"

// Dir returns the model's folder: root/NAME when root is given (the
// --models flag), else $CIRCC_MODELS/NAME when the variable is set, else
// the manifest's default folder (relative to the working directory, i.e.
// the repository root for the bundled setup).
func (m *Manifest) Dir(root string) string {
	if root == "" {
		root = os.Getenv(EnvDir)
	}
	if root != "" {
		return filepath.Join(root, m.Name)
	}
	return m.DefaultDir
}

// Locate returns the path of the model's file in Dir(root), after checking
// its sha256 against the manifest's pin.
func (m *Manifest) Locate(fsys afero.Fs, root string) (string, error) {
	dir := m.Dir(root)
	p := filepath.Join(dir, m.File)
	f, err := fsys.Open(p)
	if err != nil {
		return "", fmt.Errorf("reference model %s not found: expected %s (%s). "+
			"Put the model folder there, or point --models or %s at the folder that holds %s/", m.Name, p, m.Title, EnvDir, m.Name)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", p, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != m.SHA256 {
		return "", fmt.Errorf("%s is not the expected %s: its sha256 is %s, want %s (a different or altered file)", p, m.Name, got, m.SHA256)
	}
	return p, nil
}
