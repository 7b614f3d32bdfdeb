package verify

import (
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/stimuli"
)

// crop is a square window of the model's input (onnx.Crop); the zero
// crop is the whole input.
type crop = onnx.Crop

// cropImage cuts the window out of a rendered image.
func cropImage(im *stimuli.Image, c crop) *stimuli.Image {
	if c.Size == 0 {
		return im
	}
	out := stimuli.NewImage(c.Size, c.Size, 0)
	for ch := 0; ch < 3; ch++ {
		for y := 0; y < c.Size; y++ {
			row := (ch*im.H+c.Y0+y)*im.W + c.X0
			copy(out.Pix[(ch*c.Size+y)*c.Size:(ch*c.Size+y+1)*c.Size], im.Pix[row:row+c.Size])
		}
	}
	return out
}
