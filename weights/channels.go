package weights

import (
	"fmt"
	"slices"

	"gorgonia.org/tensor"

	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
)

// The linear readings of the ops that mix or move channels at one
// position: a split, a channel shuffle, a Linear layer over a
// channels-last map, a layer norm's centring, a constant factor. A map is
// kept per cell with channels last whatever the tensor's layout, so each
// is an operation on the last axis.

// channelMap applies f to every cell's vector of channels, giving a map
// of c channels on the same cells.
func channelMap(g *grad, c int, f func(src, dst []float32)) (*grad, error) {
	gn, h, w, gc := g.dims()
	out, err := newGrad(gn, h, w, c, g.lo, g.jump)
	if err != nil {
		return nil, err
	}
	src, dst := g.g.Data().([]float32), out.g.Data().([]float32)
	for p := 0; p < gn*h*w; p++ {
		f(src[p*gc:(p+1)*gc], dst[p*c:(p+1)*c])
	}
	return out, nil
}

// split gives a Split's input the maps of its outputs that were reached,
// each in its channels' place.
func (wk *walk) split(n *pb.NodeProto, from string) error {
	x := n.GetInput()[0]
	s := wk.shapes[x]
	axis, sizes, err := wk.m.SplitOf(n, s)
	if err != nil {
		return err
	}
	at := 0
	for k, o := range n.GetOutput() {
		g, ok := wk.grads[o]
		if ok && o != from {
			if axis != 1 {
				return fmt.Errorf("node %s (Split) splits axis %d, not the channels: it has no expanded weights", n.GetName(), axis)
			}
			delete(wk.grads, o)
			off := at
			part, err := channelMap(g, int(s[1]), func(src, dst []float32) { copy(dst[off:], src) })
			if err != nil {
				return err
			}
			if err := add(wk.grads, x, part); err != nil {
				return err
			}
		}
		at += int(sizes[k])
	}
	return nil
}

// shuffle moves each output channel's map to the input channel a channel
// shuffle took it from.
func (wk *walk) shuffle(n *pb.NodeProto, name string, g *grad) error {
	x, from, ok := wk.m.ChannelShuffle(n, wk.shapes)
	if !ok {
		return fmt.Errorf("node %s (Reshape) is not the end of a channel shuffle: it has no expanded weights", name)
	}
	out, err := channelMap(g, len(from), func(src, dst []float32) {
		for j, i := range from {
			dst[i] += src[j]
		}
	})
	if err != nil {
		return err
	}
	return add(wk.grads, x, out)
}

// channelsLast checks that n acts on the channels of a channels-last map.
func (wk *walk) channelsLast(n *pb.NodeProto, name string) error {
	if wk.layouts[n.GetInput()[0]] != onnx.LayoutNHWC {
		return fmt.Errorf("node %s (%s) acts on the last axis of a map that is not channels-last: it mixes positions, and has no expanded weights", name, n.GetOpType())
	}
	return nil
}

// channelMatrix: y = x·W over a channels-last map, a 1×1 convolution
// with kernel Wᵀ: the map times Wᵀ.
func (wk *walk) channelMatrix(n *pb.NodeProto, name string, g *grad) error {
	if err := wk.channelsLast(n, name); err != nil {
		return err
	}
	w, err := wk.m.ReadWeight(n.GetInput()[1])
	if err != nil || len(w.Dims) != 2 {
		return fmt.Errorf("node %s (MatMul): the second factor is not a constant matrix", name)
	}
	cin, cout := int(w.Dims[0]), int(w.Dims[1])
	gn, h, wd, gc := g.dims()
	if gc != cout {
		return fmt.Errorf("node %s: %d output channels, the map has %d", name, cout, gc)
	}
	flat := g.g.Clone().(*tensor.Dense)
	if err := flat.Reshape(gn*h*wd, cout); err != nil {
		return err
	}
	wt := tensor.New(tensor.WithShape(cin, cout), tensor.WithBacking(slices.Clone(w.Data)))
	if err := wt.T(); err != nil {
		return err
	}
	prod, err := tensor.MatMul(flat, wt)
	if err != nil {
		return fmt.Errorf("node %s: %w", name, err)
	}
	out, err := newGrad(gn, h, wd, cin, g.lo, g.jump)
	if err != nil {
		return err
	}
	copy(out.g.Data().([]float32), prod.Data().([]float32))
	return add(wk.grads, n.GetInput()[0], out)
}

// centre: a layer norm over the channels read as y = γ·(x − mean(x)),
// so the map for x is γ·m − mean(γ·m) per cell.
func (wk *walk) centre(n *pb.NodeProto, name string, g *grad) error {
	if err := wk.channelsLast(n, name); err != nil {
		return err
	}
	if a := onnx.IntOf(n, "axis", -1); a != -1 && a != 3 {
		return fmt.Errorf("node %s (LayerNormalization) normalises more than the channels: it mixes positions, and has no expanded weights", name)
	}
	gamma, err := wk.m.ReadWeight(n.GetInput()[1])
	_, _, _, c := g.dims()
	if err != nil || len(gamma.Data) != c {
		return fmt.Errorf("node %s (LayerNormalization): its scale is not a constant of %d channels", name, c)
	}
	out, err := channelMap(g, c, func(src, dst []float32) {
		mean := float32(0)
		for i, v := range src {
			dst[i] = v * gamma.Data[i]
			mean += dst[i] / float32(c)
		}
		for i := range dst {
			dst[i] -= mean
		}
	})
	if err != nil {
		return err
	}
	return add(wk.grads, n.GetInput()[0], out)
}

// constantFactor: a product with a constant that is one number or one per
// channel (a layer scale) multiplies the map by it.
func (wk *walk) constantFactor(n *pb.NodeProto, name string, g *grad) error {
	ins := n.GetInput()
	k := slices.IndexFunc(ins, func(t string) bool { return wk.constant[t] })
	if len(ins) != 2 || k < 0 {
		return fmt.Errorf("node %s (Mul) has no constant factor", name)
	}
	x := ins[1-k]
	f, err := wk.m.ReadWeight(ins[k])
	if err != nil {
		return fmt.Errorf("node %s: %w", name, err)
	}
	_, _, _, c := g.dims()
	// The factor's one axis longer than 1 must be the channels: the last
	// of a channels-last map's, the second of an NCHW one's.
	dims := slices.Clone(f.Dims)
	for len(dims) < 4 {
		dims = append([]int64{1}, dims...)
	}
	axis := 1
	if wk.layouts[x] == onnx.LayoutNHWC {
		axis = 3
	}
	for a, d := range dims {
		if d != 1 && (a != axis || int(d) != c) {
			return fmt.Errorf("node %s (Mul): a factor of shape %v varies across positions: it has no expanded weights", name, f.Dims)
		}
	}
	factors := make([]float32, c)
	for i := range factors {
		factors[i] = f.Data[i%len(f.Data)]
	}
	out, err := scaleChannels(g, factors)
	if err != nil {
		return err
	}
	return add(wk.grads, x, out)
}

// scaleChannels multiplies each channel's map by its factor.
func scaleChannels(g *grad, factors []float32) (*grad, error) {
	return channelMap(g, len(factors), func(src, dst []float32) {
		for i, v := range src {
			dst[i] = v * factors[i]
		}
	})
}
