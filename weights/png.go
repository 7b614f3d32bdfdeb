package weights

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Colour is the Circuits articles' palette: red positive, blue negative,
// white zero, for v in [−1, 1].
func Colour(v float64) color.RGBA {
	mix := func(a, b [3]float64, t float64) color.RGBA {
		return color.RGBA{uint8(a[0]*(1-t) + b[0]*t), uint8(a[1]*(1-t) + b[1]*t), uint8(a[2]*(1-t) + b[2]*t), 255}
	}
	white, lightRed, red := [3]float64{0xf7, 0xf7, 0xf7}, [3]float64{0xf4, 0xa5, 0x82}, [3]float64{0xca, 0x00, 0x20}
	lightBlue, blue := [3]float64{0x92, 0xc5, 0xde}, [3]float64{0x05, 0x71, 0xb0}
	a := math.Min(1, math.Abs(v))
	if v >= 0 {
		if a < 0.5 {
			return mix(white, lightRed, a*2)
		}
		return mix(lightRed, red, (a-0.5)*2)
	}
	if a < 0.5 {
		return mix(white, lightBlue, a*2)
	}
	return mix(lightBlue, blue, (a-0.5)*2)
}

// Grid is a table of weight tiles to draw: Tiles[r][c] is a Size×Size
// kernel (row-major), nil for none.
type Grid struct {
	Title      string
	Rows, Cols []string
	Size       [2]int
	Tiles      [][][]float32
}

// Peak is the largest |weight| of the grid.
func (g *Grid) Peak() float64 {
	peak := 0.0
	for _, row := range g.Tiles {
		for _, t := range row {
			for _, v := range t {
				peak = math.Max(peak, math.Abs(float64(v)))
			}
		}
	}
	return peak
}

// Image draws the grid: each tile's cells as squares in Colour, scaled to
// peak (0: the grid's own), the row names on the left, the column names
// above, the title on top.
func (g *Grid) Image(peak float64) image.Image {
	if peak <= 0 {
		peak = math.Max(g.Peak(), 1e-30)
	}
	face := basicfont.Face7x13
	const charW, lineH, gap = 7, 13, 3
	longest := func(names []string) int {
		n := 0
		for _, s := range names {
			n = max(n, len([]rune(s)))
		}
		return n
	}
	// Tiles at least as wide as a column's name.
	scale := max(3, (longest(g.Cols)*charW+g.Size[1]-1)/max(g.Size[1], 1))
	tw, th := g.Size[1]*scale, g.Size[0]*scale
	left := longest(g.Rows)*charW + 2*gap
	top := 2*lineH + 2*gap
	width := left + len(g.Cols)*(tw+gap) + gap
	height := top + len(g.Tiles)*(th+gap) + gap
	width = max(width, len([]rune(g.Title))*charW+2*gap)
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	text := func(s string, x, y int) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(color.RGBA{0x33, 0x33, 0x33, 255}), Face: face, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	text(g.Title, gap, lineH)
	for c, name := range g.Cols {
		text(name, left+c*(tw+gap), top-gap-2)
	}
	for r, row := range g.Tiles {
		y0 := top + r*(th+gap)
		if r < len(g.Rows) {
			text(g.Rows[r], gap, y0+th/2+4)
		}
		for c, t := range row {
			x0 := left + c*(tw+gap)
			if t == nil {
				continue
			}
			for ky := 0; ky < g.Size[0]; ky++ {
				for kx := 0; kx < g.Size[1]; kx++ {
					col := Colour(float64(t[ky*g.Size[1]+kx]) / peak)
					draw.Draw(img, image.Rect(x0+kx*scale, y0+ky*scale, x0+(kx+1)*scale, y0+(ky+1)*scale), &image.Uniform{col}, image.Point{}, draw.Src)
				}
			}
		}
	}
	return img
}

// PNG encodes the grid's image.
func (g *Grid) PNG(peak float64) ([]byte, error) {
	var b bytes.Buffer
	err := png.Encode(&b, g.Image(peak))
	return b.Bytes(), err
}
