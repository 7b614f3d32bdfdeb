package lower

import (
	"fmt"
	"hash/fnv"
	"io"
	"math"

	"gorgonia.org/tensor"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/expand"
)

// Conv is one convolution's parameters as float32 tensors.
type Conv struct {
	Layer  *expand.Layer
	Weight *tensor.Dense // OIHW
	Bias   *tensor.Dense // O
}

// Network is an expanded network with its convolutions lowered.
type Network struct {
	*expand.Network
	Convs []*Conv
}

// Lower converts the weights of every convolution to float32 tensors.
func Lower(n *expand.Network) *Network {
	out := &Network{Network: n}
	for _, l := range n.Layers {
		if l.Op != check.LayerConv {
			continue
		}
		w := make([]float32, len(l.Weights))
		for i, x := range l.Weights {
			w[i] = float32(x)
		}
		b := make([]float32, len(l.Bias))
		for i, x := range l.Bias {
			b[i] = float32(x)
		}
		out.Convs = append(out.Convs, &Conv{
			Layer:  l,
			Weight: tensor.New(tensor.WithShape(l.OutC, l.InC, l.Kernel, l.Kernel), tensor.WithBacking(w)),
			Bias:   tensor.New(tensor.WithShape(l.OutC), tensor.WithBacking(b)),
		})
	}
	return out
}

// Conv returns the lowered convolution of the named layer, or nil.
func (n *Network) Conv(layer string) *Conv {
	for _, c := range n.Convs {
		if c.Layer.Name == layer {
			return c
		}
	}
	return nil
}

// Float32s returns a tensor's backing data.
func Float32s(t *tensor.Dense) []float32 { return t.Data().([]float32) }

// Dump writes each tensor's shape, value range, L2 norm and an FNV-1a hash
// of its float32 bits: enough to see that two lowerings are identical.
func (n *Network) Dump(w io.Writer) {
	fmt.Fprintf(w, "network %s (%s)\n", n.Name, n.Source)
	for _, c := range n.Convs {
		for _, t := range []struct {
			name string
			d    *tensor.Dense
		}{{"weight", c.Weight}, {"bias", c.Bias}} {
			data := Float32s(t.d)
			lo, hi, sq := math.Inf(1), math.Inf(-1), 0.0
			h := fnv.New64a()
			var buf [4]byte
			for _, x := range data {
				v := float64(x)
				lo, hi, sq = math.Min(lo, v), math.Max(hi, v), sq+v*v
				bits := math.Float32bits(x)
				buf[0], buf[1], buf[2], buf[3] = byte(bits), byte(bits>>8), byte(bits>>16), byte(bits>>24)
				h.Write(buf[:])
			}
			if len(data) == 0 {
				lo, hi = 0, 0
			}
			fmt.Fprintf(w, "%s.%s float32%v min %.6g max %.6g l2 %.6g fnv64 %016x\n", c.Layer.Name, t.name, t.d.Shape(), lo, hi, math.Sqrt(sq), h.Sum64())
		}
	}
}
