package grad

import (
	"fmt"
	"math"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
)

// The gradient graph's extra input and output.
const (
	// Seed is the input that weighs the target: the objective is
	// Σ Seed·target, per image.
	Seed = "grad/seed"
	// Image is the output holding the objective's gradient with respect
	// to the image input.
	Image = "grad/image"
)

// MinOpset is the oldest operator set whose ops the backward nodes use
// (Pad and Equal on floats).
const MinOpset = 11

// Options change the gradient for feature visualization.
type Options struct {
	// RedirectRelu passes a Relu's gradient through where its input is
	// negative, in the images whose gradient would otherwise be zero there,
	// unless it pushes the input lower (Lucid's redirected ReLU: a unit
	// that starts silent still learns which way to go). The result is
	// then not the gradient; leave it off for anything but optimising.
	RedirectRelu bool
}

// Build returns a copy of m that computes target and, as Image, the
// gradient of Σ Seed·target with respect to m's image input, whose NCHW
// shape is input (the batch free). Only the part of m that target needs is
// kept.
func Build(m *onnx.Model, input []int64, target string, opts ...Options) (*onnx.Model, error) {
	var opt Options
	if len(opts) > 0 {
		opt = opts[0]
	}
	if v := m.Opset(); v < MinOpset {
		return nil, fmt.Errorf("the model uses operator set %d; gradients need %d or later", v, MinOpset)
	}
	c := m.Clone()
	if err := c.SetOutputs(input, target); err != nil {
		return nil, err
	}
	shapes, err := c.Shapes(input)
	if err != nil {
		return nil, err
	}
	b := &builder{m: c, shapes: shapes, konst: map[string]bool{}, opset: c.Opset(), opt: opt}
	g := c.P.GetGraph()
	for _, t := range g.GetInitializer() {
		b.konst[t.GetName()] = true
	}
	for _, n := range g.GetNode() {
		if n.GetOpType() == onnx.OpConstant {
			for _, o := range n.GetOutput() {
				b.konst[o] = true
			}
		}
	}
	image := c.Input().GetName()
	acc := map[string][]string{target: {Seed}}
	nodes := g.GetNode()
	for k := len(nodes) - 1; k >= 0; k-- {
		n := nodes[k]
		if len(n.GetOutput()) == 0 || n.GetOpType() == onnx.OpConstant {
			continue
		}
		var grads map[string]string
		var err error
		if onnx.Ops[n.GetOpType()].Grad == onnx.GradSplit { // several outputs, each with its gradient or none
			gs := make([]string, len(n.GetOutput()))
			for i, o := range n.GetOutput() {
				if len(acc[o]) > 0 {
					gs[i] = b.sum(acc[o])
				}
			}
			if slices.Equal(gs, make([]string, len(gs))) {
				continue
			}
			grads, err = b.split(n, gs)
		} else {
			gs := acc[n.GetOutput()[0]]
			if len(gs) == 0 {
				continue
			}
			grads, err = b.vjp(n, b.sum(gs))
		}
		if err != nil {
			return nil, err
		}
		for in, gi := range grads {
			acc[in] = append(acc[in], gi)
		}
	}
	if len(acc[image]) == 0 {
		return nil, fmt.Errorf("%s does not depend on the image input %s", target, image)
	}
	b.add(onnx.OpIdentity, []string{b.sum(acc[image])}, Image)
	g.Node = append(g.Node, b.nodes...)
	g.Initializer = append(g.Initializer, b.inits...)
	g.Input = append(g.Input, onnx.ValueInfo(Seed, shapes[target]))
	g.Output = append(g.Output, onnx.ValueInfo(Image, input))
	return c, nil
}

type builder struct {
	opt    Options
	m      *onnx.Model
	shapes map[string][]int64
	konst  map[string]bool
	opset  int64
	nodes  []*pb.NodeProto
	inits  []*pb.TensorProto
	count  int
}

func (b *builder) fresh(base string) string {
	b.count++
	return fmt.Sprintf("grad/%d/%s", b.count, base)
}

// add appends a node with one output; out "" names it afresh.
func (b *builder) add(op string, ins []string, out string, attrs ...*pb.AttributeProto) string {
	if out == "" {
		out = b.fresh(op)
	}
	b.nodes = append(b.nodes, &pb.NodeProto{Name: proto.String(out), OpType: proto.String(op), Input: ins, Output: []string{out}, Attribute: attrs})
	return out
}

func (b *builder) op(op string, attrs []*pb.AttributeProto, ins ...string) string {
	return b.add(op, ins, "", attrs...)
}

