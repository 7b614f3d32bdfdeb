package reference

import (
	"encoding/json"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
	"github.com/circc/circc/runtime"
)

// TestDescribeMatchesRegistered: a manifest read from the graph of each
// shared model holds every layer of the hand-written one, with the same
// channels and the same branch ranges where it lists them, and the same
// pin.
func TestDescribeMatchesRegistered(t *testing.T) {
	for _, name := range []string{"inceptionv1", "squeezenet1.0"} {
		reg, _ := models.Lookup(name)
		data, err := os.ReadFile(filepath.Join(sharedModels, name, "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Describe(data, name, "", reg.Input, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.SHA256 != reg.SHA256 || got.Input.Name != reg.Input.Name || got.Input.Size != reg.Input.Size {
			t.Errorf("%s: pin or input differ: %+v", name, got.Input)
		}
		byTensor := map[string]models.Layer{}
		for _, l := range got.Layers {
			byTensor[l.Tensor] = l
		}
		for _, want := range reg.Layers {
			l, ok := byTensor[want.Tensor]
			if !ok {
				t.Errorf("%s: %s (%s) is not among the probed tensors", name, want.Tensor, want.Name)
				continue
			}
			// The graph gives every concatenation's branches, where the
			// hand-written manifest lists those of mixed3a and mixed3b.
			if l.Channels != want.Channels || len(want.Branches) > 0 && len(l.Branches) != len(want.Branches) {
				t.Errorf("%s %s: %d channels, %d branches; want %d, %d", name, want.Tensor, l.Channels, len(l.Branches), want.Channels, len(want.Branches))
				continue
			}
			for i, b := range want.Branches {
				if l.Branches[i].From != b.From || l.Branches[i].To != b.To {
					t.Errorf("%s %s branch %d: [%d, %d), want [%d, %d)", name, want.Tensor, i, l.Branches[i].From, l.Branches[i].To, b.From, b.To)
				}
			}
		}
		t.Logf("%s: %d probed layers against %d registered", name, len(got.Layers), len(reg.Layers))
	}
}

// tinyTorchvisionNet builds an ONNX network in torchvision's manner: RGB
// input normalised by mean and std, free batch and size, a convolution
// with a ReLU, a pool, and a block of two branches concatenated.
func tinyTorchvisionNet(t testing.TB) []byte {
	dim := func(v int64, p string) *pb.TensorShapeProto_Dimension {
		if p != "" {
			return &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimParam{DimParam: p}}
		}
		return &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: v}}
	}
	w := func(name string, dims ...int) *pb.TensorProto {
		n := 1
		for _, d := range dims {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(math.Sin(float64(i)))
		}
		return onnx.FloatTensor(name, "", dims, v)
	}
	conv := func(in, wname, out string, pad int64) *pb.NodeProto {
		return &pb.NodeProto{OpType: proto.String("Conv"), Input: []string{in, wname}, Output: []string{out},
			Attribute: []*pb.AttributeProto{onnx.AttrInts("pads", pad, pad, pad, pad)}}
	}
	relu := func(in, out string) *pb.NodeProto {
		return &pb.NodeProto{OpType: proto.String("Relu"), Input: []string{in}, Output: []string{out}}
	}
	g := &pb.GraphProto{Name: proto.String("tiny"),
		Input: []*pb.ValueInfoProto{{Name: proto.String("input"), Type: &pb.TypeProto{Value: &pb.TypeProto_TensorType{TensorType: &pb.TypeProto_Tensor{
			ElemType: proto.Int32(int32(pb.TensorProto_FLOAT)), Shape: &pb.TensorShapeProto{Dim: []*pb.TensorShapeProto_Dimension{dim(0, "N"), dim(3, ""), dim(0, "H"), dim(0, "W")}}}}}}},
		Output:      []*pb.ValueInfoProto{{Name: proto.String("block.out")}},
		Initializer: []*pb.TensorProto{w("stem.weight", 8, 3, 3, 3), w("a.weight", 4, 8, 1, 1), w("b.weight", 6, 8, 3, 3)},
		Node: []*pb.NodeProto{conv("input", "stem.weight", "stem.conv", 1), relu("stem.conv", "stem.relu"),
			{OpType: proto.String("MaxPool"), Input: []string{"stem.relu"}, Output: []string{"pool"}, Attribute: []*pb.AttributeProto{onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2)}},
			conv("pool", "a.weight", "a.conv", 0), relu("a.conv", "a.relu"), conv("pool", "b.weight", "b.conv", 1), relu("b.conv", "b.relu"),
			{OpType: proto.String("Concat"), Input: []string{"a.relu", "b.relu"}, Output: []string{"block.out"}, Attribute: []*pb.AttributeProto{onnx.AttrInt("axis", 1)}}}}
	b, err := onnx.Marshal(&pb.ModelProto{IrVersion: proto.Int64(8), OpsetImport: []*pb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(13)}}, Graph: g})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAddTorchvisionStyleModel: a user's network with torchvision's
