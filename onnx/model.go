package onnx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand"
	"slices"
	"sort"

	"github.com/spf13/afero"
	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/internal/safefs"
	pb "github.com/circc/circc/onnx/onnxpb"
)

// Model is an ONNX model being read, edited and written.
type Model struct {
	P *pb.ModelProto
}

// Read loads a model. A model whose tensors keep their data in external
// files, or whose tensors' shapes do not match their data, is refused
// (see validate).
func Read(fs afero.Fs, path string) (*Model, error) {
	data, err := safefs.ReadFile(fs, path, safefs.MaxModel)
	if err != nil {
		return nil, err
	}
	p, err := Unmarshal(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m := &Model{P: p}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// FromBytes decodes a model held in memory.
func FromBytes(data []byte) (*Model, error) {
	p, err := Unmarshal(data)
	if err != nil {
		return nil, err
	}
	m := &Model{P: p}
	return m, m.validate()
}

// Clone returns a deep copy.
func (m *Model) Clone() *Model { return &Model{P: proto.Clone(m.P).(*pb.ModelProto)} }

// Bytes encodes the model deterministically.
func (m *Model) Bytes() ([]byte, error) { return Marshal(m.P) }

// Write writes the model to path (see safefs.WriteFiles), after re-reading
// the temporary file and checking that it decodes to the same model.
func Write(fs afero.Fs, path string, m *Model) error {
	data, err := m.Bytes()
	if err != nil {
		return err
	}
	return safefs.WriteFiles(fs, []safefs.File{{Path: path, Data: data}}, func(temps map[string]string) error {
		back, err := afero.ReadFile(fs, temps[path])
		if err == nil && !bytes.Equal(back, data) {
			err = fmt.Errorf("%s reads back differently from what was written", path)
		}
		if err == nil {
			var again *Model
			if again, err = FromBytes(back); err == nil && !proto.Equal(again.P, m.P) {
				err = fmt.Errorf("%s decodes to a different model", path)
			}
		}
		return err
	})
}

// Input returns the graph's first input that is not an initializer.
func (m *Model) Input() *pb.ValueInfoProto {
	inits := map[string]bool{}
	for _, t := range m.P.GetGraph().GetInitializer() {
		inits[t.GetName()] = true
	}
	for _, in := range m.P.GetGraph().GetInput() {
		if !inits[in.GetName()] {
			return in
		}
	}
	return nil
}

// Producer returns the node that outputs tensor, or nil.
func (m *Model) Producer(tensor string) *pb.NodeProto {
	for _, n := range m.P.GetGraph().GetNode() {
		for _, o := range n.GetOutput() {
			if o == tensor {
				return n
			}
		}
	}
	return nil
}

// Consumers returns the nodes that read tensor.
func (m *Model) Consumers(tensor string) []*pb.NodeProto {
	var out []*pb.NodeProto
	for _, n := range m.P.GetGraph().GetNode() {
		for _, in := range n.GetInput() {
			if in == tensor {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// Attr returns a node's attribute, or nil.
func Attr(n *pb.NodeProto, name string) *pb.AttributeProto {
	for _, a := range n.GetAttribute() {
		if a.GetName() == name {
			return a
		}
	}
	return nil
}

// IntsOf is a node's ints attribute, or def when it has none.
func IntsOf(n *pb.NodeProto, name string, def ...int64) []int64 { return attrInts64(n, name, def...) }

// IntOf is a node's int attribute, or def when it has none.
func IntOf(n *pb.NodeProto, name string, def int64) int64 { return attrInt64(n, name, def) }

// FloatOf is a node's float attribute, or def when it has none.
func FloatOf(n *pb.NodeProto, name string, def float32) float32 {
	if a := Attr(n, name); a != nil {
		return a.GetF()
	}
	return def
}

// Int64s reads a constant int64 tensor (an initializer or a Constant
// node's value): Reshape's shape, Slice's starts and ends.
func (m *Model) Int64s(name string) ([]int64, error) {
	t := m.weightProto(name)
	if t == nil {
		return nil, fmt.Errorf("no constant named %q", name)
	}
	return Int64s(t)
}

// Opset is the model's default-domain operator set version.
func (m *Model) Opset() int64 {
	for _, o := range m.P.GetOpsetImport() {
		if o.GetDomain() == "" || o.GetDomain() == "ai.onnx" {
			return o.GetVersion()
		}
	}
	return 0
}

func attrInts64(n *pb.NodeProto, name string, def ...int64) []int64 {
	if a := Attr(n, name); a != nil {
		return a.GetInts()
	}
	return def
}

func attrInt64(n *pb.NodeProto, name string, def int64) int64 {
	if a := Attr(n, name); a != nil {
		return a.GetI()
	}
	return def
}

// SetInputShape sets the input's dimensions: the batch dimension free
// (named "batch") and the spatial size h×w. Graph outputs lose their fixed
// dimensions, and value infos are dropped, since they no longer hold.
func (m *Model) SetInputShape(h, w int) error {
	in := m.Input()
	if in == nil {
		return fmt.Errorf("the model has no input")
	}
	if h < 1 || w < 1 || h > MaxSide || w > MaxSide {
		return fmt.Errorf("an input of %d×%d pixels: sides must be 1 to %d", h, w, MaxSide)
	}
	dims := in.GetType().GetTensorType().GetShape().GetDim()
	if len(dims) != 4 {
		return fmt.Errorf("input %s has %d dimensions, not NCHW", in.GetName(), len(dims))
	}
	dims[0].Value = &pb.TensorShapeProto_Dimension_DimParam{DimParam: BatchDim}
	dims[2].Value = &pb.TensorShapeProto_Dimension_DimValue{DimValue: int64(h)}
	dims[3].Value = &pb.TensorShapeProto_Dimension_DimValue{DimValue: int64(w)}
	for _, o := range m.P.GetGraph().GetOutput() {
		if s := o.GetType().GetTensorType().GetShape(); s != nil {
			for i, d := range s.GetDim() {
				d.Value = &pb.TensorShapeProto_Dimension_DimParam{DimParam: fmt.Sprintf("%s_%d", o.GetName(), i)}
				if i == 0 {
					d.Value = &pb.TensorShapeProto_Dimension_DimParam{DimParam: BatchDim}
				}
			}
		}
	}
	m.P.GetGraph().ValueInfo = nil
	return nil
}

// InputShape returns the input's dimensions (a free dimension as -1).
func (m *Model) InputShape() []int64 {
	var out []int64
	for _, d := range m.Input().GetType().GetTensorType().GetShape().GetDim() {
		if d.GetDimParam() != "" || d.GetDimValue() == 0 {
			out = append(out, -1)
		} else {
			out = append(out, d.GetDimValue())
		}
	}
	return out
}

// Tensors lists every tensor of the graph with its inferred shape, in
// sorted order, for the input shape given.
func (m *Model) Tensors(input []int64) ([]string, map[string][]int64, error) {
	shapes, err := m.Shapes(input)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for n := range shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, shapes, nil
}

// ValueInfo describes a float32 tensor of the given shape, its first
// dimension the free batch (BatchDim).
func ValueInfo(name string, shape []int64) *pb.ValueInfoProto {
	var dims []*pb.TensorShapeProto_Dimension
	for i, d := range shape {
		if i == 0 {
			dims = append(dims, &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimParam{DimParam: BatchDim}})
			continue
		}
		dims = append(dims, &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: d}})
	}
	return &pb.ValueInfoProto{Name: proto.String(name), Type: &pb.TypeProto{Value: &pb.TypeProto_TensorType{TensorType: &pb.TypeProto_Tensor{
		ElemType: proto.Int32(int32(pb.TensorProto_FLOAT)), Shape: &pb.TensorShapeProto{Dim: dims}}}}}
}

// SetOutputs makes exactly the named tensors the graph's outputs, in that
// order, with their inferred shapes, and removes the nodes and initializers
// that none of them needs (a sweep of mixed3b does not pay for mixed5b).
func (m *Model) SetOutputs(input []int64, names ...string) error {
	// Cut first: what lies beyond the outputs (a classifier whose sizes
	// fit only the full-size input) need not fit this input.
	g := m.P.GetGraph()
	old := g.Output
	g.Output = nil
	for _, n := range names {
		g.Output = append(g.Output, &pb.ValueInfoProto{Name: proto.String(n)})
	}
	keep := slices.Clone(g.Node)
	m.DropDeadNodes()
	shapes, err := m.Shapes(input)
	if err == nil {
		for i, n := range names {
			s, ok := shapes[n]
			if !ok {
				err = fmt.Errorf("the model has no tensor %q", n)
				break
			}
			g.Output[i] = ValueInfo(n, s)
		}
	}
	if err != nil {
		g.Output, g.Node = old, keep
	}
	return err
}

// AddOutputs adds the named tensors to the graph's outputs.
func (m *Model) AddOutputs(input []int64, names ...string) error {
	shapes, err := m.Shapes(input)
	if err != nil {
		return err
	}
	g := m.P.GetGraph()
	have := map[string]bool{}
	for _, o := range g.GetOutput() {
		have[o.GetName()] = true
	}
	for _, n := range names {
		s, ok := shapes[n]
		if !ok {
			return fmt.Errorf("the model has no tensor %q", n)
		}
		if !have[n] {
			g.Output = append(g.Output, ValueInfo(n, s))
			have[n] = true
		}
	}
	return nil
}

// DropDeadNodes removes the nodes whose outputs no graph output needs, and
// the initializers no remaining node reads.
func (m *Model) DropDeadNodes() {
	g := m.P.GetGraph()
	need := map[string]bool{}
	for _, o := range g.GetOutput() {
		need[o.GetName()] = true
	}
	nodes := g.GetNode()
	keep := make([]bool, len(nodes))
	for i := len(nodes) - 1; i >= 0; i-- {
		for _, o := range nodes[i].GetOutput() {
			if need[o] {
				keep[i] = true
			}
		}
		if keep[i] {
			for _, in := range nodes[i].GetInput() {
				need[in] = true
			}
		}
	}
	var kept []*pb.NodeProto
	for i, n := range nodes {
		if keep[i] {
			kept = append(kept, n)
		}
	}
	g.Node = kept
	var inits []*pb.TensorProto
	for _, t := range g.GetInitializer() {
		if need[t.GetName()] {
			inits = append(inits, t)
		}
	}
	g.Initializer = inits
}

// Weight is a float32 tensor's dimensions and values.
type Weight struct {
	Dims []int64
	Data []float32
}

// weightProto finds a constant tensor by name: an initializer or the value
// of a Constant node.
func (m *Model) weightProto(name string) *pb.TensorProto {
	if t := Initializer(m.P, name); t != nil {
		return t
	}
	if n := m.Producer(name); n != nil && n.GetOpType() == OpConstant {
		if a := Attr(n, "value"); a != nil {
			return a.GetT()
		}
	}
	return nil
}

// BatchNormScale is a BatchNormalization's factor per channel at
// inference, γ/√(σ²+ε): its linear part, the shift aside.
func (m *Model) BatchNormScale(n *pb.NodeProto) ([]float32, error) {
	ins := n.GetInput()
	if len(ins) < 5 {
		return nil, nodeError(n, "a batch normalisation without its scale and variance")
	}
	scale, err := m.ReadWeight(ins[1])
	if err != nil {
		return nil, nodeError(n, "%v", err)
	}
	variance, err := m.ReadWeight(ins[4])
	if err != nil {
		return nil, nodeError(n, "%v", err)
	}
	if len(variance.Data) != len(scale.Data) {
		return nil, nodeError(n, "%d scales and %d variances", len(scale.Data), len(variance.Data))
	}
	eps := float64(FloatOf(n, "epsilon", 1e-5))
	f := make([]float32, len(scale.Data))
	for i := range f {
		f[i] = float32(float64(scale.Data[i]) / math.Sqrt(float64(variance.Data[i])+eps))
	}
	return f, nil
}

// ReadWeight returns a constant tensor (initializer or Constant node).
func (m *Model) ReadWeight(name string) (*Weight, error) {
	t := m.weightProto(name)
	if t == nil {
		return nil, fmt.Errorf("no initializer or Constant named %q", name)
	}
	data, err := Floats(t)
	if err != nil {
		return nil, err
	}
	return &Weight{Dims: t.GetDims(), Data: data}, nil
}

// SetSlices replaces slices of a constant tensor along its first dimension
// (a convolution's output channels): slice i of values goes to index
// at[i]. The tensor may be an initializer or a Constant node's value.
func (m *Model) SetSlices(name string, at []int, values [][]float32) error {
	t := m.weightProto(name)
	if t == nil {
		return fmt.Errorf("no initializer or Constant named %q", name)
	}
	data, err := Floats(t)
	if err != nil {
		return err
	}
	dims := t.GetDims()
	if len(dims) == 0 {
		return fmt.Errorf("%s is a scalar", name)
	}
	per := 1
	for _, d := range dims[1:] {
		per *= int(d)
	}
	for i, o := range at {
		if o < 0 || int64(o) >= dims[0] {
			return fmt.Errorf("%s has %d slices, not %d", name, dims[0], o+1)
		}
		if len(values[i]) != per {
			return fmt.Errorf("slice %d of %s has %d values, the tensor %d", o, name, len(values[i]), per)
		}
		copy(data[o*per:], values[i])
	}
	raw := make([]byte, 4*len(data))
	for i, x := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
	}
	t.RawData, t.FloatData = raw, nil
	return nil
}

// Splice adds nodes and initializers to the graph and restores the
// topological order of the nodes.
func (m *Model) Splice(nodes []*pb.NodeProto, inits []*pb.TensorProto) error {
	g := m.P.GetGraph()
	g.Initializer = append(g.Initializer, inits...)
	g.Node = append(g.Node, nodes...)
	return m.TopoSort()
}

// TopoSort orders the nodes so that each comes after the producers of its
// inputs, keeping the existing order where it already holds.
func (m *Model) TopoSort() error {
	g := m.P.GetGraph()
	avail := map[string]bool{"": true} // an empty input name is an omitted optional input
	for _, t := range g.GetInitializer() {
		avail[t.GetName()] = true
	}
	for _, in := range g.GetInput() {
		avail[in.GetName()] = true
	}
	done := make([]bool, len(g.Node))
	var out []*pb.NodeProto
	for len(out) < len(g.Node) {
		progress := false
		for i, n := range g.Node {
			if done[i] {
				continue
			}
			ready := true
			for _, in := range n.GetInput() {
				ready = ready && avail[in]
			}
			if !ready {
				continue
			}
			done[i], progress = true, true
			out = append(out, n)
			for _, o := range n.GetOutput() {
				avail[o] = true
			}
		}
		if !progress {
			return fmt.Errorf("the graph has a cycle or reads a tensor nothing produces")
		}
	}
	g.Node = out
	return nil
}

// Rewire makes every node that reads from (except the nodes in skip) read
// to instead, then restores the topological order.
func (m *Model) Rewire(from, to string, skip ...*pb.NodeProto) error {
	skipped := map[*pb.NodeProto]bool{}
	for _, n := range skip {
		skipped[n] = true
	}
	for _, n := range m.P.GetGraph().GetNode() {
		if skipped[n] {
			continue
		}
		for i, in := range n.Input {
			if in == from {
				n.Input[i] = to
			}
		}
	}
	return m.TopoSort()
}

// PermuteConvWeights is the control of a learned network: each
// convolution's weights shuffled across output channels, input channels
// and kernel positions, and its biases across output channels, with a
// generator seeded by seed (so the control is the same every run). The
// architecture and every layer's weight statistics stay; learned
// structure does not.
func (m *Model) PermuteConvWeights(seed int64) error {
	return m.PermuteConvWeightsOf(seed, nil)
}

// PermuteConvWeightsOf is PermuteConvWeights for the convolutions only
// says yes to (all when only is nil).
func (m *Model) PermuteConvWeightsOf(seed int64, only func(*pb.NodeProto) bool) error {
	rng := rand.New(rand.NewSource(seed))
	for _, n := range m.P.GetGraph().GetNode() {
		if n.GetOpType() != OpConv || only != nil && !only(n) {
			continue
		}
		for k, name := range n.GetInput()[1:] {
			if k > 1 || name == "" {
				break
			}
			t := m.weightProto(name)
			if t == nil {
				return fmt.Errorf("convolution %s: no initializer or Constant named %q", n.GetName(), name)
			}
			data, err := Floats(t)
			if err != nil {
				return err
			}
			rng.Shuffle(len(data), func(i, j int) { data[i], data[j] = data[j], data[i] })
			raw := make([]byte, 4*len(data))
			for i, x := range data {
				binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
			}
			t.RawData, t.FloatData = raw, nil
		}
	}
	return nil
}

// ReadWindows adds, for each named NCHW tensor, a graph output that holds
// per image and channel only the maximum over the window×window block of
// cells at the centre of its map (rows from (H−window)/2), as [N, C, 1, 1],
// named TENSOR/window; window 1 reads the centre cell ((H−1)/2, (W−1)/2),
// and window 0, or one as large as the map, the maximum anywhere. It makes
// those the graph's outputs, in order: what is read is computed in the
// graph, and only that leaves it (which matters most when it has to cross
// from a GPU). input is the NCHW input shape. The ops (Gather, GlobalMaxPool)
// mean the same in every opset since 1.
func (m *Model) ReadWindows(input []int64, window int, names ...string) ([]string, error) {
	windows := make([]int, len(names))
	for i := range windows {
		windows[i] = window
	}
	return m.ReadWindowsEach(input, windows, names...)
}

// ReadWindowsEach is ReadWindows with a window of its own for each name.
func (m *Model) ReadWindowsEach(input []int64, windows []int, names ...string) ([]string, error) {
	shapes, err := m.Shapes(input)
	if err != nil {
		return nil, err
	}
	var outs []string
	for k, t := range names {
		out, err := m.readCentre(shapes, t, int64(windows[k]), "window", OpGlobalMaxPool)
		if err != nil {
			return nil, err
		}
		outs = append(outs, out)
	}
	return outs, m.SetOutputs(input, outs...)
}

// Between makes the model the part of it from one tensor to others: from
// becomes the graph's only input, of shape input (NCHW), the nodes that do
// not depend on it go, and the named tensors become the outputs. A node
// that mixes from's descendants with anything else but constants is an
// error: the part would not be a function of from alone.
func (m *Model) Between(from string, input []int64, to ...string) error {
	g := m.P.GetGraph()
	constant := map[string]bool{}
	for _, t := range g.GetInitializer() {
		constant[t.GetName()] = true
	}
	reach := map[string]bool{from: true}
	var keep []*pb.NodeProto
	for _, n := range g.GetNode() {
		if n.GetOpType() == OpConstant {
			keep = append(keep, n)
			for _, o := range n.GetOutput() {
				constant[o] = true
			}
			continue
		}
		uses, other := false, ""
		for _, in := range n.GetInput() {
			switch {
			case in == "" || constant[in]:
			case reach[in]:
				uses = true
			default:
				other = in
			}
		}
		if !uses {
			continue
		}
		if other != "" {
			return fmt.Errorf("node %s (%s) reads %s, which does not come from %s", nodeName(n.GetName(), n.GetOutput()), n.GetOpType(), other, from)
		}
		keep = append(keep, n)
		for _, o := range n.GetOutput() {
			reach[o] = true
		}
	}
	g.Node = keep
	g.Input = []*pb.ValueInfoProto{ValueInfo(from, input)}
	for _, t := range to {
		if !reach[t] || t == from {
			return fmt.Errorf("%s does not come from %s", t, from)
		}
	}
	return m.SetOutputs(input, to...)
}

// reshaped resolves Reshape's 0 (copy) and −1 (the rest) against shape x.
func reshaped(x, to []int64) ([]int64, error) {
	total := int64(1)
	for _, d := range x {
		total *= d
	}
	out := append([]int64(nil), to...)
	rest, known := -1, int64(1)
	for i, d := range out {
		switch {
		case d == 0 && i < len(x):
			out[i] = x[i]
		case d == -1 && rest < 0:
			rest = i
			continue
		case d <= 0:
			return nil, fmt.Errorf("Reshape to %v", to)
		}
		known *= out[i]
	}
	if rest >= 0 {
		if known == 0 || total%known != 0 {
			return nil, fmt.Errorf("Reshape of %v to %v", x, to)
		}
		out[rest] = total / known
	} else if known != total {
		return nil, fmt.Errorf("Reshape of %v to %v", x, to)
	}
	return out, nil
}

// Slice is a Slice node's constant selection, resolved against the
// input's rank and clamped: along each of Axes, [Starts, Ends) in Steps.
type Slice struct {
	Axes, Starts, Ends, Steps []int64
}

// SliceOf reads a Slice node (opset 10 and later: starts, ends, axes and
// steps as constant inputs) for an input of the given rank; Resolve
// clamps its bounds to the input's dimensions.
func (m *Model) SliceOf(n *pb.NodeProto, rank int) (*Slice, error) {
	ins := n.GetInput()
	name := nodeName(n.GetName(), n.GetOutput())
	if len(ins) < 3 {
		return nil, fmt.Errorf("node %s: a Slice with attributes (opset before 10) is not supported", name)
	}
	s := &Slice{}
	var err error
	if s.Starts, err = m.Int64s(ins[1]); err != nil {
		return nil, fmt.Errorf("node %s: %w", name, err)
	}
	if s.Ends, err = m.Int64s(ins[2]); err != nil {
		return nil, fmt.Errorf("node %s: %w", name, err)
	}
	if len(ins) > 3 && ins[3] != "" {
		if s.Axes, err = m.Int64s(ins[3]); err != nil {
			return nil, fmt.Errorf("node %s: %w", name, err)
		}
	} else {
		for i := range s.Starts {
			s.Axes = append(s.Axes, int64(i))
		}
	}
	if len(ins) > 4 && ins[4] != "" {
		if s.Steps, err = m.Int64s(ins[4]); err != nil {
			return nil, fmt.Errorf("node %s: %w", name, err)
		}
	} else {
		for range s.Starts {
			s.Steps = append(s.Steps, 1)
		}
	}
	if len(s.Ends) != len(s.Starts) || len(s.Axes) != len(s.Starts) || len(s.Steps) != len(s.Starts) {
		return nil, fmt.Errorf("node %s: Slice's starts, ends, axes and steps differ in length", name)
	}
	for i, a := range s.Axes {
		if a < 0 {
			a += int64(rank)
		}
		if a < 0 || a >= int64(rank) || s.Steps[i] != 1 {
			return nil, fmt.Errorf("node %s: only Slice with step 1 on the input's axes is supported", name)
		}
		s.Axes[i] = a
	}
	return s, nil
}

// Resolve clamps the slice's bounds to a shape (negative counts from the
// end, as ONNX says).
func (s *Slice) Resolve(shape []int64) {
	for i, a := range s.Axes {
		d := shape[a]
		clamp := func(v int64) int64 {
			if v < 0 {
				v += d
			}
			return max(0, min(v, d))
		}
		s.Starts[i], s.Ends[i] = clamp(s.Starts[i]), clamp(s.Ends[i])
		if s.Ends[i] < s.Starts[i] {
			s.Ends[i] = s.Starts[i]
		}
	}
}

// gatherCentre adds a Gather of the w cells at the centre of an axis of
// the given side (from (side−w)/2), named name, reading from; it returns
// the gathered tensor's name.
func gatherCentre(g *pb.GraphProto, from, name string, axis int, side, w int64) string {
	at := make([]int64, w)
	for i := range at {
		at[i] = (side-w)/2 + int64(i)
	}
	g.Initializer = append(g.Initializer, &pb.TensorProto{Name: proto.String(name + "/at"), Dims: []int64{w},
		DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: at})
	g.Node = append(g.Node, &pb.NodeProto{Name: proto.String(name), OpType: proto.String(OpGather),
		Input: []string{from, name + "/at"}, Output: []string{name}, Attribute: []*pb.AttributeProto{AttrInt("axis", int64(axis))}})
	return name
}

// readCentre adds TENSOR/KIND, the w×w cells at the centre of an NCHW
// tensor's map (rows from (H−w)/2) passed through op. For a window read
// (GlobalMaxPool), w ≤ 0 or w past the map's side reads the whole axis;
// a block read keeps every cell and must fit.
func (m *Model) readCentre(shapes map[string][]int64, t string, w int64, kind, op string) (string, error) {
	s, ok := shapes[t]
	if !ok || len(s) != 4 {
		return "", fmt.Errorf("the model has no NCHW tensor %q", t)
	}
	g := m.P.GetGraph()
	from := t
	for axis := 2; axis < 4; axis++ {
		side := s[axis]
		switch {
		case op == OpGlobalMaxPool && (w <= 0 || w >= side):
			continue // the whole axis
		case w <= 0 || w > side:
			return "", fmt.Errorf("a block of %d cells of %s, whose side is %d", w, t, side)
		}
		from = gatherCentre(g, from, fmt.Sprintf("%s/%s/axis%d", t, kind, axis), axis, side, w)
	}
	out := t + "/" + kind
	g.Node = append(g.Node, &pb.NodeProto{Name: proto.String(out), OpType: proto.String(op), Input: []string{from}, Output: []string{out}})
	return out, nil
}
