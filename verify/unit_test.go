package verify

import (
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/circc/circc/stimuli"
)

// TestAssignIsOptimal compares the Hungarian assignment with brute force.
func TestAssignIsOptimal(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for trial := 0; trial < 50; trial++ {
		n, m := 1+rng.Intn(4), 4+rng.Intn(3)
		score := make([][]float64, n)
		for i := range score {
			score[i] = make([]float64, m)
			for j := range score[i] {
				score[i][j] = rng.Float64()*2 - 1
			}
		}
		got := assign(score)
		total := 0.0
		used := map[int]bool{}
		for i, j := range got {
			if used[j] {
				t.Fatalf("column %d used twice", j)
			}
			used[j] = true
			total += score[i][j]
		}
		best := math.Inf(-1)
		var rec func(i int, used map[int]bool, s float64)
		rec = func(i int, used map[int]bool, s float64) {
			if i == n {
				best = math.Max(best, s)
				return
			}
			for j := 0; j < m; j++ {
				if !used[j] {
					used[j] = true
					rec(i+1, used, s+score[i][j])
					delete(used, j)
				}
			}
		}
		rec(0, map[int]bool{}, 0)
		if math.Abs(total-best) > 1e-9 {
			t.Fatalf("assignment scores %g, the best is %g", total, best)
		}
	}
}

// TestTuning measures a synthetic unit: a bump at 100deg of half width 20deg
// with a small echo at 280deg, over 3 radii.
func TestTuning(t *testing.T) {
	const n = 360
	resp := make([]float64, n*3)
	for o := 0; o < n; o++ {
		v := math.Max(0, 1-angleDiff(float64(o), 100, 360)/40) + 0.1*math.Max(0, 1-angleDiff(float64(o), 280, 360)/10)
		for r := 0; r < 3; r++ {
			resp[o*3+r] = v * float64(r+1)
		}
	}
	tu := tuning(resp, n, 360, []float64{1, 2})
	if tu.PreferredDeg != 100 || math.Abs(float64(tu.WidthDeg)-41) > 1 || math.Abs(float64(tu.Echo)-0.1) > 1e-9 {
		t.Errorf("preferred %g width %g echo %g", tu.PreferredDeg, tu.WidthDeg, tu.Echo)
	}
	if tu.CurvePreference != 1.5 {
		t.Errorf("curve preference %g", tu.CurvePreference)
	}
	if tu.Map[100*3+2] != 1 {
		t.Error("the map is not normalised to its peak")
	}
	silent := tuning(make([]float64, n*3), n, 360, nil)
	if !math.IsNaN(float64(silent.PreferredDeg)) {
		t.Error("a silent unit has a preferred orientation")
	}
}

func TestFamilyMeasures(t *testing.T) {
	if e := spacingError([]float64{0, 90, 180, 270}, 360); e != 0 {
		t.Errorf("even spacing %g", e)
	}
	if e := spacingError([]float64{0, 80, 180, 270}, 360); e != 10 {
		t.Errorf("spacing error %g, want 10", e)
	}
	if c := coverage([]float64{0, 180}, []float64{90, 90}, 360); math.Abs(c-182.0/360) > 1e-9 {
		t.Errorf("coverage %g", c)
	}
	// An axial family: 0°, 60° and 120° spread evenly over the half
	// circle, and 170° is 10° from 0°; a unit at 0° covers 180° too.
	if e := spacingError([]float64{0, 60, 120}, 180); e != 0 {
		t.Errorf("axial even spacing %g", e)
	}
	if e := spacingError([]float64{180, 60, 300}, 180); e != 0 {
		t.Errorf("axial spacing across the half-turn %g", e)
	}
	if d := angleDiff(170, 0, 180); d != 10 {
		t.Errorf("axial difference %g, want 10", d)
	}
	if c := coverage([]float64{0}, []float64{90}, 180); math.Abs(c-182.0/360) > 1e-9 {
		t.Errorf("axial coverage %g", c)
	}
	if m := median([]float64{3, math.NaN(), 1, 2, 10}); m != 2.5 {
		t.Errorf("median %g", m)
	}
	if o := overlap([]int{1, 2, 3, 4}, []int{4, 3, 9, 8}); o != 0.5 {
		t.Errorf("overlap %g", o)
	}
	if v, ok := aggregate([]float64{0.1, 0.3}, "", "<", 0.2); ok || v != 0.3 {
		t.Errorf("every value must hold: %g %v", v, ok)
	}
	if v, ok := aggregate([]float64{0.1, 0.3}, "mean", "<", 0.25); !ok || math.Abs(v-0.2) > 1e-12 {
		t.Errorf("mean: %g %v", v, ok)
	}
}

