package models

import (
	"fmt"
	"image"
)

// Preprocess turns an image into the model's input: the centre crop of the
// input size (the image must be at least that large), channels in the
// manifest's order, each pixel value (0..255) times scale/255 minus the
// channel's mean. The result is CHW float32.
func (m *Manifest) Preprocess(img image.Image) ([]float32, error) {
	h, w := m.Input.Size[0], m.Input.Size[1]
	b := img.Bounds()
	if b.Dx() < w || b.Dy() < h {
		return nil, fmt.Errorf("the image is %dx%d, smaller than the %dx%d input", b.Dx(), b.Dy(), w, h)
	}
	x0, y0 := b.Min.X+(b.Dx()-w)/2, b.Min.Y+(b.Dy()-h)/2
	out := make([]float32, len(m.Input.Channels)*h*w)
	ch := make([]int, len(m.Input.Channels)) // 0 r, 1 g, 2 b
	for i, c := range m.Input.Channels {
		switch c {
		case "r":
			ch[i] = 0
		case "g":
			ch[i] = 1
		case "b":
			ch[i] = 2
		default:
			return nil, fmt.Errorf("model %s: unknown input channel %q", m.Name, c)
		}
	}
	scale := m.Input.Scale / 255
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, _ := img.At(x0+x, y0+y).RGBA()
			rgb := [3]float64{float64(r >> 8), float64(g >> 8), float64(bl >> 8)}
			for i := range ch {
				out[(i*h+y)*w+x] = float32((rgb[ch[i]]*scale - m.Input.Mean[i]) / m.Input.StdOf(i))
			}
		}
	}
	return out, nil
}

// FromRGB writes a planar RGB image with values in [0, 1] (3 planes of
// h×w, red first) as the model's input at dst: channels in the manifest's
// order, (value·scale − the channel's mean) / its std.
func (m *Manifest) FromRGB(dst, rgb []float32, h, w int) error {
	plane := h * w
	for i, c := range m.Input.Channels {
		src := map[string]int{"r": 0, "g": 1, "b": 2}[c]
		if _, ok := map[string]int{"r": 0, "g": 1, "b": 2}[c]; !ok {
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
