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
	Window    int     // readout block side (1: the centre unit; 0: position-tolerant, see readWindows)
	Stroke    float64 // stroke width of curves, lines and angles in pixels (0: stimuli.StrokeWidth)
	Photos    int     // dataset photos for top-photo overlap (0: none)
	TopK      int     // top photos per unit
	// Progress, when set, is told how far each stage is: a stimulus set by
	// its name, "photos", or "loading MODEL" (which counts nothing); the
	// control network's stages begin with "control: ".
	Progress func(stage string, done, total int)
	// NullSeeds is how many shuffles of each layer's own weights make its
	// null (0: NullSeeds; negative: no null, and no layer is found).
	NullSeeds int
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
	Natural             string   `json:"natural"` // LAYER:CHANNEL, or "none"
	Channel             int      `json:"channel"` // -1 for none
	PearsonR            Float    `json:"pearson_r"`
	OrientationErrorDeg Float    `json:"orientation_error_deg"`
	Overlap             *float64 `json:"overlap,omitempty"`
	Handmade            Tuning   `json:"handmade"`
	NaturalTuning       Tuning   `json:"natural_tuning"`
	// NaturalReading holds the figures the membership tests read.
	NaturalReading *Reading `json:"natural_reading,omitempty"`
	// Genuine says whether the natural unit is a member of the family's
	// kind (Kind's tests; pairs are made among members only, so a pair
	// is genuine unless it has no partner); NotGenuine says why not.
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
	// Kind names the membership tests (the stimulus set's); Members
	// counts the natural layer's units that pass them.
	Kind    string `json:"kind"`
	Rules   string `json:"rules"`
	Members int    `json:"members"`
	// MemberList is every member of the natural layer with its strength,
	// strongest first: the template-free scan the pairs are drawn from.
	MemberList []Member `json:"member_list,omitempty"`
	// Layers holds each layer's members against its layer-only null,
	// ordered by excess (a search: every layer; else the one matched);
	// Found says whether the natural layer is found by the rule (FoundZ…),
	// and Versus compares the two layers with the most excess.
	Layers []LayerEvidence `json:"layers,omitempty"`
	Found  *bool           `json:"found,omitempty"`
	Versus *Comparison     `json:"versus,omitempty"`
	// Profile is a search's resemblance by layer: the mean r of the
	// family's pairs there (among members).
	Profile []LayerScore `json:"profile,omitempty"`
	// Genuine counts the pairs with a member partner; GenuineMeanR is
	// their mean r. The other hand-made units found none.
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
	// Robustness holds the verdicts under other readouts (verify
	// --robustness).
	Robustness *Robustness `json:"robustness,omitempty"`
	Stimuli    int         `json:"stimuli"`
	Photos     int         `json:"photos"`
	Seconds    float64     `json:"seconds"`
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
	if opt.NullSeeds == 0 {
		opt.NullSeeds = NullSeeds
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
	windows, err := readWindows(net.Model, tensorsOf(specs), opt.Window)
	if err != nil {
		return nil, nil, err
	}
	plans := map[string]*nullPlan{}
	for i, t := range tensorsOf(specs) {
		if opt.NullSeeds > 0 {
			plans[t] = planNull(net, t, windows[i])
		}
	}
	pr, ds, err := newProbe(fs, res, net, specs, opt, plans)
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
	var photoItems []datasets.Item
	var reader *datasets.Reader
	if opt.Photos > 0 {
		items, err := datasets.ImageNetSample(fs, datasets.Dir(opt.DataDir, "imagenet-sample"))
		if err != nil {
			return nil, nil, fmt.Errorf("%w (or run with --photos 0)", err)
		}
		step := max(len(items)/opt.Photos, 1)
		for i := 0; i < len(items) && len(photoItems) < opt.Photos; i += step {
			photoItems = append(photoItems, items[i])
			photoNames = append(photoNames, items[i].Name)
		}
		// Each photo is read twice: at the cells the stimuli are read at
		// (for membership), and anywhere on the map (for top photos).
		var uses []datasets.Item
		uses = append(append(uses, photoItems...), photoItems...)
		reader = datasets.NewReader(fs, uses)
		photo := func(i int) (*stimuli.Image, error) {
			img, err := reader.Decode(photoItems[i].Path)
			if err != nil {
				return nil, err
			}
			return stimuli.FromImage(img, size)
		}
		if sweeps["photos"], err = sweep(pr.sess, net.Manifest, len(photoItems), photo, pr.reads, pr.progress("photos"), pr.window, opt.Runtime.BatchSize()); err != nil {
			return nil, nil, err
		}
		ps, err := pr.photoSession()
		if err != nil {
			return nil, nil, err
		}
		if photos, err = sweep(ps, net.Manifest, len(photoItems), photo, pr.outs, pr.progress("photos"), crop{}, opt.Runtime.BatchSize()); err != nil {
			return nil, nil, err
		}
		rep.Photos = len(photoItems)
	}
	evidence, err := layerEvidence(net, specs, plans, setOf, sweeps, photoItems, reader, opt)
	if err != nil {
		return nil, nil, err
	}
	rep.Families = reduceSearches(specs, func(s *matchSpec) *Family {
		return analyse(s, setOf, sweeps, photos, photoNames, opt.TopK, evidence[evidenceKey(s)])
	})
	exclusive(rep.Families)
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
	recount(rep.Families)
	if opt.Progress != nil {
		opt.Progress("weights between matched families", 0, 1)
	}
	if rep.Connections, err = connections(res, net, rep.Families); err != nil {
		return nil, nil, err
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

// LayerScore is one layer's resemblance in a search: how well the
// family's units pair with the layer's members.
type LayerScore struct {
	Layer            string  `json:"layer"`
	MeanR            Float   `json:"mean_r"` // NaN (null) when the layer has no members
	Coverage         float64 `json:"coverage"`
	OrientationError Float   `json:"mean_orientation_error_deg"`
}

// tensorsOf lists the natural tensors the specs read, once each, in order.
func tensorsOf(specs []*matchSpec) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range specs {
		if !seen[s.tensor] {
			out, seen[s.tensor] = append(out, s.tensor), true
		}
	}
	return out
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

// metricValues returns the values a claim's metric takes in a family.
func metricValues(f *Family, metric string) ([]float64, error) {
	var v []float64
	for _, p := range f.Pairs {
		if p.Channel < 0 && (metric == "pearson_r" || metric == "orientation_error" || metric == "overlap") {
			continue // a hand-made unit without a natural partner
		}
		switch metric {
		case "pearson_r":
			v = append(v, float64(p.PearsonR))
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

// probe is a session on the reference network (or its control) cut at the
// tensors the specs read, with the circuit beside it. Stimuli run through
// the smallest centred window of the input that gives the same centre
// cells (crop); photos, read anywhere on the map, through the full size.
type probe struct {
	net     *reference.Net
	model   *onnx.Model // the reference with the circuit beside it
	outs    []string    // the tensors read
	reads   []string    // what the centre session reads: outs, then the blocks below layers (TENSOR/block)
	sess    *ort.Session
	window  crop  // the part of the input sess takes; zero: all of it
	windows []int // each output's block of cells
	blocks  []string
	sides   []int // each block's side
	photos  *ort.Session
	opt     Options
}

// newProbe opens the session that reads the specs' natural tensors and the
// circuit's layers, each over its block of centre cells, and for each
// null plan whose block reads a layer below, that layer's centre block in
// full (TENSOR/block), on which the null's block runs.
func newProbe(fs afero.Fs, res *compiler.Result, net *reference.Net, specs []*matchSpec, opt Options, plans map[string]*nullPlan) (*probe, diag.List, error) {
	var layers []string
	seen := map[string]bool{}
	for _, s := range specs {
		if !seen["circuit:"+s.layer.Name] {
			layers, seen["circuit:"+s.layer.Name] = append(layers, s.layer.Name), true
		}
	}
	model, outs, ds, err := net.Beside(fs, res, tensorsOf(specs), layers)
	if ds != nil || err != nil {
		return nil, ds, err
	}
	p := &probe{net: net, outs: outs, model: model, opt: opt}
	size := net.Manifest.Input.Size[0]
	channels := len(net.Manifest.Input.Channels)
	if p.windows, err = readWindows(model, outs, opt.Window); err != nil {
		return nil, nil, err
	}
	side := map[string]int{}
	for _, t := range tensorsOf(specs) {
		if pl := plans[t]; pl != nil && pl.noNull == "" && !pl.image {
			if side[pl.block.Input] != 0 && side[pl.block.Input] != pl.side {
				pl.noNull = "its input is another layer's at another size" // not with these models' blocks
				continue
			}
			if side[pl.block.Input] == 0 {
				p.blocks, p.sides = append(p.blocks, pl.block.Input), append(p.sides, pl.side)
			}
			side[pl.block.Input] = pl.side
		}
	}
	p.reads = append(append([]string(nil), outs...), blockNames(p.blocks)...)
	in := size
	if !opt.FullSize {
		// Only the centre blocks are read: compute them on the smallest
		// window of the input that gives the same values.
		all := append(append([]string(nil), outs...), p.blocks...)
		if w, ok := model.CentreCropWindows(all, append(append([]int(nil), p.windows...), p.sides...), channels, size); ok {
			p.window, in = w, w.Size
		}
	}
	if p.sess, err = p.session(in, p.windows, true); err != nil {
		return nil, nil, err
	}
	return p, nil, nil
}

// blockNames are the outputs ReadBlocks names.
func blockNames(tensors []string) []string {
	var out []string
	for _, t := range tensors {
		out = append(out, t+"/block")
	}
	return out
}

// TolerancePx is how far from the image centre, in pixels, position-
// tolerant reading looks for the unit a stimulus reaches (see readWindows).
const TolerancePx = 16

// readWindows is the side of the block of cells each output is read over:
// window for every output when it is given (1: the centre cell), else
// position-tolerant reading, sized from the output's stride in input
// pixels: round(TolerancePx / stride) cells, at least 1 (2 at stride 8,
// 4 at stride 4, 1 at stride 16 and more). A stimulus centred on the
// image then reaches the unit nearest to it whatever the layer's grid.
func readWindows(m *onnx.Model, outs []string, window int) ([]int, error) {
	out := make([]int, len(outs))
	if window > 0 {
		for i := range out {
			out[i] = window
		}
		return out, nil
	}
	fields, err := m.ReceptiveFields()
	if err != nil {
		return nil, err
	}
	for i, t := range outs {
		out[i] = 1
		if f, ok := fields[t]; ok && f.Jump[0] > 0 {
			out[i] = max(1, int(math.Round(TolerancePx/float64(f.Jump[0]))))
		}
	}
	return out, nil
}

// session opens the probe's model on a side×side input, reading each
// output's block of cells in the graph (windows[i] for output i; 0: the
// whole map) and, with blocks, the blocks below layers in full.
func (p *probe) session(side int, windows []int, blocks bool) (*ort.Session, error) {
	m := p.model.Clone()
	if err := m.SetInputShape(side, side); err != nil {
		return nil, err
	}
	input := []int64{1, int64(len(p.net.Manifest.Input.Channels)), int64(side), int64(side)}
	read, err := m.ReadWindowsEach(input, windows, p.outs...)
	if err != nil {
		return nil, err
	}
	if blocks && len(p.blocks) > 0 {
		more, err := m.ReadBlocks(input, p.sides, p.blocks...)
		if err != nil {
			return nil, err
		}
		read = append(read, more...)
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
		s, err := p.session(p.net.Manifest.Input.Size[0], make([]int, len(p.outs)), false)
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

// sweepSets runs one sweep per stimulus set the specs' family kinds need
// (their own sets and their contrast sets); label prefixes the progress
// stages.
func (p *probe) sweepSets(specs []*matchSpec, label string) (map[string]Responses, map[string]*stimuli.Set, error) {
	sweeps := map[string]Responses{}
	setOf := map[string]*stimuli.Set{}
	size := p.net.Manifest.Input.Size[0]
	for _, s := range specs {
		k := KindOf(s.set)
		for _, name := range append([]string{k.Set}, k.Contrast...) {
			if _, done := sweeps[name]; done {
				continue
			}
			stroke := p.opt.Stroke
			if stroke == 0 {
				stroke = stimuli.StrokeWidth
			}
			set, err := stimuli.LookupStroke(name, size, stroke)
			if err != nil {
				return nil, nil, err
			}
			r, err := sweep(p.sess, p.net.Manifest, set.Len(), func(i int) (*stimuli.Image, error) { return set.Render(i), nil }, p.reads,
				p.progress(label+name), p.window, p.opt.Runtime.BatchSize())
			if err != nil {
				return nil, nil, err
			}
			sweeps[name], setOf[name] = r, set
		}
	}
	return sweeps, setOf, nil
}
