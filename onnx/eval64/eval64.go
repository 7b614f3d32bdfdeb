// Package eval64 runs an ONNX graph's forward pass in float64 with plain
// loops: an oracle independent of onnxruntime (which has no float64
// convolution) for the finite-difference checks of gradients. It knows
// the ops of circc's test graphs and errs on any other.
package eval64

import (
	"fmt"
	"math"
	"slices"

	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
)

// Tensor is a float64 tensor, row-major.
type Tensor struct {
	Shape []int64
	Data  []float64
}

// Size is the number of values of a shape.
func Size(shape []int64) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	return n
}

// Eval runs m's forward pass on x, of the given shape, and returns every
// tensor by name.
func Eval(m *onnx.Model, x []float64, shape []int64) (map[string]*Tensor, error) {
	vals := map[string]*Tensor{m.Input().GetName(): {shape, x}}
	for _, t := range m.P.GetGraph().GetInitializer() {
		if t.GetDataType() == int32(pb.TensorProto_INT64) {
			continue
		}
		f, err := onnx.Floats(t)
		if err != nil {
			return nil, err
		}
		d := make([]float64, len(f))
		for i, v := range f {
			d[i] = float64(v)
		}
		vals[t.GetName()] = &Tensor{t.GetDims(), d}
	}
	shapes, err := m.Shapes(shape)
	if err != nil {
		return nil, err
	}
	integers, err := m.ShapeValues(shape) // shape arithmetic: known before the pass
	if err != nil {
		return nil, err
	}
	for _, n := range m.P.GetGraph().GetNode() {
		if _, ok := integers[n.GetOutput()[0]]; ok {
			continue
		}
		in := func(i int) *Tensor { return vals[n.GetInput()[i]] }
		outShape := shapes[n.GetOutput()[0]]
		out := &Tensor{outShape, make([]float64, Size(outShape))}
		switch op := n.GetOpType(); op {
		case onnx.OpIdentity, onnx.OpDropout, onnx.OpFlatten, onnx.OpReshape, onnx.OpSqueeze, onnx.OpUnsqueeze:
			copy(out.Data, in(0).Data)
		case onnx.OpRelu:
			for i, v := range in(0).Data {
				out.Data[i] = math.Max(v, 0)
			}
		case onnx.OpSigmoid:
			for i, v := range in(0).Data {
				out.Data[i] = 1 / (1 + math.Exp(-v))
			}
		case onnx.OpHardSigmoid, onnx.OpHardSwish:
			alpha, beta := float64(onnx.FloatOf(n, "alpha", 0.2)), float64(onnx.FloatOf(n, "beta", 0.5))
			if op == onnx.OpHardSwish {
				alpha, beta = 1.0/6, 0.5
			}
			for i, v := range in(0).Data {
				h := math.Max(0, math.Min(1, alpha*v+beta))
				if op == onnx.OpHardSwish {
					h *= v
				}
				out.Data[i] = h
			}
		case onnx.OpPad:
			x := in(0)
			pads, err := m.PadsOf(n, 4)
			if err != nil {
				return nil, err
			}
			H, W := x.Shape[2], x.Shape[3]
			oh, ow := outShape[2], outShape[3]
			for c := int64(0); c < x.Shape[0]*x.Shape[1]; c++ {
				for y := int64(0); y < H; y++ {
					for xx := int64(0); xx < W; xx++ {
						out.Data[(c*oh+y+pads[2])*ow+xx+pads[3]] = x.Data[(c*H+y)*W+xx]
					}
				}
			}
		case onnx.OpTranspose:
			x := in(0)
			p := onnx.PermOf(n, len(x.Shape))
			strides := make([]int64, len(x.Shape))
			st := int64(1)
			for a := len(x.Shape) - 1; a >= 0; a-- {
				strides[a], st = st, st*x.Shape[a]
			}
			idx := make([]int64, len(outShape))
			for i := range out.Data {
				r, src := int64(i), int64(0)
				for a := len(outShape) - 1; a >= 0; a-- {
					idx[a], r = r%outShape[a], r/outShape[a]
				}
				for a, v := range idx {
					src += v * strides[p[a]]
				}
				out.Data[i] = x.Data[src]
			}
		case onnx.OpReduceMean:
			x := in(0)
			axes, _, err := m.ReduceAxesOf(n, len(x.Shape))
			if err != nil {
				return nil, err
			}
			count := 1.0
			for _, a := range axes {
				count *= float64(x.Shape[a])
			}
			idx := make([]int64, len(x.Shape))
			for i, v := range x.Data {
				r := int64(i)
				for a := len(x.Shape) - 1; a >= 0; a-- {
					idx[a], r = r%x.Shape[a], r/x.Shape[a]
				}
				o := int64(0)
				for a, d := range x.Shape { // the index among the kept axes
					if !slices.Contains(axes, a) {
						o = o*d + idx[a]
					}
				}
				out.Data[o] += v / count
			}
		case onnx.OpGather: // one index, or a list of one, on the channel axis
			x := in(0)
			idx, err := m.Int64s(n.GetInput()[1])
			if err != nil || len(idx) != 1 || onnx.IntOf(n, "axis", 0) != 1 {
				return nil, fmt.Errorf("eval64: Gather of %v on axis %d", idx, onnx.IntOf(n, "axis", 0))
			}
			hw := x.Shape[2] * x.Shape[3]
			for b := int64(0); b < x.Shape[0]; b++ {
				copy(out.Data[b*hw:(b+1)*hw], x.Data[(b*x.Shape[1]+idx[0])*hw:])
			}
		case onnx.OpClip:
			lo, hi := math.Inf(-1), math.Inf(1)
			if ins := n.GetInput(); len(ins) > 1 && ins[1] != "" {
				lo = in(1).Data[0]
			}
			if ins := n.GetInput(); len(ins) > 2 && ins[2] != "" {
				hi = in(2).Data[0]
			}
			for i, v := range in(0).Data {
				out.Data[i] = math.Max(lo, math.Min(hi, v))
			}
		case onnx.OpErf:
			for i, v := range in(0).Data {
				out.Data[i] = math.Erf(v)
			}
		case onnx.OpTanh:
			for i, v := range in(0).Data {
				out.Data[i] = math.Tanh(v)
			}
		case onnx.OpConv, onnx.OpMaxPool, onnx.OpAveragePool:
			win, err := m.WindowOf(n)
			if err != nil {
				return nil, err
			}
			window(op, n, win, in(0), vals, out)
		case onnx.OpGlobalAveragePool:
			x := in(0)
			hw := x.Shape[2] * x.Shape[3]
			for c := int64(0); c < x.Shape[0]*x.Shape[1]; c++ {
				s := 0.0
				for _, v := range x.Data[c*hw : (c+1)*hw] {
					s += v
				}
				out.Data[c] = s / float64(hw)
			}
		case onnx.OpLRN:
			x := in(0)
			size := onnx.IntOf(n, "size", 1)
			alpha, beta, bias := float64(onnx.FloatOf(n, "alpha", 1e-4)), float64(onnx.FloatOf(n, "beta", 0.75)), float64(onnx.FloatOf(n, "bias", 1))
			N, C, hw := x.Shape[0], x.Shape[1], x.Shape[2]*x.Shape[3]
			for b := int64(0); b < N; b++ {
				for c := int64(0); c < C; c++ {
					for p := int64(0); p < hw; p++ {
						s := 0.0
						for k := max(0, c-(size-1)/2); k <= min(C-1, c+size/2); k++ {
							v := x.Data[(b*C+k)*hw+p]
							s += v * v
						}
						i := (b*C+c)*hw + p
						out.Data[i] = x.Data[i] / math.Pow(bias+alpha/float64(size)*s, beta)
					}
				}
			}
		case onnx.OpBatchNormalization:
			x, sc, bi, mean, vr := in(0), in(1), in(2), in(3), in(4)
			eps := float64(onnx.FloatOf(n, "epsilon", 1e-5))
			C, hw := x.Shape[1], x.Shape[2]*x.Shape[3]
			for i, v := range x.Data {
				c := int64(i) / hw % C
				out.Data[i] = (v-mean.Data[c])/math.Sqrt(vr.Data[c]+eps)*sc.Data[c] + bi.Data[c]
			}
		case onnx.OpConcat:
			axis := onnx.IntOf(n, "axis", 1)
			outer := Size(outShape[:axis])
			inner := Size(outShape[axis+1:])
			at := int64(0)
			for i := range n.GetInput() {
				x := in(i)
				d := x.Shape[axis]
				for o := int64(0); o < outer; o++ {
					copy(out.Data[(o*outShape[axis]+at)*inner:(o*outShape[axis]+at+d)*inner], x.Data[o*d*inner:(o+1)*d*inner])
				}
				at += d
			}
		case onnx.OpAdd, onnx.OpSub, onnx.OpMul, onnx.OpDiv, onnx.OpSum:
			for i := range out.Data {
				acc := 0.0
				for k := range n.GetInput() {
					x := in(k)
					v := x.Data[broadcastIndex(int64(i), outShape, x.Shape)]
					switch {
					case k == 0:
						acc = v
					case op == onnx.OpAdd || op == onnx.OpSum:
						acc += v
					case op == onnx.OpSub:
						acc -= v
					case op == onnx.OpMul:
						acc *= v
					case op == onnx.OpDiv:
						acc /= v
					}
				}
				out.Data[i] = acc
			}
		case onnx.OpGemm, onnx.OpMatMul:
			a, b := in(0), in(1)
			alpha, transB := 1.0, int64(0)
			if op == onnx.OpGemm {
				alpha, transB = float64(onnx.FloatOf(n, "alpha", 1)), onnx.IntOf(n, "transB", 0)
			}
			// A stack of rows (a channels-last map) is one tall matrix.
			inner, cols := a.Shape[len(a.Shape)-1], outShape[len(outShape)-1]
			rows := Size(a.Shape) / inner
			for r := int64(0); r < rows; r++ {
				for c := int64(0); c < cols; c++ {
					s := 0.0
					for k := int64(0); k < inner; k++ {
						w := b.Data[k*cols+c]
						if transB == 1 {
							w = b.Data[c*inner+k]
						}
						s += a.Data[r*inner+k] * w
					}
					out.Data[r*cols+c] = alpha * s
					if op == onnx.OpGemm && len(n.GetInput()) > 2 {
						out.Data[r*cols+c] += in(2).Data[broadcastIndex(c, []int64{cols}, in(2).Shape)]
					}
				}
			}
		case onnx.OpSoftmax:
			x := in(0)
			rows, cols := x.Shape[0], x.Shape[1]
			for r := int64(0); r < rows; r++ {
				row := x.Data[r*cols : (r+1)*cols]
				top := math.Inf(-1)
				for _, v := range row {
					top = math.Max(top, v)
				}
				s := 0.0
				for c, v := range row {
					out.Data[r*cols+int64(c)] = math.Exp(v - top)
					s += out.Data[r*cols+int64(c)]
				}
				for c := range row {
					out.Data[r*cols+int64(c)] /= s
				}
			}
		case onnx.OpSlice:
			x := in(0)
			sl, err := m.SliceOf(n, len(x.Shape))
			if err != nil {
				return nil, err
			}
			sl.Resolve(x.Shape)
			start := make([]int64, len(x.Shape))
			for i, a := range sl.Axes {
				start[a] = sl.Starts[i]
			}
			for i := range out.Data {
				// the output index, as coordinates, shifted by the starts
				rem, src, stride := int64(i), int64(0), int64(1)
				coords := make([]int64, len(outShape))
				for a := len(outShape) - 1; a >= 0; a-- {
					coords[a] = rem % outShape[a]
					rem /= outShape[a]
				}
				for a := len(x.Shape) - 1; a >= 0; a-- {
					src += (coords[a] + start[a]) * stride
					stride *= x.Shape[a]
				}
				out.Data[i] = x.Data[src]
			}
		case onnx.OpSplit:
			x := in(0)
			axis, sizes, err := m.SplitOf(n, x.Shape)
			if err != nil {
				return nil, err
			}
			outer, inner := Size(x.Shape[:axis]), Size(x.Shape[axis+1:])
			at := int64(0)
			for k, o := range n.GetOutput() {
				part := &Tensor{shapes[o], make([]float64, Size(shapes[o]))}
				d := sizes[k]
				for b := int64(0); b < outer; b++ {
					copy(part.Data[b*d*inner:(b+1)*d*inner], x.Data[(b*x.Shape[axis]+at)*inner:])
				}
				vals[o], at = part, at+d
			}
			continue
		case onnx.OpLayerNormalization:
			x := in(0)
			axis := onnx.IntOf(n, "axis", -1)
			if axis < 0 {
				axis += int64(len(x.Shape))
			}
			k := Size(x.Shape[axis:])
			eps := float64(onnx.FloatOf(n, "epsilon", 1e-5))
			for r := int64(0); r < Size(x.Shape[:axis]); r++ {
				row := x.Data[r*k : (r+1)*k]
				mean, sq := 0.0, 0.0
				for _, v := range row {
					mean += v / float64(k)
				}
				for _, v := range row {
					sq += (v - mean) * (v - mean) / float64(k)
				}
				for i, v := range row {
					y := (v - mean) / math.Sqrt(sq+eps) * in(1).Data[int64(i)%int64(len(in(1).Data))]
					if ins := n.GetInput(); len(ins) > 2 && ins[2] != "" {
						y += in(2).Data[int64(i)%int64(len(in(2).Data))]
					}
					out.Data[r*k+int64(i)] = y
				}
			}
		default:
			return nil, fmt.Errorf("eval64 has no %s", op)
		}
		vals[n.GetOutput()[0]] = out
	}
	return vals, nil
}

