package verify

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/datasets"
	"github.com/circc/circc/stimuli"
)

// dataURI encodes an image as an inline PNG.
func dataURI(img image.Image) template.URL {
	var b bytes.Buffer
	png.Encode(&b, img)
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes()))
}

// heat maps a value in [0, 1] to a dark-to-bright colour (black, purple,
// orange, pale yellow).
func heat(v float64) color.RGBA {
	v = math.Max(0, math.Min(1, v))
	stops := [][3]float64{{0, 0, 4}, {87, 16, 110}, {188, 55, 84}, {249, 142, 9}, {252, 255, 164}}
	x := v * float64(len(stops)-1)
	i := int(math.Min(x, float64(len(stops)-2)))
	t := x - float64(i)
	c := func(k int) uint8 { return uint8(stops[i][k]*(1-t) + stops[i+1][k]*t) }
	return color.RGBA{c(0), c(1), c(2), 255}
}

// weightColour is the Circuits articles' palette: red positive, blue
// negative, white zero, for v in [-1, 1].
func weightColour(v float64) color.RGBA {
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

// heatMap draws a response map: orientation across, the other axis down
// (tight curves at the bottom), each cell scale px wide.
func heatMap(m []float64, nOrient int, xscale, yscale int) image.Image {
	rows := len(m) / nOrient
	img := image.NewRGBA(image.Rect(0, 0, nOrient*xscale, rows*yscale))
	for o := 0; o < nOrient; o++ {
		for r := 0; r < rows; r++ {
			c := heat(m[o*rows+r])
			row := rows - 1 - r
			for dy := 0; dy < yscale; dy++ {
				for dx := 0; dx < xscale; dx++ {
					img.SetRGBA(o*xscale+dx, row*yscale+dy, c)
				}
			}
		}
	}
	return img
}

// radialPlot draws tuning curves around a circle (inner radius 0.3 of the
// plot, as in the Curve Detectors figures), each normalised to its peak.
func radialPlot(curves [][]float64, colours []string) template.HTML {
	var b strings.Builder
	const size, inner, outer = 160.0, 24.0, 76.0
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`, size, size, size, size)
	fmt.Fprintf(&b, `<circle cx="80" cy="80" r="%.0f" fill="none" stroke="#ccc"/><circle cx="80" cy="80" r="%.0f" fill="none" stroke="#eee"/>`, inner, outer)
	for k, c := range curves {
		peak := 0.0
		for _, v := range c {
			peak = math.Max(peak, v)
		}
		if peak <= 0 {
			continue
		}
		var pts []string
		step := max(1, len(c)/180) // one point per 2 degrees is plenty at this size
		for i := 0; i < len(c); i += step {
			a := float64(i) * 2 * math.Pi / float64(len(c))
			r := inner + (outer-inner)*c[i]/peak
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", 80+r*math.Cos(a), 80+r*math.Sin(a)))
		}
		fill := "none" // a family's many curves read better as outlines
		if len(curves) <= 2 {
			fill = colours[k]
		}
		fmt.Fprintf(&b, `<polygon points="%s" fill="%s" fill-opacity="0.15" stroke="%s" stroke-width="1"/>`, strings.Join(pts, " "), fill, colours[k])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// weightTiles draws the kernels from the units of the layer below into each
// unit of a family: one row per unit, one K×K tile per input channel,
// scaled to the family's largest |weight|.
func weightTiles(res *compiler.Result, f *Family) image.Image {
	l := res.Network.Layer(f.Layer)
	var units []int
	for _, u := range l.Units {
		if u.Family == f.Family {
			units = append(units, u.Index)
		}
	}
	k, scale := l.Kernel, 4
	peak := 0.0
	for _, o := range units {
		for i := 0; i < l.InC; i++ {
			for _, w := range l.Kernel2D(o, i) {
				peak = math.Max(peak, math.Abs(w))
			}
		}
	}
	tile := k*scale + 1
	img := image.NewRGBA(image.Rect(0, 0, l.InC*tile+1, len(units)*tile+1))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for r, o := range units {
		for i := 0; i < l.InC; i++ {
			kern := l.Kernel2D(o, i)
			for y := 0; y < k; y++ {
				for x := 0; x < k; x++ {
					c := weightColour(kern[y*k+x] / math.Max(peak, 1e-12))
					for dy := 0; dy < scale; dy++ {
						for dx := 0; dx < scale; dx++ {
							img.SetRGBA(1+i*tile+x*scale+dx, 1+r*tile+y*scale+dy, c)
						}
					}
				}
			}
		}
	}
	return img
}

type pairView struct {
	*Pair
	Hand, Natural template.URL
	Radial        template.HTML
	HandTop       []template.URL
	NaturalTop    []template.URL
}

type familyView struct {
	*Family
	Pairs        []pairView
	Weights      template.URL
	WeightsWidth int
	Sheet        template.URL
	Radial       template.HTML
}

// HTML renders the report as one self-contained page: every picture is
// inline, so the file can be mailed or shared as it is.
func HTML(fs afero.Fs, res *compiler.Result, rep *Report, dataDir string) ([]byte, error) {
	thumbs := map[string]template.URL{}
	if rep.Photos > 0 {
		items, err := datasets.ImageNetSample(fs, datasets.Dir(dataDir, "imagenet-sample"))
		if err == nil {
			path := map[string]string{}
			for _, it := range items {
				path[it.Name] = it.Path
			}
			for _, f := range rep.Families {
				for _, p := range f.Pairs {
					for _, n := range append(append([]string(nil), p.HandTop...), p.NaturalTop...) {
						if _, done := thumbs[n]; done {
							continue
						}
						thumbs[n] = ""
						if img, err := datasets.Decode(fs, path[n]); err == nil {
							if im, err := stimuli.FromImage(img, 224); err == nil {
								thumbs[n] = dataURI(stimuli.Thumbnail(im, 56))
							}
						}
					}
				}
			}
		}
	}
	var fams []familyView
	for _, f := range rep.Families {
		tiles := weightTiles(res, f)
		fv := familyView{Family: f, Weights: dataURI(tiles), WeightsWidth: min(700, max(240, 2*tiles.Bounds().Dx()))}
		if set, err := stimuli.Lookup(f.Stimuli, 224); err == nil {
			fv.Sheet = dataURI(set.ContactSheet(40, 18))
		}
		var hands, nats [][]float64
		for _, p := range f.Pairs {
			n := len(f.Orientations)
			pv := pairView{Pair: p,
				Hand:    dataURI(heatMap(p.Handmade.Map, n, 1, 12)),
				Natural: dataURI(heatMap(p.NaturalTuning.Map, n, 1, 12)),
				Radial:  radialPlot([][]float64{p.Handmade.RadialTuning, p.NaturalTuning.RadialTuning}, []string{"#ca0020", "#0571b0"})}
			for _, n := range p.HandTop {
				pv.HandTop = append(pv.HandTop, thumbs[n])
			}
			for _, n := range p.NaturalTop {
				pv.NaturalTop = append(pv.NaturalTop, thumbs[n])
			}
			fv.Pairs = append(fv.Pairs, pv)
			hands = append(hands, p.Handmade.RadialTuning)
			nats = append(nats, p.NaturalTuning.RadialTuning)
		}
		colours := make([]string, 0, len(hands)+len(nats))
		for range hands {
			colours = append(colours, "#ca0020")
		}
		for range nats {
			colours = append(colours, "#0571b0")
		}
		fv.Radial = radialPlot(append(hands, nats...), colours)
		fams = append(fams, fv)
	}
	var b bytes.Buffer
	err := page.Execute(&b, map[string]any{"R": rep, "Families": fams})
	return b.Bytes(), err
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"f3":     func(x any) string { return f3(asFloat(x)) },
	"deg":    func(x any) string { return deg(asFloat(x)) },
	"fixed3": func(x any) string { return fixed3(asFloat(x)) },
	"ov":     overlapText,
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>circc verify: {{.R.Source}} against {{.R.Against}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}
th{background:#f6f6f6}td.l,th.l{text-align:left}.ok{color:#1a7f37}.fail{color:#cf222e;font-weight:bold}
.pair{display:inline-block;margin:6px;padding:6px;border:1px solid #ddd;vertical-align:top}
.pair img.map{width:360px;height:36px;image-rendering:pixelated;display:block}
.top img{width:40px;height:40px;margin:1px}
small{color:#666}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px}
</style></head><body>
<h1>{{.R.Source}} against {{.R.Against}}</h1>
<p>{{.R.Stimuli}} stimuli and {{.R.Photos}} photos on {{.R.Provider}} in {{printf "%.1f" .R.Seconds}} s.
<span class="legend"><span style="background:#ca0020"></span>hand-made <span style="background:#0571b0"></span>natural</span></p>
{{if .R.Expects}}<h2>Claims</h2><table><tr><th class="l">claim</th><th>value</th><th class="l">verdict</th><th class="l">source</th></tr>
{{range .R.Expects}}<tr><td class="l">{{.Claim}}</td><td>{{f3 .Value}}</td><td class="l {{if .OK}}ok{{else}}fail{{end}}">{{if .OK}}holds{{else}}fails{{end}} {{.Detail}}</td><td class="l"><small>{{.Pos}}</small></td></tr>
{{end}}</table>{{end}}
{{range .Families}}
<h2>{{.Layer}}.{{.Family.Family}} ~ {{.NaturalLayer}}</h2>
<p>{{.Matching}} matching on {{.Stimuli}} stimuli; coverage {{f3 .Coverage}}; spacing error {{deg .SpacingErrorDeg}} (hand-made), {{deg .NaturalSpacingErrorDeg}} (natural). <small>{{.Pos}}</small></p>
<div style="display:flex;gap:2em;align-items:flex-start"><div><h3>Radial tuning, whole family</h3>{{.Radial}}</div>
<div><h3>Weights into the family</h3><p><small>one row per unit, one tile per input channel; red positive, blue negative</small></p><img alt="weights of {{.Family.Family}}" src="{{.Weights}}" style="image-rendering:pixelated;width:{{.WeightsWidth}}px"></div></div>
<h3>Stimuli</h3><img alt="{{.Stimuli}} stimuli" src="{{.Sheet}}" style="max-width:100%">
<h3>Pairs</h3>
<table><tr><th class="l">unit</th><th class="l">natural</th><th>r</th><th>pref</th><th>natural pref</th><th>error</th><th>width</th><th>echo</th><th>natural echo</th><th>overlap</th></tr>
{{range .Pairs}}<tr><td class="l">{{.Unit}}</td><td class="l">{{.Pair.Natural}}</td><td>{{f3 .PearsonR}}</td><td>{{deg .Handmade.PreferredDeg}}</td><td>{{deg .NaturalTuning.PreferredDeg}}</td><td>{{deg .OrientationErrorDeg}}</td><td>{{deg .Handmade.WidthDeg}}</td><td>{{fixed3 .Handmade.Echo}}</td><td>{{fixed3 .NaturalTuning.Echo}}</td><td>{{ov .Overlap}}</td></tr>
{{end}}</table>
<p><small>Heat maps: orientation 0–360° across, {{.OtherAxis.Name}} {{.OtherAxis.Values}} down (largest at the top); each normalised to its peak.</small></p>
{{range .Pairs}}<div class="pair"><b>{{.Unit}}</b> ~ {{.Pair.Natural}} <small>r = {{f3 .PearsonR}}</small>
<div style="display:flex;gap:8px"><div><small>hand-made</small><img class="map" alt="hand-made {{.Unit}}" src="{{.Hand}}"><small>natural</small><img class="map" alt="natural {{.Pair.Natural}}" src="{{.Natural}}"></div>{{.Radial}}</div>
{{if .HandTop}}<div class="top"><small>top photos, hand-made</small><br>{{range .HandTop}}<img alt="photo" src="{{.}}">{{end}}<br><small>natural</small><br>{{range .NaturalTop}}<img alt="photo" src="{{.}}">{{end}}</div>{{end}}
</div>{{end}}
{{end}}
</body></html>
`))

func asFloat(x any) float64 {
	switch v := x.(type) {
	case Float:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}