// TestEverySetReadsAKnownOrientation: on every stimulus set, a unit tuned
// to 40° (a bump on the set's own orientation circle, the same over the
// other axes) is read as preferring 40°, with the set's period: a 180° set
// (gratings) must not double its angles.
func TestEverySetReadsAKnownOrientation(t *testing.T) {
	for _, name := range stimuli.Names() {
		set, err := stimuli.Lookup(name, 32)
		if err != nil {
			t.Fatal(err)
		}
		if set.Axes[0].Name != "orientation" {
			t.Errorf("%s: the first axis is %s", name, set.Axes[0].Name)
			continue
		}
		os := set.Axes[0].Values
		if span := os[len(os)-1] - os[0] + (os[1] - os[0]); math.Abs(span-set.PeriodDeg) > 1e-9 {
			t.Errorf("%s: orientations span %g°, period %g°", name, span, set.PeriodDeg)
		}
		per := set.Len() / len(os)
		resp := make([]float64, set.Len())
		for i, o := range os {
			for k := 0; k < per; k++ {
				resp[i*per+k] = math.Max(0, 1-angleDiff(o, 40, set.PeriodDeg)/25)
			}
		}
		tu := tuning(resp, len(os), set.PeriodDeg, nil)
		if float64(tu.PreferredDeg) != 40 {
			t.Errorf("%s: preferred %g°, want 40°", name, tu.PreferredDeg)
		}
		if w := float64(tu.WidthDeg); w < 20 || w > 40 {
			t.Errorf("%s: width %g°, want about 30°", name, w)
		}
		if set.PeriodDeg == 180 != math.IsNaN(float64(tu.Echo)) {
			t.Errorf("%s: echo %g on a %g° set", name, tu.Echo, set.PeriodDeg)
		}
	}
}

// TestThresholdsFromTheReference: the membership thresholds are what the
// reference population of the Curve Detectors article gives
// (../shared/data/lucid-curve-tuning.json): the widths of its mixed3b
// curve detectors widened by a quarter of their median, and the echo
// limit midway between its curves' largest echo and its early curves'
// smallest, which every one of its curves passes and every early curve
// fails.
func TestThresholdsFromTheReference(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(sharedData, "..", "data", "lucid-curve-tuning.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Layers map[string][]struct {
			Width float64 `json:"width_deg"`
			Echo  float64 `json:"echo"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	var widths []float64
	maxCurveEcho, minEarlyEcho := 0.0, math.Inf(1)
	for _, u := range ref.Layers["mixed3b"] {
		widths = append(widths, u.Width)
		maxCurveEcho = math.Max(maxCurveEcho, u.Echo)
	}
	for _, u := range ref.Layers["mixed3a"] {
		minEarlyEcho = math.Min(minEarlyEcho, u.Echo)
	}
	sort.Float64s(widths)
	med := (widths[len(widths)/2-1] + widths[len(widths)/2]) / 2
	lo, hi := widths[0]-med/4, widths[len(widths)-1]+med/4
	if math.Abs(lo-MinWidthDeg) > 0.5 || math.Abs(hi-MaxWidthDeg) > 0.5 {
		t.Errorf("widths %g° to %g° from the reference, thresholds %g° to %g°", lo, hi, MinWidthDeg, MaxWidthDeg)
	}
	if mid := (maxCurveEcho + minEarlyEcho) / 2; math.Abs(mid-MaxEcho) > 0.0005 || !(maxCurveEcho <= MaxEcho && MaxEcho < minEarlyEcho) {
		t.Errorf("echo: curves ≤ %g, early curves ≥ %g, midpoint %g; MaxEcho %g", maxCurveEcho, minEarlyEcho, mid, MaxEcho)
	}
}
