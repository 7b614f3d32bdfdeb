package reference

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/afero"
	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/onnx/onnxpb"
	"github.com/circc/circc/runtime"
)

// GoldenResult compares one tensor of the model with a stored activation.
type GoldenResult struct {
	Provider string // the execution provider that ran it
	Set      string // test_data_set_0, caffe_227…
	Tensor   string
	Values   int
	RelL2    float64 // ‖got − want‖ / ‖want‖
	MaxAbs   float64
	got      []float32
}

// WorstRelL2 is the largest relative error of the results.
func WorstRelL2(res []GoldenResult) float64 {
	worst := 0.0
	for _, r := range res {
		worst = max(worst, r.RelL2)
	}
	return worst
}

// Agreement compares two runs of TestGolden tensor by tensor (on two
// devices, say): each result's RelL2 and MaxAbs are b's outputs against a's.
func Agreement(a, b []GoldenResult) ([]GoldenResult, error) {
	if len(a) != len(b) {
		return nil, fmt.Errorf("%d results against %d", len(b), len(a))
	}
	out := make([]GoldenResult, len(a))
	for i := range a {
		if a[i].Set != b[i].Set || a[i].Tensor != b[i].Tensor || len(a[i].got) != len(b[i].got) {
			return nil, fmt.Errorf("result %d: %s %s against %s %s", i, b[i].Set, b[i].Tensor, a[i].Set, a[i].Tensor)
		}
		out[i] = compare(a[i].Set, a[i].Tensor, b[i].got, a[i].got)
	}
	return out, nil
}

// readTensor reads a stored tensor after checking its bytes against the
// model folder's SHA256SUMS, and checks that its values fill its shape.
func readTensor(fs afero.Fs, path string, sums map[string]string) (*onnxpb.TensorProto, []float32, error) {
	data, err := safefs.ReadFile(fs, path, safefs.MaxData)
	if err != nil {
		return nil, nil, err
	}
	if err := checkSum(path, data, sums); err != nil {
		return nil, nil, err
	}
	t := &onnxpb.TensorProto{}
	if err := proto.Unmarshal(data, t); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	v, err := onnx.Floats(t)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	n := int64(1)
	for _, d := range t.GetDims() {
		if d < 0 || d > int64(len(v)) {
			return nil, nil, fmt.Errorf("%s: dimension %d in shape %v", path, d, t.GetDims())
		}
		n *= d
	}
	if n != int64(len(v)) {
		return nil, nil, fmt.Errorf("%s: shape %v holds %d values, the tensor has %d", path, t.GetDims(), n, len(v))
	}
	return t, v, nil
}

// readSums reads SHA256SUMS ("HEX  PATH" lines) of a model folder.
func readSums(fs afero.Fs, dir string) (map[string]string, error) {
	p := filepath.Join(dir, "SHA256SUMS")
	data, err := safefs.ReadFile(fs, p, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("the test data cannot be checked: %w", err)
	}
	sums := map[string]string{}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			return nil, fmt.Errorf("%s:%d: want \"SHA256  PATH\"", p, i+1)
		}
		sums[filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(name, "*")))] = strings.ToLower(sum)
	}
	return sums, nil
}

func checkSum(path string, data []byte, sums map[string]string) error {
	want, ok := sums[path]
	if !ok {
		return fmt.Errorf("%s is not listed in its model folder's SHA256SUMS", path)
	}
	got := sha256.Sum256(data)
	if hex.EncodeToString(got[:]) != want {
		return fmt.Errorf("%s does not match its sha256 in SHA256SUMS (a different or altered file)", path)
	}
	return nil
}

func compare(set, name string, got, want []float32) GoldenResult {
	r := GoldenResult{Set: set, Tensor: name, Values: len(want)}
	var num, den float64
	for i := range want {
		d := float64(got[i]) - float64(want[i])
		num += d * d
		den += float64(want[i]) * float64(want[i])
		r.MaxAbs = math.Max(r.MaxAbs, math.Abs(d))
	}
	r.RelL2 = math.Sqrt(num / math.Max(den, 1e-30))
	return r
}

// TestGolden runs the model on its stored test data: every folder in the
// model's directory holding input_0.pb. A folder with output_0.pb compares
// the model's output; a folder with other .pb files (activations named by
// their TensorProto.name, like caffe_227) compares those tensors, with the
// input's own spatial size.
// ErrNoTestData: the model's folder holds no test data (a model a user
// added, before RecordGolden).
var ErrNoTestData = errors.New("no test data")

func (n *Net) TestGolden(fs afero.Fs, opt runtime.Options) ([]GoldenResult, error) {
	sets, _ := afero.Glob(fs, filepath.Join(n.Dir, "*", "input_0.pb"))
	sort.Strings(sets)
	if len(sets) == 0 {
		return nil, fmt.Errorf("%w (*/input_0.pb) in %s", ErrNoTestData, n.Dir)
	}
	sums, err := readSums(fs, n.Dir)
	if err != nil {
		return nil, err
	}
	var out []GoldenResult
	for _, in := range sets {
		dir := filepath.Dir(in)
		set := filepath.Base(dir)
		inT, input, err := readTensor(fs, in, sums)
		if err != nil {
			return nil, err
		}
		dims := inT.GetDims()
		if c := int64(len(n.Manifest.Input.Channels)); len(dims) != 4 || dims[0] < 1 || dims[1] != c || dims[2] < 1 || dims[3] < 1 || dims[2] > 4096 || dims[3] > 4096 {
			return nil, fmt.Errorf("%s: an input of shape %v; the model takes N×%d×H×W with sides of 1 to 4096", in, dims, c)
		}
		files, _ := afero.Glob(fs, filepath.Join(dir, "*.pb"))
		sort.Strings(files)
		var names []string
		want := map[string][]float32{}
		for _, f := range files {
			if filepath.Base(f) == "input_0.pb" {
				continue
			}
			t, v, err := readTensor(fs, f, sums)
			if err != nil {
				return nil, err
			}
			name := t.GetName()
			if filepath.Base(f) == "output_0.pb" || name == "" {
				name = n.Model.P.GetGraph().GetOutput()[0].GetName()
			}
			names = append(names, name)
			want[name] = v
		}
		s, err := n.Session(int(dims[2]), int(dims[3]), names, opt)
		if err != nil {
			return nil, err
		}
		res, err := s.Run(input, dims)
		s.Close()
		if err != nil {
			return nil, err
		}
		for _, r := range res {
			if len(r.Data) != len(want[r.Name]) {
				return nil, fmt.Errorf("%s %s: the model gives %d values, the stored activation has %d", set, r.Name, len(r.Data), len(want[r.Name]))
			}
			c := compare(set, r.Name, r.Data, want[r.Name])
			c.got, c.Provider = r.Data, s.Provider
			out = append(out, c)
		}
	}
	return out, nil
}
