package reference

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/afero"

	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/runtime"
)

// Net is a registered reference model, located and read.
type Net struct {
	Manifest *models.Manifest
	Dir      string
	Path     string
	Model    *onnx.Model
}

// Open locates the named model (root: the --models folder, or "") and
// reads it, after checking its sha256.
func Open(fs afero.Fs, name, root string) (*Net, error) {
	reg := models.Registered(fs, root)
	if err := reg.Problem(name); err != nil {
		return nil, err
	}
	m, ok := reg.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("%w %q (registered: %s)", models.ErrUnknown, name, strings.Join(reg.Names(), ", "))
	}
	p, data, err := m.Load(fs, root)
	if err != nil {
		return nil, err
	}
	model, err := onnx.FromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if err := checkManifest(m, model); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return &Net{Manifest: m, Dir: filepath.Dir(p), Path: p, Model: model}, nil
}

// checkManifest checks a manifest against its graph when the model is
// loaded, since a registered folder can be edited after models add: the
// input's name and channels, and every layer's shape.
func checkManifest(m *models.Manifest, model *onnx.Model) error {
	if err := m.Sane(); err != nil {
		return fmt.Errorf("%w: %v", models.ErrBroken, err)
	}
	in := model.Input()
	if in == nil || in.GetName() != m.Input.Name {
		return fmt.Errorf("%w: the manifest's input %s is not the graph's", models.ErrBroken, m.Input.Name)
	}
	shapes, err := model.Shapes([]int64{1, int64(len(m.Input.Channels)), int64(m.Input.Size[0]), int64(m.Input.Size[1])})
	if err != nil {
		return err
	}
	if err := m.Against(shapes); err != nil {
		return fmt.Errorf("%w: %v", models.ErrBroken, err)
	}
	return nil
}

// Tensor resolves a layer name (Lucid-style or the model's own) to the
// model's tensor name.
func (n *Net) Tensor(layer string) (string, error) {
	if l, ok := n.Manifest.Layer(layer); ok {
		return l.Tensor, nil
	}
	for _, t := range n.Model.P.GetGraph().GetNode() {
		for _, o := range t.GetOutput() {
			if o == layer {
				return o, nil
			}
		}
	}
	return "", fmt.Errorf("model %s has no layer %q", n.Manifest.Name, layer)
}

// Cut returns a copy of the model whose outputs are exactly the given
// tensors, cut after the last one needed, with a free batch dimension and
// an input of h×w pixels.
func (n *Net) Cut(h, w int, tensors ...string) (*onnx.Model, error) {
	m := n.Model.Clone()
	if err := m.SetInputShape(h, w); err != nil {
		return nil, err
	}
	c := int64(len(n.Manifest.Input.Channels))
	if err := m.SetOutputs([]int64{1, c, int64(h), int64(w)}, tensors...); err != nil {
		return nil, err
	}
	return m, nil
}

// Session opens a session on the model cut at the given tensors.
func (n *Net) Session(h, w int, tensors []string, opt runtime.Options) (*runtime.Session, error) {
	m, err := n.Cut(h, w, tensors...)
	if err != nil {
		return nil, err
	}
	data, err := m.Bytes()
	if err != nil {
		return nil, err
	}
	return runtime.NewSessionFromBytes(data, m.Input().GetName(), tensors, opt)
}