// preprocessing is described (probes, branches, sizes), registered in a
// models folder, opened by name, and fed photos normalised by its mean
// and std.
func TestAddTorchvisionStyleModel(t *testing.T) {
	data := tinyTorchvisionNet(t)
	in := models.Input{Channels: []string{"r", "g", "b"}, Scale: 1, Mean: []float64{0.485, 0.456, 0.406}, Std: []float64{0.229, 0.224, 0.225}}
	if _, err := Describe(data, "tiny", "", in, 0); err == nil || !strings.Contains(err.Error(), "--size") {
		t.Errorf("a free size without --size: %v", err)
	}
	man, err := Describe(data, "tiny", "a test", in, 32)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range man.Layers {
		got = append(got, l.Name)
	}
	if strings.Join(got, " ") != "stem_relu pool a_relu b_relu block" {
		t.Fatalf("layers %v", got)
	}
	block := man.Layers[4]
	if block.Channels != 10 || fmt.Sprint(block.Size) != "[16 16]" || len(block.Branches) != 2 || block.Branches[1].From != 4 || block.Branches[1].To != 10 {
		t.Errorf("block %+v", block)
	}
	// Registered in a folder, opened by name, fed a photo.
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "tiny"), 0o755)
	js, _ := json.Marshal(man)
	os.WriteFile(filepath.Join(dir, "tiny", models.ManifestFile), js, 0o644)
	os.WriteFile(filepath.Join(dir, "tiny", "model.onnx"), data, 0o644)
	net, err := Open(afero.NewOsFs(), "tiny", dir)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 40, 40))
	for i := range img.Pix {
		img.Pix[i] = []uint8{255, 128, 0, 255}[i%4]
	}
	x, err := net.Manifest.Preprocess(img)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{(1 - 0.485) / 0.229, (128.0/255 - 0.456) / 0.224, (0 - 0.406) / 0.225}
	for c := 0; c < 3; c++ {
		if math.Abs(float64(x[c*32*32])-want[c]) > 1e-5 {
			t.Errorf("channel %d: %g, want %g", c, x[c*32*32], want[c])
		}
	}
	s, err := net.Session(32, 32, []string{"block.out"}, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.Run(x, []int64{1, 3, 32, 32})
	if err != nil || fmt.Sprint(out[0].Shape) != "[1 10 16 16]" {
		t.Fatalf("run: %v %v", err, out)
	}
}

// TestDescribeRefusesWhatItCannotRead: an op it does not know names its
// node.
func TestDescribeRefusesWhatItCannotRead(t *testing.T) {
	m, err := onnx.FromBytes(tinyTorchvisionNet(t))
	if err != nil {
		t.Fatal(err)
	}
	m.P.Graph.Node[1].OpType = proto.String("Swish")
	b, _ := m.Bytes()
	in := models.Input{Channels: []string{"r", "g", "b"}, Scale: 1, Mean: []float64{0, 0, 0}}
	if _, err := Describe(b, "x", "", in, 32); err == nil || !strings.Contains(err.Error(), "node making stem.relu: circc does not know the op Swish") {
		t.Errorf("unknown op: %v", err)
	}
}
