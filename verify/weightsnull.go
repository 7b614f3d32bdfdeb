package verify

import (
	"math"
	"math/rand"

	"github.com/circc/circc/weights"
)

// The nulls of the weights verdicts and the rules that read them.
const (
	// OrientationPermutations and TilePermutations are how many
	// relabellings make each null.
	OrientationPermutations = 2000
	TilePermutations        = 200
	// RuleBinDeg is the width of the bins of orientation difference the
	// orientation rule groups net weights by.
	RuleBinDeg = 30
	// SignificantP: a p-value below this is significant.
	SignificantP = 0.01
	// EquivariantScore: tile equivariance at least this, and significant,
	// is "equivariant"; below it, but significant, "weakly but
	// significantly equivariant".
	EquivariantScore = 0.5
	// weightsSeed seeds the relabellings, so a report is the same each run.
	weightsSeed = 1
)

// OrientationRule is how much of the net expanded weight from a natural
// unit at orientation a into one at b the difference b − a explains:
// η², the share of the weights' variance between bins of RuleBinDeg, with
// the p-value of a permutation null that relabels the source units'
// orientations (the share of relabellings whose η² reaches it).
type OrientationRule struct {
	Eta2         Float   `json:"eta2"`
	P            Float   `json:"p"`
	NullMean     Float   `json:"null_mean"`
	Permutations int     `json:"permutations"`
	BinDeg       float64 `json:"bin_deg"`
	// Profile is the mean net weight per bin of b − a, from 0°.
	Profile []Float `json:"profile"`
	Verdict string  `json:"verdict"`
}

// TileEquivariance is the natural circuit's equivariance score against a
// null that pairs the hand-made units with the natural partners at random
// (the same tiles, the orientations shuffled).
type TileEquivariance struct {
	Score        Float  `json:"score"`
	NullMean     Float  `json:"null_mean"`
	NullSD       Float  `json:"null_sd"`
	P            Float  `json:"p"`
	Permutations int    `json:"permutations"`
	Verdict      string `json:"verdict"`
}

// orientationRule measures net[j][i], the summed expanded weight from
// source i (orientation from[i]) into target j (orientation to[j]), on a
// circle of period degrees.
func orientationRule(net [][]float64, from, to []float64, period float64) *OrientationRule {
	bins := int(math.Round(period / RuleBinDeg))
	eta := func(from []float64) (float64, []float64) {
		sum, n := make([]float64, bins), make([]float64, bins)
		var all []float64
		for j, row := range net {
			for i, w := range row {
				if math.IsNaN(from[i]) || math.IsNaN(to[j]) {
					continue
				}
				d := math.Mod(math.Mod(to[j]-from[i], period)+period, period)
				b := min(int(d/RuleBinDeg+0.5)%bins, bins-1) // bins centred on 0, 30°, …
				sum[b] += w
				n[b]++
				all = append(all, w)
			}
		}
		if len(all) < 2 {
			return math.NaN(), nil
		}
		m := meanOf(all)
		var tot, between float64
		for _, w := range all {
			tot += (w - m) * (w - m)
		}
		means := make([]float64, bins)
		for b := range sum {
			if n[b] > 0 {
				means[b] = sum[b] / n[b]
				between += n[b] * (means[b] - m) * (means[b] - m)
			} else {
				means[b] = math.NaN()
			}
		}
		if tot == 0 {
			return math.NaN(), means
		}
		return between / tot, means
	}
	e, profile := eta(from)
	r := &OrientationRule{Eta2: Float(e), Permutations: OrientationPermutations, BinDeg: RuleBinDeg}
	for _, v := range profile {
		r.Profile = append(r.Profile, Float(v))
	}
	if math.IsNaN(e) {
		r.P, r.NullMean, r.Verdict = Float(math.NaN()), Float(math.NaN()), "not measurable"
		return r
	}
	rng := rand.New(rand.NewSource(weightsSeed))
	shuffled := append([]float64(nil), from...)
	reach, total := 0, 0.0
	for k := 0; k < OrientationPermutations; k++ {
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		x, _ := eta(shuffled)
		total += x
		if x >= e {
			reach++
		}
	}
	r.P = Float(float64(reach+1) / float64(OrientationPermutations+1))
	r.NullMean = Float(total / OrientationPermutations)
	r.Verdict = "not distinguishable from chance"
	if float64(r.P) < SignificantP {
		r.Verdict = "follows the orientation rule"
	}
	return r
}

// tileEquivariance scores the natural tiles (tiles[j][i]) under the
// hand-made orbits, and the same tiles with the partners of the source
// and target units shuffled.
func tileEquivariance(tiles [][][]float64, n int, from, to weights.Orbit) *TileEquivariance {
	e, err := weights.MeasureEquivariance(tiles, n, from, to)
	if err != nil {
		return nil
	}
	t := &TileEquivariance{Score: Float(e.Score), Permutations: TilePermutations}
	rng := rand.New(rand.NewSource(weightsSeed))
	rows, cols := rng.Perm(len(tiles)), rng.Perm(len(tiles[0]))
	var null []float64
	reach := 0
	for k := 0; k < TilePermutations; k++ {
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		rng.Shuffle(len(cols), func(a, b int) { cols[a], cols[b] = cols[b], cols[a] })
		perm := make([][][]float64, len(tiles))
		for j := range perm {
			perm[j] = make([][]float64, len(cols))
			for i := range cols {
				perm[j][i] = tiles[rows[j]][cols[i]]
			}
		}
		x, err := weights.MeasureEquivariance(perm, n, from, to)
		if err != nil {
			return nil
		}
		null = append(null, x.Score)
		if x.Score >= e.Score {
			reach++
		}
	}
	m, sd := meanSD(null)
	t.NullMean, t.NullSD = Float(m), Float(sd)
	t.P = Float(float64(reach+1) / float64(TilePermutations+1))
	switch {
	case float64(t.P) >= SignificantP:
		t.Verdict = "not distinguishable from chance"
	case e.Score >= EquivariantScore:
		t.Verdict = "equivariant"
	default:
		t.Verdict = "weakly but significantly equivariant"
	}
	return t
}
