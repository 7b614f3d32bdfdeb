package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/compiler/lower"
	pb "github.com/circc/circc/onnx/onnxpb"
)

// Opset is the ONNX operator set the emitted models use.
const Opset = 13

// IRVersion is the ONNX IR version of emitted models.
const IRVersion = 8

// Meta is recorded in an emitted model's metadata.
type Meta struct {
	Source       string // the circuit file, as given
	SourceSHA256 string
	Compiler     string // "circc 0.1.0"
}

// Metadata keys of emitted models.
const (
	MetaSource       = "circc.source"
	MetaSourceSHA256 = "circc.source_sha256"
	MetaCompiler     = "circc.compiler"
)

// BatchDim names the free batch dimension of inputs and outputs.
const BatchDim = "batch"

// WeightName and BiasName name a convolution's initializers.
func WeightName(layer string) string { return layer + ".weight" }

// BiasName names a convolution's bias initializer.
func BiasName(layer string) string { return layer + ".bias" }

func attrInts(name string, v ...int64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_INTS.Enum(), Ints: v}
}

func attrInt(name string, v int64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

func tensorType(c, h, w int) *pb.TypeProto {
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

// Standalone builds the ONNX model of a lowered network: its input NCHW
// float32 with a free batch dimension, one node chain per layer, and every
// layer's activation as a graph output named after the layer.
func Standalone(n *lower.Network, meta Meta) *pb.ModelProto {
	g := &pb.GraphProto{Name: proto.String(n.Name)}
	in := n.Input
	g.Input = append(g.Input, &pb.ValueInfoProto{Name: proto.String(in.Name), Type: tensorType(in.C, in.H, in.W),
		DocString: proto.String(fmt.Sprintf("channels %s, values %g .. %g", strings.Join(in.Channels, " "), in.Lo, in.Hi))})
	prev := in.Name
	for _, l := range n.Layers {
		out := l.Name
		pre := out
		if l.Relu && l.Op != "relu" {
			pre = l.Name + "/" + l.Op
		}
		pads := []int64{int64(l.Pads[0]), int64(l.Pads[1]), int64(l.Pads[2]), int64(l.Pads[3])}
		k, s := int64(l.Kernel), int64(l.Stride)
		switch l.Op {
		case "conv":
			c := n.Conv(l.Name)
			var doc []string
			for _, f := range l.Families {
				doc = append(doc, f.Name+" ("+f.Pos+")")
			}
			src := "made by " + strings.Join(doc, ", ")
			g.Initializer = append(g.Initializer,
				FloatTensor(WeightName(l.Name), "weights of layer "+l.Name+" ("+l.Pos+"), "+src, c.Weight.Shape(), lower.Float32s(c.Weight)),
				FloatTensor(BiasName(l.Name), "biases of layer "+l.Name+" ("+l.Pos+"), "+src, c.Bias.Shape(), lower.Float32s(c.Bias)))
			g.Node = append(g.Node, &pb.NodeProto{Name: proto.String(l.Name + "/conv"), OpType: proto.String("Conv"),
				Input: []string{prev, WeightName(l.Name), BiasName(l.Name)}, Output: []string{pre},
				Attribute: []*pb.AttributeProto{attrInts("dilations", 1, 1), attrInt("group", 1), attrInts("kernel_shape", k, k),
					attrInts("pads", pads[0], pads[1], pads[2], pads[3]), attrInts("strides", s, s)}})
		case "maxpool", "avgpool":
			op := "MaxPool"
			attrs := []*pb.AttributeProto{attrInts("kernel_shape", k, k), attrInts("pads", pads[0], pads[1], pads[2], pads[3]), attrInts("strides", s, s)}
			if l.Op == "avgpool" {
				op = "AveragePool"
				attrs = append([]*pb.AttributeProto{attrInt("count_include_pad", 0)}, attrs...)
			}
			g.Node = append(g.Node, &pb.NodeProto{Name: proto.String(l.Name + "/" + l.Op), OpType: proto.String(op),
				Input: []string{prev}, Output: []string{pre}, Attribute: attrs})
		}
		if l.Relu || l.Op == "relu" {
			from := pre
			if l.Op == "relu" {
				from = prev
			}
			g.Node = append(g.Node, &pb.NodeProto{Name: proto.String(l.Name + "/relu"), OpType: proto.String("Relu"),
				Input: []string{from}, Output: []string{out}})
		}
		g.Output = append(g.Output, &pb.ValueInfoProto{Name: proto.String(out), Type: tensorType(l.OutC, l.OutH, l.OutW),
			DocString: proto.String(fmt.Sprintf("activation of layer %s (%s)", l.Name, l.Pos))})
		prev = out
	}
	return &pb.ModelProto{
		IrVersion:       proto.Int64(IRVersion),
		OpsetImport:     []*pb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(Opset)}},
		ProducerName:    proto.String("circc"),
		ProducerVersion: proto.String(strings.TrimPrefix(meta.Compiler, "circc ")),
		DocString:       proto.String("hand-written circuit " + n.Name + " compiled from " + meta.Source),
		Graph:           g,
		MetadataProps: []*pb.StringStringEntryProto{
			{Key: proto.String(MetaCompiler), Value: proto.String(meta.Compiler)},
			{Key: proto.String(MetaSource), Value: proto.String(meta.Source)},
			{Key: proto.String(MetaSourceSHA256), Value: proto.String(meta.SourceSHA256)},
		},
	}
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

// Initializer returns the named initializer of a model, or nil.
func Initializer(m *pb.ModelProto, name string) *pb.TensorProto {
	for _, t := range m.GetGraph().GetInitializer() {
		if t.GetName() == name {
			return t
		}
	}
	return nil
}
