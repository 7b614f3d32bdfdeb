package onnx

import (
	"slices"

	pb "github.com/circc/circc/onnx/onnxpb"
)

// valueOf gives input i's value when it is a small integer tensor whose
// value is known before the graph runs (a constant, or computed from
// shapes); ok is false otherwise.
type valueOf func(i int) ([]int64, bool)

// valueRule computes an op's output value from its inputs' values, for
// the ops exporters use to trace x.size() into a Reshape's target.
type valueRule func(m *Model, n *pb.NodeProto, in func(int) ([]int64, error), val valueOf) ([]int64, bool)

// multiShapeRule infers the shapes of an op's several outputs.
type multiShapeRule func(m *Model, n *pb.NodeProto, in func(int) ([]int64, error), val valueOf) ([][]int64, error)

// maxShapeValues bounds the integer tensors whose values are followed: a
// shape holds a few.
const maxShapeValues = 64

// smallInts reads a small int64 (or int32) tensor's values.
func smallInts(t *pb.TensorProto) ([]int64, bool) {
	if n, err := Count(t.GetDims()); err != nil || n > maxShapeValues {
		return nil, false
	}
	switch t.GetDataType() {
	case int32(pb.TensorProto_INT64):
		v, err := Int64s(t)
		return v, err == nil
	case int32(pb.TensorProto_INT32):
		if len(t.GetRawData()) > 0 {
			return nil, false
		}
		out := make([]int64, len(t.GetInt32Data()))
		for i, v := range t.GetInt32Data() {
			out[i] = int64(v)
		}
		return out, true
	}
	return nil, false
}

// shapeValue is Shape's output: the input's dimensions, from start to end
// (opset 15's attributes, counted from the end when negative).
func shapeValue(_ *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, bool) {
	x, err := in(0)
	if err != nil {
		return nil, false
	}
	lo, hi, ok := shapeRange(n, len(x))
	if !ok {
		return nil, false
	}
	return slices.Clone(x[lo:hi]), true
}

func shapeRange(n *pb.NodeProto, rank int) (lo, hi int, ok bool) {
	clamp := func(a int64) int {
		if a < 0 {
			a += int64(rank)
		}
		return int(min(max(a, 0), int64(rank)))
	}
	lo, hi = clamp(attrInt64(n, "start", 0)), clamp(attrInt64(n, "end", int64(rank)))
	return lo, hi, lo <= hi
}

func shapeOfShape(_ *Model, n *pb.NodeProto, in func(int) ([]int64, error), _ valueOf) ([]int64, error) {
	x, err := in(0)
	if err != nil {
		return nil, err
	}
	lo, hi, ok := shapeRange(n, len(x))
	if !ok {
		return nil, nodeError(n, "start after end")
	}
	return []int64{int64(hi - lo)}, nil
}

func constantValue(_ *Model, n *pb.NodeProto, _ func(int) ([]int64, error), _ valueOf) ([]int64, bool) {
	if a := Attr(n, "value"); a != nil && a.GetT() != nil {
		return smallInts(a.GetT())
	}
	return nil, false
}

// passValue: Identity, Cast, Squeeze and Unsqueeze keep the values.
func passValue(_ *Model, _ *pb.NodeProto, _ func(int) ([]int64, error), val valueOf) ([]int64, bool) {
	return val(0)
}

func gatherValue(_ *Model, n *pb.NodeProto, _ func(int) ([]int64, error), val valueOf) ([]int64, bool) {
	x, ok := val(0)
	idx, ok2 := val(1)
	if !ok || !ok2 || attrInt64(n, "axis", 0) != 0 {
		return nil, false
	}
	out := make([]int64, len(idx))
	for i, k := range idx {
		if k < 0 {
			k += int64(len(x))
		}
		if k < 0 || k >= int64(len(x)) {
			return nil, false
		}
		out[i] = x[k]
	}
	return out, true
}

func concatValue(_ *Model, n *pb.NodeProto, _ func(int) ([]int64, error), val valueOf) ([]int64, bool) {
	var out []int64
	for i := range n.GetInput() {
		v, ok := val(i)
		if !ok {
			return nil, false
		}
		out = append(out, v...)
	}
	return out, true
}

// arithmeticValue: Add, Sub, Mul and Div of integers, a one-value input
// broadcast (Div truncates, as ONNX's integer division does).
func arithmeticValue(_ *Model, n *pb.NodeProto, _ func(int) ([]int64, error), val valueOf) ([]int64, bool) {
	a, ok := val(0)
	b, ok2 := val(1)
	if !ok || !ok2 || len(n.GetInput()) != 2 || len(a) != len(b) && len(a) != 1 && len(b) != 1 {
		return nil, false
	}
	at := func(v []int64, i int) int64 { return v[min(i, len(v)-1)] }
	out := make([]int64, max(len(a), len(b)))
	for i := range out {
		x, y := at(a, i), at(b, i)
		switch n.GetOpType() {
		case OpAdd:
			out[i] = x + y
		case OpSub:
			out[i] = x - y
		case OpMul:
			out[i] = x * y
		case OpDiv:
			if y == 0 {
				return nil, false
			}
			out[i] = x / y
		default:
			return nil, false
		}
	}
	return out, true
}

func sliceValue(m *Model, n *pb.NodeProto, _ func(int) ([]int64, error), val valueOf) ([]int64, bool) {
	x, ok := val(0)
	if !ok {
		return nil, false
	}
	sl, err := m.SliceOf(n, 1)
	if err != nil {
		return nil, false
	}
	sl.Resolve([]int64{int64(len(x))})
	if len(sl.Axes) == 0 {
		return slices.Clone(x), true
	}
	return slices.Clone(x[sl.Starts[0]:max(sl.Starts[0], sl.Ends[0])]), true
}
