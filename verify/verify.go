package verify

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/eval"
	"github.com/circc/circc/compiler/expand"
	"github.com/circc/circc/datasets"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/reference"
	ort "github.com/circc/circc/runtime"
	"github.com/circc/circc/stimuli"
)

// Options control a verification.
type Options struct {
	Against   string // reference model
	ModelsDir string
	DataDir   string
	Runtime   ort.Options
	Window    int // readout window (0 or 1: the centre unit)
	Photos    int // dataset photos for top-photo overlap (0: none)
	TopK      int // top photos per unit
	// Progress, when set, is told how far each stage is: a stimulus set by
	// its name, "photos", or "loading MODEL" (which counts nothing); the
	// control network's stages begin with "control: ".
	Progress func(stage string, done, total int)
	// NoControl skips the control network of layer searches.
	NoControl bool
	// FullSize runs stimuli through the whole input instead of the smallest
	// window that gives the same values (the reference for tests).
	FullSize bool
	// Vis, when set, adds each pair's feature visualizations and their
	// cross-activations.
	Vis *VisOptions
}

// Pair is a hand-made unit and its natural counterpart.
type Pair struct {
	Unit                string   `json:"unit"`
	Natural             string   `json:"natural"` // LAYER:CHANNEL
	Channel             int      `json:"channel"`
	PearsonR            float64  `json:"pearson_r"`
	OrientationErrorDeg Float    `json:"orientation_error_deg"`
	Overlap             *float64 `json:"overlap,omitempty"`
	Handmade            Tuning   `json:"handmade"`
	NaturalTuning       Tuning   `json:"natural_tuning"`
	// Genuine says whether the natural unit is a counterpart by the
	// documented criteria (GenuineMaxEcho…); NotGenuine says why not.
	Genuine    bool     `json:"genuine"`
	NotGenuine string   `json:"not_genuine,omitempty"`
	HandTop    []string `json:"handmade_top_photos,omitempty"`
	NaturalTop []string `json:"natural_top_photos,omitempty"`
	// Cross holds the pair's feature visualizations and cross-activation
	// (verify --vis).
	Cross *Cross `json:"cross_activation,omitempty"`
}

// Family is the verification of one matched family.
type Family struct {
	Family                 string   `json:"family"`
	Layer                  string   `json:"layer"`
	NaturalLayer           string   `json:"natural_layer"`
	Stimuli                string   `json:"stimuli"`
	Matching               string   `json:"matching"` // auto or explicit
	Pos                    string   `json:"pos"`
	Pairs                  []*Pair  `json:"pairs"`
	Coverage               float64  `json:"coverage"`
	SpacingErrorDeg        Float    `json:"spacing_error_deg"`
	NaturalSpacingErrorDeg Float    `json:"natural_spacing_error_deg"`
	EquivarianceError      *float64 `json:"equivariance_error,omitempty"`
	// PeriodDeg is 180 for an axial family (its units answer a shape and
	// its half-turn alike), else 360: orientation errors, spacing and
	// coverage are taken on that circle.
	PeriodDeg    float64   `json:"period_deg"`
	Orientations []float64 `json:"orientations"`
	OtherAxis    Axis      `json:"other_axis"`
	// A search (match … to MODEL.*) reports the best layer above, whether
	// it reaches FoundThreshold, and every layer's score.
	Found   *bool        `json:"found,omitempty"`
	Profile []LayerScore `json:"profile,omitempty"`
	Control *Control     `json:"control,omitempty"`
	// Genuine counts the pairs whose natural unit is a counterpart;
	// GenuineMeanR is their mean r. The other hand-made units found none.
	Genuine      int   `json:"genuine"`
	GenuineMeanR Float `json:"genuine_mean_r"`
	// Portraits sums up the feature visualizations (verify --vis).
	Portraits *Portraits `json:"portraits,omitempty"`
}

