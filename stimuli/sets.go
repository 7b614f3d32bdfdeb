package stimuli

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"sort"
	"strings"
)

// Axis is one parameter of a stimulus set and the values it takes.
type Axis struct {
	Name   string
	Values []float64
}

// Set is a grid of stimuli: every combination of its axes' values, the
// first axis varying slowest.
type Set struct {
	Name string
	Doc  string // what the set shows, for circc stimuli --list
	Size int
	// PeriodDeg is the turn after which the orientation axis repeats:
	// 360°, or 180° where a half-turned stimulus is the same one (a
	// grating). The orientation axis spans one period in equal steps.
	PeriodDeg float64
	Axes      []Axis
	render    func(p map[string]float64) *Image
}

func steps(from, to, step float64) []float64 {
	var out []float64
	for v := from; v < to-1e-9; v += step {
		out = append(out, v)
	}
	return out
}

// StrokeWidth is the line width of curve, line and angle stimuli, in pixels.
const StrokeWidth = 2.0

// CurveRadii are the radii of the curve set, in pixels: tight curves to
// gentle ones (InceptionV1's curve detectors prefer about 60 px).
var CurveRadii = []float64{30, 60, 120}

var sets = map[string]func(size int, stroke float64) *Set{
	// curves: orientation in 1deg steps all the way round × radius.
	"curves": func(size int, stroke float64) *Set {
		return &Set{Name: "curves", Doc: "dark arcs 2 px wide through the centre on a light ground, the circle's centre opposite the orientation (the normal at the centre points at it)", Size: size, Axes: []Axis{{"orientation", steps(0, 360, 1)}, {"radius", CurveRadii}},
			render: func(p map[string]float64) *Image { return Curve(size, p["orientation"], p["radius"], stroke, 1) }}
	},
	// curvevariants: the same curves (radius 60 px) in the styles a curve
	// detector should not care about: stroke width, arc length, polarity,
	// fill, colour.
	"curvevariants": func(size int, stroke float64) *Set {
		var idx []float64
		for i := range Variants {
			idx = append(idx, float64(i))
		}
		return &Set{Name: "curvevariants", Doc: "the 60 px curves in the styles a curve detector should not care about: stroke width, arc length, polarity, fill, colour", Size: size, Axes: []Axis{{"orientation", steps(0, 360, 10)}, {"variant", idx}},
			render: func(p map[string]float64) *Image {
				return StyledCurve(size, p["orientation"], 60, Variants[int(p["variant"])].Style)
			}}
	},
	// lines: straight strokes through the centre.
	"lines": func(size int, stroke float64) *Set {
		return &Set{Name: "lines", Doc: "straight dark strokes 2 px wide through the centre, the orientation naming their normal (a line and its half-turn are the same image, so the set spans 180°)", Size: size, PeriodDeg: 180, Axes: []Axis{{"orientation", steps(0, 180, 10)}},
			render: func(p map[string]float64) *Image { return Curve(size, p["orientation"], math.Inf(1), stroke, 1) }}
	},
	// edges: dark/light boundaries at offsets from the centre.
	"edges": func(size int, stroke float64) *Set {
		return &Set{Name: "edges", Doc: "dark/light boundaries, dark on the side the orientation points to, light behind, at offsets along the normal", Size: size, Axes: []Axis{{"orientation", steps(0, 360, 10)}, {"offset", []float64{-8, 0, 8}}},
			render: func(p map[string]float64) *Image { return Edge(size, p["orientation"], p["offset"]) }}
	},
	// gabors: patches over orientation × wavelength × phase.
	"gabors": func(size int, stroke float64) *Set {
		return &Set{Name: "gabors", Doc: "Gabor patches on mid grey, the orientation naming the grating's normal, over wavelength (px) and phase (degrees)", Size: size, PeriodDeg: 180, Axes: []Axis{{"orientation", steps(0, 180, 10)}, {"wavelength", []float64{4, 8, 16}}, {"phase", []float64{0, 90, 180, 270}}},
			render: func(p map[string]float64) *Image {
				return Gabor(size, p["orientation"], p["wavelength"], p["phase"], float64(size)/6)
			}}
	},
	// highlow: high frequency on the side the orientation points to, lower
	// frequency behind, ratio 1:1 to 1:10.
	"highlow": func(size int, stroke float64) *Set {
		return &Set{Name: "highlow", Doc: "a boundary with fine texture on the side the orientation points to and a texture `ratio` times coarser behind", Size: size, Axes: []Axis{{"orientation", steps(0, 360, 10)}, {"ratio", []float64{1, 2, 4, 6, 8, 10}}},
			render: func(p map[string]float64) *Image { return HighLow(size, p["orientation"], 4, p["ratio"]) }}
	},
	// angles: rounded corners of 90deg, bisector orientation × corner radius.
	"angles": func(size int, stroke float64) *Set {
		return &Set{Name: "angles", Doc: "rounded 90° corners, the bisector pointing at the orientation, over corner radius", Size: size, Axes: []Axis{{"orientation", steps(0, 360, 10)}, {"radius", []float64{0, 10, 20, 40}}},
			render: func(p map[string]float64) *Image { return Angle(size, p["orientation"], 90, p["radius"], stroke) }}
	},
}

