package verify

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/circc/circc/compiler/experiment"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/stimuli"
)

// analyse measures a family's hand-made units and pairs them one to one
// with the members of its kind in the natural layer (pairAmong: by
// orientation, the strongest first); a hand-made unit left without a
// member says "none". An explicit channel list pairs as listed, each pair
// genuine when its channel is a member.
func analyse(s *matchSpec, sets map[string]*stimuli.Set, sweeps map[string]Responses, photos Responses, photoNames []string, k int, ev *LayerEvidence) *Family {
	// ev is the natural layer's evidence for this kind (nil: none asked).
	kind := KindOf(s.set)
	set := sets[s.set]
	hOut := reference.Prefix + "circuit/" + s.layer.Name
	nOrient := len(set.Axes[0].Values)
	f := &Family{Family: s.family, Layer: s.layer.Name, NaturalLayer: s.natLayer, Stimuli: set.Name, Pos: s.match.String(),
		Matching: MatchExplicit, Orientations: set.Axes[0].Values, Kind: kind.Set, Rules: kind.rules(), PeriodDeg: set.PeriodDeg}
	if len(set.Axes) > 1 {
		f.OtherAxis = Axis{set.Axes[1].Name, set.Axes[1].Values}
	}
	hand := make([]Tuning, len(s.units))
	for i, u := range s.units {
		var l []float64
		if lines := sweeps["lines"]; lines != nil && s.set == "curves" {
			l = columnOf(lines[hOut], u.Index)
		}
		hand[i] = tuning(columnOf(sweeps[s.set][hOut], u.Index), nOrient, set.PeriodDeg, l)
	}
	members, readings := countMembers(kind, sets, natural(sweeps, s.tensor))
	f.Members = members
	for c, r := range readings {
		if kind.Member(r) {
			f.MemberList = append(f.MemberList, Member{Unit: fmt.Sprintf("%s:%d", s.natLayer, c), Channel: c, Strength: r.Strength, PreferredDeg: r.PreferredDeg})
		}
	}
	sort.SliceStable(f.MemberList, func(i, j int) bool { return float64(f.MemberList[i].Strength) > float64(f.MemberList[j].Strength) })
	if ev != nil {
		f.Layers = []LayerEvidence{*ev}
		f.Found = &ev.Found
	}
	// The candidates: the listed channels, else the layer's members.
	cands := s.channels
	if cands == nil {
		f.Matching = MatchAuto
		for c, r := range readings {
			if kind.Member(r) {
				cands = append(cands, c)
			}
		}
	}
	partner := make([]int, len(s.units)) // index into cands, -1: none
	for i := range partner {
		partner[i] = i
	}
	if s.channels == nil {
		partner = pairAmong(hand, readings, cands, set.PeriodDeg)
	}
	var hp, np, nw []float64
	for i, u := range s.units {
		p := &Pair{Unit: u.Name, Natural: "none", Channel: -1, PearsonR: Float(math.NaN()), OrientationErrorDeg: Float(math.NaN()), Handmade: hand[i]}
		f.Pairs = append(f.Pairs, p)
		hp = append(hp, float64(hand[i].PreferredDeg))
		if !math.IsNaN(u.EquivarianceError) {
			e := u.EquivarianceError
			if f.EquivarianceError == nil || e > *f.EquivarianceError {
				f.EquivarianceError = &e
			}
		}
		if partner[i] < 0 {
			p.NotGenuine = fmt.Sprintf("no member of %s's %s family within %s of its orientation left to pair (%s)", s.natLayer, kind.Set, deg(Float(set.PeriodDeg/float64(len(s.units)))), diag.Count(members, "member"))
			continue
		}
		c := cands[partner[i]]
		nat := readings[c]
		p.Natural, p.Channel, p.NaturalTuning, p.NaturalReading = fmt.Sprintf("%s:%d", s.natLayer, c), c, nat.Tuning, nat
		p.PearsonR = Float(pearson(hand[i].Map, nat.Map))
		p.OrientationErrorDeg = Float(angleDiff(float64(hand[i].PreferredDeg), float64(nat.PreferredDeg), f.PeriodDeg))
		if why := kind.Fails(nat); len(why) > 0 {
			p.NotGenuine = "not a member: " + strings.Join(why, ", ")
		} else {
			p.Genuine = true
		}
		if photos != nil {
			ht := TopK(columnOf(photos[hOut], u.Index), k)
			nt := TopK(columnOf(photos[s.tensor], c), k)
			ov := overlap(ht, nt)
			p.Overlap = &ov
			for _, x := range ht {
				p.HandTop = append(p.HandTop, photoNames[x])
			}
			for _, x := range nt {
				p.NaturalTop = append(p.NaturalTop, photoNames[x])
			}
		}
		np = append(np, float64(nat.PreferredDeg))
		nw = append(nw, float64(nat.WidthDeg))
	}
	recount([]*Family{f})
	f.SpacingErrorDeg, f.NaturalSpacingErrorDeg = Float(spacingError(hp, f.PeriodDeg)), Float(spacingError(np, f.PeriodDeg))
	f.Coverage = Float(coverage(np, nw, f.PeriodDeg))
	return f
}

// Member is one natural unit that passes its kind's tests.
type Member struct {
	Unit         string `json:"unit"`
	Channel      int    `json:"channel"`
	Strength     Float  `json:"strength"`
	PreferredDeg Float  `json:"preferred_deg"`
}

// natural gathers one natural tensor's responses to every set swept (and
// to the photos, read at the same cells), by set name.
func natural(sweeps map[string]Responses, tensor string) map[string][][]float32 {
	r := map[string][][]float32{}
	for name, res := range sweeps {
		r[name] = res[tensor]
	}
	return r
}

