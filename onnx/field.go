package onnx

import (
	"fmt"
	"slices"

	pb "github.com/circc/circc/onnx/onnxpb"
)

// Field is the receptive field of a tensor's cells in the input image:
// cell (y, x) depends on input rows Lo[0]+y·Jump[0] … Hi[0]+y·Jump[0] and
// columns Lo[1]+x·Jump[1] … Hi[1]+x·Jump[1] (inclusive; coordinates below
// 0 or past the input's edge are padding). Jump is the total stride.
type Field struct {
	Jump   [2]int
	Lo, Hi [2]int
}

// Size is the field's extent in input pixels, rows and columns.
func (f Field) Size() [2]int { return [2]int{f.Hi[0] - f.Lo[0] + 1, f.Hi[1] - f.Lo[1] + 1} }

// ReceptiveFields computes the field of every tensor the image input
// reaches, through convolutions and pools (kernel, stride, padding,
// dilation) and the per-position ops; a tensor made from several (Concat,
// Add) gets the union of their fields, which must share one stride. An op
// that mixes positions otherwise (a global pool, a dense layer) ends the
// fields: its output has none. It is the one receptive-field computation,
// for reference models and compiled circuits alike.
func (m *Model) ReceptiveFields() (map[string]Field, error) {
	fields := map[string]Field{m.Input().GetName(): {Jump: [2]int{1, 1}}}
	layouts := m.Layouts()
	var shapes map[string][]int64 // for a channel shuffle's, read once when one is met
	shapesRead := false
	for _, n := range m.P.GetGraph().GetNode() {
		if Ops[n.GetOpType()].Field == FieldShuffle {
			if !shapesRead {
				shapes, _ = m.Shapes(batchOfOne(m.InputShape())) // unknown shapes: no shuffle is recognised
				shapesRead = true
			}
			if src, _, ok := m.ChannelShuffle(n, shapes); ok {
				if f, ok := fields[src]; ok {
					fields[n.GetOutput()[0]] = f
				}
			}
			continue
		}
		var ins []Field
		for _, in := range n.GetInput() {
			if f, ok := fields[in]; ok {
				ins = append(ins, f)
			}
		}
		if len(ins) == 0 || len(n.GetOutput()) == 0 {
			continue
		}
		f := ins[0]
		for _, g := range ins[1:] {
			if g.Jump != f.Jump {
				return nil, fmt.Errorf("node %s (%s) joins fields of strides %v and %v", nodeName(n.GetName(), n.GetOutput()), n.GetOpType(), f.Jump, g.Jump)
			}
			for a := 0; a < 2; a++ {
				f.Lo[a], f.Hi[a] = min(f.Lo[a], g.Lo[a]), max(f.Hi[a], g.Hi[a])
			}
		}
		x := n.GetInput()[0]
		switch Ops[n.GetOpType()].Field {
		case FieldWindow:
			w, err := m.WindowOf(n)
			if err != nil {
				return nil, err
			}
			// Output cell 0 reads input cells −pad … −pad + dilation·(k−1).
			for a := 0; a < 2; a++ {
				j, p := f.Jump[a], w.Pads[a]
				f.Lo[a] -= p * j
				f.Hi[a] += (w.Dilations[a]*(w.Kernel[a]-1) - p) * j
				f.Jump[a] = j * w.Strides[a]
			}
		case FieldKeeps:
		case FieldMovesChannels:
			if layouts[n.GetOutput()[0]] == LayoutUnknown { // not a Transpose between NCHW and NHWC
				continue // the field ends here
			}
		case FieldChannelsLast:
			if layouts[x] != LayoutNHWC || !m.overLastAxisOnly(n) {
				continue // the field ends here
			}
		case FieldLeadingAxes:
			axes, err := m.intsOf(n, "axes")
			if err != nil || len(axes) == 0 || slices.ContainsFunc(axes, func(a int64) bool { return a < 0 || a > 1 }) {
				continue // the field ends here
			}
		case FieldPicksChannels:
			if attrInt64(n, "axis", 0) != 1 {
				continue // the field ends here
			}
		default:
			continue // the field ends here
		}
		for _, out := range n.GetOutput() {
			fields[out] = f
		}
	}
	return fields, nil
}

// overLastAxisOnly says whether a layer norm normalises the last axis
// alone, or a MatMul multiplies by a constant matrix (so that on a
// channels-last map each acts on one position's channels).
func (m *Model) overLastAxisOnly(n *pb.NodeProto) bool {
	switch n.GetOpType() {
	case OpLayerNormalization:
		return attrInt64(n, "axis", -1) == -1 || attrInt64(n, "axis", -1) == 3
	case OpMatMul:
		w := m.weightProto(n.GetInput()[1])
		return w != nil && len(w.GetDims()) == 2
	}
	return false
}

// batchOfOne is an input shape with a free batch (−1) set to 1.
func batchOfOne(s []int64) []int64 {
	s = slices.Clone(s)
	for i, d := range s {
		if d < 1 {
			s[i] = 1
		}
	}
	return s
}

