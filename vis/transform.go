package vis

import (
	"math"
	"math/rand"

	"github.com/circc/circc/stimuli"
)

// warp is one step's transformation robustness as a single affine map
// from the output (the image the network sees) to the optimised image:
// output pixel (x, y) reads the image at A·(x, y) + b, bilinearly, grey
// (0.5) outside, as Lucid's pad 12, jitter 8, random scale, random
// rotation and jitter 4 do one after another.
type warp struct {
	a [2][2]float64
	b [2]float64
}

// Lucid's standard transforms.
var (
	scales = func() []float64 {
		var s []float64
		for i := 0; i < 11; i++ {
			s = append(s, 1+float64(i-5)/50)
		}
		return s
	}()
	angles = func() []float64 {
		var a []float64
		for d := -10; d <= 10; d++ {
			a = append(a, float64(d))
		}
		return append(a, 0, 0, 0, 0, 0)
	}()
)

// randomWarp draws one step's transformation for an n×n image. The
// composition: the image is padded by 12 (so the canvas is n+24), cropped
// at a random offset of up to 8 (jitter), scaled about its centre,
// rotated about its centre, cropped again by up to 4; the result is
// resampled onto n×n about its centre, so that the unit at the centre of
// the network's map sees the centre of the image, moved a little.
func randomWarp(n int, rng *rand.Rand) warp {
	j1 := [2]float64{float64(rng.Intn(8)) - 3.5, float64(rng.Intn(8)) - 3.5}
	j2 := [2]float64{float64(rng.Intn(4)) - 1.5, float64(rng.Intn(4)) - 1.5}
	s := scales[rng.Intn(len(scales))]
	th := angles[rng.Intn(len(angles))] * math.Pi / 180
	return newWarp(n, s, th, [2]float64{j1[0] + j2[0], j1[1] + j2[1]})
}

// newWarp is the map for a scale s and rotation th about the centre and a
// shift (in output pixels).
func newWarp(n int, s, th float64, shift [2]float64) warp {
	c := float64(n-1) / 2
	cs, sn := math.Cos(th)/s, math.Sin(th)/s
	var w warp
	// image point = R(−th)/s · (out − c − shift) + c
	w.a = [2][2]float64{{cs, sn}, {-sn, cs}}
	for i := 0; i < 2; i++ {
		u := [2]float64{-c - shift[0], -c - shift[1]}
		w.b[i] = w.a[i][0]*u[0] + w.a[i][1]*u[1] + c
	}
	return w
}

// sample is where output pixel (x, y) reads: the four neighbours and
// their weights (index −1: outside, grey).
func (w warp) sample(n, x, y int) (idx [4]int, wt [4]float64) {
	sx := w.a[0][0]*float64(x) + w.a[0][1]*float64(y) + w.b[0]
	sy := w.a[1][0]*float64(x) + w.a[1][1]*float64(y) + w.b[1]
	x0, y0 := math.Floor(sx), math.Floor(sy)
	fx, fy := sx-x0, sy-y0
	k := 0
	for dy := 0; dy < 2; dy++ {
		for dx := 0; dx < 2; dx++ {
			xx, yy := int(x0)+dx, int(y0)+dy
			wx, wy := 1-fx, 1-fy
			if dx == 1 {
				wx = fx
			}
			if dy == 1 {
				wy = fy
			}
			idx[k], wt[k] = -1, wx*wy
			if xx >= 0 && xx < n && yy >= 0 && yy < n {
				idx[k] = yy*n + xx
			}
			k++
		}
	}
	return idx, wt
}

// apply resamples a planar 3×n×n image.
func (w warp) apply(img []float64, n int) []float64 {
	out := make([]float64, len(img))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			idx, wt := w.sample(n, x, y)
			for c := 0; c < 3; c++ {
				v := 0.0
				for k := range idx {
					if idx[k] < 0 {
						v += wt[k] * 0.5
					} else {
						v += wt[k] * img[c*n*n+idx[k]]
					}
				}
				out[c*n*n+y*n+x] = v
			}
		}
	}
	return out
}

// adjoint spreads a gradient on the output back over the image.
func (w warp) adjoint(d []float64, n int) []float64 {
	out := make([]float64, len(d))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			idx, wt := w.sample(n, x, y)
			for c := 0; c < 3; c++ {
				g := d[c*n*n+y*n+x]
				for k := range idx {
					if idx[k] >= 0 {
						out[c*n*n+idx[k]] += wt[k] * g
					}
				}
			}
		}
	}
	return out
}

// Rotate turns an image about its centre by deg degrees in the sense that
// takes a stimulus of orientation o to one of orientation o + deg (the
// stimuli's convention), resampling bilinearly; what comes from outside
// the image is mid grey.
func Rotate(img *stimuli.Image, deg float64) *stimuli.Image {
	n := img.W
	pix := make([]float64, len(img.Pix))
	for i, v := range img.Pix {
		pix[i] = float64(v)
	}
	out := stimuli.NewImage(n, n, 0)
	for i, v := range newWarp(n, 1, deg*math.Pi/180, [2]float64{}).apply(pix, n) {
		out.Pix[i] = float32(v)
	}
	return out
}
