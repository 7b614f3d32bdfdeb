package onnx

import (
	"slices"

	"google.golang.org/protobuf/proto"

	pb "github.com/circc/circc/onnx/onnxpb"
)

// NHWCInput says whether the image input is laid out [N, H, W, C], as
// graphs converted from TensorFlow take it: a last axis of 1 or 3
// channels after an axis that is not.
func (m *Model) NHWCInput() bool {
	s := m.InputShape()
	return len(s) == 4 && (s[3] == 1 || s[3] == 3) && s[1] != s[3]
}

// ToNCHWInput gives an NHWC graph an NCHW input of the same name: a
// Transpose back to NHWC feeds what read the input before (tf2onnx's own
// Transpose to NCHW then cancels it), so that every part of circc reads
// one layout. It reports whether it changed the graph.
func (m *Model) ToNCHWInput() bool {
	if !m.NHWCInput() {
		return false
	}
	in := m.Input()
	name, inner := in.GetName(), in.GetName()+"/nhwc"
	g := m.P.GetGraph()
	for _, n := range g.GetNode() {
		for i, x := range n.GetInput() {
			if x == name {
				n.Input[i] = inner
			}
		}
	}
	for _, o := range g.GetOutput() {
		if o.GetName() == name {
			o.Name = proto.String(inner)
		}
	}
	t := &pb.NodeProto{Name: proto.String(inner), OpType: proto.String(OpTranspose), Input: []string{name}, Output: []string{inner},
		Attribute: []*pb.AttributeProto{AttrInts("perm", 0, 2, 3, 1)}}
	g.Node = slices.Insert(g.Node, 0, t)
	d := in.GetType().GetTensorType().GetShape().GetDim()
	d[1], d[2], d[3] = d[3], d[1], d[2]
	return true
}

// Layout is how a 4-D map's axes are laid out.
type Layout uint8

const (
	LayoutUnknown Layout = iota
	LayoutNCHW
	LayoutNHWC // channels last, as a Linear layer or layer norm over channels reads a map
)

// Layouts gives the layout of the tensors it can tell: the image input's
// (NHWC by NHWCInput, NCHW when its shape says otherwise), a Transpose
// between the two flips it (as torchvision's ConvNeXt does around each
// layer norm and Linear layer), and the ops that act per position keep
// their inputs'.
func (m *Model) Layouts() map[string]Layout {
	layouts := map[string]Layout{}
	if m.NHWCInput() {
		layouts[m.Input().GetName()] = LayoutNHWC
	} else if len(m.InputShape()) == 4 {
		layouts[m.Input().GetName()] = LayoutNCHW
	}
	for _, n := range m.P.GetGraph().GetNode() {
		ins := n.GetInput()
		if len(ins) == 0 {
			continue
		}
		var l Layout
		switch info := Ops[n.GetOpType()]; {
		case n.GetOpType() == OpTranspose:
			switch p := PermOf(n, 4); {
			case slices.Equal(p, []int64{0, 2, 3, 1}) && layouts[ins[0]] != LayoutNHWC:
				l = LayoutNHWC
			case slices.Equal(p, []int64{0, 3, 1, 2}) && layouts[ins[0]] != LayoutNCHW:
				l = LayoutNCHW
			}
		case info.Field == FieldWindow || info.Field == FieldPicksChannels || info.Field == FieldShuffle:
			l = LayoutNCHW
		case info.Field == FieldKeeps || info.Field == FieldChannelsLast:
			for _, in := range ins { // a bias or scale may come first
				if l = layouts[in]; l != LayoutUnknown {
					break
				}
			}
		}
		if l != LayoutUnknown {
			for _, o := range n.GetOutput() {
				layouts[o] = l
			}
		}
	}
	return layouts
}
