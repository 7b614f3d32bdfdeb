package reference

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/afero"
	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/runtime"
)

// ErrHasTestData: a model folder already holds test data, which recording
// would replace.
var ErrHasTestData = errors.New("the model already has test data")

// RecordSets is how many inputs RecordGolden records.
const RecordSets = 2

// RecordGolden makes test data for a model that has none (one a user
// added): RecordSets seeded random inputs in the model's preprocessed
// range, and for each the outputs onnxruntime gives at the graph's output
// and at the first, middle and last of the manifest's layers, written as
// test_data_set_K/input_0.pb and output_J.pb (each tensor named), pinned
// with the model file in SHA256SUMS. Later runs of TestGolden check the
// model, on any device, against what this run saw.
func (n *Net) RecordGolden(fs afero.Fs, opt runtime.Options, force bool) error {
	if old, _ := afero.Glob(fs, filepath.Join(n.Dir, "*", "input_0.pb")); len(old) > 0 && !force {
		return fmt.Errorf("%w in %s; add --force to record it again", ErrHasTestData, n.Dir)
	}
	man := n.Manifest
	h, w := man.Input.Size[0], man.Input.Size[1]
	c := len(man.Input.Channels)
	tensors := []string{n.Model.P.GetGraph().GetOutput()[0].GetName()}
	if l := man.Layers; len(l) > 0 {
		for _, i := range []int{0, len(l) / 2, len(l) - 1} {
			if t := l[i].Tensor; !slices.Contains(tensors, t) {
				tensors = append(tensors, t)
			}
		}
	}
	s, err := n.Session(h, w, tensors, opt)
	if err != nil {
		return err
	}
	defer s.Close()
	rng := rand.New(rand.NewSource(1))
	half := man.Input.Scale / 2
	if half == 0 {
		half = 0.5
	}
	var files []safefs.File
	for k := 0; k < RecordSets; k++ {
		input := make([]float32, c*h*w)
		for i := range input {
			input[i] = float32((2*rng.Float64() - 1) * half)
		}
		dims := []int64{1, int64(c), int64(h), int64(w)}
		res, err := s.Run(input, dims)
		if err != nil {
			return err
		}
		set := fmt.Sprintf("test_data_set_%d", k)
		add := func(name string, t proto.Message) error {
			b, err := proto.MarshalOptions{Deterministic: true}.Marshal(t)
			files = append(files, safefs.File{Path: filepath.Join(n.Dir, set, name), Data: b})
			return err
		}
		if err := add("input_0.pb", onnx.FloatTensor(n.Model.Input().GetName(), "input recorded by circc models test --record", []int{1, c, h, w}, input)); err != nil {
			return err
		}
		for j, r := range res {
			shape := make([]int, len(r.Shape))
			for i, d := range r.Shape {
				shape[i] = int(d)
			}
			if err := add(fmt.Sprintf("output_%d.pb", j), onnx.FloatTensor(r.Name, "onnxruntime's output, recorded by circc", shape, r.Data)); err != nil {
				return err
			}
		}
	}
	// The model is pinned by the sha256 its manifest holds, which loading
	// it checked: no need to read it again.
	sums := []string{n.Manifest.SHA256 + "  " + filepath.ToSlash(filepath.Base(n.Path))}
	sum := func(path string, data []byte) {
		h := sha256.Sum256(data)
		rel, _ := filepath.Rel(n.Dir, path)
		sums = append(sums, hex.EncodeToString(h[:])+"  "+filepath.ToSlash(rel))
	}
	for _, f := range files {
		sum(f.Path, f.Data)
	}
	files = append(files, safefs.File{Path: filepath.Join(n.Dir, "SHA256SUMS"), Data: []byte(strings.Join(sums, "\n") + "\n")})
	for k := 0; k < RecordSets; k++ {
		if err := fs.MkdirAll(filepath.Join(n.Dir, fmt.Sprintf("test_data_set_%d", k)), 0o755); err != nil {
			return err
		}
	}
	return safefs.WriteFiles(fs, files, nil)
}
