package atlas

import (
	"github.com/circc/circc/onnx"
)

// The stimulus sets of a unit's fingerprint, and how many stimuli they
// hold (for the cost estimate).
var fingerprintSets = []string{"curves", "lines", "edges", "gabors", "highlow"}

const stimuliCount = 1080 + 18 + 108 + 216 + 216

// macs counts the multiply-adds of the convolutions and dense products of
// m up to tensor, for one n×n image, cropped to the centre cell's field
// when crop is set (as the centre objectives and the stimuli run); cells
// is the product of the tensor's channels squared and its positions: the
// work of a Gram matrix of its map (the diversity term's).
func macs(m *onnx.Model, tensor string, n int, crop bool) (total, cells float64, err error) {
	c := m.Clone()
	if err := c.SetInputShape(n, n); err != nil {
		return 0, 0, err
	}
	in := c.InputShape()
	shape := []int64{1, in[1], int64(n), int64(n)}
	if err := c.SetOutputs(shape, tensor); err != nil {
		return 0, 0, err
	}
	if crop {
		if w, ok := c.CentreCrop([]string{tensor}, int(in[1]), n); ok {
			if err := c.SetInputShape(w.Size, w.Size); err != nil {
				return 0, 0, err
			}
			shape = []int64{1, in[1], int64(w.Size), int64(w.Size)}
		}
	}
	shapes, err := c.Shapes(shape)
	if err != nil {
		return 0, 0, err
	}
	if t := shapes[tensor]; len(t) == 4 {
		cells = float64(t[1]*t[1]) * float64(t[2]*t[3])
	}
	dims := map[string][]int64{}
	for _, t := range c.P.GetGraph().GetInitializer() {
		dims[t.GetName()] = t.GetDims()
	}
	for _, node := range c.P.GetGraph().GetNode() {
		if len(node.GetInput()) < 2 || len(node.GetOutput()) == 0 {
			continue
		}
		out := shapes[node.GetOutput()[0]]
		w := dims[node.GetInput()[1]]
		if w == nil {
			w = shapes[node.GetInput()[1]]
		}
		if len(out) == 0 || len(w) == 0 {
			continue
		}
		elems := 1.0
		for _, d := range out {
			elems *= float64(d)
		}
		switch node.GetOpType() {
		case onnx.OpConv:
			// Each output value reads one filter: the weight's size over
			// its output channels.
			per := 1.0
			for _, d := range w[1:] {
				per *= float64(d)
			}
			total += elems * per
		case onnx.OpGemm, onnx.OpMatMul:
			total += elems * float64(w[0])
		}
	}
	return total, cells, nil
}
