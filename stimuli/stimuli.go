package stimuli

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// Image is a planar RGB image with values in [0, 1].
type Image struct {
	W, H int
	Pix  []float32 // 3 planes of H×W: red, green, blue
}

// NewImage returns an image filled with one grey level.
func NewImage(w, h int, grey float32) *Image {
	im := &Image{W: w, H: h, Pix: make([]float32, 3*w*h)}
	for i := range im.Pix {
		im.Pix[i] = grey
	}
	return im
}

// At returns the value of channel c (0 red, 1 green, 2 blue) at (x, y).
func (im *Image) At(c, x, y int) float32 { return im.Pix[(c*im.H+y)*im.W+x] }

// RGBA converts to an 8-bit image (for PNG contact sheets and reports).
func (im *Image) RGBA() *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, im.W, im.H))
	q := func(v float32) uint8 { return uint8(math.Round(math.Max(0, math.Min(1, float64(v))) * 255)) }
	for y := 0; y < im.H; y++ {
		for x := 0; x < im.W; x++ {
			out.SetRGBA(x, y, color.RGBA{q(im.At(0, x, y)), q(im.At(1, x, y)), q(im.At(2, x, y)), 255})
		}
	}
	return out
}

// FromImage takes the centre size×size crop of a photo as an Image.
func FromImage(img image.Image, size int) (*Image, error) { return CentreCrop(img, size, size) }

// CentreCrop takes the centre h×w crop of a photo as an Image, each value
// the 8-bit colour (the top byte of RGBA's) over 255. JPEG's and PNG's
// usual pixel types are read directly, not through At's interface (the
// same values, several times faster).
func CentreCrop(img image.Image, h, w int) (*Image, error) {
	b := img.Bounds()
	if b.Dx() < w || b.Dy() < h {
		return nil, fmt.Errorf("the image is %dx%d, smaller than %dx%d", b.Dx(), b.Dy(), w, h)
	}
	x0, y0 := b.Min.X+(b.Dx()-w)/2, b.Min.Y+(b.Dy()-h)/2
	im := &Image{W: w, H: h, Pix: make([]float32, 3*h*w)}
	var at func(x, y int) (r, g, b uint32)
	switch p := img.(type) {
	case *image.YCbCr:
		at = func(x, y int) (uint32, uint32, uint32) { r, g, b, _ := p.YCbCrAt(x, y).RGBA(); return r, g, b }
	case *image.RGBA:
		at = func(x, y int) (uint32, uint32, uint32) { r, g, b, _ := p.RGBAAt(x, y).RGBA(); return r, g, b }
	case *image.NRGBA:
		at = func(x, y int) (uint32, uint32, uint32) { r, g, b, _ := p.NRGBAAt(x, y).RGBA(); return r, g, b }
	case *image.Gray:
		at = func(x, y int) (uint32, uint32, uint32) { v, _, _, _ := p.GrayAt(x, y).RGBA(); return v, v, v }
	default:
		at = func(x, y int) (uint32, uint32, uint32) { r, g, b, _ := img.At(x, y).RGBA(); return r, g, b }
	}
	plane := h * w
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl := at(x0+x, y0+y)
			k := y*w + x
			im.Pix[k] = float32(r>>8) / 255
			im.Pix[plane+k] = float32(g>>8) / 255
			im.Pix[2*plane+k] = float32(bl>>8) / 255
		}
	}
	return im, nil
}

// Stimulus is one rendered image with the parameters that made it.
type Stimulus struct {
	Kind   string
	Params map[string]float64 // orientation in degrees, radius in px…
	Image  *Image
}

// shape is an implicit function: the signed distance (in pixels) from a
// point to the shape's boundary, negative inside.
type shape func(x, y float64) float64

// paint covers the pixels inside s with colour fg over what is there,
// anti-aliased: pixels within a pixel of the boundary are supersampled
// 4×4, the others decided by their centre.
func paint(im *Image, s shape, fg [3]float32) {
	const n = 4
	for py := 0; py < im.H; py++ {
		for px := 0; px < im.W; px++ {
			cx, cy := float64(px)+0.5, float64(py)+0.5
			d := s(cx, cy)
			var cover float64
			switch {
			case d <= -1:
				cover = 1
			case d >= 1:
				continue
			default:
				for sy := 0; sy < n; sy++ {
					for sx := 0; sx < n; sx++ {
						if s(float64(px)+(float64(sx)+0.5)/n, float64(py)+(float64(sy)+0.5)/n) < 0 {
							cover++
						}
					}
				}
				cover /= n * n
			}
			if cover == 0 {
				continue
			}
			for c := 0; c < 3; c++ {
				i := (c*im.H+py)*im.W + px
				im.Pix[i] = float32(float64(im.Pix[i])*(1-cover) + float64(fg[c])*cover)
			}
		}
	}
}

func rad(deg float64) float64 { return deg * math.Pi / 180 }

