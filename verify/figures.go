package verify

import (
	"bytes"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"path/filepath"
	"strings"

	"github.com/spf13/afero"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/circc/circc/stimuli"
	"github.com/circc/circc/vis"
	"github.com/circc/circc/weights"
)

// Figures writes, for each family, the pictures of the report as files:
// LAYER.FAMILY.heatmaps.png (per pair, the hand-made response map above the
// natural one, each named, with a title, the orientation axis and the
// colour scale), LAYER.FAMILY.radial.svg (radial tuning of both, hand-made
// red, natural blue) and LAYER.FAMILY.radial-handmade.svg; for a layer
// search, LAYER.FAMILY.profile.svg (mean r per layer of the network); with
// --vis, LAYER.FAMILY.portraits.png (each pair's hand-made and natural
// feature visualizations side by side); for
// each connection, FROM-TO.weights-handmade.png and FROM-TO.weights-natural.png.
func (r *Report) Figures(fs afero.Fs, dir string, write func(path string, data []byte) error) ([]string, error) {
	if err := fs.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, f := range r.Families {
		base := filepath.Join(dir, f.Layer+"."+f.Family)
		n := len(f.Orientations)
		const row = 12
		rows := 1
		if len(f.Pairs) > 0 {
			rows = len(f.Pairs[0].Handmade.Map) / n
		}
		img := heatmapFigure(f, n, rows, row)
		var hands, nats [][]float64
		for _, p := range f.Pairs {
			hands = append(hands, p.Handmade.RadialTuning)
			nats = append(nats, p.NaturalTuning.RadialTuning)
		}
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			return nil, err
		}
		files := map[string][]byte{
			base + ".heatmaps.png": b.Bytes(),
			base + ".radial.svg": figureSVG(radialPlot(append(hands, nats...), colours(len(hands), len(nats))),
				fmt.Sprintf("%s.%s ~ %s: radial tuning on the %s set", f.Layer, f.Family, f.NaturalLayer, f.Stimuli),
				"red: hand-made units; blue: their natural partners",
				"angle: stimulus orientation (0° right, 90° down)",
				"distance from the grey circle: response over the unit's peak"),
			base + ".radial-handmade.svg": figureSVG(radialPlot(hands, colours(len(hands), 0)),
				fmt.Sprintf("%s.%s: radial tuning of the hand-made units on the %s set", f.Layer, f.Family, f.Stimuli),
				"angle: stimulus orientation (0° right, 90° down)",
				"distance from the grey circle: response over the unit's peak"),
		}
		names := []string{base + ".heatmaps.png", base + ".radial.svg", base + ".radial-handmade.svg"}
		if f.Portraits != nil {
			var ims []*stimuli.Image
			var labels []string
			for _, p := range f.Pairs {
				if p.Cross == nil {
					continue // no natural partner
				}
				ims = append(ims, p.Cross.Handmade, p.Cross.Natural)
				labels = append(labels, strings.TrimPrefix(p.Unit, f.Family), p.Natural)
			}
			var b bytes.Buffer
			sheet := titled(vis.Sheet(ims, labels, 8),
				fmt.Sprintf("%s.%s ~ %s: feature visualizations (%dx%d, %d steps)", f.Layer, f.Family, f.NaturalLayer, f.Portraits.Size, f.Portraits.Size, f.Portraits.Steps),
				"in each pair, the hand-made unit (left) beside its natural partner (right)")
			if err := png.Encode(&b, sheet); err != nil {
				return nil, err
			}
			files[base+".portraits.png"] = b.Bytes()
			names = append(names, base+".portraits.png")
		}
		if len(f.Profile) > 0 {
			files[base+".profile.svg"] = []byte(profilePlot(f))
			names = append(names, base+".profile.svg")
		}
		for _, name := range names {
			if err := write(name, files[name]); err != nil {
				return nil, fmt.Errorf("writing %s: %w", name, err)
			}
			written = append(written, name)
		}
	}
	for _, c := range r.Connections {
		if c.Skipped != "" {
			continue
		}
		h, n := c.Grids()
		for _, g := range []struct {
			kind string
			grid *weights.Grid
		}{{"handmade", h}, {"natural", n}} {
			data, err := g.grid.PNG(g.grid.Quantile(DisplayQuantile))
			if err != nil {
				return nil, err
			}
			name := filepath.Join(dir, c.From+"-"+c.To+".weights-"+g.kind+".png")
			if err := write(name, data); err != nil {
				return nil, fmt.Errorf("writing %s: %w", name, err)
			}
			written = append(written, name)
		}
	}
	return written, nil
}