// ChannelShuffle recognises the Reshape n that ends a channel shuffle as
// ShuffleNet exports it: x [N, C, H, W] reshaped to [N, g, C/g, H, W],
// its two channel axes swapped by a Transpose, and reshaped back to
// [N, C, H, W]. It returns x and, for each output channel, the input
// channel it holds.
func (m *Model) ChannelShuffle(n *pb.NodeProto, shapes map[string][]int64) (x string, from []int, ok bool) {
	if n.GetOpType() != OpReshape || len(n.GetInput()) < 1 || len(n.GetOutput()) != 1 {
		return "", nil, false
	}
	t := m.Producer(n.GetInput()[0])
	if t == nil || t.GetOpType() != OpTranspose || len(t.GetInput()) < 1 || !slices.Equal(PermOf(t, 5), []int64{0, 2, 1, 3, 4}) {
		return "", nil, false
	}
	r := m.Producer(t.GetInput()[0])
	if r == nil || r.GetOpType() != OpReshape || len(r.GetInput()) < 1 {
		return "", nil, false
	}
	x = r.GetInput()[0]
	in, split, out := shapes[x], shapes[t.GetInput()[0]], shapes[n.GetOutput()[0]]
	if len(in) != 4 || len(split) != 5 || !slices.Equal(in, out) || split[0] != in[0] || split[1]*split[2] != in[1] || !slices.Equal(split[3:], in[2:]) {
		return "", nil, false
	}
	g, per := int(split[1]), int(split[2])
	from = make([]int, in[1])
	for j := range from { // output channel j = a·g + b holds input channel b·per + a
		from[j] = (j%g)*per + j/g
	}
	return x, from, true
}

// Window is the geometry of a 2-D sliding-window op (Conv, MaxPool,
// AveragePool): output cell y reads input cells y·Strides − Pads[begin] +
// k·Dilations for k in 0 … Kernel−1, per axis (rows, then columns). Pads
// are ONNX's: rows' and columns' begins, then their ends.
type Window struct {
	Kernel, Strides, Dilations [2]int
	Pads                       [4]int
}

// WindowOf reads a Conv's or pool's window (a Conv's kernel from its
// weight when the attribute is absent); auto_pad other than NOTSET is
// refused.
func (m *Model) WindowOf(n *pb.NodeProto) (Window, error) {
	op := n.GetOpType()
	if op == OpPad {
		return m.padWindow(n)
	}
	k := attrInts64(n, "kernel_shape")
	if op == OpConv && len(k) == 0 && len(n.GetInput()) > 1 {
		if w := m.weightProto(n.GetInput()[1]); w != nil && len(w.GetDims()) == 4 {
			k = w.GetDims()[2:] // the kernel's shape is its weight's
		}
	}
	strides := attrInts64(n, "strides", 1, 1)
	pads := attrInts64(n, "pads", 0, 0, 0, 0)
	dil := attrInts64(n, "dilations", 1, 1)
	name := nodeName(n.GetName(), n.GetOutput())
	if len(k) != 2 || len(strides) != 2 || len(pads) != 4 || len(dil) != 2 {
		return Window{}, fmt.Errorf("node %s (%s): not a 2-D window", name, op)
	}
	if a := Attr(n, "auto_pad"); a != nil && string(a.GetS()) != "" && string(a.GetS()) != "NOTSET" {
		return Window{}, fmt.Errorf("node %s (%s): auto_pad %s is not supported; export explicit pads", name, op, string(a.GetS()))
	}
	var w Window
	for a := 0; a < 2; a++ {
		w.Kernel[a], w.Strides[a], w.Dilations[a] = int(k[a]), int(strides[a]), int(dil[a])
		if w.Kernel[a] < 1 || w.Strides[a] < 1 || w.Dilations[a] < 1 {
			return Window{}, fmt.Errorf("node %s (%s): kernel %v, strides %v, dilations %v", name, op, k, strides, dil)
		}
	}
	for i := range w.Pads {
		w.Pads[i] = int(pads[i])
	}
	return w, nil
}

// PadsOf reads a Pad's pads, every axis's begin and then every axis's
// end (an input from opset 11, an attribute before), and refuses a mode
// other than constant: reflected or repeated edges are not a window.
func (m *Model) PadsOf(n *pb.NodeProto, rank int) ([]int64, error) {
	if a := Attr(n, "mode"); a != nil && string(a.GetS()) != "" && string(a.GetS()) != "constant" {
		return nil, nodeError(n, "mode %s is not supported; only constant padding", string(a.GetS()))
	}
	pads, err := m.intsOf(n, "pads")
	if err != nil {
		return nil, err
	}
	if ins := n.GetInput(); len(ins) > 3 && ins[3] != "" {
		return nil, nodeError(n, "pads on chosen axes are not supported")
	}
	if len(pads) != 2*rank {
		return nil, nodeError(n, "%d pads for a rank-%d input", len(pads), rank)
	}
	return pads, nil
}

// padWindow reads a constant Pad of an [N, C, H, W] map as a 1×1 window
// with its pads: each output cell reads one input cell, or a pad.
func (m *Model) padWindow(n *pb.NodeProto) (Window, error) {
	pads, err := m.PadsOf(n, 4)
	if err != nil {
		return Window{}, err
	}
	if pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 {
		return Window{}, nodeError(n, "pads on the batch or channel axis, not a window")
	}
	for _, p := range pads {
		if p < 0 {
			return Window{}, nodeError(n, "negative pads (a crop) are not a window")
		}
	}
	return Window{Kernel: [2]int{1, 1}, Strides: [2]int{1, 1}, Dilations: [2]int{1, 1},
		Pads: [4]int{int(pads[2]), int(pads[3]), int(pads[6]), int(pads[7])}}, nil
}

// PermOf is a Transpose's order of axes for an input of the given rank:
// its perm, or the axes reversed.
func PermOf(n *pb.NodeProto, rank int) []int64 {
	p := attrInts64(n, "perm")
	if len(p) == 0 {
		for i := rank - 1; i >= 0; i-- {
			p = append(p, int64(i))
		}
	}
	return p
}
