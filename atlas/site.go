package atlas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/circc/circc/internal/safefs"
)

// CircuitMatch is a circuit's family that names a layer of the atlas's
// model: its units are the channels it lists, or else the layer's members
// of the family's kind.
type CircuitMatch struct {
	Circuit  string `json:"circuit"` // the file, as given
	Family   string `json:"family"`  // LAYER.FAMILY in the circuit
	Layer    string `json:"layer"`   // the model's layer
	Set      string `json:"set"`     // the stimulus set it is read with
	Channels []int  `json:"channels,omitempty"`
}

// SiteStats say what a merge wrote.
type SiteStats struct {
	Units   int `json:"units"`
	Missing int `json:"missing"`
	Pages   int `json:"pages"`
}

// pathName makes a model's or layer's name safe as one path element.
var unsafePath = regexp.MustCompile(`[^A-Za-z0-9._=-]+`)

func pathName(s string) string { return strings.Trim(unsafePath.ReplaceAllString(s, "_"), "_") }

// UnitPage is a unit's page, relative to the atlas folder.
func UnitPage(model, layer string, ch int) string {
	return filepath.ToSlash(filepath.Join(pathName(model), pathName(layer), fmt.Sprintf("%d.html", ch)))
}

// unitView is what a unit's page shows.
type unitView struct {
	Title, Model, Layer string
	Channel             int
	Units               string // the path from the page to units/KEY/
	Rec                 *Record
	Prev, Next          string // neighbouring units of the layer
	LayerPage, Index    string
	Links               []linkRow
	Tuning              []tuneView
	Circuits            []CircuitMatch
	Diverse             []Portrait
	Main                []Portrait
}

type linkView struct {
	Link
	Page  string // "" when the atlas does not hold that unit
	Side  string // "in" or "out"
	Units string // the path from the page to the unit's files
}

// linkRow is one row of the weights table: an input beside an output,
// either nil where one side has fewer.
type linkRow struct{ In, Out *linkView }

type tuneView struct {
	SetTuning
	Points string // an SVG polyline
}

// Merge writes the site: index.html, a page per layer
// (MODEL/LAYER/index.html) and one per unit (MODEL/LAYER/CH.html), for
// every unit of the plan that is stored.
func Merge(st *Store, p *Plan, circuits []CircuitMatch) (*SiteStats, error) {
	stats := &SiteStats{}
	// A task takes minutes; a day-old temporary folder is a killed run's.
	st.RemoveStaleTemps(24 * time.Hour)
	have := map[string]map[int]string{} // layer → channel → key
	var layers []layerView
	for _, l := range p.Layers {
		have[l.Name] = map[int]string{}
	}
	for _, t := range p.Tasks {
		for _, c := range t.Channels {
			k := p.Key(t, c)
			if st.Has(k) {
				have[t.Layer][c] = k
				stats.Units++
			} else {
				stats.Missing++
			}
		}
	}
	var search []string
	for _, l := range p.Layers {
		lv := layerView{Name: l.Name, Page: filepath.ToSlash(filepath.Join(pathName(p.Model), pathName(l.Name), "index.html")), Channels: l.Channels}
		var chans []int
		for _, t := range p.Tasks {
			if t.Layer == l.Name {
				chans = append(chans, t.Channels...)
			}
		}
		lv.Planned = len(chans)
		if err := st.fs.MkdirAll(filepath.Join(st.Dir, filepath.Dir(lv.Page)), 0o755); err != nil {
			return nil, err
		}
		for i, c := range chans {
			key, ok := have[l.Name][c]
			cell := cellView{Channel: c, Page: fmt.Sprintf("%d.html", c)}
			if !ok {
				cell.Page = ""
				lv.Cells = append(lv.Cells, cell)
				continue
			}
			rec, err := st.Record(key)
			if err != nil {
				return nil, err
			}
			if len(rec.Portraits) > 0 {
				cell.Image = "../../units/" + key + "/" + rec.Portraits[0].File
			}
			lv.Cells = append(lv.Cells, cell)
			search = append(search, fmt.Sprintf("%s:%d", l.Name, c))
			v := unitView{Title: fmt.Sprintf("%s %s:%d", p.Model, l.Name, c), Model: p.Model, Layer: l.Name, Channel: c, Units: "../../units/" + key + "/",
				Rec: rec, LayerPage: "index.html", Index: "../../index.html"}
			if i > 0 {
				v.Prev = fmt.Sprintf("%d.html", chans[i-1])
			}
			if i+1 < len(chans) {
				v.Next = fmt.Sprintf("%d.html", chans[i+1])
			}
			neighbour := func(ln string, ch int) string {
				if _, ok := have[ln][ch]; ok {
					return "../" + pathName(ln) + "/" + fmt.Sprintf("%d.html", ch)
				}
				return ""
			}
			for i := range max(len(rec.Inputs), len(rec.Outputs)) {
				var row linkRow
				if i < len(rec.Inputs) {
					x := rec.Inputs[i]
					row.In = &linkView{x, neighbour(x.Layer, x.Channel), "in", v.Units}
				}
				if i < len(rec.Outputs) {
					x := rec.Outputs[i]
					row.Out = &linkView{x, neighbour(x.Layer, x.Channel), "out", v.Units}
				}
				v.Links = append(v.Links, row)
			}
			for _, t := range rec.Tuning {
				v.Tuning = append(v.Tuning, tuneView{t, polyline(t.ByAngle)})
			}
			for _, pt := range rec.Portraits {
				if pt.Objective == "diverse" {
					v.Diverse = append(v.Diverse, pt)
				} else {
					v.Main = append(v.Main, pt)
				}
			}
			v.Circuits = circuitsOf(circuits, rec)
			var b bytes.Buffer
			if err := unitPage.Execute(&b, v); err != nil {
				return nil, err
			}
			if err := safefs.WriteFile(st.fs, filepath.Join(st.Dir, UnitPage(p.Model, l.Name, c)), b.Bytes()); err != nil {
				return nil, err
			}
			stats.Pages++
		}
		var b bytes.Buffer
		if err := layerPage.Execute(&b, struct {
			Model string
			L     layerView
		}{p.Model, lv}); err != nil {
			return nil, err
		}
		if err := safefs.WriteFile(st.fs, filepath.Join(st.Dir, lv.Page), b.Bytes()); err != nil {
			return nil, err
		}
		stats.Pages++
		layers = append(layers, lv)
	}
	names, _ := json.Marshal(search)
	var b bytes.Buffer
	if err := indexPage.Execute(&b, struct {
		P      *Plan
		Layers []layerView
		Units  template.JS
		Model  string
		Stats  *SiteStats
	}{p, layers, template.JS(names), pathName(p.Model), stats}); err != nil {
		return nil, err
	}
	if err := safefs.WriteFile(st.fs, filepath.Join(st.Dir, "index.html"), b.Bytes()); err != nil {
		return nil, err
	}
	stats.Pages++
	return stats, nil
}