// floats adds a float32 constant.
func (b *builder) floats(dims []int64, data []float32) string {
	name := b.fresh("const")
	d := make([]int, len(dims))
	for i, x := range dims {
		d[i] = int(x)
	}
	b.inits = append(b.inits, onnx.FloatTensor(name, "", d, data))
	return name
}

func (b *builder) scalar(v float32) string { return b.floats(nil, []float32{v}) }

// onAxes adds op on x over axes, which ReduceSum and Unsqueeze take as
// an input from operator set 13 and as an attribute before.
func (b *builder) onAxes(op, x string, axes []int64, attrs ...*pb.AttributeProto) string {
	if b.opset >= 13 {
		return b.op(op, attrs, x, b.ints(axes...))
	}
	return b.op(op, append(attrs, onnx.AttrInts("axes", axes...)), x)
}

// holds is 1 where the comparison cmp (Greater, Less, Equal) of a with c
// holds, else 0, as floats: the masks gradients are multiplied by.
func (b *builder) holds(cmp, a, c string) string {
	return b.op(onnx.OpCast, []*pb.AttributeProto{onnx.AttrInt("to", int64(pb.TensorProto_FLOAT))}, b.op(cmp, nil, a, c))
}

// ramp is 1 where αx + β lies strictly between 0 and 1 (where a hard
// sigmoid has its slope), else 0.
func (b *builder) ramp(x string, alpha, beta float32) string {
	z := b.op(onnx.OpAdd, nil, b.op(onnx.OpMul, nil, x, b.scalar(alpha)), b.scalar(beta))
	above := b.holds(onnx.OpGreater, z, b.scalar(0))
	below := b.holds(onnx.OpLess, z, b.scalar(1))
	return b.op(onnx.OpMul, nil, above, below)
}

// unbroadcast sums a gradient of shape y over the axes along which an
// input of shape s was broadcast to y (a squeeze-and-excitation gate's
// [N, C, 1, 1] over the map), giving s.
func (b *builder) unbroadcast(g string, s, y []int64) (string, error) {
	if len(s) > len(y) {
		return "", fmt.Errorf("shape %v is not broadcast to %v", s, y)
	}
	lead := len(y) - len(s)
	var axes []int64
	for a := range y {
		if a < lead || s[a-lead] == 1 && y[a] != 1 {
			axes = append(axes, int64(a))
		} else if s[a-lead] != y[a] {
			return "", fmt.Errorf("shape %v is not broadcast to %v", s, y)
		}
	}
	if len(axes) > 0 && axes[0] == 0 {
		return "", fmt.Errorf("broadcast over the batch: no gradient")
	}
	g = b.onAxes(onnx.OpReduceSum, g, axes, onnx.AttrInt("keepdims", 1))
	if lead > 0 {
		g = b.op(onnx.OpReshape, nil, g, b.ints(append([]int64{0}, s[1:]...)...))
	}
	return g, nil
}

// ints adds a 1-D int64 constant.
func (b *builder) ints(v ...int64) string {
	name := b.fresh("ints")
	b.inits = append(b.inits, &pb.TensorProto{Name: proto.String(name), Dims: []int64{int64(len(v))},
		DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: v})
	return name
}

// sum adds up the gradients reaching one tensor.
func (b *builder) sum(gs []string) string {
	if len(gs) == 1 {
		return gs[0]
	}
	return b.op(onnx.OpSum, nil, gs...)
}

func (b *builder) differentiable(t string) bool { return t != "" && !b.konst[t] }

