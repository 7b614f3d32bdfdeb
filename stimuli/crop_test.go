package stimuli

import (
	"image"
	"image/color"
	"math/rand"
	"testing"
)

// TestCentreCropReadsWhatAtReads: the direct reads of the usual pixel
// types give, value for value, what the generic At interface gives, for
// every chroma subsampling of YCbCr, translucent NRGBA, odd bounds and a
// type read through At itself.
func TestCentreCropReadsWhatAtReads(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	fill := func(b []byte) {
		for i := range b {
			b[i] = byte(rng.Intn(256))
		}
	}
	r := image.Rect(3, -2, 40, 31)
	var imgs []image.Image
	for _, sub := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440} {
		y := image.NewYCbCr(r, sub)
		fill(y.Y)
		fill(y.Cb)
		fill(y.Cr)
		imgs = append(imgs, y)
	}
	rgba, nrgba, gray := image.NewRGBA(r), image.NewNRGBA(r), image.NewGray(r)
	fill(rgba.Pix)
	fill(nrgba.Pix)
	fill(gray.Pix)
	pal := image.NewPaletted(r, color.Palette{color.RGBA{200, 10, 30, 255}, color.Gray{77}})
	fill(pal.Pix)
	for i := range pal.Pix {
		pal.Pix[i] %= 2
	}
	imgs = append(imgs, rgba, nrgba, gray, pal)
	for _, img := range imgs {
		const h, w = 21, 30
		im, err := CentreCrop(img, h, w)
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		x0, y0 := b.Min.X+(b.Dx()-w)/2, b.Min.Y+(b.Dy()-h)/2
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				cr, cg, cb, _ := img.At(x0+x, y0+y).RGBA()
				for c, v := range []uint32{cr, cg, cb} {
					if got, want := im.Pix[(c*h+y)*w+x], float32(v>>8)/255; got != want {
						t.Fatalf("%T at (%d, %d) channel %d: %g, want %g", img, x, y, c, got, want)
					}
				}
			}
		}
	}
	if _, err := CentreCrop(rgba, 40, 10); err == nil {
		t.Error("a crop taller than the image was taken")
	}
}
