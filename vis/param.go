package vis

import (
	"math"
	"math/rand"
	"sync"

	"gonum.org/v1/gonum/dsp/fourier"
)

// colour is Lucid's colour_correlation_svd_sqrt: the square root of the
// ImageNet colour correlation; decorrelated channels t map to RGB as
// rgb = colour·t / its largest column norm.
var colour = func() [3][3]float64 {
	m := [3][3]float64{{0.26, 0.09, 0.02}, {0.27, 0.00, -0.05}, {0.27, -0.09, 0.03}}
	norm := 0.0
	for j := 0; j < 3; j++ {
		norm = math.Max(norm, math.Sqrt(m[0][j]*m[0][j]+m[1][j]*m[1][j]+m[2][j]*m[2][j]))
	}
	for i := range m {
		for j := range m[i] {
			m[i][j] /= norm
		}
	}
	return m
}()

// spectrum is the Fourier parametrization of one h×w RGB image: per
// channel, the real and imaginary parts of the half spectrum
// (h × (w/2+1) complex values), each scaled by 1/max(f, 1/max(h, w)) and
// √(hw) before the inverse transform.
type spectrum struct {
	h, w, cols int
	scale      []float64 // per frequency
	ffts       sync.Pool // of *ffts: gonum's transforms keep work space, one per goroutine
}

type ffts struct {
	rows *fourier.CmplxFFT
	line *fourier.FFT
}

func newSpectrum(h, w int) *spectrum {
	s := &spectrum{h: h, w: w, cols: w/2 + 1}
	s.ffts.New = func() any { return &ffts{rows: fourier.NewCmplxFFT(h), line: fourier.NewFFT(w)} }
	s.scale = make([]float64, h*s.cols)
	floor := 1 / float64(max(h, w))
	for ky := 0; ky < h; ky++ {
		fy := float64(ky) / float64(h)
		if ky > h/2 {
			fy = float64(ky-h) / float64(h)
		}
		for kx := 0; kx < s.cols; kx++ {
			fx := float64(kx) / float64(w)
			f := math.Max(math.Hypot(fx, fy), floor)
			s.scale[ky*s.cols+kx] = math.Sqrt(float64(h*w)) / f
		}
	}
	return s
}

// params is the number of real parameters of one channel.
func (s *spectrum) params() int { return 2 * s.h * s.cols }

// init draws the parameters as Lucid does: normal, sd 0.01.
func (s *spectrum) init(rng *rand.Rand) []float64 {
	p := make([]float64, 3*s.params())
	for i := range p {
		p[i] = rng.NormFloat64() * 0.01
	}
	return p
}

// image is the inverse transform of one channel's parameters (re, im
// interleaved per frequency): the orthonormal-scaled irfft2 of the scaled
// spectrum, over 4, h×w row-major.
func (s *spectrum) image(p []float64) []float64 {
	h, w, cols := s.h, s.w, s.cols
	f := s.ffts.Get().(*ffts)
	defer s.ffts.Put(f)
	// Inverse along rows (axis 0), column by column, then along each row.
	half := make([]complex128, h*cols)
	col := make([]complex128, h)
	for kx := 0; kx < cols; kx++ {
		for ky := 0; ky < h; ky++ {
			i := ky*cols + kx
			col[ky] = complex(p[2*i]*s.scale[i], p[2*i+1]*s.scale[i])
		}
		col = f.rows.Sequence(col, col)
		for y := 0; y < h; y++ {
			half[y*cols+kx] = col[y]
		}
	}
	out := make([]float64, h*w)
	norm := 1 / float64(h*w) / 4
	for y := 0; y < h; y++ {
		row := f.line.Sequence(out[y*w:(y+1)*w], half[y*cols:(y+1)*cols])
		for x := range row {
			row[x] *= norm
		}
	}
	return out
}

// adjoint maps a gradient on one channel's image back to its parameters:
// the transpose of image. A frequency with a conjugate partner in the
// full spectrum (0 < kx < w/2) appears twice in the image, so counts
// twice.
func (s *spectrum) adjoint(d []float64) []float64 {
	h, w, cols := s.h, s.w, s.cols
	f := s.ffts.Get().(*ffts)
	defer s.ffts.Put(f)
	half := make([]complex128, h*cols)
	for y := 0; y < h; y++ {
		f.line.Coefficients(half[y*cols:(y+1)*cols], d[y*w:(y+1)*w])
	}
	out := make([]float64, s.params())
	col := make([]complex128, h)
	norm := 1 / float64(h*w) / 4
	for kx := 0; kx < cols; kx++ {
		for y := 0; y < h; y++ {
			col[y] = half[y*cols+kx]
		}
		col = f.rows.Coefficients(col, col)
		twice := 2.0
		if kx == 0 || w%2 == 0 && kx == w/2 {
			twice = 1
		}
		for ky := 0; ky < h; ky++ {
			i := ky*cols + kx
			k := twice * norm * s.scale[i]
			out[2*i], out[2*i+1] = real(col[ky])*k, imag(col[ky])*k
		}
	}
	return out
}

// rgb turns the three decorrelated channels into colours in [0, 1]:
// colour mixing, then a sigmoid. It returns the planar image and the
// sigmoid's slope at each value, for the adjoint.
func rgb(t [3][]float64) (out, slope []float64) {
	n := len(t[0])
	out, slope = make([]float64, 3*n), make([]float64, 3*n)
	for c := 0; c < 3; c++ {
		for k := 0; k < n; k++ {
			v := colour[c][0]*t[0][k] + colour[c][1]*t[1][k] + colour[c][2]*t[2][k]
			s := 1 / (1 + math.Exp(-v))
			out[c*n+k], slope[c*n+k] = s, s*(1-s)
		}
	}
	return out, slope
}

// rgbAdjoint maps a gradient on the colours back to the decorrelated
// channels.
func rgbAdjoint(d, slope []float64) [3][]float64 {
	n := len(d) / 3
	var out [3][]float64
	for j := 0; j < 3; j++ {
		out[j] = make([]float64, n)
	}
	for c := 0; c < 3; c++ {
		for k := 0; k < n; k++ {
			g := d[c*n+k] * slope[c*n+k]
			for j := 0; j < 3; j++ {
				out[j][k] += colour[c][j] * g
			}
		}
	}
	return out
}
