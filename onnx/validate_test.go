package onnx

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/circc/circc/onnx/onnxpb"
)

// external is a tensor whose data is said to live in a file.
func external(loc string) *pb.TensorProto {
	return &pb.TensorProto{Name: proto.String("w"), DataType: proto.Int32(int32(pb.TensorProto_FLOAT)), Dims: []int64{4},
		DataLocation: pb.TensorProto_EXTERNAL.Enum(),
		ExternalData: []*pb.StringStringEntryProto{{Key: proto.String("location"), Value: proto.String(loc)}}}
}

func nodeWith(a *pb.AttributeProto) *pb.NodeProto {
	return &pb.NodeProto{OpType: proto.String("Constant"), Output: []string{"c"}, Attribute: []*pb.AttributeProto{a}}
}

// TestExternalDataAnywhereIsRefused: every place a tensor can stand in a
// model is walked, and a tensor kept outside the model's bytes is refused
// wherever it stands and wherever it points, relative locations included
// (onnxruntime would resolve those against the working directory).
func TestExternalDataAnywhereIsRefused(t *testing.T) {
	sparse := func(values *pb.TensorProto) *pb.SparseTensorProto {
		return &pb.SparseTensorProto{Values: values, Indices: FloatTensor("i", "", []int{0}, nil), Dims: []int64{4}}
	}
	sub := func(t *pb.TensorProto) *pb.GraphProto { return &pb.GraphProto{Initializer: []*pb.TensorProto{t}} }
	cases := map[string]func(loc string) *pb.ModelProto{
		"initializer": func(loc string) *pb.ModelProto {
			return &pb.ModelProto{Graph: &pb.GraphProto{Initializer: []*pb.TensorProto{external(loc)}}}
		},
		"sparse initializer": func(loc string) *pb.ModelProto {
			return &pb.ModelProto{Graph: &pb.GraphProto{SparseInitializer: []*pb.SparseTensorProto{sparse(external(loc))}}}
		},
		"Constant value": func(loc string) *pb.ModelProto {
			return &pb.ModelProto{Graph: &pb.GraphProto{Node: []*pb.NodeProto{nodeWith(&pb.AttributeProto{Name: proto.String("value"), T: external(loc)})}}}
		},
		"Constant sparse_value": func(loc string) *pb.ModelProto {
			return &pb.ModelProto{Graph: &pb.GraphProto{Node: []*pb.NodeProto{nodeWith(&pb.AttributeProto{Name: proto.String("sparse_value"), SparseTensor: sparse(external(loc))})}}}
		},
		"attribute tensor list": func(loc string) *pb.ModelProto {
			return &pb.ModelProto{Graph: &pb.GraphProto{Node: []*pb.NodeProto{nodeWith(&pb.AttributeProto{Name: proto.String("xs"), Tensors: []*pb.TensorProto{FloatTensor("ok", "", []int{1}, []float32{1}), external(loc)}})}}}
		},
		"attribute sparse tensor list": func(loc string) *pb.ModelProto {
			return &pb.ModelProto{Graph: &pb.GraphProto{Node: []*pb.NodeProto{nodeWith(&pb.AttributeProto{Name: proto.String("xs"), SparseTensors: []*pb.SparseTensorProto{sparse(external(loc))}})}}}
		},
		"subgraph": func(loc string) *pb.ModelProto {
			return &pb.ModelProto{Graph: &pb.GraphProto{Node: []*pb.NodeProto{{OpType: proto.String("If"), Attribute: []*pb.AttributeProto{{Name: proto.String("then_branch"), G: sub(external(loc))}}}}}}
		},
		"subgraph in a list": func(loc string) *pb.ModelProto {
			return &pb.ModelProto{Graph: &pb.GraphProto{Node: []*pb.NodeProto{{OpType: proto.String("X"), Attribute: []*pb.AttributeProto{{Name: proto.String("gs"), Graphs: []*pb.GraphProto{sub(FloatTensor("ok", "", []int{1}, []float32{1})), sub(external(loc))}}}}}}}
		},
		"Constant in a subgraph's node": func(loc string) *pb.ModelProto {
			inner := &pb.GraphProto{Node: []*pb.NodeProto{nodeWith(&pb.AttributeProto{Name: proto.String("value"), T: external(loc)})}}
			return &pb.ModelProto{Graph: &pb.GraphProto{Node: []*pb.NodeProto{{OpType: proto.String("Loop"), Attribute: []*pb.AttributeProto{{Name: proto.String("body"), G: inner}}}}}}
		},
		"function": func(loc string) *pb.ModelProto {
			return &pb.ModelProto{Graph: &pb.GraphProto{}, Functions: []*pb.FunctionProto{{Name: proto.String("f"), Node: []*pb.NodeProto{nodeWith(&pb.AttributeProto{Name: proto.String("value"), T: external(loc)})}}}}
		},
		"training info": func(loc string) *pb.ModelProto {
			return &pb.ModelProto{Graph: &pb.GraphProto{}, TrainingInfo: []*pb.TrainingInfoProto{{Initialization: sub(external(loc))}}}
		},
	}
	for name, make := range cases {
		for _, loc := range []string{"/etc/passwd", "../../etc/passwd", "weights.bin", "sub/../weights.bin"} {
			b, err := Marshal(make(loc))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := FromBytes(b); !errors.Is(err, ErrUnsafe) {
				t.Errorf("%s at %q: got %v, want a refusal", name, loc, err)
			}
		}
	}
	// A location given without the EXTERNAL flag is refused too.
	plain := FloatTensor("w", "", []int{1}, []float32{1})
	plain.ExternalData = []*pb.StringStringEntryProto{{Key: proto.String("location"), Value: proto.String("/etc/passwd")}}
	if b, _ := Marshal(&pb.ModelProto{Graph: &pb.GraphProto{Initializer: []*pb.TensorProto{plain}}}); true {
		if _, err := FromBytes(b); !errors.Is(err, ErrUnsafe) {
			t.Errorf("an external location without the flag: %v", err)
		}
	}
}