type layerView struct {
	Name, Page        string
	Channels, Planned int
	Cells             []cellView
}

type cellView struct {
	Channel     int
	Page, Image string
}

// circuitsOf lists the circuit families a unit belongs to: by the
// channels a match lists, or by passing the membership tests of the
// family's kind.
func circuitsOf(all []CircuitMatch, rec *Record) []CircuitMatch {
	var out []CircuitMatch
	for _, m := range all {
		if m.Layer != rec.Layer {
			continue
		}
		if m.Channels != nil {
			if slices.Contains(m.Channels, rec.Channel) {
				out = append(out, m)
			}
			continue
		}
		for _, f := range rec.Families {
			if f.Kind == m.Set && f.Member {
				out = append(out, m)
			}
		}
	}
	return out
}

// polyline draws normalised responses over 100×30.
func polyline(v []float64) string {
	var sb strings.Builder
	for i, y := range v {
		x := 0.0
		if len(v) > 1 {
			x = 100 * float64(i) / float64(len(v)-1)
		}
		fmt.Fprintf(&sb, "%.1f,%.1f ", x, 30-29*math.Max(0, math.Min(1, y)))
	}
	return strings.TrimSpace(sb.String())
}

const style = `<style>
body{font-family:system-ui,sans-serif;margin:1.5em;max-width:72em;color:#222}
img.p{width:128px;height:128px;image-rendering:pixelated;border:1px solid #ccc}
img.c{width:80px;height:80px;image-rendering:pixelated}
img.t{width:48px;height:48px;image-rendering:pixelated;vertical-align:middle}
.grid{display:flex;flex-wrap:wrap;gap:6px}
.cell{width:96px;font-size:12px;text-align:center}
.cell img{width:96px;height:96px}
figure{margin:0 6px 6px 0;display:inline-block;font-size:12px;text-align:center}
table{border-collapse:collapse}td,th{padding:2px 8px;font-size:13px;text-align:left}
.no{color:#999}.yes{color:#060;font-weight:bold}
</style>`

var funcs = template.FuncMap{"f": func(v float64) string { return fmt.Sprintf("%.3g", v) }}

