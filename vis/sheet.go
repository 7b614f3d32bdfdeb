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

// Sheet lays images out in rows of cols, each with its label below: a
// contact sheet of portraits.
func Sheet(images []*stimuli.Image, labels []string, cols int) *image.RGBA {
	if len(images) == 0 {
		return image.NewRGBA(image.Rect(0, 0, 1, 1))
	}
	const gap, lineH = 6, 14
	w, h := images[0].W, images[0].H
	cols = max(1, min(cols, len(images)))
	rows := (len(images) + cols - 1) / cols
	out := image.NewRGBA(image.Rect(0, 0, cols*(w+gap)+gap, rows*(h+lineH+gap)+gap))
	draw.Draw(out, out.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	for i, im := range images {
		x, y := gap+(i%cols)*(w+gap), gap+(i/cols)*(h+lineH+gap)
		draw.Draw(out, image.Rect(x, y, x+w, y+h), im.RGBA(), image.Point{}, draw.Src)
		if i < len(labels) {
			label := labels[i]
			if max := w / 7; len(label) > max && max > 1 {
				label = "~" + label[len(label)-max+1:] // the end tells units of a family apart
			}
			d := font.Drawer{Dst: out, Src: image.NewUniform(color.RGBA{0x33, 0x33, 0x33, 255}), Face: basicfont.Face7x13, Dot: fixed.P(x, y+h+lineH-3)}
			d.DrawString(label)
		}
	}
	return out
}
