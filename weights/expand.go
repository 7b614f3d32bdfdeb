package weights

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"gorgonia.org/tensor"

	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
)

// MaxValues bounds an expansion's size (outputs × inputs × kh × kw and
// every intermediate), so that two far-apart layers are an error, not an
// exhausted memory.
const MaxValues = 1 << 26

// Expanded is the linear map from one tensor of a graph to chosen
// channels of another: To's channel Channels[o] at cell q is
// Σ W[o, i, y, x] · From[i, q·Jump + Lo + (y, x)] in the linearised
// network, per axis (rows, columns), in From's cells.
type Expanded struct {
	From, To string
	Channels []int
	W        *tensor.Dense // float32 [len(Channels), From's channels, kh, kw]
	Lo, Jump [2]int
}

// Shape is W's shape.
// ErrNotAfter is the cause of Expand's error when the target layer does
// not come after the source: the two run the other way.
var ErrNotAfter = errors.New("layers in the other order")

func (e *Expanded) Shape() []int { return []int(e.W.Shape()) }

// Tile is the kh×kw kernel from input channel i into output o, row-major.
func (e *Expanded) Tile(o, i int) []float32 {
	s := e.W.Shape()
	kk := s[2] * s[3]
	off := (o*s[1] + i) * kk
	return e.W.Data().([]float32)[off : off+kk]
}

// grad is, for one tensor T, the map from T to the chosen outputs: output
// o at cell q is Σ g[o, y, x, t] · T[t, q·jump + lo + (y, x)]. g is laid
// out channel-last, [outputs, h, w, C], so that a contraction over T's
// channels is one matrix product.
type grad struct {
	g    *tensor.Dense
	lo   [2]int
	jump [2]int
}

func (g *grad) dims() (n, h, w, c int) {
	s := g.g.Shape()
	return s[0], s[1], s[2], s[3]
}

func newGrad(n, h, w, c int, lo, jump [2]int) (*grad, error) {
	if int64(n)*int64(h)*int64(w)*int64(c) > MaxValues {
		return nil, fmt.Errorf("the expansion would hold %d×%d×%d×%d values, past %d: choose closer layers or fewer channels", n, c, h, w, MaxValues)
	}
	return &grad{g: tensor.New(tensor.WithShape(n, h, w, c), tensor.Of(tensor.Float32)), lo: lo, jump: jump}, nil
}

// Expand computes the expanded weights from tensor from to the channels of
// tensor to (nil: all of them). input is the model's NCHW input shape, for
// the channel counts. The walk goes back from to: through Conv (groups 1),
// MaxPool and AveragePool (as average pools), Concat on channels, Add and
// Sum, and Relu, LRN, Dropout and Identity as the identity. Another op on
// the way is an error naming it, as is a path that reaches the graph's
// input without passing through from.
func Expand(m *onnx.Model, input []int64, from, to string, channels []int) (*Expanded, error) {
	shapes, err := m.Shapes(input)
	if err != nil {
		return nil, err
	}
	sf, okF := shapes[from]
	st, okT := shapes[to]
	if !okF || len(sf) != 4 {
		return nil, fmt.Errorf("the model has no NCHW tensor %q", from)
	}
	if !okT || len(st) != 4 {
		return nil, fmt.Errorf("the model has no NCHW tensor %q", to)
	}
	if channels == nil {
		for c := 0; c < int(st[1]); c++ {
			channels = append(channels, c)
		}
	}
	if len(channels) == 0 {
		return nil, fmt.Errorf("no channels of %s chosen", to)
	}
	for _, c := range channels {
		if c < 0 || c >= int(st[1]) {
			return nil, fmt.Errorf("%s has channels 0 to %d; %d is not one", to, st[1]-1, c)
		}
	}
	nodes := m.P.GetGraph().GetNode()
	// below: the tensors that depend on from (the walk stays among them).
	below := map[string]bool{from: true}
	constant := map[string]bool{}
	for _, t := range m.P.GetGraph().GetInitializer() {
		constant[t.GetName()] = true
	}
	for _, n := range nodes {
		if n.GetOpType() == onnx.OpConstant {
			for _, o := range n.GetOutput() {
				constant[o] = true
			}
			continue
		}
		for _, in := range n.GetInput() {
			if below[in] {
				for _, o := range n.GetOutput() {
					below[o] = true
				}
				break
			}
		}
	}
	if !below[to] || to == from {
		return nil, fmt.Errorf("%w: %s does not come after %s", ErrNotAfter, to, from)
	}
	start, err := newGrad(len(channels), 1, 1, int(st[1]), [2]int{}, [2]int{1, 1})
	if err != nil {
		return nil, err
	}
	for o, c := range channels {
		start.g.Data().([]float32)[o*int(st[1])+c] = 1
	}
	grads := map[string]*grad{to: start}
	wk := &walk{m: m, shapes: shapes, constant: constant, layouts: m.Layouts(), grads: grads}
	for k := len(nodes) - 1; k >= 0; k-- {
		n := nodes[k]
		if len(n.GetOutput()) == 0 {
			continue
		}
		if onnx.Ops[n.GetOpType()].Linear == onnx.LinearSplit {
			if err := wk.split(n, from); err != nil {
				return nil, err
			}
			continue
		}
		out := n.GetOutput()[0]
		g, ok := grads[out]
		if !ok || out == from || !below[out] {
			continue // from, or a tensor off the path (an error below)
		}
		delete(grads, out)
		if err := wk.back(n, g); err != nil {
			return nil, err
		}
	}
	g, ok := grads[from]
	if !ok {
		return nil, fmt.Errorf("no linear path from %s to %s", from, to)
	}
	for t := range grads {
		if t != from {
			return nil, fmt.Errorf("%s depends on %s, which does not come from %s", to, t, from)
		}
	}
	// [n, h, w, C] → [n, C, h, w]
	w, err := tensor.Transpose(g.g, 0, 3, 1, 2)
	if err != nil {
		return nil, err
	}
	dense := w.(*tensor.Dense)
	if dense.IsView() || !dense.IsMaterializable() {
		dense = dense.Materialize().(*tensor.Dense)
	}
	return &Expanded{From: from, To: to, Channels: append([]int(nil), channels...), W: dense, Lo: g.lo, Jump: g.jump}, nil
}