// vjp returns, for each input of n that is not a constant, the gradient of
// the objective with respect to it, given g, its gradient with respect to
// n's first output.
func (b *builder) vjp(n *pb.NodeProto, g string) (map[string]string, error) {
	ins := n.GetInput()
	name := n.GetName()
	if name == "" {
		name = n.GetOutput()[0]
	}
	out := map[string]string{}
	x := ins[0]
	op := n.GetOpType()
	switch onnx.Ops[op].Grad {
	case onnx.GradIdentity:
		out[x] = g
	case onnx.GradRelu:
		mask := b.holds(onnx.OpGreater, x, b.scalar(0))
		out[x] = b.op(onnx.OpMul, nil, g, mask)
		if b.opt.RedirectRelu {
			out[x] = b.redirect(x, g, out[x])
		}
	case onnx.GradConv:
		gx, err := b.conv(n, name, g)
		if err != nil {
			return nil, err
		}
		out[x] = gx
	case onnx.GradMaxPool:
		gx, err := b.maxPool(n, name, g)
		if err != nil {
			return nil, err
		}
		out[x] = gx
	case onnx.GradAveragePool:
		gx, err := b.averagePool(n, name, g)
		if err != nil {
			return nil, err
		}
		out[x] = gx
	case onnx.GradGlobalAveragePool:
		s := b.shapes[x]
		spread := b.op(onnx.OpExpand, nil, g, b.ints(1, s[1], s[2], s[3]))
		out[x] = b.op(onnx.OpMul, nil, spread, b.scalar(1/float32(s[2]*s[3])))
	case onnx.GradLRN:
		out[x] = b.lrn(n, g)
	case onnx.GradBatchNorm:
		gx, err := b.batchNorm(n, g)
		if err != nil {
			return nil, err
		}
		out[x] = gx
	case onnx.GradConcat:
		axis := onnx.IntOf(n, "axis", 1)
		rank := int64(len(b.shapes[x]))
		if axis < 0 {
			axis += rank
		}
		at := int64(0)
		for _, in := range ins {
			d := b.shapes[in][axis]
			if b.differentiable(in) {
				out[in] = b.op(onnx.OpSlice, nil, g, b.ints(at), b.ints(at+d), b.ints(axis))
			}
			at += d
		}
	case onnx.GradArithmetic:
		if err := b.arithmetic(n, name, g, out); err != nil {
			return nil, err
		}
	case onnx.GradProduct:
		if b.differentiable(ins[1]) || op == onnx.OpGemm && onnx.IntOf(n, "transA", 0) != 0 {
			return nil, fmt.Errorf("node %s (%s): gradients flow only through the first factor, untransposed, with a constant second", name, op)
		}
		if s := b.shapes[x]; len(s) != 2 {
			if op != onnx.OpMatMul || len(b.shapes[ins[1]]) != 2 {
				return nil, fmt.Errorf("node %s (%s): gradients of a product of %d-dimensional tensors are not supported", name, op, len(s))
			}
			// A stack of rows times one matrix: each row's gradient is g·Wᵀ.
			out[x] = b.op(onnx.OpMatMul, nil, g, b.op(onnx.OpTranspose, []*pb.AttributeProto{onnx.AttrInts("perm", 1, 0)}, ins[1]))
			break
		}
		alpha := float32(1)
		transB := int64(0)
		if op == onnx.OpGemm {
			alpha, transB = onnx.FloatOf(n, "alpha", 1), onnx.IntOf(n, "transB", 0)
		}
		out[x] = b.op(onnx.OpGemm, []*pb.AttributeProto{onnx.AttrInt("transB", 1-transB), attrFloat("alpha", alpha)}, g, ins[1])
	case onnx.GradReshape:
		s := append([]int64(nil), b.shapes[x]...)
		if b.shapes[n.GetOutput()[0]][0] == s[0] {
			s[0] = 0 // the batch passes through: keep it free
		}
		out[x] = b.op(onnx.OpReshape, nil, g, b.ints(s...))
	case onnx.GradSlice:
		s := b.shapes[x]
		sl, err := b.m.SliceOf(n, len(s))
		if err != nil {
			return nil, err
		}
		sl.Resolve(s)
		pads := make([]int64, 2*len(s))
		for i, a := range sl.Axes {
			pads[a], pads[int64(len(s))+a] = sl.Starts[i], s[a]-sl.Ends[i]
		}
		out[x] = b.op(onnx.OpPad, nil, g, b.ints(pads...), b.scalar(0))
	case onnx.GradSigmoid: // σ' = y(1 − y)
		y := n.GetOutput()[0]
		out[x] = b.op(onnx.OpMul, nil, g, b.op(onnx.OpMul, nil, y, b.op(onnx.OpSub, nil, b.scalar(1), y)))
	case onnx.GradTanh: // tanh' = 1 − y²
		y := n.GetOutput()[0]
		out[x] = b.op(onnx.OpMul, nil, g, b.op(onnx.OpSub, nil, b.scalar(1), b.op(onnx.OpMul, nil, y, y)))
	case onnx.GradHardSigmoid: // y = clamp(αx + β, 0, 1): y' = α where 0 < αx + β < 1
		alpha, beta := onnx.FloatOf(n, "alpha", 0.2), onnx.FloatOf(n, "beta", 0.5)
		out[x] = b.op(onnx.OpMul, nil, g, b.op(onnx.OpMul, nil, b.scalar(alpha), b.ramp(x, alpha, beta)))
	case onnx.GradHardSwish: // y = x·h(x), h the hard sigmoid with α = 1/6, β = ½: y' = h(x) + x·α·[0 < αx + β < 1]
		const alpha, beta = float32(1.0 / 6), float32(0.5)
		h := b.op(onnx.OpHardSigmoid, []*pb.AttributeProto{attrFloat("alpha", alpha), attrFloat("beta", beta)}, x)
		slope := b.op(onnx.OpMul, nil, x, b.op(onnx.OpMul, nil, b.scalar(alpha), b.ramp(x, alpha, beta)))
		out[x] = b.op(onnx.OpMul, nil, g, b.op(onnx.OpAdd, nil, h, slope))
	case onnx.GradErf: // erf' = 2/√π · exp(−x²)
		e := b.op(onnx.OpExp, nil, b.op(onnx.OpNeg, nil, b.op(onnx.OpMul, nil, x, x)))
		out[x] = b.op(onnx.OpMul, nil, g, b.op(onnx.OpMul, nil, b.scalar(float32(2/math.Sqrt(math.Pi))), e))
	case onnx.GradPad: // the gradient of the input is the output's, without its pads
		s := b.shapes[x]
		pads, err := b.m.PadsOf(n, len(s))
		if err != nil {
			return nil, err
		}
		var starts, ends, axes []int64
		for i, d := range s {
			if pads[i] < 0 || pads[i+len(s)] < 0 {
				return nil, fmt.Errorf("node %s (Pad): no gradient through negative pads", name)
			}
			if pads[i] != 0 || pads[i+len(s)] != 0 { // an axis without pads (the batch) keeps its run-time length
				starts, ends, axes = append(starts, pads[i]), append(ends, pads[i]+d), append(axes, int64(i))
			}
		}
		out[x] = b.op(onnx.OpSlice, nil, g, b.ints(starts...), b.ints(ends...), b.ints(axes...))
	case onnx.GradTranspose: // back through the inverse order
		p := onnx.PermOf(n, len(b.shapes[x]))
		inv := make([]int64, len(p))
		for i, a := range p {
			inv[a] = int64(i)
		}
		out[x] = b.op(onnx.OpTranspose, []*pb.AttributeProto{onnx.AttrInts("perm", inv...)}, g)
	case onnx.GradReduceMean: // each reduced value's gradient spread evenly over what it averaged
		s := b.shapes[x]
		axes, keep, err := b.m.ReduceAxesOf(n, len(s))
		if err != nil {
			return nil, err
		}
		if slices.Contains(axes, 0) {
			return nil, fmt.Errorf("node %s (ReduceMean): no gradient through a mean over the batch", name)
		}
		kept, count := make([]int64, len(s)), int64(1)
		for i, d := range s {
			kept[i] = d
			if slices.Contains(axes, i) {
				kept[i], count = 1, count*d
			}
		}
		if !keep {
			kept[0] = 0 // the batch passes through
			g = b.op(onnx.OpReshape, nil, g, b.ints(kept...))
		}
		spread := b.op(onnx.OpExpand, nil, g, b.ints(append([]int64{1}, s[1:]...)...))
		out[x] = b.op(onnx.OpMul, nil, spread, b.scalar(1/float32(count)))
	case onnx.GradGather: // one channel picked: its gradient put back in place, zeros elsewhere
		s := b.shapes[x]
		axis := int(onnx.IntOf(n, "axis", 0))
		idx, err := b.m.Int64s(ins[1])
		if err != nil || len(idx) != 1 || axis < 1 || axis >= len(s) {
			return nil, fmt.Errorf("node %s (Gather): gradients only through one constant index of a channel or spatial axis", name)
		}
		k := idx[0]
		if k < 0 {
			k += s[axis]
		}
		if len(b.shapes[n.GetOutput()[0]]) < len(s) { // a scalar index drops the axis: put it back
			g = b.onAxes(onnx.OpUnsqueeze, g, []int64{int64(axis)})
		}
		pads := make([]int64, 2*len(s))
		pads[axis], pads[len(s)+axis] = k, s[axis]-1-k
		out[x] = b.op(onnx.OpPad, nil, g, b.ints(pads...))
	case onnx.GradClip: // the gradient passes where min < x < max (ReLU6: 0 and 6)
		bound := func(i int, attr string) string { // an input from opset 11, an attribute before; "" when absent
			if len(ins) > i && ins[i] != "" {
				return ins[i]
			}
			if a := onnx.Attr(n, attr); a != nil {
				return b.scalar(a.GetF())
			}
			return ""
		}
		mask := ""
		for _, side := range []struct {
			at string
			op string
		}{{bound(1, "min"), onnx.OpGreater}, {bound(2, "max"), onnx.OpLess}} {
			if side.at == "" {
				continue
			}
			m := b.holds(side.op, x, side.at)
			if mask == "" {
				mask = m
			} else {
				mask = b.op(onnx.OpMul, nil, mask, m)
			}
		}
		out[x] = g
		if mask != "" {
			out[x] = b.op(onnx.OpMul, nil, g, mask)
		}
	case onnx.GradLayerNorm:
		gx, err := b.layerNorm(n, name, g)
		if err != nil {
			return nil, err
		}
		out[x] = gx
	case onnx.GradSoftmax:
		s := b.shapes[x]
		axis := onnx.IntOf(n, "axis", map[bool]int64{true: -1, false: 1}[b.opset >= 13])
		if len(s) != 2 || axis != 1 && axis != -1 {
			return nil, fmt.Errorf("node %s (Softmax): gradients only over the last axis of a matrix", name)
		}
		y := n.GetOutput()[0]
		gy := b.op(onnx.OpMul, nil, g, y)
		ones := make([]float32, s[1])
		for i := range ones {
			ones[i] = 1
		}
		dot := b.op(onnx.OpMatMul, nil, gy, b.floats([]int64{s[1], 1}, ones))
		out[x] = b.op(onnx.OpMul, nil, y, b.op(onnx.OpSub, nil, g, dot))
	default:
		return nil, fmt.Errorf("node %s (%s): circc has no gradient for %s", name, op, op)
	}
	for in := range out {
		if !b.differentiable(in) {
			delete(out, in)
		}
	}
	return out, nil
}

