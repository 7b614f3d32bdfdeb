package verify

import (
	"math"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/reference"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/expand"
	"github.com/circc/circc/weights"
)

// TestEvidence: a count far above a tight null is found with a z, a
// p-value and an interval that say so; one inside its null is not; one
// with too few members, or without a null, never is; and a few seeds
// whose counts happen to agree cannot make a count significant that the
// same spread over 20 seeds makes significant. The quantiles of Student's
// t are checked against printed tables.
func TestEvidence(t *testing.T) {
	null := []int{10, 12, 9, 11, 10, 13, 8, 11, 10, 12, 9, 11, 10, 10, 12, 9, 11, 10, 11, 10}
	mean, sd := meanSD(null)
	if math.Abs(mean-10.45) > 1e-9 || math.Abs(sd-1.2344) > 1e-3 {
		t.Fatalf("mean %g sd %g", mean, sd)
	}
	e := evidence("a", 100, 30, null, "")
	if !e.Found || math.Abs(float64(e.Z)-(30-mean)/sd) > 1e-9 || math.Abs(float64(e.Excess)-19.55) > 1e-9 || !(float64(e.P) < 1e-6) {
		t.Errorf("30 against %.1f ± %.1f: %+v", mean, sd, e)
	}
	// The interval is the null mean's: t(0.975, 19 df) = 2.093 (tables).
	h := 2.093 * sd / math.Sqrt(20)
	if math.Abs(float64(e.CI[0])-(19.55-h)) > 1e-3 || math.Abs(float64(e.CI[1])-(19.55+h)) > 1e-3 {
		t.Errorf("interval %v, want 19.55 ± %.3f", e.CI, h)
	}
	// 14: t = z/√1.05 = 2.81 on 19 df, between the tables' 0.995 (2.861)
	// and 0.99 (2.539) quantiles: p between 0.005 and 0.01, not found.
	if e := evidence("b", 100, 14, null, ""); e.Found || !(float64(e.P) > 0.005 && float64(e.P) < 0.01) {
		t.Errorf("14 against %.1f ± %.1f: %+v", mean, sd, e)
	}
	if e := evidence("c", 100, 2, make([]int, 20), ""); e.Found || float64(e.Z) != 2 {
		t.Errorf("2 members over a null of zeros (sd floored at 1): %+v", e)
	}
	if e := evidence("d", 100, 40, nil, "no weights of its own"); e.Found || !math.IsNaN(float64(e.Z)) || !math.IsNaN(float64(e.P)) {
		t.Errorf("no null: %+v", e)
	}
	// 16 over 10.4 ± 1 (floored): t = 5.6/√1.2 = 5.1 on 4 df lies between
	// the tables' 0.995 (4.604) and 0.999 (7.173) quantiles, so 5 seeds do
	// not find it; over 20 seeds (t 5.5 on 19 df, past 0.9995's 3.883) do.
	few := []int{10, 11, 10, 11, 10}
	if e := evidence("e", 100, 16, few, ""); e.Found || !(float64(e.P) > 0.001 && float64(e.P) < 0.005) {
		t.Errorf("5 seeds: %+v", e)
	}
	var many []int
	for range 4 {
		many = append(many, few...)
	}
	if e := evidence("e", 100, 16, many, ""); !e.Found || !(float64(e.P) < 0.0005) {
		t.Errorf("20 seeds: %+v", e)
	}
}

// TestCompareBest: layers are ordered by excess, those without a null
// last, and the best two are a tie exactly when the interval of their
// difference, uncertain through the two null means, holds zero.
func TestCompareBest(t *testing.T) {
	tight := []int{5, 6, 4, 5, 5, 6, 4, 5, 5, 5}
	wide := []int{0, 20, 5, 15, 10, 2, 18, 8, 12, 10}
	a := evidence("a", 100, 40, tight, "")
	b := evidence("b", 100, 30, tight, "")
	c := evidence("c", 100, 43, wide, "")
	none := evidence("p", 100, 80, nil, "no weights of its own")
	order, v := compareBest([]LayerEvidence{none, b, a})
	if order[0].Layer != "a" || order[1].Layer != "b" || order[2].Layer != "p" || v.Best != "a" || v.Tie {
		t.Errorf("order %v, versus %+v", []string{order[0].Layer, order[1].Layer, order[2].Layer}, v)
	}
	// a − b: 10 ± t(0.975, 9 df) · √(1/10 + 1/10) = 10 ± 2.262 · 0.447.
	if math.Abs(float64(v.CI[0])-(10-2.262*math.Sqrt(0.2))) > 1e-3 {
		t.Errorf("interval %v", v.CI)
	}
	// a (35 over a tight null) against c (33 over a wide one, sd 6.6): 2 ± 4.8.
	if _, v := compareBest([]LayerEvidence{a, c}); v.Best != "a" || !v.Tie {
		t.Errorf("a against c is a tie: %+v", v)
	}
}

