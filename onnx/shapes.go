package onnx

import (
	"fmt"
	"math"
	"slices"

	pb "github.com/circc/circc/onnx/onnxpb"
)

// shapeRule infers a node's output shape from its inputs' shapes (and, for
// a Reshape, its target's value, val); in(i)
// gives input i's shape or an error naming the node. A rule checks every
// attribute and rank it reads, so that a hostile graph gets an error, not
// a panic.
type shapeRule func(m *Model, n *pb.NodeProto, in func(int) ([]int64, error), val valueOf) ([]int64, error)

// Shapes infers the shape of every tensor for an input of the given shape
// (NCHW), for the operators with a shape rule in Ops. Every inferred shape is checked
// to hold at most MaxTensorValues values.
func (m *Model) Shapes(input []int64) (map[string][]int64, error) {
	shapes, _, err := m.infer(input)
	return shapes, err
}

// ShapeValues returns, for an input of the given shape, the value of every
// small int64 tensor the graph holds or computes from shapes (Shape,
// Gather, Unsqueeze, Concat, … as exporters trace x.size()): the
// integers a Reshape's target is made of. They are not part of the
// forward pass's float maps.
func (m *Model) ShapeValues(input []int64) (map[string][]int64, error) {
	_, values, err := m.infer(input)
	return values, err
}

// infer walks the graph once, computing each tensor's shape and, where it
// is a small integer tensor computed from constants and shapes, its value.
func (m *Model) infer(input []int64) (shapes, values map[string][]int64, err error) {
	g := m.P.GetGraph()
	shapes, values = map[string][]int64{}, map[string][]int64{}
	for _, t := range g.GetInitializer() {
		shapes[t.GetName()] = t.GetDims()
		if v, ok := smallInts(t); ok {
			values[t.GetName()] = v
		}
	}
	if m.Input() == nil {
		return nil, nil, fmt.Errorf("the graph has no input")
	}
	shapes[m.Input().GetName()] = input
	for _, n := range g.GetNode() {
		name := nodeName(n.GetName(), n.GetOutput())
		in := func(i int) ([]int64, error) {
			if i >= len(n.GetInput()) || n.GetInput()[i] == "" {
				return nil, fmt.Errorf("node %s (%s) lacks input %d", name, n.GetOpType(), i)
			}
			s, ok := shapes[n.GetInput()[i]]
			if !ok {
				return nil, fmt.Errorf("node %s (%s): shape of %s unknown", name, n.GetOpType(), n.GetInput()[i])
			}
			return s, nil
		}
		val := func(i int) ([]int64, bool) {
			if i >= len(n.GetInput()) {
				return nil, false
			}
			v, ok := values[n.GetInput()[i]]
			return v, ok
		}
		info := Ops[n.GetOpType()]
		if info.shape == nil && info.shapes == nil || n.GetDomain() != "" && n.GetDomain() != "ai.onnx" {
			return nil, nil, fmt.Errorf("node %s: cannot infer shapes through %s", name, n.GetOpType())
		}
		var outs [][]int64
		if info.shapes != nil {
			if outs, err = info.shapes(m, n, in, val); err != nil {
				return nil, nil, err
			}
		} else {
			out, err := info.shape(m, n, in, val)
			if err != nil {
				return nil, nil, err
			}
			for range n.GetOutput() {
				outs = append(outs, out)
			}
		}
		for i, o := range n.GetOutput() {
			if _, err := Count(outs[i]); err != nil {
				return nil, nil, fmt.Errorf("node %s (%s): output: %v", name, n.GetOpType(), err)
			}
			shapes[o] = outs[i]
		}
		if info.value != nil && len(n.GetOutput()) == 1 {
			if v, ok := info.value(m, n, in, val); ok && len(v) <= maxShapeValues {
				values[n.GetOutput()[0]] = v
			}
		}
	}
	return shapes, values, nil
}

// nodeError is an error naming the node and its op.
func nodeError(n *pb.NodeProto, format string, args ...any) error {
	return fmt.Errorf("node %s (%s): %s", nodeName(n.GetName(), n.GetOutput()), n.GetOpType(), fmt.Sprintf(format, args...))
}

// rankOf reads input i and checks its rank (any rank when rank < 0).
func rankOf(n *pb.NodeProto, in func(int) ([]int64, error), i, rank int) ([]int64, error) {
	x, err := in(i)
	if err != nil {
		return nil, err
	}
	if rank >= 0 && len(x) != rank {
		return nil, nodeError(n, "input %d has the shape %v; rank %d expected", i, x, rank)
	}
	return x, nil
}