// redirect is Lucid's redirected ReLU gradient: per image, the true
// gradient where any of it gets through; else the incoming gradient,
// less the part that would push a negative input lower.
func (b *builder) redirect(x, g, relu string) string {
	s := b.shapes[x]
	per := int64(1)
	for _, d := range s[1:] {
		per *= d
	}
	ones := make([]float32, per)
	for i := range ones {
		ones[i] = 1
	}
	flat := b.op(onnx.OpFlatten, []*pb.AttributeProto{onnx.AttrInt("axis", 1)}, b.op(onnx.OpMul, nil, relu, relu))
	through := b.holds(onnx.OpGreater, b.op(onnx.OpMatMul, nil, flat, b.floats([]int64{per, 1}, ones)), b.scalar(0))
	keep := append([]int64{0}, make([]int64, len(s)-1)...)
	for i := range keep[1:] {
		keep[1+i] = 1
	}
	through = b.op(onnx.OpReshape, nil, through, b.ints(keep...)) // [N, 1, 1, …]
	// Zero the gradient where the input is negative and the gradient
	// lowers it (the objective climbs, so a negative g pushes down).
	lowers := b.holds(onnx.OpLess, g, b.scalar(0))
	negative := b.holds(onnx.OpLess, x, b.scalar(0))
	redirected := b.op(onnx.OpMul, nil, g, b.op(onnx.OpSub, nil, b.scalar(1), b.op(onnx.OpMul, nil, lowers, negative)))
	return b.op(onnx.OpAdd, nil, b.op(onnx.OpMul, nil, relu, through), b.op(onnx.OpMul, nil, redirected, b.op(onnx.OpSub, nil, b.scalar(1), through)))
}

