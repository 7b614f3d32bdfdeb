package weights

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/circc/circc/compiler/expand"
)

// equivariantTiles builds W(a_i → b_j) = R(b_j)·base[a_i − b_j]: the
// weights depend only on the angle between the two members, seen from
// the output's orientation, which is what the motif rule asks.
func equivariantTiles(from, to Orbit, n int, rng *rand.Rand) [][][]float64 {
	base := map[float64][]float64{}
	tiles := make([][][]float64, len(to.Angles))
	for j, b := range to.Angles {
		tiles[j] = make([][]float64, len(from.Angles))
		for i, a := range from.Angles {
			d := math.Mod(a-b+720, from.Period)
			if base[d] == nil {
				base[d] = make([]float64, n*n)
				for k := range base[d] {
					base[d][k] = rng.NormFloat64()
				}
			}
			tiles[j][i] = expand.RotateKernel(base[d], n, b)
		}
	}
	return tiles
}

func orbit(n int, step float64) Orbit {
	o := Orbit{Period: float64(n) * step, Step: step}
	for k := 0; k < n; k++ {
		o.Angles = append(o.Angles, float64(k)*step)
		o.Keys = append(o.Keys, "")
	}
	return o
}

// TestEquivarianceScores: weights built to obey the rule score 1 at
// quarter turns (no resampling) and close to 1 at others; the same tiles
// shuffled score near 0; an invariant input family is handled.
func TestEquivarianceScores(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	from, to := orbit(8, 45), orbit(4, 90)
	tiles := equivariantTiles(from, to, 5, rng)
	e, err := MeasureEquivariance(tiles, 5, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if e.Kind != "equivariant→equivariant" || len(e.Turns) != 3 || math.Abs(e.Score-1) > 1e-9 || math.Abs(e.QuarterTurns-1) > 1e-9 {
		t.Errorf("built equivariant: %+v", e)
	}
	// 24 members 15° apart: 15° turns resample, but stay close.
	fine := orbit(24, 15)
	e, err = MeasureEquivariance(equivariantTiles(fine, fine, 7, rng), 7, fine, fine)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Turns) != 23 || e.QuarterTurns < 1-1e-9 || e.Score < 0.6 || e.Score >= 1 {
		t.Errorf("15° steps: score %.3f, quarter turns %.3f over %d turns", e.Score, e.QuarterTurns, len(e.Turns))
	}
	t.Logf("24 members 15° apart, 7×7 random kernels: score %.3f (resampling), quarter turns %.3f", e.Score, e.QuarterTurns)
	shuffled := make([][][]float64, len(tiles))
	for j := range tiles {
		shuffled[j] = make([][]float64, len(tiles[j]))
		for i := range tiles[j] {
			shuffled[j][i] = tiles[rng.Intn(len(tiles))][rng.Intn(len(tiles[j]))]
		}
	}
	e, _ = MeasureEquivariance(shuffled, 5, from, to)
	if math.Abs(e.Score) > 0.3 {
		t.Errorf("shuffled tiles score %.3f", e.Score)
	}
	// Invariant → equivariant: one input unit, W(u → T·b) = T·W(u → b).
	inv := Orbit{Period: 360}
	k := make([]float64, 25)
	for i := range k {
		k[i] = rng.NormFloat64()
	}
	var column [][][]float64
	for _, b := range to.Angles {
		column = append(column, [][]float64{expand.RotateKernel(k, 5, b)})
	}
	e, err = MeasureEquivariance(column, 5, inv, to)
	if err != nil || e.Kind != "invariant→equivariant" || math.Abs(e.Score-1) > 1e-9 {
		t.Errorf("invariant→equivariant: %+v %v", e, err)
	}
	if _, err := MeasureEquivariance(column, 5, inv, inv); err == nil {
		t.Error("two invariant families were scored")
	}
}

// TestCompareAndWindows: correlation and sign agreement of tiles, and
// tiles of different sizes laid on one window.
func TestCompareAndWindows(t *testing.T) {
	a := Compare([]float64{1, -1, 0.01, 2}, []float64{2, -3, -5, 1}, 0)
	if a.SignAgreement != 1 || a.Taps != 4 {
		t.Errorf("%+v: the near-zero tap must not count", a)
	}
	if a := Compare([]float64{1, -1}, []float64{-1, 1}, 0); a.PearsonR != -1 || a.SignAgreement != 0 {
		t.Errorf("opposite: %+v", a)
	}
	w := Window{Lo: [2]int{-1, -1}, Size: [2]int{3, 3}}.Union(Window{Lo: [2]int{-2, 0}, Size: [2]int{5, 1}})
	if w != (Window{Lo: [2]int{-2, -1}, Size: [2]int{5, 3}}) {
		t.Errorf("union %+v", w)
	}
}

// TestGridPicture: every tap is drawn as a Scale×Scale square in the
// palette: the count of full-red and full-blue pixels is that of the
// taps at +peak and −peak, and the picture holds every row and column.
func TestGridPicture(t *testing.T) {
	g := &Grid{Title: "t", Rows: []string{"a", "b"}, Cols: []string{"x", "y", "z"}, Size: [2]int{3, 3}}
	red, blue := 0, 0
	for r := 0; r < 2; r++ {
		var row [][]float32
		for c := 0; c < 3; c++ {
			tile := make([]float32, 9)
			for k := range tile {
				switch (r*3 + c + k) % 5 {
				case 0:
					tile[k] = 2
					red++
				case 1:
					tile[k] = -2
					blue++
				default:
					tile[k] = 0.5
				}
			}
			row = append(row, tile)
		}
		g.Tiles = append(g.Tiles, row)
	}
	img := g.Image(0)
	full, none := Colour(1), Colour(-1)
	gotRed, gotBlue := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			switch img.At(x, y) {
			case full:
				gotRed++
			case none:
				gotBlue++
			}
		}
	}
	// The colour scale's two ends add one column of full red and blue each.
	const scaleEnd = 10
	if gotRed != red*Scale*Scale+scaleEnd || gotBlue != blue*Scale*Scale+scaleEnd {
		t.Errorf("%d red and %d blue pixels for %d and %d taps of %d² pixels", gotRed, gotBlue, red, blue, Scale)
	}
	if g.Quantile(1) != 2 || g.Quantile(0) != 0.5 {
		t.Errorf("quantiles %g %g", g.Quantile(0), g.Quantile(1))
	}
}

// TestOneRowWraps: one target against many sources is laid out as a block,
// not a strip, with every tile kept.
func TestOneRowWraps(t *testing.T) {
	g := &Grid{Title: "t", Rows: []string{"mixed4a:1"}, Size: [2]int{5, 5}}
	var row [][]float32
	for c := 0; c < 64; c++ {
		g.Cols = append(g.Cols, fmt.Sprint(c))
		tile := make([]float32, 25)
		tile[c%25] = 1
		row = append(row, tile)
	}
	g.Tiles = [][][]float32{row}
	w := g.wrapped()
	if len(w.Tiles) != 8 || len(w.Tiles[0]) != 8 || w.Rows[0] != "0 …7" || !strings.Contains(w.Title, "to mixed4a:1") {
		t.Errorf("%d rows of %d, first %q, title %q", len(w.Tiles), len(w.Tiles[0]), w.Rows[0], w.Title)
	}
	b := g.Image(0).Bounds()
	if b.Dx() > 3*b.Dy() {
		t.Errorf("a %d×%d strip", b.Dx(), b.Dy())
	}
}