// Names lists the stimulus sets.
func Names() []string {
	var out []string
	for n := range sets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the named set at the given image size, its strokes
// StrokeWidth wide.
func Lookup(name string, size int) (*Set, error) { return LookupStroke(name, size, StrokeWidth) }

// LookupStroke returns the named set with strokes (of curves, lines and
// angles) of the given width in pixels.
func LookupStroke(name string, size int, stroke float64) (*Set, error) {
	f, ok := sets[name]
	if !ok {
		return nil, fmt.Errorf("no stimulus set %q (sets: %s)", name, strings.Join(Names(), ", "))
	}
	s := f(size, stroke)
	if s.PeriodDeg == 0 {
		s.PeriodDeg = 360
	}
	return s, nil
}

// Len is the number of stimuli.
func (s *Set) Len() int {
	n := 1
	for _, a := range s.Axes {
		n *= len(a.Values)
	}
	return n
}

// Params returns the parameters of stimulus i.
func (s *Set) Params(i int) map[string]float64 {
	p := map[string]float64{}
	for k := len(s.Axes) - 1; k >= 0; k-- {
		a := s.Axes[k]
		p[a.Name] = a.Values[i%len(a.Values)]
		i /= len(a.Values)
	}
	return p
}

// Render draws stimulus i.
func (s *Set) Render(i int) *Image { return s.render(s.Params(i)) }

// ContactSheet draws a grid of thumbnails (thumb px each): columns over the
// first axis (at most maxCols values, evenly picked), rows over the
// combinations of the other axes.
func (s *Set) ContactSheet(thumb, maxCols int) *image.RGBA {
	a0 := s.Axes[0]
	cols := min(len(a0.Values), maxCols)
	rows := s.Len() / len(a0.Values)
	sheet := image.NewRGBA(image.Rect(0, 0, cols*(thumb+2)+2, rows*(thumb+2)+2))
	for i := range sheet.Pix {
		sheet.Pix[i] = 0x80
	}
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			i0 := c * len(a0.Values) / cols
			t := Thumbnail(s.Render(i0*rows+r), thumb)
			draw.Draw(sheet, image.Rect(2+c*(thumb+2), 2+r*(thumb+2), 2+c*(thumb+2)+thumb, 2+r*(thumb+2)+thumb), t, image.Point{}, draw.Src)
		}
	}
	return sheet
}

// Thumbnail box-filters an image down to size×size pixels.
func Thumbnail(im *Image, size int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, size, size))
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var acc [3]float64
			n := 0
			for yy := y * im.H / size; yy < max((y+1)*im.H/size, y*im.H/size+1); yy++ {
				for xx := x * im.W / size; xx < max((x+1)*im.W/size, x*im.W/size+1); xx++ {
					for ch := 0; ch < 3; ch++ {
						acc[ch] += float64(im.At(ch, xx, yy))
					}
					n++
				}
			}
			q := func(v float64) uint8 { return uint8(math.Round(math.Max(0, math.Min(1, v/float64(n))) * 255)) }
			out.SetRGBA(x, y, color.RGBA{q(acc[0]), q(acc[1]), q(acc[2]), 255})
		}
	}
	return out
}