// heatmapFigure draws every pair's response maps, the hand-made unit's
// above its natural partner's, each row named, with a title, the
// orientation axis and the colour scale, so that it reads alone.
func heatmapFigure(f *Family, n, rows, rowH int) *image.RGBA {
	const charW, lineH, gap = 7, 13, 4
	h := rows * rowH
	xs := max(1, 360/n) // a set with few orientations is widened to read
	n *= xs
	names := func(p *Pair) (string, string) { return "hand-made " + p.Unit, "natural " + p.Natural }
	left := 0
	for _, p := range f.Pairs {
		a, b := names(p)
		left = max(left, len(a)*charW, len(b)*charW)
	}
	left += 2 * gap
	second := "" // the rows, when the set has a second axis
	if set, err := stimuli.Lookup(f.Stimuli, 32); err == nil && len(set.Axes) > 1 {
		second = "; rows: " + set.Axes[1].Name + ", smallest at the bottom"
	}
	title := []string{
		fmt.Sprintf("%s.%s ~ %s: responses to the %s set", f.Layer, f.Family, f.NaturalLayer, f.Stimuli),
		fmt.Sprintf("x: orientation 0 to %g deg%s", f.PeriodDeg, second),
		"each pair: hand-made unit above, its natural partner below",
	}
	top := len(title)*lineH + 2*gap
	pairH := 2*h + 6
	axisY := top + len(f.Pairs)*pairH
	scaleY := axisY + lineH + 2*gap
	width := left + n + 4*charW // room for the last tick's label
	for _, t := range title {
		width = max(width, len(t)*charW+2*gap)
	}
	img := image.NewRGBA(image.Rect(0, 0, max(width, left+200+gap, 40*charW), scaleY+10+lineH+2*gap))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	for i, t := range title {
		drawText(img, t, gap, gap+(i+1)*lineH-3)
	}
	for i, p := range f.Pairs {
		y := top + i*pairH
		a, b := names(p)
		drawText(img, a, gap, y+h/2+4)
		drawText(img, b, gap, y+h+h/2+4)
		draw.Draw(img, image.Rect(left, y, left+n, y+h), heatMap(p.Handmade.Map, n/xs, xs, rowH), image.Point{}, draw.Src)
		draw.Draw(img, image.Rect(left, y+h, left+n, y+2*h), heatMap(p.NaturalTuning.Map, n/xs, xs, rowH), image.Point{}, draw.Src)
	}
	// The orientation axis (from 0, as every set's): ticks at quarters of its period.
	for q := 0; q <= 4; q++ {
		x := left + q*(n-1)/4
		draw.Draw(img, image.Rect(x, axisY, x+1, axisY+4), &image.Uniform{color.Black}, image.Point{}, draw.Src)
		label := fmt.Sprintf("%g", float64(q)*f.PeriodDeg/4)
		drawText(img, label, max(0, x-len(label)*charW/2), axisY+lineH+2)
	}
	for x := 0; x < 200; x++ {
		c := heat(float64(x) / 199)
		draw.Draw(img, image.Rect(left+x, scaleY, left+x+1, scaleY+10), &image.Uniform{c}, image.Point{}, draw.Src)
	}
	drawText(img, "colour: 0 to each unit's peak", gap, scaleY+10+lineH)
	return img
}

// figureSVG puts a plot under lines of title and legend, so that the file
// reads alone (the page gives the same plot its own caption).
func figureSVG(plot template.HTML, lines ...string) []byte {
	const lineH, charW = 14, 6.2
	body := string(plot)
	w, h := 180.0, 180.0
	fmt.Sscanf(body[strings.Index(body, "width="):], `width="%g" height="%g"`, &w, &h)
	width := w
	for _, l := range lines {
		width = math.Max(width, float64(len([]rune(l)))*charW+8)
	}
	top := float64(len(lines))*lineH + 6
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="%s" width="%.0f" height="%.0f">`, template.HTMLEscapeString(lines[0]), width, top+h)
	for i, l := range lines {
		size := 10
		if i == 0 {
			size = 11
		}
		fmt.Fprintf(&b, `<text x="4" y="%d" font-size="%d" font-family="sans-serif">%s</text>`, (i+1)*lineH-2, size, template.HTMLEscapeString(l))
	}
	b.WriteString(strings.Replace(body, "<svg ", fmt.Sprintf(`<svg x="0" y="%.0f" `, top), 1))
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

// titled puts lines of title above an image.
func titled(img image.Image, lines ...string) *image.RGBA {
	const lineH, charW, gap = 13, 7, 4
	w := img.Bounds().Dx()
	for _, l := range lines {
		w = max(w, len([]rune(l))*charW+2*gap)
	}
	top := len(lines)*lineH + 2*gap
	out := image.NewRGBA(image.Rect(0, 0, w, top+img.Bounds().Dy()))
	draw.Draw(out, out.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	for i, l := range lines {
		drawText(out, l, gap, gap+(i+1)*lineH-3)
	}
	draw.Draw(out, image.Rect(0, top, img.Bounds().Dx(), out.Bounds().Dy()), img, img.Bounds().Min, draw.Src)
	return out
}

// drawText writes s with its baseline at (x, y).
func drawText(dst draw.Image, s string, x, y int) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(color.RGBA{0x33, 0x33, 0x33, 255}), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func colours(hand, natural int) []string {
	var out []string
	for i := 0; i < hand; i++ {
		out = append(out, "#ca0020")
	}
	for i := 0; i < natural; i++ {
		out = append(out, "#0571b0")
	}
	return out
}