// walk is the state of Expand's walk back from its target: the maps
// reached so far, by tensor.
type walk struct {
	m        *onnx.Model
	shapes   map[string][]int64
	constant map[string]bool
	layouts  map[string]onnx.Layout
	grads    map[string]*grad
}

// back moves one node's map from its output to its inputs.
// Inputs that are constants (biases) drop out; any other input gets its
// share, so that one off the path from the source is reported.
func (wk *walk) back(n *pb.NodeProto, g *grad) error {
	m, shapes, constant, grads := wk.m, wk.shapes, wk.constant, wk.grads
	op := n.GetOpType()
	name := n.GetName()
	if name == "" {
		name = n.GetOutput()[0]
	}
	ins := n.GetInput()
	if x, _, ok := m.SelfGate(n); ok { // SiLU, hard swish written out: an activation, read as the identity
		return add(grads, x, g)
	}
	if x, ok := m.GELU(n); ok { // GELU written out: an activation, read as the identity
		return add(grads, x, g)
	}
	if op == onnx.OpMul && len(ins) == 2 && !constant[ins[0]] && !constant[ins[1]] {
		return fmt.Errorf("node %s (Mul) multiplies two maps, a gate (as in squeeze-and-excitation): a product of maps has no linear expansion", name)
	}
	switch onnx.Ops[op].Linear {
	case onnx.LinearIdentity: // nonlinearities are left out; Dropout is the identity at inference
		return add(grads, ins[0], g)
	case onnx.LinearSum:
		for _, in := range ins {
			if !constant[in] {
				if err := add(grads, in, g); err != nil {
					return err
				}
			}
		}
		return nil
	case onnx.LinearConcat:
		if a := onnx.Attr(n, "axis"); a == nil || a.GetI() != 1 {
			return fmt.Errorf("node %s: Concat on an axis other than channels has no expanded weights", name)
		}
		from := 0
		for _, in := range ins {
			c, at := int(shapes[in][1]), from
			part, err := channelMap(g, c, func(src, dst []float32) { copy(dst, src[at:at+c]) })
			if err != nil {
				return err
			}
			used := slices.ContainsFunc(part.g.Data().([]float32), func(v float32) bool { return v != 0 })
			if used && !constant[in] { // a branch the chosen outputs do not read drops out
				if err := add(grads, in, part); err != nil {
					return err
				}
			}
			from += c
		}
		return nil
	case onnx.LinearScale:
		return backScale(m, n, name, g, grads)
	case onnx.LinearConv:
		return backConv(m, n, name, g, grads)
	case onnx.LinearPool:
		return backPool(m, n, g, grads)
	case onnx.LinearLayout:
		if wk.layouts[n.GetOutput()[0]] == onnx.LayoutUnknown {
			return fmt.Errorf("node %s (Transpose) moves axes other than between NCHW and NHWC: it has no expanded weights", name)
		}
		return add(grads, ins[0], g) // the map is kept per cell and channel, whatever the layout
	case onnx.LinearShuffle:
		return wk.shuffle(n, name, g)
	case onnx.LinearChannelMatrix:
		return wk.channelMatrix(n, name, g)
	case onnx.LinearCentre:
		return wk.centre(n, name, g)
	case onnx.LinearConstantFactor:
		return wk.constantFactor(n, name, g)
	}
	return fmt.Errorf("node %s (%s) lies between the layers, and its linear part is not known to circc", name, op)
}

