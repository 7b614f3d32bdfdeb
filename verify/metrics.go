package verify

import (
	"math"
	"sort"
)

// Tuning describes one unit's response to a stimulus set with an
// orientation axis.
type Tuning struct {
	PreferredDeg Float `json:"preferred_deg"`
	WidthDeg     Float `json:"width_deg"`
	Echo         Float `json:"echo"`
	// CurvePreference is the strongest response to curves over the
	// strongest to straight lines.
	CurvePreference Float   `json:"curve_preference"`
	Peak            float64 `json:"peak"`
	// RadialTuning is the mean over the other axes of the positive
	// response, per orientation step.
	RadialTuning []float64 `json:"radial_tuning"`
	// Map is the max-normalised response over orientation × the other axes.
	Map []float64 `json:"-"`
}

// EchoWindowDeg is the half-width of the window around the opposite
// orientation in which the echo is read.
const EchoWindowDeg = 10

// tuning computes a unit's tuning from its responses to a set whose first
// axis is orientation over one period of the set (360°, or 180° for a set
// whose half-turned stimuli are the same, like gratings) in equal steps;
// lines are its responses to straight lines (for the curve preference;
// may be nil). On a 180° set there is no opposite orientation: the echo
// is NaN.
func tuning(resp []float64, nOrient int, period float64, lines []float64) Tuning {
	per := len(resp) / nOrient
	t := Tuning{RadialTuning: make([]float64, nOrient), Map: make([]float64, len(resp))}
	peak := 0.0
	for _, r := range resp {
		peak = math.Max(peak, r)
	}
	t.Peak = peak
	for i, r := range resp {
		if peak > 0 {
			t.Map[i] = r / peak
		}
	}
	for o := 0; o < nOrient; o++ {
		s := 0.0
		for k := 0; k < per; k++ {
			s += math.Max(0, resp[o*per+k])
		}
		t.RadialTuning[o] = s / float64(per)
	}
	best := 0
	for o, v := range t.RadialTuning {
		if v > t.RadialTuning[best] {
			best = o
		}
	}
	step := period / float64(nOrient)
	top := t.RadialTuning[best]
	if top <= 0 {
		t.PreferredDeg, t.WidthDeg, t.Echo = Float(math.NaN()), Float(math.NaN()), Float(math.NaN())
		return t
	}
	t.PreferredDeg = Float(float64(best) * step)
	width := 1
	for d := 1; d < nOrient && t.RadialTuning[(best+d)%nOrient] >= top/2; d++ {
		width++
	}
	for d := 1; d < nOrient && t.RadialTuning[(best-d+nOrient)%nOrient] >= top/2 && width < nOrient; d++ {
		width++
	}
	t.WidthDeg = Float(float64(width) * step)
	t.Echo = Float(math.NaN())
	if period == 360 {
		opp := (best + nOrient/2) % nOrient
		echo := 0.0
		for d := -int(EchoWindowDeg / step); d <= int(EchoWindowDeg/step); d++ {
			echo = math.Max(echo, t.RadialTuning[(opp+d+nOrient)%nOrient])
		}
		t.Echo = Float(echo / top)
	}
	if lines != nil {
		lm := 0.0
		for _, v := range lines {
			lm = math.Max(lm, v)
		}
		if lm > 0 {
			t.CurvePreference = Float(peak / lm)
		} else {
			t.CurvePreference = Float(math.Inf(1))
		}
	}
	return t
}

// angleDiff is the distance between two angles in degrees on a circle of
// the period (360°, or 180° where a half-turn is the same orientation).
func angleDiff(a, b, period float64) float64 {
	d := math.Mod(math.Abs(a-b), period)
	return math.Min(d, period-d)
}

// spacingError is how unevenly n orientations spread over a circle of
// the period (360°, or 180° for an axial family): the largest difference
// between a gap of consecutive preferred orientations and period/n.
func spacingError(prefs []float64, period float64) float64 {
	var p []float64
	for _, x := range prefs {
		if !math.IsNaN(x) {
			p = append(p, math.Mod(math.Mod(x, period)+period, period))
		}
	}
	if len(p) < 2 {
		return math.NaN()
	}
	sort.Float64s(p)
	ideal := period / float64(len(prefs))
	worst := 0.0
	for i := range p {
		gap := p[(i+1)%len(p)] - p[i]
		if i == len(p)-1 {
			gap += period
		}
		worst = math.Max(worst, math.Abs(gap-ideal))
	}
	return worst
}

// coverage is the share of the circle within half a tuning width of some
// preferred orientation (for period 180°, of it or its half-turn).
func coverage(prefs, widths []float64, period float64) float64 {
	covered := make([]bool, 360)
	for i, p := range prefs {
		if math.IsNaN(p) {
			continue
		}
		for turn := 0.0; turn < 360; turn += period { // an axial unit covers both halves
			for d := -widths[i] / 2; d <= widths[i]/2; d++ {
				covered[int(math.Mod(math.Round(p+turn+d)+720, 360))] = true
			}
		}
	}
	n := 0
	for _, c := range covered {
		if c {
			n++
		}
	}
	return float64(n) / 360
}

// TopK returns the indices of the k largest values, largest first (ties
// by index).
func TopK(v []float64, k int) []int {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] > v[idx[b]] })
	if k > len(idx) {
		k = len(idx)
	}
	return idx[:k]
}

func overlap(a, b []int) float64 {
	set := map[int]bool{}
	for _, x := range a {
		set[x] = true
	}
	n := 0
	for _, x := range b {
		if set[x] {
			n++
		}
	}
	return float64(n) / float64(max(len(a), 1))
}

// median is the middle value (the mean of the two middle ones), NaN for
// none; NaNs are left out.
func median(v []float64) float64 {
	var s []float64
	for _, x := range v {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return math.NaN()
	}
	sort.Float64s(s)
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}
