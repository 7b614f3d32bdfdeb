package verify

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/circc/circc/stimuli"
)

// Reading is what a natural unit's own responses say about whether it is
// a member of a family: its tuning over the family's stimulus set and the
// figures the family kind's tests read.
type Reading struct {
	Tuning
	// Strength is the unit's strongest response to the set over its
	// strongest to the photos, read at the same cells (NaN without photos).
	Strength Float `json:"strength"`
	// Radii counts the values of the set's second axis (a curve's radius)
	// at which the unit answers with a quarter of its peak or more;
	// RadiusSpreadDeg is the largest difference between the preferred
	// orientation at one of those reaching half the peak and the overall
	// one.
	Radii           int   `json:"radii_answered"`
	RadiusSpreadDeg Float `json:"radius_spread_deg"`
	// Contrast is, for a kind that must beat other sets (lines over curves
	// and edges), its best response to the set over its best to any of
	// them (+Inf when those are silent).
	Contrast Float `json:"contrast"`
	// RatioContrast is, for the high-low set, the best response to a
	// boundary between textures of different frequency (ratio ≥ 4) over
	// the best to the same texture on both sides (ratio 1).
	RatioContrast Float `json:"ratio_contrast,omitempty"`
}

// MemberTest is one test a unit must pass to be a member: Fails says why
// a reading fails it ("" when it passes).
type MemberTest struct {
	Name   string
	Rule   string // the rule, as spec.md states it
	Source string // where the threshold comes from
	Fails  func(r *Reading) string
}

// Kind is what makes a natural unit a member of a family read with one
// stimulus set: the sets whose responses the tests also need, and the
// tests. The template correlation between a member and its hand-made
// partner measures resemblance; it is no part of membership.
type Kind struct {
	Set      string
	Contrast []string // other sets the unit's best response must beat
	Tests    []MemberTest
}

// The thresholds of membership, each anchored to a named reference.
const (
	// MinStrength: a member answers its stimuli at least a quarter as
	// strongly as the photos that excite it most at the same cells: a
	// unit that only answers something else (a face, a texture) is not
	// what the stimuli show.
	MinStrength = 0.25
	// MinWidthDeg, MaxWidthDeg: a member is tuned like the curve
	// detectors the Curve Detectors article studied in mixed3b, whose
	// widths span 28.5° to 68.5° (../shared/data/lucid-curve-tuning.json):
	// that range widened on each side by a quarter of its median (49.5°),
	// so neither a unit that answers one stimulus nor one that answers
	// every orientation passes.
	MinWidthDeg = 16.0
	MaxWidthDeg = 81.0
	// MaxEcho: a curve detector answers the opposite orientation with at
	// most this share of its peak: the midpoint between the largest echo
	// of the article's mixed3b curve detectors (0.028) and the smallest
	// of its mixed3a early curves (0.037), which "still have echoes".
	MaxEcho = 0.033
	// MinCurvePreference: a curve detector's best curve beats its best
	// straight line by this factor (the article: curve detectors answer
	// lines weakly).
	MinCurvePreference = 1.25
	// MinRadii, MaxRadiusSpreadDeg: a curve detector answers curves of at
	// least two of the three radii, with the same preferred orientation
	// at each within 30°, about half the article's median width (49.5°).
	MinRadii           = 2
	MaxRadiusSpreadDeg = 30.0
	// MinContrast: a line detector's best line beats its best curve and
	// its best edge by this factor.
	MinContrast = 1.25
	// MinRatioContrast: a high-low detector answers a boundary between
	// fine and coarse texture at least twice as strongly as the same
	// texture on both sides (High-Low Frequency Detectors: they detect the
	// boundary, not the texture).
	MinRatioContrast = 2.0
	// MaxHighLowEcho: and prefers the fine side on one side: turned half a
	// turn (the sides swapped) it answers at most half as strongly.
	MaxHighLowEcho = 0.5
)