// axisOf normalises an axis attribute against a rank (ONNX counts a
// negative axis from the end); hi is the largest valid axis.
func axisOf(n *pb.NodeProto, def int64, rank int, hi int) (int, error) {
	a := attrInt64(n, "axis", def)
	if a < 0 {
		a += int64(rank)
	}
	if a < 0 || a > int64(hi) {
		return 0, nodeError(n, "axis %d out of range for rank %d", attrInt64(n, "axis", def), rank)
	}
	return int(a), nil
}

func sameShape(_ *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	return in(0)
}

func broadcastShape(_ *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	out, err := in(0)
	if err != nil {
		return nil, err
	}
	for i := 1; i < len(n.GetInput()); i++ {
		b, err := in(i)
		if err != nil {
			return nil, err
		}
		if out, err = broadcast(out, b); err != nil {
			return nil, nodeError(n, "%v", err)
		}
	}
	return out, nil
}

// broadcast is numpy's rule: dimensions align from the end, and each pair
// is equal or one of them is 1.
func broadcast(a, b []int64) ([]int64, error) {
	if len(b) > len(a) {
		a, b = b, a
	}
	out := append([]int64(nil), a...)
	off := len(a) - len(b)
	for i, d := range b {
		switch o := out[off+i]; {
		case d == o || d == 1:
		case o == 1:
			out[off+i] = d
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// windowShape is Conv's, MaxPool's and AveragePool's output shape.
func windowShape(m *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := rankOf(n, in, 0, 4)
	if err != nil {
		return nil, err
	}
	c := x[1]
	if n.GetOpType() == OpConv {
		w, err := rankOf(n, in, 1, 4)
		if err != nil {
			return nil, err
		}
		group := attrInt64(n, "group", 1)
		if group < 1 || w[0]%group != 0 || w[1]*group != x[1] {
			return nil, nodeError(n, "weight %v with group %d does not fit an input of %d channels", w, group, x[1])
		}
		if k := attrInts64(n, "kernel_shape"); k != nil && (len(k) != 2 || k[0] != w[2] || k[1] != w[3]) {
			return nil, nodeError(n, "kernel_shape %v differs from the weight's %v", k, w[2:])
		}
		if len(n.GetInput()) > 2 && n.GetInput()[2] != "" {
			b, err := rankOf(n, in, 2, 1)
			if err != nil {
				return nil, err
			}
			if b[0] != w[0] {
				return nil, nodeError(n, "a bias of %d values for %d output channels", b[0], w[0])
			}
		}
		c = w[0]
	}
	win, err := m.WindowOf(n)
	if err != nil {
		return nil, err
	}
	ceil := attrInt64(n, "ceil_mode", 0) == 1
	out := []int64{x[0], c, 0, 0}
	for i := 0; i < 2; i++ {
		if win.Pads[i] < 0 || win.Pads[i+2] < 0 || win.Kernel[i] > 1<<16 || win.Dilations[i] > 1<<16 {
			return nil, nodeError(n, "pads %v, kernel %v, dilations %v", win.Pads, win.Kernel, win.Dilations)
		}
		span := float64(x[2+i]+int64(win.Pads[i]+win.Pads[i+2])-int64(win.Dilations[i]*(win.Kernel[i]-1))-1)/float64(win.Strides[i]) + 1
		if ceil {
			out[2+i] = int64(math.Ceil(span - 1e-9))
		} else {
			out[2+i] = int64(math.Floor(span))
		}
		if out[2+i] < 1 {
			return nil, nodeError(n, "a window of %v does not fit an input of %v", win.Kernel, x[2:])
		}
	}
	return out, nil
}

func globalPoolShape(_ *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := rankOf(n, in, 0, 4)
	if err != nil {
		return nil, err
	}
	return []int64{x[0], x[1], 1, 1}, nil
}

func concatShape(_ *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	axis, err := axisOf(n, 1, len(x), len(x)-1)
	if err != nil {
		return nil, err
	}
	out := append([]int64(nil), x...)
	for i := 1; i < len(n.GetInput()); i++ {
		y, err := rankOf(n, in, i, len(x))
		if err != nil {
			return nil, err
		}
		for d := range y {
			if d != axis && y[d] != x[d] {
				return nil, nodeError(n, "inputs of shapes %v and %v differ off the axis %d", x, y, axis)
			}
		}
		out[axis] += y[axis]
	}
	return out, nil
}

func flattenShape(_ *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	axis, err := axisOf(n, 1, len(x), len(x))
	if err != nil {
		return nil, err
	}
	a, _ := Count(x[:axis])
	b, _ := Count(x[axis:])
	return []int64{a, b}, nil
}

func gemmShape(_ *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := rankOf(n, in, 0, 2)
	if err != nil {
		return nil, err
	}
	w, err := rankOf(n, in, 1, 2)
	if err != nil {
		return nil, err
	}
	rows, inner := x[0], x[1]
	if attrInt64(n, "transA", 0) == 1 {
		rows, inner = x[1], x[0]
	}
	k, o := w[0], w[1]
	if attrInt64(n, "transB", 0) == 1 {
		k, o = w[1], w[0]
	}
	if k != inner {
		return nil, nodeError(n, "a product of %v and %v does not fit", x, w)
	}
	return []int64{rows, o}, nil
}

func gatherShape(_ *Model, n *pb.NodeProto, in func(int) ([]int64, error), val valueOf) ([]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	idx, err := in(1)
	if err != nil {
		return nil, err
	}
	axis := attrInt64(n, "axis", 0)
	if _, known := val(0); known && len(x) == 1 && axis == 0 && len(idx) <= 1 { // picks from a shape
		return idx, nil
	}
	if axis < 1 || int(axis) >= len(x) || len(idx) > 1 {
		return nil, nodeError(n, "only Gather on a channel or spatial axis with one index or a list of indices, or from a shape, is supported")
	}
	out := append([]int64(nil), x...)
	if len(idx) == 0 { // one index: the axis goes (torchvision's x[:, 0])
		return append(out[:axis], out[axis+1:]...), nil
	}
	out[axis] = idx[0]
	return out, nil
}

// SplitOf reads a Split of an input of the given shape: its axis and each
// output's length along it (the split input from opset 13, the attribute
// before, or equal parts, num_outputs of them from opset 18).
func (m *Model) SplitOf(n *pb.NodeProto, x []int64) (axis int, sizes []int64, err error) {
	if axis, err = axisOf(n, 0, len(x), len(x)-1); err != nil {
		return 0, nil, err
	}
	sizes = attrInts64(n, "split")
	if ins := n.GetInput(); len(ins) > 1 && ins[1] != "" {
		if sizes, err = m.Int64s(ins[1]); err != nil {
			return 0, nil, nodeError(n, "split sizes that are not constant: %v", err)
		}
	}
	parts := int64(len(n.GetOutput()))
	if len(sizes) == 0 {
		if parts == 0 || x[axis]%parts != 0 {
			return 0, nil, nodeError(n, "%d outputs do not split %d evenly", parts, x[axis])
		}
		for range parts {
			sizes = append(sizes, x[axis]/parts)
		}
	}
	total := int64(0)
	for _, d := range sizes {
		if d < 0 {
			return 0, nil, nodeError(n, "split sizes %v", sizes)
		}
		total += d
	}
	if int64(len(sizes)) != parts || total != x[axis] {
		return 0, nil, nodeError(n, "split sizes %v for %d outputs of an axis of %d", sizes, parts, x[axis])
	}
	return axis, sizes, nil
}

func splitShapes(m *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([][]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	axis, sizes, err := m.SplitOf(n, x)
	if err != nil {
		return nil, err
	}
	outs := make([][]int64, len(sizes))
	for i, d := range sizes {
		outs[i] = slices.Clone(x)
		outs[i][axis] = d
	}
	return outs, nil
}

// layerNormShape checks a LayerNormalization's scale (and bias) against
// the axes it normalises, from axis to the last.
func layerNormShape(_ *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	axis, err := axisOf(n, -1, len(x), len(x)-1)
	if err != nil {
		return nil, err
	}
	for i := 1; i < len(n.GetInput()) && i < 3; i++ {
		if n.GetInput()[i] == "" {
			continue
		}
		s, err := in(i)
		if err != nil {
			return nil, err
		}
		if _, err := broadcast(x[axis:], s); err != nil || len(s) > len(x)-axis {
			return nil, nodeError(n, "a scale or bias of shape %v for normalised axes %v", s, x[axis:])
		}
	}
	return x, nil
}

func constantShape(_ *Model, n *pb.NodeProto, _ func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	a := Attr(n, "value")
	if a == nil || a.GetT() == nil {
		return nil, nodeError(n, "only a Constant with a dense value tensor is supported")
	}
	return a.GetT().GetDims(), nil
}

// matMulShape: a product of matrices, or of a stack of them (a map with
// channels last, as Linear layers over NHWC maps export) by one matrix.
func matMulShape(_ *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	a, err := in(0)
	if err != nil {
		return nil, err
	}
	b, err := rankOf(n, in, 1, 2)
	if err != nil || len(a) < 2 {
		return nil, nodeError(n, "only MatMul of matrices, or of a stack of matrices by one matrix, is supported")
	}
	if a[len(a)-1] != b[0] {
		return nil, nodeError(n, "a product of %v and %v does not fit", a, b)
	}
	return append(slices.Clone(a[:len(a)-1]), b[1]), nil
}

func reshapeShape(m *Model, n *pb.NodeProto, in func(int) ([]int64, error), val valueOf) ([]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	if len(n.GetInput()) < 2 {
		return nil, nodeError(n, "no target shape")
	}
	to, ok := val(1)
	if !ok {
		return nil, nodeError(n, "Reshape to a shape that is neither constant nor computed from shapes")
	}
	out, err := reshaped(x, to)
	if err != nil {
		return nil, nodeError(n, "%v", err)
	}
	return out, nil
}

func sliceShape(m *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	sl, err := m.SliceOf(n, len(x))
	if err != nil {
		return nil, err
	}
	sl.Resolve(x)
	out := append([]int64(nil), x...)
	for i, a := range sl.Axes {
		out[a] = sl.Ends[i] - sl.Starts[i]
	}
	return out, nil
}

func padShape(m *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	pads, err := m.PadsOf(n, len(x))
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(x))
	for i, d := range x {
		out[i] = d + pads[i] + pads[i+len(x)]
		if out[i] < 1 {
			return nil, nodeError(n, "pads %v leave axis %d of %v empty", pads, i, x)
		}
	}
	return out, nil
}

func transposeShape(_ *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	p := PermOf(n, len(x))
	if len(p) != len(x) {
		return nil, nodeError(n, "perm %v for a rank-%d input", p, len(x))
	}
	out, seen := make([]int64, len(x)), make([]bool, len(x))
	for i, a := range p {
		if a < 0 || int(a) >= len(x) || seen[a] {
			return nil, nodeError(n, "perm %v is not an order of %d axes", p, len(x))
		}
		seen[a], out[i] = true, x[a]
	}
	return out, nil
}

// intsOf reads a list an operator takes as the attribute name in early
// operator sets and as its second input, a constant, in later ones
// (Pad's pads from 11, Squeeze's and Unsqueeze's axes from 13,
// ReduceMean's from 18).
func (m *Model) intsOf(n *pb.NodeProto, name string) ([]int64, error) {
	ins := n.GetInput()
	if len(ins) < 2 || ins[1] == "" {
		return attrInts64(n, name), nil
	}
	v, err := m.Int64s(ins[1])
	if err != nil {
		return nil, nodeError(n, "%s that are not constant: %v", name, err)
	}
	return v, nil
}

// axesOf reads a Squeeze's or Unsqueeze's axes (an input from opset 13,
// an attribute before), counted from the end when negative, for an output
// (Unsqueeze) or input (Squeeze) of the given rank.
func (m *Model) axesOf(n *pb.NodeProto, rank int) ([]int, bool, error) {
	axes, err := m.intsOf(n, "axes")
	if err != nil {
		return nil, false, err
	}
	var out []int
	for _, a := range axes {
		if a < 0 {
			a += int64(rank)
		}
		if a < 0 || int(a) >= rank || slices.Contains(out, int(a)) {
			return nil, false, nodeError(n, "axes %v for rank %d", axes, rank)
		}
		out = append(out, int(a))
	}
	return out, len(axes) > 0, nil
}

func squeezeShape(m *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	axes, given, err := m.axesOf(n, len(x))
	if err != nil {
		return nil, err
	}
	var out []int64
	for i, d := range x {
		drop := d == 1 && !given
		if given && slices.Contains(axes, i) {
			if d != 1 {
				return nil, nodeError(n, "axis %d of %v is not 1", i, x)
			}
			drop = true
		}
		if !drop {
			out = append(out, d)
		}
	}
	return out, nil
}

func unsqueezeShape(m *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	added, err := m.intsOf(n, "axes")
	if err != nil {
		return nil, err
	}
	axes, _, err := m.axesOf(n, len(x)+len(added))
	if err != nil {
		return nil, err
	}
	out, j := make([]int64, len(x)+len(added)), 0
	for i := range out {
		if slices.Contains(axes, i) {
			out[i] = 1
			continue
		}
		out[i], j = x[j], j+1
	}
	return out, nil
}

// ReduceAxesOf reads a reduction's axes (an input from opset 18, an
// attribute before; every axis when none), counted from the end when
// negative, and whether it keeps the reduced axes as 1.
func (m *Model) ReduceAxesOf(n *pb.NodeProto, rank int) ([]int, bool, error) {
	axes, given, err := m.axesOf(n, rank)
	if err != nil {
		return nil, false, err
	}
	if !given {
		if attrInt64(n, "noop_with_empty_axes", 0) != 0 {
			return nil, false, nodeError(n, "a reduction over no axes")
		}
		for a := range rank {
			axes = append(axes, a)
		}
	}
	return axes, attrInt64(n, "keepdims", 1) != 0, nil
}

func reduceShape(m *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	axes, keep, err := m.ReduceAxesOf(n, len(x))
	if err != nil {
		return nil, err
	}
	var out []int64
	for i, d := range x {
		switch {
		case !slices.Contains(axes, i):
			out = append(out, d)
		case keep:
			out = append(out, 1)
		}
	}
	return out, nil
}
