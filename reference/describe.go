package reference

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
)

// Import readies a user's graph for registering: an NHWC image input (a
// graph converted from TensorFlow) becomes NCHW, so that every command
// reads one layout. It returns the bytes to write, and what it changed,
// in words.
func Import(data []byte) ([]byte, []string, error) {
	m, err := onnx.FromBytes(data)
	if err != nil {
		return nil, nil, err
	}
	if !m.ToNCHWInput() {
		return data, nil, nil
	}
	out, err := m.Bytes()
	if err != nil {
		return nil, nil, err
	}
	return out, []string{"its NHWC input now takes NCHW images, through a Transpose in front"}, nil
}

// Describe reads an ONNX image network and writes its manifest: the
// preprocessing given, the input's name and size from the graph (size
// when the graph leaves it free), every tensor worth probing with its
// channels and map size and, for a concatenation, the channel range of
// each branch; names made readable from the tensors; the sha256 pin of
// data. Anything it cannot understand is an error naming the node.
func Describe(data []byte, name, title string, input models.Input, size int) (*models.Manifest, error) {
	m, err := onnx.FromBytes(data)
	if err != nil {
		return nil, err
	}
	in := m.Input()
	if in == nil {
		return nil, fmt.Errorf("the graph has no input")
	}
	shape := m.InputShape()
	if len(shape) != 4 || shape[1] != int64(len(input.Channels)) {
		return nil, fmt.Errorf("input %s has the shape %v; an image network takes N×%d×H×W", in.GetName(), shape, len(input.Channels))
	}
	h, w := int(shape[2]), int(shape[3])
	if size > 0 {
		h, w = size, size
	} else if h <= 0 || w <= 0 {
		return nil, fmt.Errorf("input %s leaves its size free (%v): give one with --size", in.GetName(), shape)
	}
	if err := m.SetInputShape(h, w); err != nil {
		return nil, err
	}
	probes, err := m.ProbePoints([]int64{1, int64(len(input.Channels)), int64(h), int64(w)})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	input.Name, input.Size = in.GetName(), [2]int{h, w}
	man := &models.Manifest{Name: name, Title: title, File: "model.onnx", SHA256: hex.EncodeToString(sum[:]), Input: input}
	used := map[string]bool{}
	for _, p := range probes {
		n := onnx.ReadableName(p.Tensor)
		for base, i := n, 2; used[n]; i++ {
			n = fmt.Sprintf("%s_%d", base, i)
		}
		used[n] = true
		l := models.Layer{Name: n, Tensor: p.Tensor, Channels: p.Channels, Size: []int{p.H, p.W}}
		for _, b := range p.Branches {
			bn := strings.TrimPrefix(onnx.ReadableName(b.Tensor), n+"_")
			l.Branches = append(l.Branches, models.Branch{Name: bn, From: b.From, To: b.To})
		}
		man.Layers = append(man.Layers, l)
	}
	return man, nil
}
