package stimuli

import "math"

// CurveStyle varies the look of a curve stimulus without changing its
// geometry: what a curve detector should be invariant to.
type CurveStyle struct {
	Width float64 // stroke width in px
	// ArcDeg limits the arc to this many degrees of its circle, centred on
	// the image centre (0: the whole circle, clipped by the frame).
	ArcDeg float64
	// Fill paints the inside of the circle instead of its stroke: a
	// boundary rather than a line.
	Fill       bool
	Foreground [3]float32
	Background [3]float32
}

// DefaultStyle is a 2 px black stroke on white.
var DefaultStyle = CurveStyle{Width: StrokeWidth, Foreground: [3]float32{0, 0, 0}, Background: [3]float32{1, 1, 1}}

// StyledCurve renders a curve of the given orientation and radius through
// the image centre in a style.
func StyledCurve(size int, orientation, radius float64, st CurveStyle) *Image {
	im := NewImage(size, size, 0)
	for c := 0; c < 3; c++ {
		for i := c * size * size; i < (c+1)*size*size; i++ {
			im.Pix[i] = st.Background[c]
		}
	}
	cx := float64(size) / 2
	nx, ny := math.Cos(rad(orientation)), math.Sin(rad(orientation))
	ox, oy := cx-radius*nx, cx-radius*ny
	var s shape
	switch {
	case st.Fill:
		s = func(x, y float64) float64 { return math.Hypot(x-ox, y-oy) - radius }
	default:
		s = Arc(cx, cx, orientation, radius, st.Width)
	}
	if st.ArcDeg > 0 && st.ArcDeg < 360 {
		base := s
		half := rad(st.ArcDeg) / 2
		s = func(x, y float64) float64 {
			// angle of the point seen from the circle's centre, against the
			// direction of the image centre
			a := math.Atan2(y-oy, x-ox) - math.Atan2(ny, nx)
			a = math.Abs(math.Remainder(a, 2*math.Pi))
			if a > half {
				return math.Max(base(x, y), (a-half)*radius)
			}
			return base(x, y)
		}
	}
	paint(im, s, st.Foreground)
	return im
}

// Variants are the named styles of the curvevariants set, in order.
var Variants = []struct {
	Name  string
	Style CurveStyle
}{
	{"thin", DefaultStyle},
	{"thick", CurveStyle{Width: 6, Foreground: [3]float32{0, 0, 0}, Background: [3]float32{1, 1, 1}}},
	{"short arc", CurveStyle{Width: StrokeWidth, ArcDeg: 60, Foreground: [3]float32{0, 0, 0}, Background: [3]float32{1, 1, 1}}},
	{"light on dark", CurveStyle{Width: StrokeWidth, Foreground: [3]float32{1, 1, 1}, Background: [3]float32{0, 0, 0}}},
	{"filled", CurveStyle{Fill: true, Foreground: [3]float32{0, 0, 0}, Background: [3]float32{1, 1, 1}}},
	{"colour", CurveStyle{Width: 4, Foreground: [3]float32{0.85, 0.2, 0.1}, Background: [3]float32{0.2, 0.45, 0.8}}},
}

// Rotate turns an image by deg degrees about its centre (bilinear, the
// uncovered corners filled with the mean grey of the image): the rotated
// photos of rotation tuning curves.
func Rotate(im *Image, deg float64) *Image {
	out := &Image{W: im.W, H: im.H, Pix: make([]float32, len(im.Pix))}
	var mean [3]float64
	for c := 0; c < 3; c++ {
		for _, v := range im.Pix[c*im.W*im.H : (c+1)*im.W*im.H] {
			mean[c] += float64(v)
		}
		mean[c] /= float64(im.W * im.H)
	}
	cs, sn := math.Cos(rad(deg)), math.Sin(rad(deg))
	cx, cy := float64(im.W)/2, float64(im.H)/2
	for y := 0; y < im.H; y++ {
		for x := 0; x < im.W; x++ {
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			sx, sy := cs*dx+sn*dy+cx-0.5, -sn*dx+cs*dy+cy-0.5
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			for c := 0; c < 3; c++ {
				at := func(xx, yy int) float64 {
					if xx < 0 || yy < 0 || xx >= im.W || yy >= im.H {
						return mean[c]
					}
					return float64(im.At(c, xx, yy))
				}
				v := (1-fx)*(1-fy)*at(x0, y0) + fx*(1-fy)*at(x0+1, y0) + (1-fx)*fy*at(x0, y0+1) + fx*fy*at(x0+1, y0+1)
				out.Pix[(c*im.H+y)*im.W+x] = float32(v)
			}
		}
	}
	return out
}