// TestOrientationRule: net weights that depend on the difference of
// orientations (excitation at 0, inhibition at 180°, plus noise) give a
// large η² and a small p; the same weights with the orientations
// scrambled, or pure noise, give a p that is not small.
func TestOrientationRule(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	var from, to []float64
	for i := 0; i < 24; i++ {
		from, to = append(from, float64(i)*15), append(to, float64(i)*15+3)
	}
	net := make([][]float64, len(to))
	noise := make([][]float64, len(to))
	for j := range to {
		for i := range from {
			d := (to[j] - from[i]) * math.Pi / 180
			net[j] = append(net[j], math.Cos(d)+rng.NormFloat64()*0.7)
			noise[j] = append(noise[j], rng.NormFloat64())
		}
	}
	r := orientationRule(net, from, to, 360)
	if float64(r.Eta2) < 0.3 || float64(r.P) > 0.001 || r.Verdict != "follows the orientation rule" || float64(r.Profile[0]) < 0.5 || float64(r.Profile[6]) > -0.5 {
		t.Errorf("planted rule: %+v", r)
	}
	if n := orientationRule(noise, from, to, 360); float64(n.P) < 0.05 || float64(n.Eta2) > 0.1 {
		t.Errorf("noise: %+v", n)
	}
}

// TestTileEquivariance: tiles made by turning one kernel with the units'
// orientations are equivariant far above the shuffled null; random tiles
// are not distinguishable from chance.
func TestTileEquivariance(t *testing.T) {
	n := 5
	base := make([]float64, n*n)
	for i := range base {
		base[i] = float64(i%n) - 2 + 0.3*float64(i/n)
	}
	var angles []float64
	for k := 0; k < 8; k++ {
		angles = append(angles, float64(k)*45)
	}
	o := weights.Orbit{Angles: angles, Keys: make([]string, 8), Period: 360, Step: 45}
	rng := rand.New(rand.NewSource(5))
	eq := make([][][]float64, 8)
	rnd := make([][][]float64, 8)
	for j := range eq {
		for i := range angles {
			// W(a → b) depends on b − a only, turned with a.
			d := []float64{1, 0.5, -0.2, -0.8, -1, -0.8, -0.2, 0.5}[(j-i+8)%8]
			k := make([]float64, n*n)
			for x := range k {
				k[x] = d * base[x]
			}
			eq[j] = append(eq[j], rotateTile(k, n, angles[i]))
			r := make([]float64, n*n)
			for x := range r {
				r[x] = rng.NormFloat64()
			}
			rnd[j] = append(rnd[j], r)
		}
	}
	e := tileEquivariance(eq, n, o, o)
	if e == nil || float64(e.Score) < 0.9 || float64(e.P) > 0.01 || e.Verdict != "equivariant" || float64(e.NullMean) > 0.5 {
		t.Errorf("equivariant tiles: %+v", e)
	}
	if r := tileEquivariance(rnd, n, o, o); r == nil || float64(r.P) < 0.05 || r.Verdict != "not distinguishable from chance" {
		t.Errorf("random tiles: %+v", r)
	}
}

// TestKindTests: each membership test fails a reading on exactly its own
// figure, and a reading inside every bound is a member.
func TestKindTests(t *testing.T) {
	good := func() *Reading {
		return &Reading{Tuning: Tuning{PreferredDeg: 40, WidthDeg: 45, Echo: 0.01, CurvePreference: 3, Peak: 1}, Strength: 0.8, Radii: 3, RadiusSpreadDeg: 10, Contrast: 2}
	}
	k := KindOf("curves")
	if !k.Member(good()) {
		t.Fatalf("a textbook curve detector fails: %v", k.Fails(good()))
	}
	for name, spoil := range map[string]func(r *Reading){
		"strength":          func(r *Reading) { r.Strength = 0.2 },
		"narrow":            func(r *Reading) { r.WidthDeg = 10 },
		"wide":              func(r *Reading) { r.WidthDeg = 120 },
		"echo":              func(r *Reading) { r.Echo = 0.2 },
		"curves over lines": func(r *Reading) { r.CurvePreference = 1.1 },
		"one radius":        func(r *Reading) { r.Radii = 1 },
		"moving preference": func(r *Reading) { r.RadiusSpreadDeg = 45 },
	} {
		r := good()
		spoil(r)
		if why := k.Fails(r); len(why) != 1 {
			t.Errorf("%s: fails %v, want exactly one test", name, why)
		}
	}
	lines := KindOf("lines")
	r := good()
	r.Contrast = 1.1
	if lines.Member(r) {
		t.Error("a line unit that does not beat a tight curve is a member")
	}
	if KindOf("gabors").Set != "gabors" || len(KindOf("gabors").Tests) != 2 {
		t.Error("the generic kind")
	}
}

func rotateTile(k []float64, n int, deg float64) []float64 { return expand.RotateKernel(k, n, deg) }

