package verify

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"path/filepath"
	"strings"

	"github.com/spf13/afero"

	"github.com/circc/circc/stimuli"
	"github.com/circc/circc/vis"
	"github.com/circc/circc/weights"
)

// Figures writes, for each family, the pictures of the report as files:
// LAYER.FAMILY.heatmaps.png (per pair, the hand-made response map above the
// natural one), LAYER.FAMILY.radial.svg (radial tuning of both, hand-made
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
		h := rows * row
		img := image.NewRGBA(image.Rect(0, 0, n, len(f.Pairs)*(2*h+6)))
		draw.Draw(img, img.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
		var hands, nats [][]float64
		for i, p := range f.Pairs {
			y := i * (2*h + 6)
			draw.Draw(img, image.Rect(0, y, n, y+h), heatMap(p.Handmade.Map, n, 1, row), image.Point{}, draw.Src)
			draw.Draw(img, image.Rect(0, y+h, n, y+2*h), heatMap(p.NaturalTuning.Map, n, 1, row), image.Point{}, draw.Src)
			hands = append(hands, p.Handmade.RadialTuning)
			nats = append(nats, p.NaturalTuning.RadialTuning)
		}
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			return nil, err
		}
		files := map[string][]byte{
			base + ".heatmaps.png":        b.Bytes(),
			base + ".radial.svg":          []byte(radialPlot(append(hands, nats...), colours(len(hands), len(nats)))),
			base + ".radial-handmade.svg": []byte(radialPlot(hands, colours(len(hands), 0))),
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
			if err := png.Encode(&b, vis.Sheet(ims, labels, 8)); err != nil {
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