var (
	testStrength = MemberTest{Name: "strength", Rule: fmt.Sprintf("best response to the set ≥ %g × best response to the photos at the same cells", MinStrength),
		Source: "a quarter of the unit's own best photo response",
		Fails: func(r *Reading) string {
			if st := float64(r.Strength); !(st >= MinStrength) && !math.IsNaN(st) {
				return fmt.Sprintf("answers the set at %.2f of its best photo", r.Strength)
			}
			return ""
		}}
	testSelective = MemberTest{Name: "selective", Rule: fmt.Sprintf("tuning width %g° to %g°", MinWidthDeg, MaxWidthDeg),
		Source: "the article's mixed3b curve detectors' widths, 28.5° to 68.5°, widened by a quarter of their median",
		Fails: func(r *Reading) string {
			if w := float64(r.WidthDeg); !(w >= MinWidthDeg && w <= MaxWidthDeg) {
				return fmt.Sprintf("width %.0f°", w)
			}
			return ""
		}}
	testEcho = MemberTest{Name: "echo", Rule: fmt.Sprintf("echo ≤ %g", MaxEcho),
		Source: "twice the largest echo of the article's mixed3b curve detectors (0.028)",
		Fails: func(r *Reading) string {
			if e := float64(r.Echo); !(e <= MaxEcho) {
				return fmt.Sprintf("echo %.2f", e)
			}
			return ""
		}}
	testCurvesOverLines = MemberTest{Name: "curves over lines", Rule: fmt.Sprintf("best curve ≥ %g × best line", MinCurvePreference),
		Source: "Curve Detectors: curve detectors answer straight lines weakly",
		Fails: func(r *Reading) string {
			if c := float64(r.CurvePreference); !(c >= MinCurvePreference) {
				return fmt.Sprintf("curves only %.2f× lines", c)
			}
			return ""
		}}
	testRadii = MemberTest{Name: "every radius", Rule: fmt.Sprintf("answers ≥ %d radii, preferred orientations within %g°", MinRadii, MaxRadiusSpreadDeg),
		Source: "Curve Detectors: the preference does not depend on curvature; half the article's median width",
		Fails: func(r *Reading) string {
			if r.Radii < MinRadii {
				return fmt.Sprintf("answers %d radius", r.Radii)
			}
			if float64(r.RadiusSpreadDeg) > MaxRadiusSpreadDeg {
				return fmt.Sprintf("preference moves %.0f° with the radius", r.RadiusSpreadDeg)
			}
			return ""
		}}
	testContrast = MemberTest{Name: "contrast", Rule: fmt.Sprintf("best response ≥ %g × best response to each contrast set", MinContrast),
		Source: "the same factor as curves over lines",
		Fails: func(r *Reading) string {
			if !(float64(r.Contrast) >= MinContrast) {
				return fmt.Sprintf("only %.2f× the contrast sets", r.Contrast)
			}
			return ""
		}}
)

var (
	testRatio = MemberTest{Name: "frequency boundary", Rule: fmt.Sprintf("best response at a frequency ratio of 4 or more ≥ %g × best at ratio 1", MinRatioContrast),
		Source: "High-Low Frequency Detectors: the unit detects the boundary between frequencies, not a texture",
		Fails: func(r *Reading) string {
			if !(float64(r.RatioContrast) >= MinRatioContrast) {
				return fmt.Sprintf("boundary only %.2f× uniform texture", float64(r.RatioContrast))
			}
			return ""
		}}
	testSides = MemberTest{Name: "sided", Rule: fmt.Sprintf("echo ≤ %g", MaxHighLowEcho),
		Source: "High-Low Frequency Detectors: the high-frequency side is one side",
		Fails: func(r *Reading) string {
			if e := float64(r.Echo); !(e <= MaxHighLowEcho) {
				return fmt.Sprintf("echo %.2f", e)
			}
			return ""
		}}
)

// kinds is the one table of family kinds, by stimulus set. A set without
// an entry gets the generic kind: strength and selectivity.
var kinds = map[string]*Kind{
	"curves":  {Set: "curves", Contrast: []string{"lines"}, Tests: []MemberTest{testStrength, testSelective, testEcho, testCurvesOverLines, testRadii}},
	"lines":   {Set: "lines", Contrast: []string{"curves"}, Tests: []MemberTest{testStrength, testSelective, testContrast}},
	"highlow": {Set: "highlow", Tests: []MemberTest{testStrength, testSelective, testSides, testRatio}},
}

// KindOf is the family kind read with a stimulus set.
func KindOf(set string) *Kind {
	if k, ok := kinds[set]; ok {
		return k
	}
	return &Kind{Set: set, Tests: []MemberTest{testStrength, testSelective}}
}

// Fails lists the tests a reading fails, with the figure that fails each.
func (k *Kind) Fails(r *Reading) []string {
	var why []string
	for _, t := range k.Tests {
		if s := t.Fails(r); s != "" {
			why = append(why, s)
		}
	}
	return why
}

// Member says whether a reading passes every test.
func (k *Kind) Member(r *Reading) bool { return len(k.Fails(r)) == 0 }

// read measures one unit for membership: resp are its responses to the
// kind's set, contrast to each contrast set (in Kind.Contrast's order),
// photos to the photos (nil: none). For curves, the lines are the
// contrast and also give the curve preference.
func (k *Kind) read(sets map[string]*stimuli.Set, resp []float64, contrast [][]float64, photos []float64) *Reading {
	set := sets[k.Set]
	nO := len(set.Axes[0].Values)
	var lines []float64
	if k.Set == "curves" && len(contrast) > 0 {
		lines = contrast[0]
	}
	r := &Reading{Tuning: tuning(resp, nO, set.PeriodDeg, lines), Strength: Float(math.NaN()), Contrast: Float(math.Inf(1))}
	if photos != nil {
		best := 0.0
		for _, v := range photos {
			best = math.Max(best, v)
		}
		if best > 0 {
			r.Strength = Float(r.Peak / best)
		} else {
			r.Strength = Float(math.Inf(1))
		}
	}
	for i, c := range contrast {
		// The contrast is taken at the unit's own orientation (and its
		// half-turn): a line detector must beat a tight curve and an edge
		// that lie as its best line does, not every shape.
		best := sameOrientation(c, sets[k.Contrast[i]], float64(r.PreferredDeg), contrastTightRadii)
		if best > 0 {
			r.Contrast = Float(math.Min(float64(r.Contrast), r.Peak/best))
		}
	}
	if k.Set == "highlow" {
		r.RatioContrast = Float(ratioContrast(resp, set))
	}
	radii, spread := radiusAgreement(resp, nO, set.PeriodDeg, r)
	r.Radii, r.RadiusSpreadDeg = radii, Float(spread)
	return r
}