var attrFloat = onnx.AttrFloat

// transposeFor is the ConvTranspose that spreads a window op's output
// gradient back over its input: the same strides, pads and dilations,
// with the output padding (and, for ceil_mode's last windows, extra end
// padding) that gives the input's size back. It returns the attributes
// and the pads they hold.
func (b *builder) transposeFor(name string, win onnx.Window, in, out []int64) ([]*pb.AttributeProto, []int64, error) {
	pads := []int64{int64(win.Pads[0]), int64(win.Pads[1]), int64(win.Pads[2]), int64(win.Pads[3])}
	outPad := make([]int64, 2)
	for a := 0; a < 2; a++ {
		s, d, k := int64(win.Strides[a]), int64(win.Dilations[a]), int64(win.Kernel[a])
		reach := (out[2+a]-1)*s + (k-1)*d + 1 // input cells the windows span, padding included
		extra := reach - pads[a] - in[2+a]    // past the input's end
		if extra > pads[2+a] {
			pads[2+a] = extra // ceil_mode: the last window runs past the end pad
		}
		outPad[a] = in[2+a] - (reach - pads[a] - pads[2+a])
		if outPad[a] < 0 || outPad[a] >= max(s, d) {
			return nil, nil, fmt.Errorf("node %s: output padding %d for stride %d", name, outPad[a], s)
		}
	}
	return []*pb.AttributeProto{onnx.AttrInts("strides", int64(win.Strides[0]), int64(win.Strides[1])), onnx.AttrInts("pads", pads...),
		onnx.AttrInts("dilations", int64(win.Dilations[0]), int64(win.Dilations[1])), onnx.AttrInts("output_padding", outPad...),
		onnx.AttrInts("kernel_shape", int64(win.Kernel[0]), int64(win.Kernel[1]))}, pads, nil
}

