package onnx

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/proto"

	pb "github.com/circc/circc/onnx/onnxpb"
)

// BatchDim names the free batch dimension of inputs and outputs.
const BatchDim = "batch"

// AttrInts builds an INTS attribute.
func AttrInts(name string, v ...int64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_INTS.Enum(), Ints: v}
}

// AttrInt builds an INT attribute.
func AttrInt(name string, v int64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

// AttrFloat builds a FLOAT attribute.
func AttrFloat(name string, v float32) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

// TensorType is the type of a float32 NCHW tensor with a free batch
// dimension (BatchDim).
func TensorType(c, h, w int) *pb.TypeProto {
	dim := func(v int) *pb.TensorShapeProto_Dimension {
		return &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: int64(v)}}
	}
	return &pb.TypeProto{Value: &pb.TypeProto_TensorType{TensorType: &pb.TypeProto_Tensor{
		ElemType: proto.Int32(int32(pb.TensorProto_FLOAT)),
		Shape: &pb.TensorShapeProto{Dim: []*pb.TensorShapeProto_Dimension{
			{Value: &pb.TensorShapeProto_Dimension_DimParam{DimParam: BatchDim}}, dim(c), dim(h), dim(w),
		}},
	}}}
}

// FloatTensor builds an initializer holding data in little-endian raw form.
func FloatTensor(name, doc string, dims []int, data []float32) *pb.TensorProto {
	raw := make([]byte, 4*len(data))
	for i, x := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
	}
	d := make([]int64, len(dims))
	for i, x := range dims {
		d[i] = int64(x)
	}
	t := &pb.TensorProto{Name: proto.String(name), Dims: d, DataType: proto.Int32(int32(pb.TensorProto_FLOAT)), RawData: raw}
	if doc != "" {
		t.DocString = proto.String(doc)
	}
	return t
}

// Marshal encodes a model deterministically: the same model gives the same
// bytes.
func Marshal(m *pb.ModelProto) ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

// Unmarshal decodes a model.
func Unmarshal(data []byte) (*pb.ModelProto, error) {
	m := &pb.ModelProto{}
	if err := proto.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("not an ONNX model: %w", err)
	}
	return m, nil
}

// Floats returns a float tensor's values, from raw data or float_data.
func Floats(t *pb.TensorProto) ([]float32, error) {
	if t.GetDataType() != int32(pb.TensorProto_FLOAT) {
		return nil, fmt.Errorf("tensor %s is not float32", t.GetName())
	}
	if raw := t.GetRawData(); len(raw) > 0 {
		if len(raw)%4 != 0 {
			return nil, fmt.Errorf("tensor %s has %d raw bytes", t.GetName(), len(raw))
		}
		out := make([]float32, len(raw)/4)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return out, nil
	}
	return append([]float32(nil), t.GetFloatData()...), nil
}

// Int64s returns an int64 tensor's values, from raw data or int64_data.
func Int64s(t *pb.TensorProto) ([]int64, error) {
	if t.GetDataType() != int32(pb.TensorProto_INT64) {
		return nil, fmt.Errorf("constant %s is not int64", t.GetName())
	}
	if raw := t.GetRawData(); len(raw) > 0 {
		if len(raw)%8 != 0 {
			return nil, fmt.Errorf("constant %s has %d raw bytes", t.GetName(), len(raw))
		}
		out := make([]int64, len(raw)/8)
		for i := range out {
			out[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		return out, nil
	}
	return append([]int64(nil), t.GetInt64Data()...), nil
}

// Initializer returns the named initializer of a model, or nil.
func Initializer(m *pb.ModelProto, name string) *pb.TensorProto {
	for _, t := range m.GetGraph().GetInitializer() {
		if t.GetName() == name {
			return t
		}
	}
	return nil
}