// Axis names the second axis of a family's response maps.
type Axis struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// ExpectResult is one checked claim.
type ExpectResult struct {
	Claim  string `json:"claim"`
	Pos    string `json:"pos"`
	OK     bool   `json:"ok"`
	Value  Float  `json:"value"`
	Detail string `json:"detail,omitempty"`
}

// Report is the result of circc verify.
type Report struct {
	Source   string    `json:"source"`
	Against  string    `json:"against"`
	Provider string    `json:"provider"`
	OK       bool      `json:"ok"`
	Families []*Family `json:"families"`
	// Connections lay the natural circuit between matched families beside
	// the hand-made one.
	Connections []*Connection   `json:"connections,omitempty"`
	Expects     []*ExpectResult `json:"expects"`
	Stimuli     int             `json:"stimuli"`
	Photos      int             `json:"photos"`
	Seconds     float64         `json:"seconds"`
}

type matchSpec struct {
	decl     *ast.Match
	layer    *expand.Layer
	family   string
	units    []*expand.Unit
	natLayer string // Lucid name
	tensor   string
	channels []int // explicit; nil: search
	set      string
	search   bool // one of the layers of match … to MODEL.*
}

// Run verifies a compiled circuit against its reference model.
func Run(fs afero.Fs, res *compiler.Result, opt Options) (*Report, diag.List, error) {
	start := time.Now()
	if opt.TopK == 0 {
		opt.TopK = 8
	}
	if opt.Progress != nil {
		opt.Progress("loading "+opt.Against, 0, 1)
	}
	net, err := reference.Open(fs, opt.Against, opt.ModelsDir)
	if err != nil {
		return nil, nil, err
	}
	specs, d := collect(res, net)
	if d != nil {
		return nil, diag.List{d}, nil
	}
	if len(specs) == 0 {
		return nil, nil, fmt.Errorf("%s has no match statement for %s: nothing to verify", res.Source, net.Manifest.Name)
	}
	pr, ds, err := newProbe(fs, res, net, specs, opt)
	if ds != nil || err != nil {
		return nil, ds, err
	}
	defer pr.close()
	rep := &Report{Source: res.Source, Against: net.Manifest.Name, Provider: pr.sess.Provider, OK: true}
	size := net.Manifest.Input.Size[0]
	sweeps, setOf, err := pr.sweepSets(specs, "")
	if err != nil {
		return nil, nil, err
	}
	for _, set := range setOf {
		rep.Stimuli += set.Len()
	}
	var photos Responses
	var photoNames []string
	if opt.Photos > 0 {
		items, err := datasets.ImageNetSample(fs, datasets.Dir(opt.DataDir, "imagenet-sample"))
		if err != nil {
			return nil, nil, fmt.Errorf("%w (or run with --photos 0)", err)
		}
		step := max(len(items)/opt.Photos, 1)
		var pick []datasets.Item
		for i := 0; i < len(items) && len(pick) < opt.Photos; i += step {
			pick = append(pick, items[i])
			photoNames = append(photoNames, items[i].Name)
		}
		ps, err := pr.photoSession()
		if err != nil {
			return nil, nil, err
		}
		reader := datasets.NewReader(fs, pick)
		photos, err = sweep(ps, net.Manifest, len(pick), func(i int) (*stimuli.Image, error) {
			img, err := reader.Decode(pick[i].Path)
			if err != nil {
				return nil, err
			}
			return stimuli.FromImage(img, size)
		}, pr.outs, pr.progress("photos"), crop{}, opt.Runtime.BatchSize())
		if err != nil {
			return nil, nil, err
		}
		rep.Photos = len(pick)
	}
	var found map[*ast.Match]*Family
	rep.Families, found = reduceSearches(specs, func(s *matchSpec) *Family {
		return analyse(s, setOf[s.set], sweeps[s.set], sweeps["lines"], photos, photoNames, opt.TopK)
	})
	if opt.Vis != nil {
		for _, s := range specs {
			for _, f := range rep.Families {
				if f.Layer == s.layer.Name && f.Family == s.family && f.NaturalLayer == s.natLayer {
					if err := portraits(res, net, s, f, opt); err != nil {
						return nil, nil, err
					}
				}
			}
		}
	}
	if opt.Progress != nil {
		opt.Progress("weights between matched families", 0, 1)
	}
	if rep.Connections, err = connections(res, net, rep.Families); err != nil {
		return nil, nil, err
	}
	if len(found) > 0 && !opt.NoControl {
		if ds, err := control(fs, res, net, specs, opt, found); ds != nil || err != nil {
			return nil, ds, err
		}
	}
	if rep.Expects, d = expects(res, rep); d != nil {
		return nil, diag.List{d}, nil
	}
	for _, e := range rep.Expects {
		rep.OK = rep.OK && e.OK
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil, nil
}

// collect reads the circuit's match statements for the model. When none
// names the model, each match is asked of it as a search of every layer:
// where, if anywhere, does this family exist in that network?
func collect(res *compiler.Result, net *reference.Net) ([]*matchSpec, *diag.Diagnostic) {
	ev := res.Evaluator
	var out []*matchSpec
	names := func(m *ast.Match) bool {
		p := m.Natural.Path.Parts[0]
		return p.Ident != nil && p.Ident.Name == net.Manifest.Name
	}
	named := false
	for _, d := range res.Program.Main.AST.Decls {
		named = named || d.Match != nil && names(d.Match)
	}
	for _, d := range res.Program.Main.AST.Decls {
		m := d.Match
		if m == nil || named && !names(m) {
			continue
		}
		parts := m.Natural.Path.Parts
		s := &matchSpec{decl: m, set: "curves"}
		if m.Using != nil {
			s.set = m.Using.Name
		}
		fp := m.Family.Parts
		s.layer = res.Network.Layer(fp[0].Ident.Name)
		if s.layer == nil || len(fp) != 2 {
			return nil, diag.At(m.Family.Pos, m.Family.EndPos, diag.CodeVerify, "match names a hand-made family: LAYER.FAMILY")
		}
		s.family = fp[1].Ident.Name
		for _, u := range s.layer.Units {
			if u.Family == s.family {
				s.units = append(s.units, u)
			}
		}
		if len(s.units) == 0 {
			return nil, diag.At(m.Family.Pos, m.Family.EndPos, diag.CodeVerify, "%s has no units on %s", s.family, s.layer.Name)
		}
		if check.SearchesLayers(m) || !named {
			for _, l := range net.Manifest.Layers {
				if l.Channels < len(s.units) {
					continue // a one-to-one pairing needs a channel per unit
				}
				ls := *s
				ls.natLayer, ls.tensor, ls.search = l.Name, l.Tensor, true
				out = append(out, &ls)
			}
			continue
		}
		name := parts[len(parts)-1].Text()
		l, ok := net.Manifest.Layer(name)
		if !ok {
			return nil, diag.At(m.Natural.Pos, m.Natural.EndPos, diag.CodeVerify, "model %s has no layer %q", net.Manifest.Name, name)
		}
		s.natLayer, s.tensor = l.Name, l.Tensor
		if m.Natural.Selector != nil {
			var d *diag.Diagnostic
			if s.channels, d = expand.Channels(ev, m.Natural.Selector, ev.ModuleEnv(res.Program.Main)); d != nil {
				return nil, d
			}
			if len(s.channels) != len(s.units) {
				return nil, diag.At(m.Natural.Selector.Pos, m.Natural.Selector.EndPos, diag.CodeVerify, "%d natural channels for the %d units of %s", len(s.channels), len(s.units), s.family)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func column(r Responses, out string, ch int) []float64 {
	rows := r[out]
	v := make([]float64, len(rows))
	for i, row := range rows {
		v[i] = float64(row[ch])
	}
	return v
}

// analyse pairs a family's units with natural units and measures them.
func analyse(s *matchSpec, set *stimuli.Set, r, lines, photos Responses, photoNames []string, k int) *Family {
	hOut := reference.Prefix + "circuit/" + s.layer.Name
	nOrient := len(set.Axes[0].Values)
	f := &Family{Family: s.family, Layer: s.layer.Name, NaturalLayer: s.natLayer, Stimuli: set.Name, Pos: s.decl.Pos.String(),
		Matching: "explicit", Orientations: set.Axes[0].Values}
	if len(set.Axes) > 1 {
		f.OtherAxis = Axis{set.Axes[1].Name, set.Axes[1].Values}
	}
	hand := make([]Tuning, len(s.units))
	for i, u := range s.units {
		var l []float64
		if lines != nil {
			l = column(lines, hOut, u.Index)
		}
		hand[i] = tuning(column(r, hOut, u.Index), nOrient, set.PeriodDeg, l)
	}
	// A family whose units answer a shape and its half-turn alike (lines,
	// edges read by lines) is axial: its orientations live on a half
	// circle, and an echo is what it is, not a flaw.
	var echoes []float64
	for _, t := range hand {
		echoes = append(echoes, float64(t.Echo))
	}
	f.PeriodDeg = set.PeriodDeg
	if set.PeriodDeg == 360 && median(echoes) >= AxialEcho {
		f.PeriodDeg = 180
	}
	cands := s.channels
	if cands == nil {
		f.Matching = "auto"
		for c := range r[s.tensor][0] {
			cands = append(cands, c)
		}
	}
	nat := make([]Tuning, len(cands))
	for j, c := range cands {
		var l []float64
		if lines != nil {
			l = column(lines, s.tensor, c)
		}
		nat[j] = tuning(column(r, s.tensor, c), nOrient, set.PeriodDeg, l)
	}
	pick := make([]int, len(s.units))
	for i := range pick {
		pick[i] = i
	}
	if s.channels == nil {
		score := make([][]float64, len(s.units))
		for i := range score {
			score[i] = make([]float64, len(cands))
			for j := range cands {
				score[i][j] = pearson(hand[i].Map, nat[j].Map)
			}
		}
		pick = assign(score)
	}
	var hp, np, nw []float64
	for i, u := range s.units {
		j := pick[i]
		p := &Pair{Unit: u.Name, Natural: fmt.Sprintf("%s:%d", s.natLayer, cands[j]), Channel: cands[j],
			PearsonR: pearson(hand[i].Map, nat[j].Map), Handmade: hand[i], NaturalTuning: nat[j]}
		p.OrientationErrorDeg = Float(angleDiff(float64(hand[i].PreferredDeg), float64(nat[j].PreferredDeg), f.PeriodDeg))
		if photos != nil {
			ht := topK(column(photos, hOut, u.Index), k)
			nt := topK(column(photos, s.tensor, cands[j]), k)
			ov := overlap(ht, nt)
			p.Overlap = &ov
			for _, x := range ht {
				p.HandTop = append(p.HandTop, photoNames[x])
			}
			for _, x := range nt {
				p.NaturalTop = append(p.NaturalTop, photoNames[x])
			}
		}
		f.Pairs = append(f.Pairs, p)
		hp = append(hp, float64(hand[i].PreferredDeg))
		np = append(np, float64(nat[j].PreferredDeg))
		nw = append(nw, float64(nat[j].WidthDeg))
		if !math.IsNaN(u.EquivarianceError) {
			e := u.EquivarianceError
			if f.EquivarianceError == nil || e > *f.EquivarianceError {
				f.EquivarianceError = &e
			}
		}
	}
	f.SpacingErrorDeg, f.NaturalSpacingErrorDeg = Float(spacingError(hp, f.PeriodDeg)), Float(spacingError(np, f.PeriodDeg))
	f.Coverage = coverage(np, nw, f.PeriodDeg)
	classify(f)
	return f
}

// The criteria of a genuine counterpart, on the natural unit alone: a
// one-to-one pairing gives every hand-made unit some channel, and these
// say whether that channel is what the family is.
const (
	// GenuineMaxEcho: the natural unit answers the opposite orientation
	// with less than this share of its peak (not asked of axial families).
	GenuineMaxEcho = 0.25
	// AxialEcho: a family whose hand-made units' median echo reaches this
	// is axial (period 180°).
	AxialEcho = 0.75
	// GenuineMinCurvePreference: with curve stimuli, its best curve beats
	// its best straight line by this factor.
	GenuineMinCurvePreference = 1.25
	// GenuineMaxWidthRatio: its tuning is at most this many times as wide
	// as the family's widest hand-made unit.
	GenuineMaxWidthRatio = 2.0
)

// classify marks each pair genuine or not (with the reason) and sums the
// family up over the genuine pairs.
func classify(f *Family) {
	widest := 0.0
	for _, p := range f.Pairs {
		widest = math.Max(widest, float64(p.Handmade.WidthDeg))
	}
	var r float64
	f.Genuine = 0
	for _, p := range f.Pairs {
		n := p.NaturalTuning
		var why []string
		if e := float64(n.Echo); f.PeriodDeg == 360 && !(e < GenuineMaxEcho) {
			why = append(why, fmt.Sprintf("echo %.2f", e))
		}
		if c := float64(n.CurvePreference); f.Stimuli == "curves" && c < GenuineMinCurvePreference {
			why = append(why, fmt.Sprintf("curves only %.2f× lines", c))
		}
		if w := float64(n.WidthDeg); widest > 0 && w > GenuineMaxWidthRatio*widest {
			why = append(why, fmt.Sprintf("width %.0f°", w))
		}
		p.Genuine = len(why) == 0
		p.NotGenuine = strings.Join(why, ", ")
		if p.Genuine {
			f.Genuine++
			r += p.PearsonR
		}
	}
	f.GenuineMeanR = Float(math.NaN())
	if f.Genuine > 0 {
		f.GenuineMeanR = Float(r / float64(f.Genuine))
	}
}

// metricValues returns the values a claim's metric takes in a family.
func metricValues(f *Family, metric string) ([]float64, error) {
	var v []float64
	for _, p := range f.Pairs {
		switch metric {
		case "pearson_r":
			v = append(v, p.PearsonR)
		case "orientation_error":
			v = append(v, float64(p.OrientationErrorDeg))
		case "echo":
			v = append(v, float64(p.Handmade.Echo))
		case "width":
			v = append(v, float64(p.Handmade.WidthDeg))
		case "curve_preference":
			v = append(v, float64(p.Handmade.CurvePreference))
		case "overlap":
			if p.Overlap == nil {
				return nil, fmt.Errorf("overlap needs dataset photos (--photos)")
			}
			v = append(v, *p.Overlap)
		}
	}
	switch metric {
	case "coverage":
		v = []float64{f.Coverage}
	case "spacing_error":
		v = []float64{float64(f.SpacingErrorDeg)}
	case "equivariance_error":
		if f.EquivarianceError == nil {
			return nil, fmt.Errorf("%s is not derived by a motif", f.Family)
		}
		v = []float64{*f.EquivarianceError}
	case "top1", "top5":
		return nil, fmt.Errorf("%s is measured by circc eval, not verify", metric)
	}
	return v, nil
}

func compare(op string, x, y float64) bool {
	switch op {
	case "<":
		return x < y
	case "<=":
		return x <= y
	case ">":
		return x > y
	case ">=":
		return x >= y
	case "==":
		return x == y
	}
	return x != y
}

// expects checks the circuit's expect claims against the report. Without
// an aggregate every value must satisfy the claim, and the reported value
// is the one furthest on the wrong side.
func expects(res *compiler.Result, rep *Report) ([]*ExpectResult, *diag.Diagnostic) {
	ev := res.Evaluator
	env := ev.ModuleEnv(res.Program.Main)
	var out []*ExpectResult
	src := res.Program.Source(res.Program.Main.Name)
	for _, d := range res.Program.Main.AST.Decls {
		ex := d.Expect
		if ex == nil || ex.Model != nil && ex.Model.Name != rep.Against {
			continue // a claim about another network
		}
		parts := ex.Subject.Parts
		var f *Family
		for _, x := range rep.Families {
			if len(parts) == 2 && parts[0].Ident != nil && parts[1].Ident != nil && x.Layer == parts[0].Ident.Name && x.Family == parts[1].Ident.Name {
				f = x
			}
		}
		for _, cl := range ex.Claims {
			text := strings.TrimSpace(string(src[cl.Pos.Offset:cl.EndPos.Offset]))
			r := &ExpectResult{Claim: ex.Subject.String() + ": " + text, Pos: cl.Pos.String()}
			out = append(out, r)
			if f == nil {
				r.Detail = "no match statement pairs this family with " + rep.Against
				r.Value = Float(math.NaN())
				continue
			}
			vals, err := metricValues(f, cl.Metric.Name)
			if err != nil {
				r.Detail, r.Value = err.Error(), Float(math.NaN())
				continue
			}
			v, d := ev.Eval(cl.Value, env)
			if d != nil {
				return nil, d
			}
			limit, ok := v.(eval.Num)
			if !ok {
				return nil, diag.At(cl.Value.Pos, cl.Value.EndPos, diag.CodeType, "a threshold is a number")
			}
			agg := ""
			if cl.Agg != nil {
				agg = cl.Agg.Name
			}
			got, ok := aggregate(vals, agg, cl.Op, limit.S)
			r.Value, r.OK = Float(got), ok
		}
	}
	return out, nil
}

func aggregate(vals []float64, agg, op string, limit float64) (float64, bool) {
	var clean []float64
	for _, v := range vals {
		if !math.IsNaN(v) {
			clean = append(clean, v)
		}
	}
	if len(clean) == 0 {
		return math.NaN(), false
	}
	sort.Float64s(clean)
	var v float64
	switch agg {
	case "mean":
		for _, x := range clean {
			v += x
		}
		v /= float64(len(clean))
	case "median":
		v = clean[len(clean)/2]
		if len(clean)%2 == 0 {
			v = (clean[len(clean)/2-1] + clean[len(clean)/2]) / 2
		}
	case "min":
		v = clean[0]
	case "max":
		v = clean[len(clean)-1]
	default:
		// every value must hold: report the worst
		v = clean[len(clean)-1]
		if op == ">" || op == ">=" {
			v = clean[0]
		}
		for _, x := range vals {
			if math.IsNaN(x) || !compare(op, x, limit) {
				return v, false
			}
		}
		return v, true
	}
	return v, compare(op, v, limit)
}

// ControlSeed seeds the shuffle of the control network's weights.
const ControlSeed = 1

// Control is a search's result on the control network: the same
// architecture with every convolution's weights shuffled (same statistics,
// no learned structure).
type Control struct {
	Layer   string  `json:"layer"`    // the control's best layer
	MeanR   float64 `json:"mean_r"`   // its score there
	AtFound float64 `json:"at_found"` // the control's score at the layer the real network was found in
	Margin  float64 `json:"margin"`   // the real network's best score minus the control's best
}

// control runs the searches again on the control network and attaches the
// result to each search's family.
func control(fs afero.Fs, res *compiler.Result, net *reference.Net, specs []*matchSpec, opt Options, found map[*ast.Match]*Family) (diag.List, error) {
	model := net.Model.Clone()
	if err := model.PermuteConvWeights(ControlSeed); err != nil {
		return nil, err
	}
	ctl := &reference.Net{Manifest: net.Manifest, Dir: net.Dir, Path: net.Path, Model: model}
	var search []*matchSpec
	for _, s := range specs {
		if s.search {
			search = append(search, s)
		}
	}
	pr, ds, err := newProbe(fs, res, ctl, search, opt)
	if ds != nil || err != nil {
		return ds, err
	}
	defer pr.close()
	sweeps, setOf, err := pr.sweepSets(search, "control: ")
	if err != nil {
		return nil, err
	}
	_, controls := reduceSearches(search, func(s *matchSpec) *Family {
		return analyse(s, setOf[s.set], sweeps[s.set], sweeps["lines"], nil, nil, 0)
	})
	for decl, c := range controls {
		real := found[decl]
		best := scoreAt(c.Profile, c.NaturalLayer)
		real.Control = &Control{Layer: c.NaturalLayer, MeanR: best, AtFound: scoreAt(c.Profile, real.NaturalLayer),
			Margin: scoreAt(real.Profile, real.NaturalLayer) - best}
	}
	return nil, nil
}

// reduceSearches analyses every spec in order and reduces the layers of
// each search (consecutive specs of one match) to its best layer
// (bestLayer); searches maps each search's match to that family.
func reduceSearches(specs []*matchSpec, analyse func(*matchSpec) *Family) (fams []*Family, searches map[*ast.Match]*Family) {
	searches = map[*ast.Match]*Family{}
	var layers []*Family // the layers of the current search, in model order
	for i, s := range specs {
		f := analyse(s)
		if !s.search {
			fams = append(fams, f)
			continue
		}
		layers = append(layers, f)
		if i+1 == len(specs) || specs[i+1].decl != s.decl {
			best := bestLayer(layers)
			fams, searches[s.decl] = append(fams, best), best
			layers = nil
		}
	}
	return fams, searches
}

// scoreAt is a layer's mean r in a search's profile (0 when absent).
func scoreAt(profile []LayerScore, layer string) float64 {
	for _, l := range profile {
		if l.Layer == layer {
			return l.MeanR
		}
	}
	return 0
}

// FoundThreshold is the mean Pearson r of its pairs a layer must reach for
// a search to report the family found there; below it, the report says
// "not found" and shows the best layer all the same.
const FoundThreshold = 0.75

// LayerScore is one layer's result in a search: how well the family's
// units pair with the layer's channels.
type LayerScore struct {
	Layer            string  `json:"layer"`
	MeanR            float64 `json:"mean_r"`
	Coverage         float64 `json:"coverage"`
	OrientationError Float   `json:"mean_orientation_error_deg"` // NaN (null) when a unit has no preference
}

// bestLayer reduces a search to the family found in its best layer (the
// highest mean r), with every layer's score as the profile.
func bestLayer(layers []*Family) *Family {
	var best *Family
	var bestR float64
	var profile []LayerScore
	for _, f := range layers {
		var r, e float64
		for _, p := range f.Pairs {
			r += p.PearsonR
			e += float64(p.OrientationErrorDeg)
		}
		n := float64(len(f.Pairs))
		ls := LayerScore{Layer: f.NaturalLayer, MeanR: r / n, Coverage: f.Coverage, OrientationError: Float(e / n)}
		profile = append(profile, ls)
		if best == nil || ls.MeanR > bestR {
			best, bestR = f, ls.MeanR
		}
	}
	best.Matching = "search"
	best.Profile = profile
	found := bestR >= FoundThreshold
	best.Found = &found
	return best
}

// probe is a session on the reference network (or its control) cut at the
// tensors the specs read, with the circuit beside it. Stimuli run through
// the smallest centred window of the input that gives the same centre
// cells (crop); photos, read anywhere on the map, through the full size.
type probe struct {
	net    *reference.Net
	model  *onnx.Model // the reference with the circuit beside it
	outs   []string    // the tensors read
	sess   *ort.Session
	window crop // the part of the input sess takes; zero: all of it
	photos *ort.Session
	opt    Options
}

func newProbe(fs afero.Fs, res *compiler.Result, net *reference.Net, specs []*matchSpec, opt Options) (*probe, diag.List, error) {
	var tensors, layers []string
	seen := map[string]bool{}
	for _, s := range specs {
		if !seen[s.tensor] {
			tensors, seen[s.tensor] = append(tensors, s.tensor), true
		}
		if !seen["circuit:"+s.layer.Name] {
			layers, seen["circuit:"+s.layer.Name] = append(layers, s.layer.Name), true
		}
	}
	model, outs, ds, err := net.Beside(fs, res, tensors, layers)
	if ds != nil || err != nil {
		return nil, ds, err
	}
	p := &probe{net: net, outs: outs, model: model, opt: opt}
	size := net.Manifest.Input.Size[0]
	channels := len(net.Manifest.Input.Channels)
	side, window := size, max(opt.Window, 1)
	if window == 1 && !opt.FullSize {
		// Only the centre cells are read: compute them on the smallest
		// window of the input that gives the same values.
		if w, ok := model.CentreCrop(outs, channels, size); ok {
			p.window, side = w, w.Size
		}
	}
	if p.sess, err = p.session(side, window); err != nil {
		return nil, nil, err
	}
	return p, nil, nil
}

// session opens the probe's model on a side×side input, reading each
// output's window in the graph (0: the whole map).
func (p *probe) session(side, window int) (*ort.Session, error) {
	m := p.model.Clone()
	if err := m.SetInputShape(side, side); err != nil {
		return nil, err
	}
	read, err := m.ReadWindows([]int64{1, int64(len(p.net.Manifest.Input.Channels)), int64(side), int64(side)}, window, p.outs...)
	if err != nil {
		return nil, err
	}
	data, err := m.Bytes()
	if err != nil {
		return nil, err
	}
	return ort.NewSessionFromBytes(data, m.Input().GetName(), read, p.opt.Runtime)
}

// photoSession reads each output's largest value anywhere on the map of
// a full-size input, as photos are read; made when photos need it.
func (p *probe) photoSession() (*ort.Session, error) {
	if p.photos == nil {
		s, err := p.session(p.net.Manifest.Input.Size[0], 0)
		if err != nil {
			return nil, err
		}
		p.photos = s
	}
	return p.photos, nil
}

func (p *probe) close() {
	p.sess.Close()
	if p.photos != nil {
		p.photos.Close()
	}
}

// progress reports a stage of the probe to the caller's Progress.
func (p *probe) progress(stage string) func(int, int) {
	if p.opt.Progress == nil {
		return nil
	}
	return func(d, t int) { p.opt.Progress(stage, d, t) }
}

// sweepSets runs one sweep per stimulus set the specs use (and the
// straight lines, for the curve preference of curve sets); label prefixes
// the progress stages.
func (p *probe) sweepSets(specs []*matchSpec, label string) (map[string]Responses, map[string]*stimuli.Set, error) {
	sweeps := map[string]Responses{}
	setOf := map[string]*stimuli.Set{}
	size := p.net.Manifest.Input.Size[0]
	for _, s := range specs {
		for _, name := range []string{s.set, "lines"} {
			if _, done := sweeps[name]; done || name == "lines" && s.set != "curves" {
				continue
			}
			set, err := stimuli.Lookup(name, size)
			if err != nil {
				return nil, nil, err
			}
			r, err := sweep(p.sess, p.net.Manifest, set.Len(), func(i int) (*stimuli.Image, error) { return set.Render(i), nil }, p.outs,
				p.progress(label+name), p.window, p.opt.Runtime.BatchSize())
			if err != nil {
				return nil, nil, err
			}
			sweeps[name], setOf[name] = r, set
		}
	}
	return sweeps, setOf, nil
}
