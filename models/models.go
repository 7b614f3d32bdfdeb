package models

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/afero"

	"github.com/circc/circc/internal/places"
	"github.com/circc/circc/internal/safefs"
)

//go:embed manifests/*.json
var manifests embed.FS

// Manifest describes one reference model: where its file is, how to feed it,
// and the names of its layers.
type Manifest struct {
	Name   string  `json:"name"`
	Title  string  `json:"title"`
	File   string  `json:"file"`
	SHA256 string  `json:"sha256"`
	Input  Input   `json:"input"`
	Layers []Layer `json:"layers"`
}

// Input is the model's input tensor and its preprocessing.
//
// A pixel v in [0, 1] of channel i becomes (v·Scale − Mean[i]) / Std[i]:
// Caffe's convention is BGR, Scale 255, a mean and no Std; torchvision's is
// RGB, Scale 1, mean and Std per channel.
type Input struct {
	Name     string    `json:"name"`
	Channels []string  `json:"channels"`
	Size     [2]int    `json:"size"`
	Scale    float64   `json:"scale"`
	Mean     []float64 `json:"mean"`
	Std      []float64 `json:"std,omitempty"` // 1 for every channel when absent
}

// StdOf is channel i's standard deviation (1 when the manifest has none).
func (in *Input) StdOf(i int) float64 {
	if i < len(in.Std) && in.Std[i] != 0 {
		return in.Std[i]
	}
	return 1
}