// backScale composes the map with a batch normalisation's linear part:
// each channel c times scale[c]/√(var[c]+ε) (the shift is constant and
// drops out).
func backScale(m *onnx.Model, n *pb.NodeProto, name string, g *grad, grads map[string]*grad) error {
	f, err := m.BatchNormScale(n)
	if err != nil {
		return err
	}
	if _, _, _, c := g.dims(); len(f) != c {
		return fmt.Errorf("node %s: %d scales for %d channels", name, len(f), c)
	}
	out, err := scaleChannels(g, f)
	if err != nil {
		return err
	}
	return add(grads, n.GetInput()[0], out)
}

// backConv composes the map with a convolution: T = conv(S, w). For every
// tap k, the product of the map (outputs·cells × T's channels) with w's
// tap (T's × S's channels) is spread to the tap's place.
func backConv(m *onnx.Model, n *pb.NodeProto, name string, g *grad, grads map[string]*grad) error {
	win, err := m.WindowOf(n)
	if err != nil {
		return err
	}
	wt, err := m.ReadWeight(n.GetInput()[1])
	if err != nil {
		return fmt.Errorf("node %s: %w", name, err)
	}
	ct, cs, kh, kw := int(wt.Dims[0]), int(wt.Dims[1]), int(wt.Dims[2]), int(wt.Dims[3])
	data := wt.Data
	// A grouped (or depthwise) convolution is the dense one whose weights
	// are zero between groups: output channel o reads only its group's
	// inputs.
	if groups := int(onnx.IntOf(n, "group", 1)); groups != 1 {
		if groups < 1 || ct%groups != 0 {
			return fmt.Errorf("node %s: %d output channels in %d groups", name, ct, groups)
		}
		dense := make([]float32, ct*cs*groups*kh*kw)
		per := ct / groups
		for o := 0; o < ct; o++ {
			at := (o / per) * cs // the group's first input channel
			copy(dense[(o*cs*groups+at)*kh*kw:], data[o*cs*kh*kw:(o+1)*cs*kh*kw])
		}
		data, cs = dense, cs*groups
	}
	gn, h, w, gc := g.dims()
	if gc != ct {
		return fmt.Errorf("node %s: %d output channels, the map has %d", name, ct, gc)
	}
	// w [ct, cs, kh, kw] → [ct, kh·kw·cs]: one product for every tap.
	wd := tensor.New(tensor.WithShape(ct, cs, kh, kw), tensor.WithBacking(append([]float32(nil), data...)))
	if err := wd.T(0, 2, 3, 1); err != nil {
		return err
	}
	if err := wd.Transpose(); err != nil {
		return err
	}
	if err := wd.Reshape(ct, kh*kw*cs); err != nil {
		return err
	}
	flat := g.g.Clone().(*tensor.Dense)
	if err := flat.Reshape(gn*h*w, ct); err != nil {
		return err
	}
	prod, err := tensor.MatMul(flat, wd)
	if err != nil {
		return fmt.Errorf("node %s: %w", name, err)
	}
	src := prod.Data().([]float32)
	out, err := spread(g, win, cs, 1, func(o, y, x, k int) []float32 {
		row := src[((o*h+y)*w+x)*kh*kw*cs:]
		return row[k*cs : (k+1)*cs]
	})
	if err != nil {
		return err
	}
	return add(grads, n.GetInput()[0], out)
}

