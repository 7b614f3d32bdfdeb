package onnx

import (
	"fmt"

	pb "github.com/circc/circc/onnx/onnxpb"
)

// Block is the part of a graph that makes one layer from the layer below:
// the nodes between the tensors a caller names as layers.
type Block struct {
	Input string          // the one tensor the block reads (a layer below, or the graph's input)
	Nodes []*pb.NodeProto // in graph order
	Convs []*pb.NodeProto // its convolutions: the weights that are its own
}

// BlockOf walks back from tensor's producer through the graph until it
// meets a tensor in stops (the other layers), the graph's input, or a
// constant; what it passes is the block. A block that reads more than one
// such tensor is an error.
func (m *Model) BlockOf(tensor string, stops map[string]bool) (*Block, error) {
	g := m.P.GetGraph()
	constant := map[string]bool{}
	for _, t := range g.GetInitializer() {
		constant[t.GetName()] = true
	}
	producer := map[string]*pb.NodeProto{}
	for _, n := range g.GetNode() {
		if n.GetOpType() == OpConstant {
			for _, o := range n.GetOutput() {
				constant[o] = true
			}
		}
		for _, o := range n.GetOutput() {
			producer[o] = n
		}
	}
	in := m.Input().GetName()
	inside := map[*pb.NodeProto]bool{}
	inputs := map[string]bool{}
	var walk func(t string)
	walk = func(t string) {
		switch n := producer[t]; {
		case t == "" || constant[t]:
		case t != tensor && stops[t], t == in, n == nil:
			inputs[t] = true
		case !inside[n]:
			inside[n] = true
			for _, x := range n.GetInput() {
				walk(x)
			}
		}
	}
	walk(tensor)
	if len(inputs) != 1 {
		return nil, fmt.Errorf("the block making %s reads %d tensors, not one", tensor, len(inputs))
	}
	b := &Block{}
	for t := range inputs {
		b.Input = t
	}
	for _, n := range g.GetNode() {
		if inside[n] {
			b.Nodes = append(b.Nodes, n)
			if n.GetOpType() == OpConv {
				b.Convs = append(b.Convs, n)
			}
		}
	}
	return b, nil
}

// ReadBlocks adds, for each named NCHW tensor, a graph output TENSOR/block
// holding the sides[i]×sides[i] cells at the centre of its map (rows from
// (H−side)/2, as ReadWindows places its blocks), every cell kept, and
// adds those to the graph's outputs.
func (m *Model) ReadBlocks(input []int64, sides []int, names ...string) ([]string, error) {
	shapes, err := m.Shapes(input)
	if err != nil {
		return nil, err
	}
	var outs []string
	for k, t := range names {
		out, err := m.readCentre(shapes, t, int64(sides[k]), "block", OpIdentity)
		if err != nil {
			return nil, err
		}
		outs = append(outs, out)
	}
	return outs, m.AddOutputs(input, outs...)
}