// conv: the gradient of a convolution with respect to its input is the
// transposed convolution with the same weights.
func (b *builder) conv(n *pb.NodeProto, name, g string) (string, error) {
	if b.differentiable(n.GetInput()[1]) {
		return "", fmt.Errorf("node %s (Conv): its weights are not constant", name)
	}
	win, err := b.m.WindowOf(n)
	if err != nil {
		return "", err
	}
	attrs, _, err := b.transposeFor(name, win, b.shapes[n.GetInput()[0]], b.shapes[n.GetOutput()[0]])
	if err != nil {
		return "", err
	}
	attrs = append(attrs, onnx.AttrInt("group", onnx.IntOf(n, "group", 1)))
	return b.op("ConvTranspose", attrs, g, n.GetInput()[1]), nil
}

// poolGeometry is what both pools' gradients start from: the window, the
// input and output with their shapes, and the ConvTranspose that spreads
// a gradient back over the input (its attributes and pads).
type poolGeometry struct {
	win     onnx.Window
	x, y    string
	in, out []int64
	attrs   []*pb.AttributeProto
	pads    []int64
}

func (b *builder) pool(n *pb.NodeProto, name string) (*poolGeometry, error) {
	win, err := b.m.WindowOf(n)
	if err != nil {
		return nil, err
	}
	if win.Dilations != [2]int{1, 1} {
		return nil, fmt.Errorf("node %s (%s): gradients of dilated pools are not supported", name, n.GetOpType())
	}
	p := &poolGeometry{win: win, x: n.GetInput()[0], y: n.GetOutput()[0]}
	p.in, p.out = b.shapes[p.x], b.shapes[p.y]
	if p.attrs, p.pads, err = b.transposeFor(name, win, p.in, p.out); err != nil {
		return nil, err
	}
	return p, nil
}

// maxPool: the gradient goes to the first maximum of each window. The
// input, padded with the lowest float, is read at each of the window's
// offsets with the pool's stride; where it equals the pool's output (and
// no earlier offset did), the window's gradient goes there. The k² masked
// gradients, stacked per channel, are spread back by a ConvTranspose whose
// kernels are one-hot at their offsets.
func (b *builder) maxPool(n *pb.NodeProto, name, g string) (string, error) {
	p, err := b.pool(n, name)
	if err != nil {
		return "", err
	}
	win, x, y, in, out, attrs, pads := p.win, p.x, p.y, p.in, p.out, p.attrs, p.pads
	lowest := b.scalar(-math.MaxFloat32)
	padded := b.op(onnx.OpPad, nil, x, b.ints(0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]), lowest)
	kh, kw := int64(win.Kernel[0]), int64(win.Kernel[1])
	sh, sw := int64(win.Strides[0]), int64(win.Strides[1])
	var parts []string
	found := ""
	for ky := int64(0); ky < kh; ky++ {
		for kx := int64(0); kx < kw; kx++ {
			at := b.op(onnx.OpSlice, nil, padded, b.ints(ky, kx), b.ints(ky+(out[2]-1)*sh+1, kx+(out[3]-1)*sw+1), b.ints(2, 3), b.ints(sh, sw))
			hit := b.holds(onnx.OpEqual, at, y)
			if found == "" {
				found = hit
			} else {
				hit = b.op(onnx.OpMul, nil, hit, b.op(onnx.OpSub, nil, b.scalar(1), found))
				found = b.op(onnx.OpAdd, nil, found, hit)
			}
			parts = append(parts, b.op(onnx.OpMul, nil, g, hit))
		}
	}
	c, k2 := in[1], kh*kw
	stacked := b.op(onnx.OpConcat, []*pb.AttributeProto{onnx.AttrInt("axis", 1)}, parts...) // [N, k²·C, H', W'], offset-major
	stacked = b.op(onnx.OpReshape, nil, stacked, b.ints(0, k2, c, out[2], out[3]))
	stacked = b.op(onnx.OpTranspose, []*pb.AttributeProto{onnx.AttrInts("perm", 0, 2, 1, 3, 4)}, stacked)
	stacked = b.op(onnx.OpReshape, nil, stacked, b.ints(0, c*k2, out[2], out[3]))
	onehot := make([]float32, c*k2*k2)
	for ch := int64(0); ch < c; ch++ {
		for o := int64(0); o < k2; o++ {
			onehot[(ch*k2+o)*k2+o] = 1
		}
	}
	attrs = append(attrs, onnx.AttrInt("group", c))
	return b.op("ConvTranspose", attrs, stacked, b.floats([]int64{c * k2, 1, kh, kw}, onehot)), nil
}

