package direct

import (
	"math"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/lower"
)

// Tensor is an NCHW float32 tensor.
type Tensor struct {
	N, C, H, W int
	Data       []float32
}

func (t *Tensor) at(n, c, y, x int) float32 { return t.Data[((n*t.C+c)*t.H+y)*t.W+x] }

// Forward runs a lowered network on input and returns every layer's
// activation by layer name. It computes in float64 and rounds each layer's
// output to float32, the precision the ONNX model stores.
func Forward(net *lower.Network, in *Tensor) map[string]*Tensor {
	out := map[string]*Tensor{}
	cur := in
	for _, l := range net.Layers {
		var next *Tensor
		switch l.Op {
		case check.LayerConv:
			next = conv(net.Conv(l.Name), cur)
		case check.LayerMaxPool, check.LayerAvgPool:
			next = pool(l.Op == check.LayerMaxPool, l.Kernel, l.Stride, l.Pads, l.OutH, l.OutW, cur)
		default:
			next = &Tensor{N: cur.N, C: cur.C, H: cur.H, W: cur.W, Data: append([]float32(nil), cur.Data...)}
		}
		if l.Relu || l.Op == check.LayerRelu {
			for i, v := range next.Data {
				if v < 0 {
					next.Data[i] = 0
				}
			}
		}
		out[l.Name] = next
		cur = next
	}
	return out
}

func conv(c *lower.Conv, in *Tensor) *Tensor {
	l := c.Layer
	w, b := lower.Float32s(c.Weight), lower.Float32s(c.Bias)
	k := l.Kernel
	out := &Tensor{N: in.N, C: l.OutC, H: l.OutH, W: l.OutW, Data: make([]float32, in.N*l.OutC*l.OutH*l.OutW)}
	for n := 0; n < in.N; n++ {
		for o := 0; o < l.OutC; o++ {
			for oy := 0; oy < l.OutH; oy++ {
				for ox := 0; ox < l.OutW; ox++ {
					s := float64(b[o])
					for i := 0; i < l.InC; i++ {
						for ky := 0; ky < k; ky++ {
							y := oy*l.Stride + ky - l.Pads[0]
							if y < 0 || y >= in.H {
								continue
							}
							for kx := 0; kx < k; kx++ {
								x := ox*l.Stride + kx - l.Pads[1]
								if x < 0 || x >= in.W {
									continue
								}
								s += float64(w[((o*l.InC+i)*k+ky)*k+kx]) * float64(in.at(n, i, y, x))
							}
						}
					}
					out.Data[((n*l.OutC+o)*l.OutH+oy)*l.OutW+ox] = float32(s)
				}
			}
		}
	}
	return out
}

// pool is max or average pooling; padding never takes part (the maximum
// ignores it, the average divides by the cells inside the image).
func pool(isMax bool, k, stride int, pads [4]int, oh, ow int, in *Tensor) *Tensor {
	out := &Tensor{N: in.N, C: in.C, H: oh, W: ow, Data: make([]float32, in.N*in.C*oh*ow)}
	for n := 0; n < in.N; n++ {
		for c := 0; c < in.C; c++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					m, s, cnt := math.Inf(-1), 0.0, 0
					for ky := 0; ky < k; ky++ {
						y := oy*stride + ky - pads[0]
						if y < 0 || y >= in.H {
							continue
						}
						for kx := 0; kx < k; kx++ {
							x := ox*stride + kx - pads[1]
							if x < 0 || x >= in.W {
								continue
							}
							v := float64(in.at(n, c, y, x))
							m = math.Max(m, v)
							s += v
							cnt++
						}
					}
					v := m
					if !isMax {
						v = s / float64(cnt)
					}
					out.Data[((n*in.C+c)*oh+oy)*ow+ox] = float32(v)
				}
			}
		}
	}
	return out
}
