package vis

import (
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/circc/circc/stimuli"
)

// Sheet lays images out in rows of cols, each with its label below, whole:
// a label wider than its image wraps onto more lines (after a '.', ':' or
// '/' where it can). A contact sheet of portraits.
func Sheet(images []*stimuli.Image, labels []string, cols int) *image.RGBA {
	if len(images) == 0 {
		return image.NewRGBA(image.Rect(0, 0, 1, 1))
	}
	const gap, lineH, charW = 6, 14, 7
	w, h := images[0].W, images[0].H
	perLine := max(1, w/charW)
	wrapped := make([][]string, len(images))
	lines := 1
	for i := range images {
		if i < len(labels) {
			wrapped[i] = wrapLabel(labels[i], perLine)
			lines = max(lines, len(wrapped[i]))
		}
	}
	cols = max(1, min(cols, len(images)))
	rows := (len(images) + cols - 1) / cols
	cellH := h + lines*lineH + gap
	out := image.NewRGBA(image.Rect(0, 0, cols*(w+gap)+gap, rows*cellH+gap))
	draw.Draw(out, out.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	for i, im := range images {
		x, y := gap+(i%cols)*(w+gap), gap+(i/cols)*cellH
		draw.Draw(out, image.Rect(x, y, x+w, y+h), im.RGBA(), image.Point{}, draw.Src)
		for k, line := range wrapped[i] {
			d := font.Drawer{Dst: out, Src: image.NewUniform(color.RGBA{0x33, 0x33, 0x33, 255}), Face: basicfont.Face7x13, Dot: fixed.P(x, y+h+(k+1)*lineH-3)}
			d.DrawString(line)
		}
	}
	return out
}

// wrapLabel cuts a label into lines of at most n characters, breaking
// after the last '.', ':' or '/' of a line when there is one.
func wrapLabel(label string, n int) []string {
	var out []string
	for len(label) > n {
		cut := n
		for j := n; j > 0; j-- {
			if c := label[j-1]; c == '.' || c == ':' || c == '/' {
				cut = j
				break
			}
		}
		out, label = append(out, label[:cut]), label[cut:]
	}
	return append(out, label)
}