// averagePool: each window's gradient, over the number of cells the pool
// divided by there, goes to every cell of the window.
func (b *builder) averagePool(n *pb.NodeProto, name, g string) (string, error) {
	p, err := b.pool(n, name)
	if err != nil {
		return "", err
	}
	win, in, out, attrs := p.win, p.in, p.out, p.attrs
	includePad := onnx.IntOf(n, "count_include_pad", 0) == 1
	// cells[a][i]: how many cells window i covers along axis a.
	var cells [2][]int64
	for a := 0; a < 2; a++ {
		lo, hi := int64(0), in[2+a]
		if includePad {
			lo, hi = -int64(win.Pads[a]), in[2+a]+int64(win.Pads[2+a])
		}
		for i := int64(0); i < out[2+a]; i++ {
			start := i*int64(win.Strides[a]) - int64(win.Pads[a])
			end := start + int64(win.Kernel[a])
			cells[a] = append(cells[a], min(end, hi)-max(start, lo))
		}
	}
	inv := make([]float32, out[2]*out[3])
	for i := range cells[0] {
		for j := range cells[1] {
			inv[i*int(out[3])+j] = 1 / float32(cells[0][i]*cells[1][j])
		}
	}
	scaled := b.op(onnx.OpMul, nil, g, b.floats([]int64{1, 1, out[2], out[3]}, inv))
	c := in[1]
	ones := make([]float32, c*int64(win.Kernel[0]*win.Kernel[1]))
	for i := range ones {
		ones[i] = 1
	}
	attrs = append(attrs, onnx.AttrInt("group", c))
	return b.op("ConvTranspose", attrs, scaled, b.floats([]int64{c, 1, int64(win.Kernel[0]), int64(win.Kernel[1])}, ones)), nil
}

// lrn: y = x·d^−β with d = bias + α/size·Σ_window x², so
// ∂/∂x = g·d^−β − (2αβ/size)·x·Σ_window' (g·x·d^−β−1), the window sums
// being 1×1 convolutions with the band of channels each one averages.
func (b *builder) lrn(n *pb.NodeProto, g string) string {
	x := n.GetInput()[0]
	size := onnx.IntOf(n, "size", 1)
	alpha, beta, bias := onnx.FloatOf(n, "alpha", 1e-4), onnx.FloatOf(n, "beta", 0.75), onnx.FloatOf(n, "bias", 1)
	c := b.shapes[x][1]
	band, bandT := make([]float32, c*c), make([]float32, c*c)
	for o := int64(0); o < c; o++ {
		for i := max(0, o-(size-1)/2); i <= min(c-1, o+size/2); i++ { // ONNX: floor((size−1)/2) below, ceil((size−1)/2) above
			band[o*c+i], bandT[i*c+o] = 1, 1
		}
	}
	sums := b.op(onnx.OpConv, nil, b.op(onnx.OpMul, nil, x, x), b.floats([]int64{c, c, 1, 1}, band))
	d := b.op(onnx.OpAdd, nil, b.op(onnx.OpMul, nil, sums, b.scalar(alpha/float32(size))), b.scalar(bias))
	dpow := b.op(onnx.OpPow, nil, d, b.scalar(-beta))
	direct := b.op(onnx.OpMul, nil, g, dpow)
	u := b.op(onnx.OpDiv, nil, b.op(onnx.OpMul, nil, direct, x), d)
	back := b.op(onnx.OpConv, nil, u, b.floats([]int64{c, c, 1, 1}, bandT))
	return b.op(onnx.OpSub, nil, direct, b.op(onnx.OpMul, nil, b.op(onnx.OpMul, nil, back, x), b.scalar(2*alpha*beta/float32(size))))
}

// batchNorm at inference is an affine map per channel: the gradient is g
// times scale/√(var+ε).
func (b *builder) batchNorm(n *pb.NodeProto, g string) (string, error) {
	f, err := b.m.BatchNormScale(n)
	if err != nil {
		return "", err
	}
	return b.op(onnx.OpMul, nil, g, b.floats([]int64{1, int64(len(f)), 1, 1}, f)), nil
}

