package reference

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/onnx/onnxpb"
	"github.com/circc/circc/runtime"
)

var sharedModels, _ = filepath.Abs("../../shared/models")

func open(t testing.TB) *Net {
	t.Helper()
	n, err := Open(afero.NewOsFs(), "inceptionv1", sharedModels)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGoldenActivations: the reference model reproduces the model zoo's
// output and Caffe's own activations at ten depths to about 1e-6.
func TestGoldenActivations(t *testing.T) {
	res, err := open(t).TestGolden(afero.NewOsFs(), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 11 {
		t.Fatalf("%d comparisons, want 11 (1 zoo output + 10 Caffe tensors)", len(res))
	}
	for _, r := range res {
		t.Logf("%-16s %-24s rel L2 %.2g  max abs %.2g", r.Set, r.Tensor, r.RelL2, r.MaxAbs)
		if r.RelL2 > 1e-5 {
			t.Errorf("%s %s: relative error %.3g", r.Set, r.Tensor, r.RelL2)
		}
	}
	// Another run, one thread instead of many: the outputs agree with the
	// first run's to float32 rounding, as two devices must.
	one, err := open(t).TestGolden(afero.NewOsFs(), runtime.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	agree, err := Agreement(res, one)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range agree {
		if r.RelL2 > 1e-6 || r.Values == 0 {
			t.Errorf("%s %s: one thread against many: relative difference %.3g over %d values", r.Set, r.Tensor, r.RelL2, r.Values)
		}
	}
	t.Logf("one thread against many: worst relative difference %.2g", WorstRelL2(agree))
	if _, err := Agreement(res, one[1:]); err == nil {
		t.Error("runs of different lengths were compared")
	}
}

// TestGoldenSqueezeNet: the second reference network reproduces its model
// zoo output and Caffe's own activations at ten tensors.
func TestGoldenSqueezeNet(t *testing.T) {
	n, err := Open(afero.NewOsFs(), "squeezenet1.0", sharedModels)
	if err != nil {
		t.Fatal(err)
	}
	res, err := n.TestGolden(afero.NewOsFs(), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 11 {
		t.Fatalf("%d comparisons, want 11 (1 zoo output + 10 Caffe tensors)", len(res))
	}
	for _, r := range res {
		if r.RelL2 > 1e-5 {
			t.Errorf("%s %s: relative error %.3g", r.Set, r.Tensor, r.RelL2)
		}
	}
}

// TestAgreementArithmetic: Agreement measures b against a.
func TestAgreementArithmetic(t *testing.T) {
	a := []GoldenResult{{Set: "s", Tensor: "t", got: []float32{3, 4}}}
	b := []GoldenResult{{Set: "s", Tensor: "t", got: []float32{3, 4.5}}}
	r, err := Agreement(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if r[0].RelL2 != 0.1 || r[0].MaxAbs != 0.5 || r[0].Values != 2 || WorstRelL2(r) != 0.1 {
		t.Errorf("got %+v", r[0])
	}
	b[0].Tensor = "u"
	if _, err := Agreement(a, b); err == nil {
		t.Error("different tensors were compared")
	}
}

// TestHostileTestData: stored test data are untrusted files: a tensor
// with too few dimensions, one whose values do not fill its shape, one
// altered after SHA256SUMS was written, one not listed there, and a
// missing SHA256SUMS are each an error naming the file, never a panic.
func TestHostileTestData(t *testing.T) {
	src := filepath.Join(sharedModels, "inceptionv1")
	model, err := os.ReadFile(filepath.Join(src, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	input := &onnxpb.TensorProto{Name: proto.String("data_0"), DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Dims: []int64{3, 224}, FloatData: make([]float32, 3*224)}
	flat, _ := proto.Marshal(input)
	input.Dims = []int64{1, 3, 224, 224} // 672 values for a shape of 150,528
	short, _ := proto.Marshal(input)
	good, _ := os.ReadFile(filepath.Join(src, "test_data_set_0", "input_0.pb"))
	altered := append([]byte(nil), good...)
	altered[len(altered)-1] ^= 1
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	for _, tc := range []struct {
		name, input, sums, want string
	}{
		{"too few dimensions", string(flat), sum(flat), "an input of shape [3 224]"},
		{"values short of the shape", string(short), sum(short), "shape [1 3 224 224] holds 150528 values, the tensor has 672"},
		{"altered", string(altered), sum(good), "does not match its sha256 in SHA256SUMS"},
		{"not listed", string(good), "", "is not listed in its model folder's SHA256SUMS"},
		{"no SHA256SUMS", string(good), "-", "the test data cannot be checked"},
	} {
		fs := afero.NewMemMapFs()
		afero.WriteFile(fs, "/m/inceptionv1/model.onnx", model, 0o644)
		afero.WriteFile(fs, "/m/inceptionv1/t/input_0.pb", []byte(tc.input), 0o644)
		switch tc.sums {
		case "-":
		case "":
			afero.WriteFile(fs, "/m/inceptionv1/SHA256SUMS", []byte(sum(model)+"  model.onnx\n"), 0o644)
		default:
			afero.WriteFile(fs, "/m/inceptionv1/SHA256SUMS", []byte(tc.sums+"  t/input_0.pb\n"), 0o644)
		}
		n, err := Open(fs, "inceptionv1", "/m")
		if err != nil {
			t.Fatal(err)
		}
		_, err = n.TestGolden(fs, runtime.Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "/m/inceptionv1/") {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
