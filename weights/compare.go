package weights

import (
	"encoding/json"
	"math"
	"strconv"

	"gonum.org/v1/gonum/stat"
)

// SignTapShare is the share of a hand-made grid's peak |weight| from which
// a tap counts for sign agreement: the taps the hand-made circuit relies
// on, not its near-zeros.
const SignTapShare = 0.1

// Agreement says how alike two sets of weights laid tile for tile are.
type Agreement struct {
	// PearsonR is the correlation of all taps.
	PearsonR float64 `json:"pearson_r"`
	// SignAgreement is the share of the hand-made taps of at least
	// SignTapShare of its peak whose natural tap has the same sign.
	SignAgreement float64 `json:"sign_agreement"`
	Taps          int     `json:"taps"`
}

// Compare measures hand-made taps against natural ones (the same length,
// the same order); peak is the hand-made grid's largest |weight| (0: that
// of hand).
func Compare(hand, natural []float64, peak float64) Agreement {
	if peak <= 0 {
		for _, v := range hand {
			peak = math.Max(peak, math.Abs(v))
		}
	}
	a := Agreement{PearsonR: Pearson(hand, natural), SignAgreement: math.NaN(), Taps: len(hand)}
	same, counted := 0, 0
	for k, h := range hand {
		if math.Abs(h) < SignTapShare*peak || h == 0 {
			continue
		}
		counted++
		if (h > 0) == (natural[k] > 0) && natural[k] != 0 {
			same++
		}
	}
	if counted > 0 {
		a.SignAgreement = float64(same) / float64(counted)
	}
	return a
}

// Pearson is the correlation of two equally long series; NaN when either
// is constant.
func Pearson(x, y []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	return stat.Correlation(x, y, nil)
}

// Window is a box of cells in a layer's grid, relative to the cell that
// an output cell is centred on: rows Lo[0] … Lo[0]+Size[0]−1, likewise
// columns.
type Window struct {
	Lo, Size [2]int
}

// Union is the smallest window holding both.
func (w Window) Union(v Window) Window {
	var u Window
	for a := 0; a < 2; a++ {
		u.Lo[a] = min(w.Lo[a], v.Lo[a])
		u.Size[a] = max(w.Lo[a]+w.Size[a], v.Lo[a]+v.Size[a]) - u.Lo[a]
	}
	return u
}

// Window is where the expanded kernels lie around an output cell (in
// From's cells, for output cell 0).
func (e *Expanded) Window() Window {
	s := e.Shape()
	return Window{Lo: e.Lo, Size: [2]int{s[2], s[3]}}
}

// TileIn lays the tile from input i into output o on a larger window
// (zeros where the kernel does not reach), so that kernels of different
// sizes and offsets compare tap for tap.
func (e *Expanded) TileIn(o, i int, w Window) []float64 {
	out := make([]float64, w.Size[0]*w.Size[1])
	s := e.Shape()
	t := e.Tile(o, i)
	for y := 0; y < s[2]; y++ {
		for x := 0; x < s[3]; x++ {
			yy, xx := y+e.Lo[0]-w.Lo[0], x+e.Lo[1]-w.Lo[1]
			if yy >= 0 && yy < w.Size[0] && xx >= 0 && xx < w.Size[1] {
				out[yy*w.Size[1]+xx] = float64(t[y*s[3]+x])
			}
		}
	}
	return out
}

// Float is a measurement that may be undefined (NaN: too few taps or
// turns to measure, a unit that never responds) or unbounded; JSON gets
// null then.
type Float float64

// MarshalJSON writes null for NaN and infinities.
func (f Float) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

func Floats(v []float64) []Float {
	out := make([]Float, len(v))
	for i, x := range v {
		out[i] = Float(x)
	}
	return out
}

// MarshalJSON writes undefined measurements as null.
func (a Agreement) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		PearsonR      Float `json:"pearson_r"`
		SignAgreement Float `json:"sign_agreement"`
		Taps          int   `json:"taps"`
	}{Float(a.PearsonR), Float(a.SignAgreement), a.Taps})
}

// MarshalJSON writes undefined measurements as null.
func (e Equivariance) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Kind         string    `json:"kind"`
		Score        Float     `json:"score"`
		QuarterTurns Float     `json:"quarter_turns"`
		Turns        []float64 `json:"turns_deg"`
		PerTurn      []Float   `json:"per_turn"`
	}{e.Kind, Float(e.Score), Float(e.QuarterTurns), e.Turns, Floats(e.PerTurn)})
}