// arithmetic: elementwise ops, whose non-constant inputs must have the
// output's shape (a broadcast one, such as a bias, must be constant).
func (b *builder) arithmetic(n *pb.NodeProto, name, g string, out map[string]string) error {
	ins := n.GetInput()
	y := b.shapes[n.GetOutput()[0]]
	for i, in := range ins {
		if !b.differentiable(in) {
			continue
		}
		var gi string
		switch n.GetOpType() {
		case onnx.OpAdd, onnx.OpSum:
			gi = g
		case onnx.OpSub:
			gi = g
			if i == 1 {
				gi = b.op(onnx.OpNeg, nil, g)
			}
		case onnx.OpMul:
			gi = b.op(onnx.OpMul, nil, g, ins[1-i])
		case onnx.OpDiv:
			if i == 0 {
				gi = b.op(onnx.OpDiv, nil, g, ins[1])
			} else {
				gi = b.op(onnx.OpNeg, nil, b.op(onnx.OpDiv, nil, b.op(onnx.OpMul, nil, g, ins[0]), b.op(onnx.OpMul, nil, ins[1], ins[1])))
			}
		}
		if s := b.shapes[in]; fmt.Sprint(s) != fmt.Sprint(y) {
			var err error
			if gi, err = b.unbroadcast(gi, s, y); err != nil {
				return fmt.Errorf("node %s (%s): input %s: %w", name, n.GetOpType(), in, err)
			}
		}
		if prev, ok := out[in]; ok { // x·x, x+x
			gi = b.op(onnx.OpAdd, nil, prev, gi)
		}
		out[in] = gi
	}
	return nil
}

// split: each output's gradient padded back to its place along the axis,
// the parts summed (an output without a gradient adds nothing).
func (b *builder) split(n *pb.NodeProto, gs []string) (map[string]string, error) {
	x := n.GetInput()[0]
	s := b.shapes[x]
	axis, sizes, err := b.m.SplitOf(n, s)
	if err != nil {
		return nil, err
	}
	var parts []string
	at := int64(0)
	for i, g := range gs {
		if g != "" {
			pads := make([]int64, 2*len(s))
			pads[axis], pads[len(s)+axis] = at, s[axis]-at-sizes[i]
			parts = append(parts, b.op(onnx.OpPad, nil, g, b.ints(pads...), b.scalar(0)))
		}
		at += sizes[i]
	}
	out := map[string]string{}
	if b.differentiable(x) {
		out[x] = b.sum(parts)
	}
	return out, nil
}

// layerNorm: y = γ·x̂ + β with x̂ = (x − μ)/σ over the normalised axes
// (K values), so ∂/∂x = (h − mean(h) − x̂·mean(h·x̂))/σ with h = g·γ.
func (b *builder) layerNorm(n *pb.NodeProto, name, g string) (string, error) {
	ins := n.GetInput()
	s := b.shapes[ins[0]]
	axis := onnx.IntOf(n, "axis", -1)
	if axis < 0 {
		axis += int64(len(s))
	}
	if axis < 1 || axis >= int64(len(s)) || len(ins) < 2 || ins[1] == "" {
		return "", fmt.Errorf("node %s (LayerNormalization): gradients need a scale and an axis after the batch", name)
	}
	var axes []int64
	k := int64(1)
	for a := axis; a < int64(len(s)); a++ {
		axes, k = append(axes, a), k*s[a]
	}
	mean := func(t string) string {
		return b.op(onnx.OpMul, nil, b.onAxes(onnx.OpReduceSum, t, axes, onnx.AttrInt("keepdims", 1)), b.scalar(1/float32(k)))
	}
	x := ins[0]
	centred := b.op(onnx.OpSub, nil, x, mean(x))
	variance := mean(b.op(onnx.OpMul, nil, centred, centred))
	inv := b.op(onnx.OpPow, nil, b.op(onnx.OpAdd, nil, variance, b.scalar(onnx.FloatOf(n, "epsilon", 1e-5))), b.scalar(-0.5))
	xhat := b.op(onnx.OpMul, nil, centred, inv)
	h := b.op(onnx.OpMul, nil, g, ins[1])
	inner := b.op(onnx.OpSub, nil, b.op(onnx.OpSub, nil, h, mean(h)), b.op(onnx.OpMul, nil, xhat, mean(b.op(onnx.OpMul, nil, h, xhat))))
	return b.op(onnx.OpMul, nil, inner, inv), nil
}
