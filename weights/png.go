package weights

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"sort"

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

// Quantile is the q-quantile (0 … 1) of the grid's |weights|: natural
// weights have a few taps far larger than the rest, and scaling to the
// 0.995 quantile keeps those from washing the others out (they saturate).
func (g *Grid) Quantile(q float64) float64 {
	var all []float64
	for _, row := range g.Tiles {
		for _, t := range row {
			for _, v := range t {
				all = append(all, math.Abs(float64(v)))
			}
		}
	}
	if len(all) == 0 {
		return 0
	}
	sort.Float64s(all)
	return all[min(len(all)-1, int(q*float64(len(all)-1)+0.5))]
}

// Scale is the side in pixels of a weight's square in Image.
const Scale = 4

// Image draws the grid: each tile's cells as Scale-pixel squares in
// Colour, scaled to peak (0: the grid's largest |weight|), the row names
// on the left, the column names above (turned, reading upwards), the
// title on top.
func (g *Grid) Image(peak float64) image.Image {
	if peak <= 0 {
		peak = math.Max(g.Peak(), 1e-30)
	}
	if len(g.Tiles) == 1 && len(g.Cols) > wrapAbove {
		return g.wrapped().Image(peak)
	}
	const charW, lineH, gap = 7, 13, 3
	longest := func(names []string) int {
		n := 0
		for _, s := range names {
			n = max(n, len([]rune(s)))
		}
		return n
	}
	tw, th := g.Size[1]*Scale, g.Size[0]*Scale
	left := longest(g.Rows)*charW + 2*gap
	top := lineH + 2*gap + longest(g.Cols)*charW + gap
	const scaleW, scaleH = 200, 10
	scaleLabel := fmt.Sprintf("colour: weight, -%.3g (blue) to 0 (white) to +%.3g (red)", peak, peak)
	width := max(left+len(g.Cols)*(tw+gap)+gap, len([]rune(g.Title))*charW+2*gap, len(scaleLabel)*charW+2*gap)
	grid := top + len(g.Tiles)*(th+gap)
	height := grid + gap + scaleH + lineH + 2*gap
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	ink := image.NewUniform(color.RGBA{0x33, 0x33, 0x33, 255})
	text := func(dst draw.Image, s string, x, y int) {
		d := font.Drawer{Dst: dst, Src: ink, Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	text(img, g.Title, gap, lineH)
	for c, name := range g.Cols {
		// Draw the name level, then turn it a quarter anticlockwise.
		w := len([]rune(name))*charW + 1
		flat := image.NewRGBA(image.Rect(0, 0, w, lineH))
		draw.Draw(flat, flat.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
		text(flat, name, 0, lineH-3)
		x0 := left + c*(tw+gap) + (tw-lineH)/2
		for y := 0; y < lineH; y++ {
			for x := 0; x < w; x++ {
				img.Set(x0+y, top-gap-1-x, flat.At(x, y))
			}
		}
	}
	for r, row := range g.Tiles {
		y0 := top + r*(th+gap)
		if r < len(g.Rows) {
			text(img, g.Rows[r], gap, y0+th/2+4)
		}
		for c, t := range row {
			x0 := left + c*(tw+gap)
			if t == nil {
				continue
			}
			for ky := 0; ky < g.Size[0]; ky++ {
				for kx := 0; kx < g.Size[1]; kx++ {
					col := Colour(float64(t[ky*g.Size[1]+kx]) / peak)
					draw.Draw(img, image.Rect(x0+kx*Scale, y0+ky*Scale, x0+(kx+1)*Scale, y0+(ky+1)*Scale), &image.Uniform{col}, image.Point{}, draw.Src)
				}
			}
		}
	}
	// The colour scale, so that the figure reads without its caption.
	for x := 0; x < scaleW; x++ {
		col := Colour(2*float64(x)/float64(scaleW-1) - 1)
		draw.Draw(img, image.Rect(gap+x, grid+gap, gap+x+1, grid+gap+scaleH), &image.Uniform{col}, image.Point{}, draw.Src)
	}
	text(img, scaleLabel, gap, grid+gap+scaleH+lineH)
	return img
}

// wrapAbove is how many tiles one row may have before the row is wrapped
// into a square block: one target unit against many sources would else be
// a strip thousands of pixels long.
const wrapAbove = 8

// wrapped lays a one-row grid out as a block of rows of about √n tiles,
// each row named by the sources it holds; the target goes in the title.
func (g *Grid) wrapped() *Grid {
	n := len(g.Cols)
	per := int(math.Ceil(math.Sqrt(float64(n))))
	title := g.Title
	if len(g.Rows) == 1 {
		title += " (to " + g.Rows[0] + "; sources in rows)"
	}
	out := &Grid{Title: title, Size: g.Size}
	for i := 0; i < n; i += per {
		j := min(i+per, n)
		out.Rows = append(out.Rows, g.Cols[i]+" …"+g.Cols[j-1])
		out.Tiles = append(out.Tiles, append([][]float32(nil), g.Tiles[0][i:j]...))
	}
	for k := 0; k < per; k++ {
		out.Cols = append(out.Cols, fmt.Sprintf("+%d", k))
	}
	return out
}

// PNG encodes the grid's image.
func (g *Grid) PNG(peak float64) ([]byte, error) {
	var b bytes.Buffer
	err := png.Encode(&b, g.Image(peak))
	return b.Bytes(), err
}