// pairAmong pairs hand-made units with candidate channels one to one,
// without templates: each unit with a member whose preferred orientation
// lies within one step of the hand-made family's spacing of its own, the
// pairing that takes the strongest members (the greatest total strength,
// each member's relative to the strongest), with the response maps'
// correlation only to break ties. Without photos there is no strength,
// and the correlation decides among the members in reach. Each unit gets
// an index into cands, or -1 when no member within reach is left.
func pairAmong(hand []Tuning, readings []*Reading, cands []int, period float64) []int {
	out := make([]int, len(hand))
	for i := range out {
		out[i] = -1
	}
	if len(cands) == 0 {
		return out
	}
	top := 0.0
	for _, c := range cands {
		top = math.Max(top, float64(readings[c].Strength))
	}
	reach := period / float64(len(hand))
	const unreachable = -1e6
	score := make([][]float64, len(hand))
	for i := range score {
		score[i] = make([]float64, len(cands))
		for j, c := range cands {
			r := pearson(hand[i].Map, readings[c].Map)
			if math.IsNaN(r) {
				r = -1
			}
			st := float64(readings[c].Strength) / top
			if score[i][j] = st + 1e-3*r; !(top > 0) || math.IsNaN(st) {
				score[i][j] = r // no strength: resemblance decides among the members in reach
			}
			if angleDiff(float64(hand[i].PreferredDeg), float64(readings[c].PreferredDeg), period) > reach {
				score[i][j] = unreachable
			}
		}
	}
	if len(hand) <= len(cands) {
		out = assign(score)
	} else {
		// Fewer members than units: give each member a unit (assign on
		// the transposed scores).
		t := make([][]float64, len(cands))
		for j := range t {
			t[j] = make([]float64, len(hand))
			for i := range hand {
				t[j][i] = score[i][j]
			}
		}
		for j, i := range assign(t) {
			out[i] = j
		}
	}
	for i, j := range out {
		if j >= 0 && score[i][j] == unreachable {
			out[i] = -1
		}
	}
	return out
}

// reduceSearches analyses every spec in order and reduces the layers of
// each search (consecutive specs of one match) to one family: in the
// found layer with the most excess members over its null (else, with
// none found, the layer with the most excess), with every layer's
// evidence, ordered, and the comparison of the best two.
func reduceSearches(specs []*matchSpec, analyse func(*matchSpec) *Family) []*Family {
	var fams, layers []*Family
	var match *experiment.Match
	for i, s := range specs {
		f := analyse(s)
		if !s.search {
			fams = append(fams, f)
			continue
		}
		layers, match = append(layers, f), s.match
		if i+1 == len(specs) || specs[i+1].match != match {
			fams = append(fams, bestLayer(layers))
			layers = nil
		}
	}
	return fams
}

// bestLayer is a search's family in its chosen layer, with the evidence
// and resemblance of every layer.
func bestLayer(layers []*Family) *Family {
	var all []LayerEvidence
	var profile []LayerScore
	byLayer := map[string]*Family{}
	for _, f := range layers {
		byLayer[f.NaturalLayer] = f
		if len(f.Layers) > 0 {
			all = append(all, f.Layers[0])
		}
		var r, e float64
		n := 0
		for _, p := range f.Pairs {
			if p.Channel >= 0 {
				r += float64(p.PearsonR)
				e += float64(p.OrientationErrorDeg)
				n++
			}
		}
		ls := LayerScore{Layer: f.NaturalLayer, MeanR: Float(math.NaN()), Coverage: f.Coverage, OrientationError: Float(math.NaN())}
		if n > 0 {
			ls.MeanR, ls.OrientationError = Float(r/float64(n)), Float(e/float64(n))
		}
		profile = append(profile, ls)
	}
	ordered, versus := compareBest(all)
	best := layers[0]
	for _, e := range ordered {
		if e.Found {
			best = byLayer[e.Layer]
			break
		}
	}
	if best == layers[0] && len(ordered) > 0 && !ordered[0].Found {
		best = byLayer[ordered[0].Layer]
	}
	best.Matching = MatchSearch
	best.Profile = profile
	best.Layers = ordered
	best.Versus = versus
	found := false
	for _, e := range ordered {
		if e.Layer == best.NaturalLayer {
			found = e.Found
		}
	}
	best.Found = &found
	return best
}

// exclusive keeps a natural unit in one family of a layer: where two
// families' pairs share a unit, the pair with the lower correlation gives
// it up and says so (families of different kinds never share one: their
// tests exclude each other).
func exclusive(fams []*Family) {
	type key struct {
		layer string
		ch    int
	}
	owner := map[key]*Pair{}
	for _, f := range fams {
		for _, p := range f.Pairs {
			if p.Channel < 0 {
				continue
			}
			k := key{f.NaturalLayer, p.Channel}
			if o, ok := owner[k]; ok {
				loser := p
				if float64(p.PearsonR) > float64(o.PearsonR) {
					loser, owner[k] = o, p
				}
				loser.Genuine = false
				loser.NotGenuine = fmt.Sprintf("%s serves another family better", loser.Natural)
				continue
			}
			owner[k] = p
		}
	}
	recount(fams)
}

// recount sums each family's genuine pairs and their mean r.
func recount(fams []*Family) {
	for _, f := range fams {
		f.Genuine = 0
		r := 0.0
		for _, p := range f.Pairs {
			if p.Genuine {
				f.Genuine++
				r += float64(p.PearsonR)
			}
		}
		f.GenuineMeanR = Float(math.NaN())
		if f.Genuine > 0 {
			f.GenuineMeanR = Float(r / float64(f.Genuine))
		}
	}
}
