package emit

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/lower"
	"github.com/circc/circc/onnx"
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

// WeightName names a convolution's weight initializer.
func WeightName(layer string) string { return layer + ".weight" }

// BiasName names a convolution's bias initializer.
func BiasName(layer string) string { return layer + ".bias" }

// Standalone builds the ONNX model of a lowered network: its input NCHW
// float32 with a free batch dimension, one node chain per layer, and every
// layer's activation as a graph output named after the layer.
func Standalone(n *lower.Network, meta Meta) *pb.ModelProto {
	g := &pb.GraphProto{Name: proto.String(n.Name)}
	in := n.Input
	g.Input = append(g.Input, &pb.ValueInfoProto{Name: proto.String(in.Name), Type: onnx.TensorType(in.C, in.H, in.W),
		DocString: proto.String(fmt.Sprintf("channels %s, values %g .. %g", strings.Join(in.Channels, " "), in.Lo, in.Hi))})
	prev := in.Name
	for _, l := range n.Layers {
		out := l.Name
		pre := out
		if l.Relu && l.Op != check.LayerRelu {
			pre = l.Name + "/" + string(l.Op)
		}
		pads := []int64{int64(l.Pads[0]), int64(l.Pads[1]), int64(l.Pads[2]), int64(l.Pads[3])}
		k, s := int64(l.Kernel), int64(l.Stride)
		switch l.Op {
		case check.LayerConv:
			c := n.Conv(l.Name)
			var doc []string
			for _, f := range l.Families {
				doc = append(doc, f.Name+" ("+f.Pos+")")
			}
			src := "made by " + strings.Join(doc, ", ")
			g.Initializer = append(g.Initializer,
				onnx.FloatTensor(WeightName(l.Name), "weights of layer "+l.Name+" ("+l.Pos+"), "+src, c.Weight.Shape(), lower.Float32s(c.Weight)),
				onnx.FloatTensor(BiasName(l.Name), "biases of layer "+l.Name+" ("+l.Pos+"), "+src, c.Bias.Shape(), lower.Float32s(c.Bias)))
			g.Node = append(g.Node, &pb.NodeProto{Name: proto.String(l.Name + "/conv"), OpType: proto.String(onnx.OpConv),
				Input: []string{prev, WeightName(l.Name), BiasName(l.Name)}, Output: []string{pre},
				Attribute: []*pb.AttributeProto{onnx.AttrInts("dilations", 1, 1), onnx.AttrInt("group", 1), onnx.AttrInts("kernel_shape", k, k),
					onnx.AttrInts("pads", pads[0], pads[1], pads[2], pads[3]), onnx.AttrInts("strides", s, s)}})
		case check.LayerMaxPool, check.LayerAvgPool:
			op := onnx.OpMaxPool
			attrs := []*pb.AttributeProto{onnx.AttrInts("kernel_shape", k, k), onnx.AttrInts("pads", pads[0], pads[1], pads[2], pads[3]), onnx.AttrInts("strides", s, s)}
			if l.Op == check.LayerAvgPool {
				op = onnx.OpAveragePool
				attrs = append([]*pb.AttributeProto{onnx.AttrInt("count_include_pad", 0)}, attrs...)
			}
			g.Node = append(g.Node, &pb.NodeProto{Name: proto.String(l.Name + "/" + string(l.Op)), OpType: proto.String(op),
				Input: []string{prev}, Output: []string{pre}, Attribute: attrs})
		}
		if l.Relu || l.Op == check.LayerRelu {
			from := pre
			if l.Op == check.LayerRelu {
				from = prev
			}
			g.Node = append(g.Node, &pb.NodeProto{Name: proto.String(l.Name + "/relu"), OpType: proto.String(onnx.OpRelu),
				Input: []string{from}, Output: []string{out}})
		}
		g.Output = append(g.Output, &pb.ValueInfoProto{Name: proto.String(out), Type: onnx.TensorType(l.OutC, l.OutH, l.OutW),
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
