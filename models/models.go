package models

import (
	"embed"
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