// broadcastIndex maps an index of shape out to the element of a tensor of
// shape in that numpy broadcasting reads there.
func broadcastIndex(i int64, out, in []int64) int64 {
	src, stride := int64(0), int64(1)
	for a := len(out) - 1; a >= 0; a-- {
		c := i % out[a]
		i /= out[a]
		b := a - (len(out) - len(in))
		if b < 0 {
			continue
		}
		if in[b] != 1 {
			src += c * stride
		}
		stride *= in[b]
	}
	return src
}

// window runs Conv, MaxPool or AveragePool.
func window(op string, n *pb.NodeProto, w onnx.Window, x *Tensor, vals map[string]*Tensor, out *Tensor) {
	N, C, H, W := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	M, OH, OW := out.Shape[1], out.Shape[2], out.Shape[3]
	group := onnx.IntOf(n, "group", 1)
	includePad := onnx.IntOf(n, "count_include_pad", 0) == 1
	var wt, bias *Tensor
	if op == onnx.OpConv {
		wt = vals[n.GetInput()[1]]
		if len(n.GetInput()) > 2 {
			bias = vals[n.GetInput()[2]]
		}
	}
	kh, kw := int64(w.Kernel[0]), int64(w.Kernel[1])
	for b := int64(0); b < N; b++ {
		for m := int64(0); m < M; m++ {
			for oy := int64(0); oy < OH; oy++ {
				for ox := int64(0); ox < OW; ox++ {
					y0, x0 := oy*int64(w.Strides[0])-int64(w.Pads[0]), ox*int64(w.Strides[1])-int64(w.Pads[1])
					acc, count, best := 0.0, 0.0, math.Inf(-1)
					if op == onnx.OpAveragePool && includePad {
						hi := [2]int64{H + int64(w.Pads[2]), W + int64(w.Pads[3])}
						count = float64((min(y0+kh, hi[0]) - y0) * (min(x0+kw, hi[1]) - x0))
					}
					for ky := int64(0); ky < kh; ky++ {
						for kx := int64(0); kx < kw; kx++ {
							yy, xx := y0+ky*int64(w.Dilations[0]), x0+kx*int64(w.Dilations[1])
							if yy < 0 || yy >= H || xx < 0 || xx >= W {
								continue
							}
							switch op {
							case onnx.OpConv:
								cin := C / group
								g := m / (M / group)
								for c := int64(0); c < cin; c++ {
									acc += wt.Data[((m*cin+c)*kh+ky)*kw+kx] * x.Data[((b*C+g*cin+c)*H+yy)*W+xx]
								}
							case onnx.OpMaxPool:
								best = math.Max(best, x.Data[((b*C+m)*H+yy)*W+xx])
							case onnx.OpAveragePool:
								acc += x.Data[((b*C+m)*H+yy)*W+xx]
								if !includePad {
									count++
								}
							}
						}
					}
					i := ((b*M+m)*OH+oy)*OW + ox
					switch op {
					case onnx.OpConv:
						if bias != nil {
							acc += bias.Data[m]
						}
						out.Data[i] = acc
					case onnx.OpMaxPool:
						out.Data[i] = best
					case onnx.OpAveragePool:
						out.Data[i] = acc / count
					}
				}
			}
		}
	}
}