// TestDeclaredSizesMustMatchData: a tensor that declares more values than
// it holds (a 752-byte model claiming [2⁴⁰,3,3,3]) is refused before any
// later stage sizes an allocation from it.
func TestDeclaredSizesMustMatchData(t *testing.T) {
	huge := FloatTensor("w", "", []int{1}, []float32{1})
	huge.Dims = []int64{1 << 40, 3, 3, 3}
	short := FloatTensor("w", "", []int{2, 2}, []float32{1, 2, 3})
	raw := &pb.TensorProto{Name: proto.String("r"), DataType: proto.Int32(int32(pb.TensorProto_FLOAT)), Dims: []int64{3}, RawData: make([]byte, 8)}
	odd := &pb.TensorProto{Name: proto.String("r"), DataType: proto.Int32(int32(pb.TensorProto_FLOAT)), Dims: []int64{1}, RawData: make([]byte, 5)}
	neg := FloatTensor("w", "", []int{1}, []float32{1})
	neg.Dims = []int64{-1}
	for name, tensor := range map[string]*pb.TensorProto{"huge": huge, "short": short, "raw": raw, "odd raw": odd, "negative": neg} {
		for _, m := range []*pb.ModelProto{
			{Graph: &pb.GraphProto{Initializer: []*pb.TensorProto{tensor}}},
			{Graph: &pb.GraphProto{Node: []*pb.NodeProto{nodeWith(&pb.AttributeProto{Name: proto.String("value"), T: tensor})}}},
		} {
			b, _ := Marshal(m)
			if _, err := FromBytes(b); !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: got %v", name, err)
			}
		}
	}
	good := &pb.TensorProto{Name: proto.String("r"), DataType: proto.Int32(int32(pb.TensorProto_INT64)), Dims: []int64{2}, RawData: make([]byte, 16)}
	b, _ := Marshal(&pb.ModelProto{Graph: &pb.GraphProto{Initializer: []*pb.TensorProto{good, FloatTensor("s", "", nil, []float32{2})}}})
	if _, err := FromBytes(b); err != nil {
		t.Errorf("well-formed tensors: %v", err)
	}
}