// Arc is the stroke of a circle of the given radius that passes through
// the point (cx, cy) with its outward normal there pointing at orientation
// (degrees, x right, y down): the circle's centre lies at radius opposite
// the orientation, as in the Curve Circuits recipe. A radius of 0 or +Inf
// is a straight line through (cx, cy) with that normal.
func Arc(cx, cy, orientation, radius, width float64) func(x, y float64) float64 {
	nx, ny := math.Cos(rad(orientation)), math.Sin(rad(orientation))
	if radius <= 0 || math.IsInf(radius, 1) {
		return func(x, y float64) float64 { return math.Abs((x-cx)*nx+(y-cy)*ny) - width/2 }
	}
	ox, oy := cx-radius*nx, cy-radius*ny
	return func(x, y float64) float64 { return math.Abs(math.Hypot(x-ox, y-oy)-radius) - width/2 }
}

// Curve renders a curve stimulus: a dark arc of the given orientation and
// radius through the image centre on a light ground (polarity -1 swaps the
// two), clipped by the frame.
func Curve(size int, orientation, radius, width float64, polarity int) *Image {
	bg, fg := float32(1), float32(0)
	if polarity < 0 {
		bg, fg = 0, 1
	}
	im := NewImage(size, size, bg)
	c := float64(size) / 2
	paint(im, Arc(c, c, orientation, radius, width), [3]float32{fg, fg, fg})
	return im
}

// Edge renders a boundary through the point offset pixels from the centre
// along the normal: dark on the side the normal points to, light behind.
func Edge(size int, orientation, offset float64) *Image {
	im := NewImage(size, size, 1)
	c := float64(size) / 2
	nx, ny := math.Cos(rad(orientation)), math.Sin(rad(orientation))
	paint(im, func(x, y float64) float64 { return -((x-c)*nx + (y-c)*ny - offset) }, [3]float32{})
	return im
}

// Gabor renders a grating of the given orientation (of its normal),
// wavelength (px) and phase (degrees) under a Gaussian envelope of
// standard deviation sigma px, on mid grey.
func Gabor(size int, orientation, wavelength, phase, sigma float64) *Image {
	im := NewImage(size, size, 0.5)
	c := float64(size) / 2
	nx, ny := math.Cos(rad(orientation)), math.Sin(rad(orientation))
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			dx, dy := float64(x)+0.5-c, float64(y)+0.5-c
			v := 0.5 + 0.5*math.Exp(-(dx*dx+dy*dy)/(2*sigma*sigma))*math.Cos(2*math.Pi*(dx*nx+dy*ny)/wavelength+rad(phase))
			for ch := 0; ch < 3; ch++ {
				im.Pix[(ch*size+y)*size+x] = float32(v)
			}
		}
	}
	return im
}

// HighLow renders a high-low frequency boundary through the centre: on the
// side the normal points to, a texture of orthogonal cosines with
// wavelength high px; behind, the same texture with wavelength high·ratio.
func HighLow(size int, orientation, high, ratio float64) *Image {
	im := NewImage(size, size, 0.5)
	c := float64(size) / 2
	nx, ny := math.Cos(rad(orientation)), math.Sin(rad(orientation))
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			dx, dy := float64(x)+0.5-c, float64(y)+0.5-c
			u, v := dx*nx+dy*ny, -dx*ny+dy*nx
			wl := high
			if u < 0 {
				wl = high * ratio
			}
			val := 0.5 + 0.5*math.Cos(2*math.Pi*u/wl)*math.Cos(2*math.Pi*v/wl)
			for ch := 0; ch < 3; ch++ {
				im.Pix[(ch*size+y)*size+x] = float32(val)
			}
		}
	}
	return im
}

// Angle renders a rounded corner at the centre: two arms of the given
// angular width meeting at the centre, the bisector pointing at
// orientation, joined by a rounded corner of radius r (0: sharp).
func Angle(size int, orientation, angularWidth, r, width float64) *Image {
	im := NewImage(size, size, 1)
	c := float64(size) / 2
	half := rad(angularWidth) / 2
	bx, by := math.Cos(rad(orientation)), math.Sin(rad(orientation))
	// The arms go from the corner (the centre) away from the bisector.
	arm := func(sign float64) (float64, float64) {
		a := math.Atan2(by, bx) + math.Pi + sign*half
		return math.Cos(a), math.Sin(a)
	}
	ax1, ay1 := arm(1)
	ax2, ay2 := arm(-1)
	segDist := func(x, y, dx, dy float64) float64 {
		t := math.Max(0, (x-c)*dx+(y-c)*dy)
		return math.Hypot(x-c-t*dx, y-c-t*dy)
	}
	paint(im, func(x, y float64) float64 {
		d := math.Min(segDist(x, y, ax1, ay1), segDist(x, y, ax2, ay2))
		if r > 0 {
			// Round the corner: distance to the arc tangent to both arms.
			off := r / math.Sin(half)
			ox, oy := c-off*bx, c-off*by
			d2 := math.Abs(math.Hypot(x-ox, y-oy) - r)
			if (x-ox)*bx+(y-oy)*by > r*math.Cos(half)-1e-9 {
				d = math.Min(d, d2)
			}
		}
		return d - width/2
	}, [3]float32{})
	return im
}