// TestAggregates: every claim aggregate on values with a NaN (left out),
// an even count (the median of the two middle values) and each operator,
// and the claim without an aggregate, which holds only if every value
// does and reports the worst.
func TestAggregates(t *testing.T) {
	v := []float64{4, math.NaN(), 1, 3, 2}
	for _, c := range []struct {
		agg, op string
		limit   float64
		want    float64
		ok      bool
	}{
		{"mean", "<", 3, 2.5, true},
		{"median", "==", 2.5, 2.5, true},
		{"min", ">=", 1, 1, true},
		{"max", "<", 4, 4, false},
		{"", "<", 5, 4, false}, // the NaN fails a claim on every value
		{"", ">", 0, 1, false},
	} {
		got, ok := aggregate(v, check.Aggregate(c.agg), c.op, c.limit)
		if got != c.want || ok != c.ok {
			t.Errorf("%q %s %g: %g %v, want %g %v", c.agg, c.op, c.limit, got, ok, c.want, c.ok)
		}
	}
	if got, ok := aggregate([]float64{1, 2, 3}, "", "<=", 3); got != 3 || !ok {
		t.Errorf("every value: %g %v", got, ok)
	}
	if got, ok := aggregate([]float64{5, 7, 6}, "median", ">", 5.5); got != 6 || !ok {
		t.Errorf("odd median: %g %v", got, ok)
	}
	if _, ok := aggregate([]float64{math.NaN()}, "mean", "<", 1); ok {
		t.Error("a claim on no value holds")
	}
}

// TestSkippedConnectionSaysWhy: two families matched in one natural layer
// have no natural weights between them, and the report says so instead of
// leaving the comparison out.
func TestSkippedConnectionSaysWhy(t *testing.T) {
	res := curvesAgainst(t, "inceptionv1.mixed3b")
	net, err := reference.Open(afero.NewOsFs(), "inceptionv1", sharedModels)
	if err != nil {
		t.Fatal(err)
	}
	fam := func(layer string, n int) *Family {
		f := &Family{Layer: layer, Family: "curve", NaturalLayer: "mixed3b", PeriodDeg: 360}
		for i := 0; i < n; i++ {
			f.Pairs = append(f.Pairs, &Pair{Natural: "mixed3b:" + strconv.Itoa(i), Channel: i})
		}
		return f
	}
	cs, err := connections(res, net, []*Family{fam("mixed3a", 24), fam("mixed3b", 24)})
	if err != nil || len(cs) != 1 || !strings.Contains(cs[0].Skipped, "both families are matched in mixed3b") {
		t.Fatalf("%v %+v", err, cs)
	}
	var b strings.Builder
	cs[0].WriteText(&b)
	if !strings.Contains(b.String(), "weights mixed3a.curve -> mixed3b.curve: not compared: both families") {
		t.Errorf("text %q", b.String())
	}
}

// TestPairAmongTakesTheStrongest: pairs are made by preferred orientation
// within one step of the hand-made spacing, taking the strongest members
// even where a weaker one resembles a unit more; a unit with no member in
// reach says none; without strengths the correlation decides.
func TestPairAmongTakesTheStrongest(t *testing.T) {
	tuned := func(deg float64, like, n int) Tuning {
		m := make([]float64, n)
		for i := range m {
			m[i] = 0.1
		}
		m[like] = 1
		return Tuning{PreferredDeg: Float(deg), Map: m}
	}
	// Six hand-made units 60° apart; seven members, one per unit's
	// orientation and one more near 0°: weak m0 is the image of unit 0,
	// strong m1 looks like unit 3.
	var hand []Tuning
	for i := range 6 {
		hand = append(hand, tuned(float64(60*i), i, 6))
	}
	readings := []*Reading{{Tuning: tuned(0, 0, 6), Strength: 1}, {Tuning: tuned(10, 3, 6), Strength: 5}}
	for i := 1; i < 6; i++ {
		readings = append(readings, &Reading{Tuning: tuned(float64(60*i), i, 6), Strength: 2})
	}
	cands := []int{0, 1, 2, 3, 4, 5, 6}
	got := pairAmong(hand, readings, cands, 360)
	if slices.Contains(got, 0) || !slices.Contains(got, 1) || slices.Contains(got, -1) {
		t.Errorf("by strength: %v (the weak m0 left, the strong m1 paired)", got)
	}
	// Without strengths (no photos), resemblance decides: m0 pairs unit 0.
	for _, r := range readings {
		r.Strength = Float(math.NaN())
	}
	if got := pairAmong(hand, readings, cands, 360); got[0] != 0 {
		t.Errorf("by resemblance: %v", got)
	}
	// Four units 90° apart and four members at 0°: the unit at 180° has
	// none in reach.
	hand = []Tuning{tuned(0, 0, 4), tuned(90, 1, 4), tuned(180, 2, 4), tuned(270, 3, 4)}
	readings = nil
	for i := range 4 {
		readings = append(readings, &Reading{Tuning: tuned(0, i, 4), Strength: Float(1 + i)})
	}
	if got := pairAmong(hand, readings, []int{0, 1, 2, 3}, 360); got[2] != -1 || got[0] < 0 || got[1] < 0 || got[3] < 0 {
		t.Errorf("out of reach: %v", got)
	}
}