var unitPage = template.Must(template.New("unit").Funcs(funcs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>` + style + `</head><body>
<nav><a href="{{.Index}}">atlas</a> › <a href="{{.LayerPage}}">{{.Layer}}</a> › {{.Channel}}
{{if .Prev}} · <a id="prev" href="{{.Prev}}">← previous</a>{{end}}{{if .Next}} · <a id="next" href="{{.Next}}">next →</a>{{end}}</nav>
<h1>{{.Model}} {{.Layer}}:{{.Channel}}</h1>
<h2>Feature visualizations</h2>
<div>{{range .Main}}<figure><img class="p" src="{{$.Units}}{{.File}}" alt="{{.Objective}}"><figcaption>{{.Objective}} ({{f .Response}})</figcaption></figure>{{end}}</div>
{{if .Diverse}}<h3>Diversity</h3><div>{{range .Diverse}}<figure><img class="p" src="{{$.Units}}{{.File}}" alt="diverse"><figcaption>{{f .Response}}</figcaption></figure>{{end}}</div>{{end}}
<h2>Photos</h2>
<h3>Most excited</h3><div>{{range .Rec.Top}}<figure><img class="c" src="{{$.Units}}{{.File}}" alt="{{.Class}}"><figcaption>{{f .Activation}}<br>{{.Class}}</figcaption></figure>{{else}}<p class="no">no photos</p>{{end}}</div>
<h3>Most negative</h3><div>{{range .Rec.Bottom}}<figure><img class="c" src="{{$.Units}}{{.File}}" alt="{{.Class}}"><figcaption>{{f .Activation}}<br>{{.Class}}</figcaption></figure>{{else}}<p class="no">no photos</p>{{end}}</div>
<h2>Expanded weights</h2>
{{define "link"}}{{if .}}<td>{{if .Page}}<a class="{{.Side}}" href="{{.Page}}">{{.Layer}}:{{.Channel}}</a>{{else}}{{.Layer}}:{{.Channel}}{{end}}</td><td><img class="t" src="{{.Units}}{{.File}}" alt="kernel"></td><td>{{f .Norm}}</td><td>{{f .Sum}}</td>{{else}}<td></td><td></td><td></td><td></td>{{end}}{{end}}
<table><tr><th>strongest inputs</th><th></th><th>norm</th><th>sum</th><td></td><th>strongest outputs</th><th></th><th>norm</th><th>sum</th></tr>
{{range .Links}}<tr>{{template "link" .In}}<td></td>{{template "link" .Out}}</tr>
{{end}}</table>
{{range $side, $why := .Rec.Refused}}<p class="no">No expanded {{$side}}: {{$why}}</p>{{end}}
<h2>Tuning</h2>
<table>{{range .Tuning}}<tr><td>{{.Set}}</td><td><svg width="100" height="31" viewBox="0 0 100 31"><polyline fill="none" stroke="#c33" points="{{.Points}}"/></svg></td><td>peak {{f .Peak}} at {{.PreferredDeg}}° (of {{.PeriodDeg}}°)</td></tr>{{end}}</table>
<h2>Families</h2>
<table>{{range .Rec.Families}}<tr><td>{{.Kind}}</td><td>{{if .Member}}<span class="yes">member</span>{{else}}<span class="no">not a member: {{range $j, $f := .Fails}}{{if $j}}; {{end}}{{$f}}{{end}}</span>{{end}}</td></tr>{{end}}</table>
{{if .Circuits}}<h2>Circuits</h2><ul>{{range .Circuits}}<li>{{.Circuit}}: {{.Family}}</li>{{end}}</ul>{{end}}
</body></html>
`))

var layerPage = template.Must(template.New("layer").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Model}} {{.L.Name}}</title>` + style + `</head><body>
<nav><a href="../../index.html">atlas</a> › {{.L.Name}}</nav>
<h1>{{.Model}} {{.L.Name}}</h1><p>{{.L.Planned}} of {{.L.Channels}} units in this atlas.</p>
<div class="grid">{{range .L.Cells}}<div class="cell">{{if .Page}}<a href="{{.Page}}">{{if .Image}}<img src="{{.Image}}" alt="{{.Channel}}">{{end}}<br>{{.Channel}}</a>{{else}}<span class="no">{{.Channel}}<br>not computed</span>{{end}}</div>{{end}}</div>
</body></html>
`))

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.P.Model}} atlas</title>` + style + `</head><body>
<h1>{{.P.Title}} ({{.P.Model}})</h1>
<p>{{.Stats.Units}} units{{if .Stats.Missing}}, {{.Stats.Missing}} not computed yet{{end}}. Settings: {{.P.Settings.Size}} px, {{.P.Settings.Steps}} steps, {{.P.Settings.Photos}} photos; circc {{.P.Version}}.</p>
<form id="search"><input id="q" list="units" placeholder="fire6:12" autofocus> <button>go</button> <span id="msg" class="no"></span></form>
<datalist id="units"></datalist>
<h2>Layers</h2><ul>{{range .Layers}}<li><a href="{{.Page}}">{{.Name}}</a> ({{.Planned}} of {{.Channels}} units)</li>{{end}}</ul>
<script>
const units = {{.Units}}, model = "{{.Model}}";
const list = document.getElementById("units");
for (const u of units) { const o = document.createElement("option"); o.value = u; list.appendChild(o); }
document.getElementById("search").addEventListener("submit", ev => {
  ev.preventDefault();
  const q = document.getElementById("q").value.trim().replace(/^.*\.(?=[^.:]+:)/, "");
  const m = q.match(/^(.+):(\d+)$/);
  if (!m || !units.includes(m[1] + ":" + Number(m[2]))) { document.getElementById("msg").textContent = "no unit " + q; return; }
  location.href = model + "/" + m[1].replace(/[^A-Za-z0-9._=-]+/g, "_") + "/" + Number(m[2]) + ".html";
});
</script>
</body></html>
`))