// Layer is one addressable activation: a Lucid-style name and the model's
// own tensor name, with its channel count and, for concatenated blocks, the
// channel range of each branch.
type Layer struct {
	Name     string   `json:"name"`
	Tensor   string   `json:"tensor"`
	Channels int      `json:"channels"`
	Size     []int    `json:"size,omitempty"` // map height and width at the input size
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

// Registry is a set of reference models by name: what the checker and the
// commands are told exists. Builtin holds the models circc ships manifests
// for; a caller may give another (models of its own beside them).
type Registry interface {
	// Lookup returns the manifest of the named model.
	Lookup(name string) (*Manifest, bool)
	// Names lists the models in sorted order.
	Names() []string
}

// Builtin is the registry of the manifests embedded in circc.
var Builtin Registry = builtin(registry)

type builtin map[string]*Manifest

func (b builtin) Lookup(name string) (*Manifest, bool) {
	m, ok := b[name]
	return m, ok
}

func (b builtin) Names() []string {
	var out []string
	for n := range b {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ManifestFile is the name of a user model's manifest in its folder.
const ManifestFile = "manifest.json"

// Set is the registry Registered returns: the built-in models, the user's
// models that could be read, and the reason each other folder could not.
type Set struct {
	builtin
	broken map[string]error
}

// Broken says why each model folder that could not be registered was
// refused, by folder name.
func (s *Set) Broken() map[string]error { return s.broken }

// Problem is why the named model is broken, or nil.
func (s *Set) Problem(name string) error { return s.broken[name] }

// ErrBroken is the cause of every reason a model folder is refused.
var ErrBroken = errors.New("broken model folder")

// Registered is the built-in registry with the models a user added: every
// NAME/manifest.json of the stack of models folders (places.Dirs: root,
// $CIRCC_MODELS, the user's own folder, the shipped ones), a folder higher
// in the stack hiding a lower one of the same name.
// A folder that cannot be registered (a link, a manifest that does not
// read or that names a file outside its folder, a built-in model's name)
// is left out and its reason kept in Broken, so that one broken folder
// leaves the others working; a models folder that cannot be read gives
// the built-in models alone.
func Registered(fsys afero.Fs, root string) *Set {
	all := &Set{builtin: builtin{}, broken: map[string]error{}}
	for n, m := range registry {
		all.builtin[n] = m
	}
	seen := map[string]bool{}
	for _, dir := range places.Dirs(root, EnvDir, "models") {
		entries, err := afero.ReadDir(fsys, dir)
		if err != nil {
			continue // no folder there
		}
		for _, e := range entries {
			if _, ok := registry[e.Name()]; ok || strings.HasPrefix(e.Name(), ".") || seen[e.Name()] {
				continue // a shipped model's own folder, a temporary one, or one a folder above holds
			}
			m, err := readUserManifest(fsys, dir, e)
			if errors.Is(err, os.ErrNotExist) {
				continue // a folder without a manifest is not a model
			}
			seen[e.Name()] = true
			if err != nil {
				all.broken[e.Name()] = fmt.Errorf("%w %s: %v", ErrBroken, filepath.Join(dir, e.Name()), err)
				continue
			}
			all.builtin[m.Name] = m
		}
	}
	return all
}

// readUserManifest reads and checks the manifest of the folder entry e.
func readUserManifest(fsys afero.Fs, dir string, e os.FileInfo) (*Manifest, error) {
	folder := filepath.Join(dir, e.Name())
	if e.Mode()&os.ModeSymlink != 0 {
		if _, err := fsys.Stat(filepath.Join(folder, ManifestFile)); errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("the folder is a symbolic link; a model's folder must be its own")
	}
	if !e.IsDir() {
		return nil, os.ErrNotExist
	}
	p := filepath.Join(folder, ManifestFile)
	data, err := safefs.ReadFile(fsys, p, 16<<20)
	if err != nil {
		return nil, err
	}
	m := &Manifest{}
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("%s: %v", ManifestFile, err)
	}
	if m.Name != e.Name() {
		return nil, fmt.Errorf("%s names the model %q, but it is in the folder %s", ManifestFile, m.Name, e.Name())
	}
	if _, ok := registry[m.Name]; ok {
		return nil, fmt.Errorf("%s is a built-in model's name", m.Name)
	}
	if err := m.Sane(); err != nil {
		return nil, fmt.Errorf("%s: %v", ManifestFile, err)
	}
	return m, nil
}

// Limits a manifest is held to before its graph is read; Net's check
// against the graph is the full one.
const (
	maxChannels = 1 << 20
	maxSide     = 4096
)

// Sane checks what a manifest says on its own: a model file that is a
// plain name in the model's folder, an input size within the limit, and
// layers with channel counts, sizes and branch ranges that hold together.
func (m *Manifest) Sane() error {
	if m.File == "" || m.File != filepath.Base(m.File) || m.File == "." || m.File == ".." || strings.ContainsAny(m.File, `/\`) {
		return fmt.Errorf("file %q is not a plain file name in the model's folder", m.File)
	}
	if n := len(m.Input.Channels); n < 1 || n > 4 || len(m.Input.Mean) != n || len(m.Input.Std) > 0 && len(m.Input.Std) != n {
		return fmt.Errorf("input channels %v with %d means and %d standard deviations", m.Input.Channels, len(m.Input.Mean), len(m.Input.Std))
	}
	if h, w := m.Input.Size[0], m.Input.Size[1]; h < 1 || w < 1 || h > maxSide || w > maxSide {
		return fmt.Errorf("an input of %d×%d pixels: sides must be 1 to %d", h, w, maxSide)
	}
	for _, l := range m.Layers {
		if l.Channels < 1 || l.Channels > maxChannels {
			return fmt.Errorf("layer %s has %d channels (1 to %d)", l.Name, l.Channels, maxChannels)
		}
		if len(l.Size) != 0 && (len(l.Size) != 2 || l.Size[0] < 1 || l.Size[1] < 1 || l.Size[0] > maxSide || l.Size[1] > maxSide) {
			return fmt.Errorf("layer %s has the size %v", l.Name, l.Size)
		}
		at := 0
		for _, b := range l.Branches {
			if b.From != at || b.To <= b.From || b.To > l.Channels {
				return fmt.Errorf("layer %s: branch %s [%d, %d) does not follow on in [0, %d)", l.Name, b.Name, b.From, b.To, l.Channels)
			}
			at = b.To
		}
	}
	return nil
}

// Against checks the manifest against the shapes its graph gives at the
// manifest's input size: every layer's tensor exists with the channels
// and size the manifest says, and branch ranges end at the channel count.
func (m *Manifest) Against(shapes map[string][]int64) error {
	for _, l := range m.Layers {
		s, ok := shapes[l.Tensor]
		if !ok {
			return fmt.Errorf("the manifest's layer %s reads the tensor %s, which the graph does not make", l.Name, l.Tensor)
		}
		if len(s) != 4 || s[1] != int64(l.Channels) || len(l.Size) == 2 && (s[2] != int64(l.Size[0]) || s[3] != int64(l.Size[1])) {
			return fmt.Errorf("the manifest says layer %s has %d channels of %v, but the graph gives the shape %v", l.Name, l.Channels, l.Size, s)
		}
		if n := len(l.Branches); n > 0 && l.Branches[n-1].To != l.Channels {
			return fmt.Errorf("the manifest's branches of layer %s end at %d of %d channels", l.Name, l.Branches[n-1].To, l.Channels)
		}
	}
	return nil
}

// Lookup returns the manifest of the named built-in reference model.
func Lookup(name string) (*Manifest, bool) { return Builtin.Lookup(name) }

// Names lists the built-in models in sorted order.
func Names() []string { return Builtin.Names() }

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

// Dir returns the model's folder: the first NAME folder in the stack of
// models folders (places.Dirs: the --models flag's folder, $CIRCC_MODELS,
// the user's own, the shipped ones beside the checkout), the same from
// anywhere; the top's when none holds it.
func (m *Manifest) Dir(fsys afero.Fs, root string) string {
	return places.Find(fsys, root, EnvDir, "models", m.Name)
}

// ErrMissing is the cause of Load's error when the model file is not there.
var ErrMissing = errors.New("reference model not found")

// ErrUnknown: no registry holds a model of that name.
var ErrUnknown = errors.New("no reference model")

// ErrAltered is the cause of Load's error when the model file is there but
// is not the pinned one.
var ErrAltered = errors.New("reference model altered")

// loadError is an error of Load that is one of its kinds.
type loadError struct {
	kind error
	msg  string
}

func (e *loadError) Error() string { return e.msg }
func (e *loadError) Unwrap() error { return e.kind }

// Load reads the model's file in Dir(fsys, root) once and checks the sha256 of
// the bytes it returns against the manifest's pin, so that what is used is
// exactly what was checked.
func (m *Manifest) Load(fsys afero.Fs, root string) (path string, data []byte, err error) {
	p := filepath.Join(m.Dir(fsys, root), m.File)
	data, err = safefs.ReadFile(fsys, p, safefs.MaxModel)
	if errors.Is(err, os.ErrNotExist) {
		return p, nil, &loadError{ErrMissing, fmt.Sprintf("reference model %s not found: expected %s (%s). "+
			"Put the model folder there, or point --models or %s at the folder that holds %s/", m.Name, p, m.Title, EnvDir, m.Name)}
	}
	if err != nil {
		return p, nil, err
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != m.SHA256 {
		return p, nil, &loadError{ErrAltered, fmt.Sprintf("%s is not the expected %s: its sha256 is %s, want %s (a different or altered file)", p, m.Name, got, m.SHA256)}
	}
	return p, data, nil
}