// spread moves a map back through a window op (a convolution or a pool)
// from its output T to its input S. T's cell m reads S's cells
// m·s − p + k·d, so S's map has jump·s, lo·s − p, and a box grown to
// (h−1)·s + (K−1)·d + 1. tap(o, y, x, k) is the vector over S's c
// channels that cell (y, x) of output o's map sends to the window's k-th
// cell (row-major); it is added there, times scale.
func spread(g *grad, win onnx.Window, c int, scale float32, tap func(o, y, x, k int) []float32) (*grad, error) {
	gn, h, w, _ := g.dims()
	var lo, jump, size [2]int
	for a := 0; a < 2; a++ {
		s, d := win.Strides[a], win.Dilations[a]
		jump[a] = g.jump[a] * s
		lo[a] = g.lo[a]*s - win.Pads[a]
		size[a] = ([2]int{h, w}[a]-1)*s + (win.Kernel[a]-1)*d + 1
	}
	out, err := newGrad(gn, size[0], size[1], c, lo, jump)
	if err != nil {
		return nil, err
	}
	dst := out.g.Data().([]float32)
	for o := 0; o < gn; o++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				for ky := 0; ky < win.Kernel[0]; ky++ {
					for kx := 0; kx < win.Kernel[1]; kx++ {
						yy, xx := y*win.Strides[0]+ky*win.Dilations[0], x*win.Strides[1]+kx*win.Dilations[1]
						at := ((o*size[0]+yy)*size[1] + xx) * c
						for ch, v := range tap(o, y, x, ky*win.Kernel[1]+kx) {
							dst[at+ch] += v * scale
						}
					}
				}
			}
		}
	}
	return out, nil
}

// backPool composes the map with a pool taken as the average over its
// window (a max pool has no linear map; Visualizing Weights, like captum's
// linear InceptionV1, uses the average pool of the same window): each of
// the window's cells gets 1/(kh·kw) of the map, channel by channel.
func backPool(m *onnx.Model, n *pb.NodeProto, g *grad, grads map[string]*grad) error {
	win, err := m.WindowOf(n)
	if err != nil {
		return err
	}
	_, h, w, c := g.dims()
	src := g.g.Data().([]float32)
	out, err := spread(g, win, c, 1/float32(win.Kernel[0]*win.Kernel[1]), func(o, y, x, _ int) []float32 {
		return src[((o*h+y)*w+x)*c : ((o*h+y)*w+x+1)*c]
	})
	if err != nil {
		return err
	}
	return add(grads, n.GetInput()[0], out)
}

// add accumulates a map into a tensor's: the two boxes are joined (their
// union, zeros where only one reaches), which needs one jump.
func add(grads map[string]*grad, t string, g *grad) error {
	have, ok := grads[t]
	if !ok {
		grads[t] = g
		return nil
	}
	if have.jump != g.jump {
		return fmt.Errorf("%s is reached at strides %v and %v", t, have.jump, g.jump)
	}
	hn, hh, hw, hc := have.dims()
	_, gh, gw, _ := g.dims()
	lo := [2]int{min(have.lo[0], g.lo[0]), min(have.lo[1], g.lo[1])}
	hi := [2]int{max(have.lo[0]+hh, g.lo[0]+gh), max(have.lo[1]+hw, g.lo[1]+gw)}
	sum, err := newGrad(hn, hi[0]-lo[0], hi[1]-lo[1], hc, lo, g.jump)
	if err != nil {
		return err
	}
	for _, part := range []*grad{have, g} {
		pn, ph, pw, pc := part.dims()
		dy, dx := part.lo[0]-lo[0], part.lo[1]-lo[1]
		src, dst := part.g.Data().([]float32), sum.g.Data().([]float32)
		_, sh, sw, _ := sum.dims()
		for o := 0; o < pn; o++ {
			for y := 0; y < ph; y++ {
				for x := 0; x < pw; x++ {
					s := src[((o*ph+y)*pw+x)*pc : ((o*ph+y)*pw+x+1)*pc]
					d := dst[((o*sh+y+dy)*sw+x+dx)*pc:]
					for c, v := range s {
						d[c] += v
					}
				}
			}
		}
	}
	grads[t] = sum
	return nil
}

// Strongest orders From's channels by the L2 norm of their weights into
// all the chosen outputs, strongest first (ties by index).
func (e *Expanded) Strongest() []int {
	s := e.W.Shape()
	norm := make([]float64, s[1])
	for o := 0; o < s[0]; o++ {
		for i := 0; i < s[1]; i++ {
			for _, v := range e.Tile(o, i) {
				norm[i] += float64(v) * float64(v)
			}
		}
	}
	idx := make([]int, s[1])
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return norm[idx[a]] > norm[idx[b]] })
	return idx
}
