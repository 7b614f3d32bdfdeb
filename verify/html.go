package verify

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"strings"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/datasets"
	"github.com/circc/circc/stimuli"
	"github.com/circc/circc/weights"
)

// dataURI encodes an image as an inline PNG.
func dataURI(img image.Image) template.URL {
	var b bytes.Buffer
	png.Encode(&b, img)
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes()))
}

// photoURI encodes a photo thumbnail as an inline JPEG: photos compress
// ten times better so than as PNG, which keeps the page small.
func photoURI(img image.Image) template.URL {
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	return template.URL("data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(b.Bytes()))
}

// heatFigure draws a response map with its axes: orientation ticks every
// 90° below, the other axis's values (largest at the top) on the left.
func heatFigure(m []float64, nOrient int, axis Axis, alt string) template.HTML {
	const left, w, rowH = 34.0, 360.0, 12.0
	rows := len(m) / nOrient
	h := float64(rows) * rowH
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="%s" width="%.0f" height="%.0f">`, template.HTMLEscapeString(alt), left+w+8, h+16)
	fmt.Fprintf(&b, `<image x="%.0f" y="0" width="%.0f" height="%.0f" preserveAspectRatio="none" style="image-rendering:pixelated" href="%s"/>`, left, w, h, dataURI(heatMap(m, nOrient, 1, 1)))
	for _, deg := range []int{0, 90, 180, 270, 360} {
		x := left + w*float64(deg)/360
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#444"/><text x="%.1f" y="%.0f" font-size="9" text-anchor="middle">%d°</text>`, x, h, x, h+3, x, h+12, deg)
	}
	for r := 0; r < rows && r < len(axis.Values); r++ {
		y := h - (float64(r)+0.5)*rowH // the first value at the bottom
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="9" text-anchor="end" dominant-baseline="middle">%g</text>`, left-3, y, axis.Values[r])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// profilePlot draws a search's members per layer, in model order, as
// bars, with the layer-only null's mean ± 2 sd as a grey band and the
// chosen layer in red.
func profilePlot(f *Family) template.HTML {
	if len(f.Profile) == 0 || len(f.Layers) == 0 {
		return ""
	}
	ev := map[string]LayerEvidence{}
	top := 1.0
	for _, e := range f.Layers {
		ev[e.Layer] = e
		top = math.Max(top, float64(e.Members))
		if band := float64(e.NullMean) + 2*float64(e.NullSD); !math.IsNaN(band) {
			top = math.Max(top, band)
		}
	}
	const bw, h, pad = 34.0, 120.0, 18.0
	w := bw * float64(len(f.Profile))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="members by layer against the null" width="%.0f" height="%.0f">`, w+60, h+pad+70)
	fmt.Fprintf(&b, `<text x="%.0f" y="11" font-size="11" text-anchor="middle">members of the %s kind by layer; grey: the layer-only null, mean ± 2 sd</text>`, (w+60)/2, template.HTMLEscapeString(f.Kind))
	y := func(v float64) float64 { return pad + h*(1-math.Max(0, v)/top) }
	for _, t := range []float64{0, top / 2, top} {
		fmt.Fprintf(&b, `<text x="40" y="%.1f" font-size="9" text-anchor="end" dominant-baseline="middle">%.0f</text><line x1="44" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#eee"/>`, y(t), t, 44+w, y(t), y(t))
	}
	fmt.Fprintf(&b, `<text transform="translate(10 %.0f) rotate(-90)" font-size="10" text-anchor="middle">units</text>`, pad+h/2)
	for i, l := range f.Profile {
		x := 44 + float64(i)*bw
		e := ev[l.Layer]
		fill := "#999"
		if l.Layer == f.NaturalLayer {
			fill = "#ca0020"
		}
		if m, sd := float64(e.NullMean), float64(e.NullSD); !math.IsNaN(m) {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#ddd"/>`, x+2, y(m+2*sd), bw-4, math.Max(1, y(m-2*sd)-y(m+2*sd)))
		}
		title := fmt.Sprintf("%s: %d members, layer-only null %.1f ± %.1f, z %.1f, p %s", l.Layer, e.Members, float64(e.NullMean), float64(e.NullSD), float64(e.Z), pText(e.P))
		if e.NoNull != "" {
			title = fmt.Sprintf("%s: %d members, no layer-only null (%s)", l.Layer, e.Members, e.NoNull)
		}
		if h := e.Holds; h != nil {
			title += fmt.Sprintf("; network null %.1f ± %.1f, p %s: holds a population: %s", float64(h.NullMean), float64(h.NullSD), pText(h.P), yesNo(h.Holds))
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.85"><title>%s</title></rect>`,
			x+8, y(float64(e.Members)), bw-16, y(0)-y(float64(e.Members)), fill, template.HTMLEscapeString(title))
		if e.Found {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle">*</text>`, x+bw/2, y(float64(e.Members))-2)
		}
		fmt.Fprintf(&b, `<text transform="translate(%.1f %.0f) rotate(60)" font-size="9">%s</text>`, x+bw/2, y(0)+4, template.HTMLEscapeString(l.Layer))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// colourScale is the legend of the heat maps: the colour of each response,
// as a fraction of the unit's peak.
func colourScale() template.HTML {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="colour scale" width="230" height="26"><defs><linearGradient id="heat">`)
	for i := 0; i <= 8; i++ {
		c := heat(float64(i) / 8)
		fmt.Fprintf(&b, `<stop offset="%d%%" stop-color="#%02x%02x%02x"/>`, i*100/8, c.R, c.G, c.B)
	}
	b.WriteString(`</linearGradient></defs><rect x="10" y="0" width="200" height="10" fill="url(#heat)"/>`)
	for _, t := range []float64{0, 0.5, 1} {
		fmt.Fprintf(&b, `<text x="%.0f" y="22" font-size="9" text-anchor="middle">%s</text>`, 10+200*t, map[float64]string{0: "0", 0.5: "half", 1: "peak"}[t])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
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

// radialPlot draws tuning curves around a circle, as in the Curve
// Detectors figures: the angle is the stimulus orientation (0° to the
// right, 90° down), the distance from the grey inner circle (no response)
// to the outer one (the unit's peak) the response, each curve normalised
// to its own peak.
func radialPlot(curves [][]float64, colours []string) template.HTML {
	var b strings.Builder
	const size, inner, outer = 180.0, 24.0, 72.0
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="radial tuning" width="%.0f" height="%.0f" viewBox="-10 -10 %.0f %.0f">`, size, size, size, size)
	fmt.Fprintf(&b, `<circle cx="80" cy="80" r="%.0f" fill="#f2f2f2" stroke="#bbb"/><circle cx="80" cy="80" r="%.0f" fill="none" stroke="#ddd" stroke-dasharray="2 2"/>`, inner, outer)
	for _, deg := range []int{0, 90, 180, 270} {
		a := float64(deg) * math.Pi / 180
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="8" fill="#666" text-anchor="middle" dominant-baseline="middle">%d°</text>`, 80+(outer+9)*math.Cos(a), 80+(outer+9)*math.Sin(a), deg)
	}
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

// weightFigure labels the weight tiles: the family's units down the left,
// the layer's inputs along the top.
func weightFigure(res *compiler.Result, f *Family) template.HTML {
	l := res.Network.Layer(f.Layer)
	var rows []string
	for _, u := range l.Units {
		if u.Family == f.Family {
			rows = append(rows, strings.TrimPrefix(u.Name, u.Family))
		}
	}
	// The inputs are the units of the convolution before the layer (pools
	// and relus keep channels), else the image's channels.
	var cols []string
	layers := res.Network.Layers
	for i := layerIndex(res, f.Layer) - 1; i >= 0 && cols == nil; i-- {
		if layers[i].Op == check.LayerConv {
			for _, u := range layers[i].Units {
				cols = append(cols, u.Name)
			}
		}
	}
	if len(cols) != l.InC {
		cols = res.Network.Input.Channels
	}
	img := weightTiles(res, f)
	scale := 2.0
	if img.Bounds().Dx() > 400 {
		scale = 1 // a wide layer: keep the page's width
	}
	tw, th := float64(img.Bounds().Dx())*scale, float64(img.Bounds().Dy())*scale
	tile := tw / float64(max(l.InC, 1))
	left, top := 70.0, 90.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="weights into %s" width="%.0f" height="%.0f">`, template.HTMLEscapeString(f.Family), left+tw+4, top+th+4)
	fmt.Fprintf(&b, `<image x="%.0f" y="%.0f" width="%.0f" height="%.0f" style="image-rendering:pixelated" href="%s"/>`, left, top, tw, th, dataURI(img))
	for r, name := range rows {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="8" text-anchor="end" dominant-baseline="middle">%s</text>`, left-3, top+(float64(r)+0.5)*th/float64(len(rows)), template.HTMLEscapeString(name))
	}
	for c, name := range cols {
		x := left + (float64(c)+0.5)*tile
		fmt.Fprintf(&b, `<text transform="translate(%.1f %.0f) rotate(-60)" font-size="8">%s</text>`, x, top-3, template.HTMLEscapeString(name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func layerIndex(res *compiler.Result, name string) int {
	for i, l := range res.Network.Layers {
		if l.Name == name {
			return i
		}
	}
	return -1
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
					c := weights.Colour(kern[y*k+x] / math.Max(peak, 1e-12))
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
	HandVis, NaturalVis template.URL // feature visualizations (verify --vis)
	Hand, Natural       template.HTML
	Radial              template.HTML
	HandTop             []photo
	NaturalTop          []photo
}

// photo is a thumbnail with the name of its class; Class names the CSS
// class that draws it (each photo's picture is in the page once, however
// many pairs show it).
type photo struct {
	Name  string
	Class string
}

type familyView struct {
	*Family
	Pairs   []pairView
	Weights template.HTML
	Sheet   template.URL
	Radial  template.HTML
	Scale   template.HTML
	Profile template.HTML
}

// reportView is one network's part of the page.
type reportView struct {
	R           *Report
	Families    []familyView
	Connections []connectionView
}

// connectionView is a connection with its two grids drawn.
type connectionView struct {
	*Connection
	Hand, Natural template.URL
}

func connectionViews(rep *Report) []connectionView {
	var out []connectionView
	for _, c := range rep.Connections {
		if c.Skipped != "" {
			out = append(out, connectionView{Connection: c})
			continue
		}
		h, n := c.Grids()
		out = append(out, connectionView{Connection: c, Hand: dataURI(h.Image(h.Quantile(DisplayQuantile))), Natural: dataURI(n.Image(n.Quantile(DisplayQuantile)))})
	}
	return out
}

// HTML renders the reports (one per network) as one self-contained page:
// every picture is inline, so the file can be mailed or shared as it is.
func HTML(fs afero.Fs, res *compiler.Result, reps []*Report, dataDir string) ([]byte, error) {
	th := &thumbnails{class: map[string]string{}}
	var views []reportView
	for _, rep := range reps {
		views = append(views, reportView{R: rep, Families: familyViews(fs, res, rep, dataDir, th), Connections: connectionViews(rep)})
	}
	var b bytes.Buffer
	err := page.Execute(&b, map[string]any{"Source": res.Source, "Reports": views, "Thumbs": th.styles})
	return b.Bytes(), err
}

// thumbnails gives each photo shown one CSS class holding its picture.
type thumbnails struct {
	class  map[string]string // photo name → class ("" for a photo that could not be read)
	styles []template.CSS
}

func (th *thumbnails) add(name string, uri template.URL) {
	if uri == "" {
		th.class[name] = ""
		return
	}
	c := fmt.Sprintf("ph%d", len(th.styles))
	th.class[name] = c
	th.styles = append(th.styles, template.CSS(fmt.Sprintf(".%s{background-image:url(%s)}", c, uri)))
}

func familyViews(fs afero.Fs, res *compiler.Result, rep *Report, dataDir string, th *thumbnails) []familyView {
	if rep.Photos > 0 {
		items, err := datasets.ImageNetSample(fs, datasets.Dir(fs, dataDir, "imagenet-sample"))
		if err == nil {
			path := map[string]string{}
			for _, it := range items {
				path[it.Name] = it.Path
			}
			for _, f := range rep.Families {
				for _, p := range f.Pairs {
					for _, n := range append(append([]string(nil), p.HandTop...), p.NaturalTop...) {
						if _, done := th.class[n]; done {
							continue
						}
						var uri template.URL
						if img, err := datasets.Decode(fs, path[n]); err == nil {
							if im, err := stimuli.FromImage(img, 224); err == nil {
								uri = photoURI(stimuli.Thumbnail(im, 48))
							}
						}
						th.add(n, uri)
					}
				}
			}
		}
	}
	var fams []familyView
	for _, f := range rep.Families {
		fv := familyView{Family: f, Weights: weightFigure(res, f), Scale: colourScale(), Profile: profilePlot(f)}
		if set, err := stimuli.Lookup(f.Stimuli, 224); err == nil {
			fv.Sheet = dataURI(set.ContactSheet(40, 18))
		}
		var hands, nats [][]float64
		for _, p := range f.Pairs {
			n := len(f.Orientations)
			pv := pairView{Pair: p,
				Hand:    heatFigure(p.Handmade.Map, n, f.OtherAxis, "hand-made "+p.Unit),
				Natural: heatFigure(p.NaturalTuning.Map, n, f.OtherAxis, "natural "+p.Natural),
				Radial:  radialPlot([][]float64{p.Handmade.RadialTuning, p.NaturalTuning.RadialTuning}, []string{"#ca0020", "#0571b0"})}
			if p.Cross != nil {
				pv.HandVis, pv.NaturalVis = photoURI(p.Cross.Handmade.RGBA()), photoURI(p.Cross.Natural.RGBA())
			}
			for _, n := range p.HandTop {
				pv.HandTop = append(pv.HandTop, photo{n, th.class[n]})
			}
			for _, n := range p.NaturalTop {
				pv.NaturalTop = append(pv.NaturalTop, photo{n, th.class[n]})
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
	return fams
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"f3":      func(x any) string { return f3(asFloat(x)) },
	"deg":     func(x any) string { return deg(asFloat(x)) },
	"fixed3":  func(x any) string { return fixed3(asFloat(x)) },
	"ov":      overlapText,
	"genuine": genuineText,
	"verdict": verdict,
	"ptext":   pText,
	"deref":   func(b *bool) bool { return b != nil && *b },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>circc verify: {{.Source}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}
th{background:#f6f6f6}td.l,th.l{text-align:left}.ok{color:#1a7f37}.fail{color:#cf222e;font-weight:bold}
.pair{display:inline-block;margin:6px;padding:6px;border:1px solid #ddd;vertical-align:top}
.top figure{display:inline-block;margin:1px;width:48px;vertical-align:top}
.vis figure{display:inline-block;margin:2px;width:96px;vertical-align:top}.vis img{width:96px;height:96px;display:block}.vis figcaption{font-size:9px}
.top figure .ph{width:48px;height:48px;display:block;background-color:#eee;background-position:center;background-size:cover}
{{range .Thumbs}}{{.}}
{{end}}
.top figcaption{font-size:8px;line-height:1.1;color:#555;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
small{color:#666}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px}
nav{border:1px solid #ddd;padding:4px 12px;margin-bottom:1em;font-size:13px}nav ul{margin:2px 0;padding-left:1.4em}
</style></head><body>
<nav id="top" aria-label="contents"><b>Contents</b><ul>{{range .Reports}}{{$a := .R.Against}}<li><a href="#{{$a}}">{{.R.Source}} against {{$a}}</a><ul>{{if .R.Expects}}<li><a href="#{{$a}}-claims">claims</a></li>{{end}}{{range .Families}}<li><a href="#{{$a}}-{{.Layer}}.{{.Family.Family}}">{{.Layer}}.{{.Family.Family}} ~ {{.NaturalLayer}}</a></li>{{end}}{{range .Connections}}<li><a href="#{{$a}}-weights-{{.From}}-{{.To}}">weights {{.From}} &rarr; {{.To}}</a></li>{{end}}</ul></li>{{end}}</ul></nav>
{{range .Reports}}{{$a := .R.Against}}
<h1 id="{{$a}}">{{.R.Source}} against {{.R.Against}}</h1>
<p>{{.R.Stimuli}} stimuli and {{.R.Photos}} photos on {{.R.Provider}} in {{printf "%.1f" .R.Seconds}} s.
<span class="legend"><span style="background:#ca0020"></span>hand-made <span style="background:#0571b0"></span>natural</span></p>
{{if .R.Expects}}<h2 id="{{$a}}-claims">Claims</h2><table><tr><th class="l">claim</th><th>value</th><th class="l">verdict</th><th class="l">source</th></tr>
{{range .R.Expects}}<tr><td class="l">{{.Claim}}</td><td>{{f3 .Value}}</td><td class="l {{if .OK}}ok{{else}}fail{{end}}">{{if .OK}}holds{{else}}fails{{end}} {{.Detail}}</td><td class="l"><small>{{.Pos}}</small></td></tr>
{{end}}</table>{{end}}
{{range .Families}}
<h2 id="{{$a}}-{{.Layer}}.{{.Family.Family}}">{{.Layer}}.{{.Family.Family}} ~ {{.NaturalLayer}} <small><a href="#top">contents</a></small></h2>
<p>{{.Matching}} matching on {{.Stimuli}} stimuli; coverage {{f3 .Coverage}}; spacing error {{deg .SpacingErrorDeg}} (hand-made), {{deg .NaturalSpacingErrorDeg}} (natural). <small>{{.Pos}}</small></p>
<p>Genuine counterparts: {{.Genuine}} of {{len .Pairs}} (mean r {{f3 .GenuineMeanR}}). Pairs are made among the members of the {{.Kind}} kind only ({{.Members}} in {{.NaturalLayer}}); a member passes every test: {{.Rules}}.</p>
{{if .Layers}}<h3>Where the family is: {{verdict .Family}}</h3>{{.Profile}}<p><small>members per layer (bars; red: the layer shown below; *: found) against the layer-only null, the same network with only that layer's own weights shuffled (grey: mean ± 2 sd over the seeds)</small></p>{{end}}
<div style="display:flex;gap:2em;align-items:flex-start"><div><h3>Radial tuning, whole family</h3>{{.Radial}}<p><small>angle: stimulus orientation (0° right, 90° down);<br>grey inner circle: no response; dashed outer circle:<br>each unit's peak</small></p></div>
<div><h3>Weights into the family</h3><p><small>one row per unit, one tile per input channel (named above); red positive, blue negative, scaled to the family's largest weight</small></p>{{.Weights}}</div></div>
<h3>Stimuli</h3><img alt="{{.Stimuli}} stimuli" src="{{.Sheet}}" style="max-width:100%">
{{with .Portraits}}<h3>Feature visualizations</h3><p>Each pair's portraits ({{.Size}}&times;{{.Size}}, {{.Steps}} steps: the image that most excites the unit's centre cell, hand-made through the compiled circuit, natural through the network). Cross-activation, how strongly a unit answers its partner's portrait relative to its own: natural units on their hand-made partners' portraits {{f3 .NaturalOnHandmade}} (unmatched pairs: {{f3 .NaturalOnHandmadeBaseline}}); hand-made units on their natural partners' {{f3 .HandmadeOnNatural}} (unmatched: {{f3 .HandmadeOnNaturalBaseline}}).</p>{{end}}
<h3>Pairs</h3>
<table><tr><th class="l">unit</th><th class="l">natural</th><th>r</th><th>pref</th><th>natural pref</th><th>error</th><th>width</th><th>echo</th><th>natural echo</th><th>overlap</th><th class="l">counterpart</th></tr>
{{range .Pairs}}<tr><td class="l">{{.Unit}}</td><td class="l">{{.Pair.Natural}}</td><td>{{f3 .PearsonR}}</td><td>{{deg .Handmade.PreferredDeg}}</td><td>{{deg .NaturalTuning.PreferredDeg}}</td><td>{{deg .OrientationErrorDeg}}</td><td>{{deg .Handmade.WidthDeg}}</td><td>{{fixed3 .Handmade.Echo}}</td><td>{{fixed3 .NaturalTuning.Echo}}</td><td>{{ov .Overlap}}</td><td class="l {{if .Genuine}}ok{{else}}fail{{end}}">{{genuine .Pair}}</td></tr>
{{end}}</table>
<p><small>Heat maps: stimulus orientation across, {{.OtherAxis.Name}} down (largest at the top); each normalised to its own peak:</small> {{.Scale}}</p>
{{range .Pairs}}<div class="pair"><b>{{.Unit}}</b> ~ {{.Pair.Natural}} <small>r = {{f3 .PearsonR}}</small>
<div style="display:flex;gap:8px"><div><small>hand-made</small><br>{{.Hand}}<br><small>natural</small><br>{{.Natural}}</div>{{.Radial}}</div>
{{if .HandVis}}<div class="vis"><figure><img alt="feature visualization of {{.Unit}}" src="{{.HandVis}}"><figcaption>{{.Unit}}</figcaption></figure><figure><img alt="feature visualization of {{.Pair.Natural}}" src="{{.NaturalVis}}"><figcaption>{{.Pair.Natural}}</figcaption></figure><br><small>cross-activation: natural on hand-made {{f3 .Cross.NaturalOnHandmade}}, hand-made on natural {{f3 .Cross.HandmadeOnNatural}}</small></div>{{end}}
{{if .HandTop}}<div class="top"><small>top photos, hand-made</small><br>{{range .HandTop}}<figure title="{{.Name}}"><span class="ph {{.Class}}" role="img" aria-label="{{.Name}}"></span><figcaption>{{.Name}}</figcaption></figure>{{end}}<br><small>natural</small><br>{{range .NaturalTop}}<figure title="{{.Name}}"><span class="ph {{.Class}}" role="img" aria-label="{{.Name}}"></span><figcaption>{{.Name}}</figcaption></figure>{{end}}</div>{{end}}
</div>{{end}}
{{end}}
{{range .Connections}}{{if .Skipped}}
<h2 id="{{$a}}-weights-{{.From}}-{{.To}}">Weights {{.From}} &rarr; {{.To}}</h2>
<p>Not compared: {{.Skipped}}.</p>{{else}}
<h2 id="{{$a}}-weights-{{.From}}-{{.To}}">Weights {{.From}} &rarr; {{.To}}: the natural circuit beside the hand-made one <small><a href="#top">contents</a></small></h2>
<p>Left, the hand-made weights ({{index .HandmadeSize 0}}&times;{{index .HandmadeSize 1}}) from each unit of {{.From}} (columns) into each unit of {{.To}} (rows); right, the same table for their natural partners: the expanded weights {{.NaturalFrom}} &rarr; {{.NaturalTo}} ({{index .NaturalSize 0}}&times;{{index .NaturalSize 1}}), the linear map between them with ReLU and LRN left out and max pools read as average pools (as Visualizing Weights does). Each grid is scaled to the 99.5th percentile of its own |weights| (the few larger taps saturate); red positive, blue negative.</p>
<p>All tiles: r = {{f3 .Agreement.PearsonR}}; signs agree on {{fixed3 .Agreement.SignAgreement}} of the taps of at least a tenth of the hand-made peak.
{{with .HandmadeEquivariance}}Equivariance ({{.Kind}}, {{len .Turns}} turns): hand-made {{fixed3 .Score}} (quarter turns {{fixed3 .QuarterTurns}}){{end}}{{with .NaturalEquivariance}}, natural {{fixed3 .Score}} (quarter turns {{fixed3 .QuarterTurns}}){{end}}.</p>
{{with .TileEquivariance}}<p>Natural tile equivariance {{fixed3 .Score}} against {{fixed3 .NullMean}} ± {{fixed3 .NullSD}} with the partners shuffled ({{.Permutations}} times), p {{ptext .P}}: {{.Verdict}}.</p>{{end}}
{{with .OrientationRule}}<p>Orientation rule: the difference of the natural units' preferred orientations explains η² {{fixed3 .Eta2}} of the net weights between them (orientations shuffled: {{fixed3 .NullMean}}), p {{ptext .P}} over {{.Permutations}} relabellings: {{.Verdict}}.</p>{{end}}
<div style="display:flex;gap:1em;align-items:flex-start;overflow-x:auto"><img alt="hand-made weights {{.From}} to {{.To}}" src="{{.Hand}}"><img alt="natural weights {{.NaturalFrom}} to {{.NaturalTo}}" src="{{.Natural}}"></div>
<table><tr><th class="l">unit</th><th class="l">natural</th><th>r</th><th>signs agree</th></tr>
{{range .Rows}}<tr><td class="l">{{.Unit}}</td><td class="l">{{.Natural}}</td><td>{{f3 .PearsonR}}</td><td>{{fixed3 .SignAgreement}}</td></tr>
{{end}}</table>
{{end}}{{end}}
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
