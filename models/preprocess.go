package models

import (
	"fmt"
	"image"

	"github.com/circc/circc/stimuli"
)

// Preprocess turns an image into the model's input: the centre crop of the
// input size (the image must be at least that large), channels in the
// manifest's order, each pixel value (0..255) times scale/255 minus the
// channel's mean, over its std. The result is CHW float32.
func (m *Manifest) Preprocess(img image.Image) ([]float32, error) {
	out := make([]float32, len(m.Input.Channels)*m.Input.Size[0]*m.Input.Size[1])
	return out, m.PreprocessInto(out, img)
}

// PreprocessInto is Preprocess writing into dst.
func (m *Manifest) PreprocessInto(dst []float32, img image.Image) error {
	h, w := m.Input.Size[0], m.Input.Size[1]
	im, err := stimuli.CentreCrop(img, h, w)
	if err != nil {
		return fmt.Errorf("%w, the model's input", err)
	}
	return m.FromRGB(dst, im.Pix, h, w)
}

// channelIndex maps an input channel's name to its plane in planar RGB.
var channelIndex = map[string]int{"r": 0, "g": 1, "b": 2}

// FromRGB writes a planar RGB image with values in [0, 1] (3 planes of
// h×w, red first) as the model's input at dst: channels in the manifest's
// order, (value·scale − the channel's mean) / its std.
func (m *Manifest) FromRGB(dst, rgb []float32, h, w int) error {
	plane := h * w
	for i, c := range m.Input.Channels {
		src, ok := channelIndex[c]
		if !ok {
			return fmt.Errorf("model %s: unknown input channel %q", m.Name, c)
		}
		mean, scale, std := float32(m.Input.Mean[i]), float32(m.Input.Scale), float32(m.Input.StdOf(i))
		out, in := dst[i*plane:(i+1)*plane], rgb[src*plane:(src+1)*plane]
		for k, v := range in {
			out[k] = (v*scale - mean) / std
		}
	}
	return nil
}