// radiusAgreement reads, along a set's second axis, at how many values
// the unit answers (a quarter of its peak) and how far its preferred
// orientation there (smoothed over ±5 steps) moves from the overall one
// where it answers with half its peak. A set with one axis counts as one
// value that agrees.
func radiusAgreement(resp []float64, nO int, period float64, r *Reading) (int, float64) {
	per := len(resp) / nO
	if per == 0 || r.Peak <= 0 {
		return 0, 0
	}
	step := period / float64(nO)
	answered, spread := 0, 0.0
	for k := 0; k < per; k++ {
		best, bv, top := 0, math.Inf(-1), 0.0
		for o := 0; o < nO; o++ {
			v := 0.0
			for d := -5; d <= 5; d++ {
				v += resp[((o+d+nO)%nO)*per+k]
			}
			if v > bv {
				best, bv = o, v
			}
			top = math.Max(top, resp[o*per+k])
		}
		if top >= r.Peak/4 {
			answered++
		}
		if top >= r.Peak/2 {
			spread = math.Max(spread, angleDiff(float64(best)*step, float64(r.PreferredDeg), period))
		}
	}
	return answered, spread
}

// rules describes a kind's tests for reports: "name (rule)", joined.
func (k *Kind) rules() string {
	var out []string
	for _, t := range k.Tests {
		out = append(out, t.Name+" ("+t.Rule+")")
	}
	return strings.Join(out, "; ")
}

// contrastTightRadii is how many of a contrast set's second-axis values,
// from the first, count: the curves of 30 and 60 px, not the gentle ones
// that look straight across a unit's field.
const contrastTightRadii = 1

// sameOrientation is the largest response of a set's stimuli within 10° of
// an orientation or its half-turn, over the first n values of the second
// axis (all when the set has fewer).
func sameOrientation(resp []float64, set *stimuli.Set, deg float64, n int) float64 {
	if set == nil || math.IsNaN(deg) {
		return 0
	}
	os := set.Axes[0].Values
	per := len(resp) / len(os)
	best := 0.0
	for i, o := range os {
		if angleDiff(o, deg, 180) > 10 {
			continue
		}
		for k := 0; k < min(n, per); k++ {
			best = math.Max(best, resp[i*per+k])
		}
	}
	return best
}

// ratioContrast is the best response at a second-axis value (the high-low
// set's frequency ratio) of 4 or more over the best at the first value
// (ratio 1: the same texture on both sides).
func ratioContrast(resp []float64, set *stimuli.Set) float64 {
	if len(set.Axes) < 2 {
		return math.NaN()
	}
	vals := set.Axes[1].Values
	per := len(vals)
	boundary, uniform := 0.0, 0.0
	for i, v := range resp {
		switch k := i % per; {
		case k == 0:
			uniform = math.Max(uniform, v)
		case vals[k] >= 4:
			boundary = math.Max(boundary, v)
		}
	}
	if uniform <= 0 {
		return math.Inf(1)
	}
	return boundary / uniform
}

// Membership is one unit's verdict for one family kind of the table.
type Membership struct {
	Kind    string   `json:"kind"`
	Member  bool     `json:"member"`
	Fails   []string `json:"fails,omitempty"`
	Reading *Reading `json:"reading"`
}

// Classify reads one unit against every kind of the table whose sets
// resp holds (its responses to each set, at one cell), in the table's
// order of set names; photoBest is its best response to the photos at
// the same cell (NaN: no photos, and the strength test passes).
func Classify(sets map[string]*stimuli.Set, resp map[string][]float64, photoBest float64) []Membership {
	var names []string
	for name := range kinds {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []Membership
	for _, name := range names {
		k := kinds[name]
		if resp[k.Set] == nil || sets[k.Set] == nil {
			continue
		}
		var contrast [][]float64
		missing := false
		for _, c := range k.Contrast {
			contrast = append(contrast, resp[c])
			missing = missing || resp[c] == nil || sets[c] == nil
		}
		if missing {
			continue
		}
		var photos []float64
		if !math.IsNaN(photoBest) {
			photos = []float64{photoBest}
		}
		r := k.read(sets, resp[k.Set], contrast, photos)
		fails := k.Fails(r)
		out = append(out, Membership{Kind: k.Set, Member: len(fails) == 0, Fails: fails, Reading: r})
	}
	return out
}
