package weights

import (
	"fmt"
	"math"

	"github.com/circc/circc/compiler/expand"
)

// Orbit says how a family's members move under rotation: member k has the
// angle Angles[k] (degrees) and other parameters Keys[k]; turning by θ
// takes it to the member with the same key and angle Angles[k]+θ modulo
// Period. Step is the angles' spacing. A family without an angle
// parameter is invariant (nil Angles): each member stays itself.
type Orbit struct {
	Angles []float64
	Keys   []string
	Period float64
	Step   float64
}

// Invariant reports whether the family has no angle to turn.
func (o Orbit) Invariant() bool { return o.Angles == nil }

// move is the member that member k becomes under a turn by th, or −1.
func (o Orbit) move(k int, th float64) int {
	if o.Invariant() {
		return k
	}
	want := math.Mod(o.Angles[k]+th, o.Period)
	for j, a := range o.Angles {
		d := math.Mod(math.Abs(a-want), o.Period)
		if math.Min(d, o.Period-d) < 1e-6 && o.Keys[j] == o.Keys[k] {
			return j
		}
	}
	return -1
}

// Equivariance is how well a weight matrix between two families obeys the
// rotation motif W(T·a → T·b) = T·W(a → b) (the Equivariance article's
// rule; T turns the kernel as circc's rotate motif does).
type Equivariance struct {
	// Kind is equivariant→equivariant, invariant→equivariant or
	// equivariant→invariant.
	Kind string `json:"kind"`
	// Score is the mean over the turns of the correlation between every
	// tile turned, T·W(a → b), and the tile it should equal, W(T·a → T·b).
	Score float64 `json:"score"`
	// QuarterTurns is the same over the turns of 90°, 180° and 270° among
	// them: those move kernels without resampling.
	QuarterTurns float64   `json:"quarter_turns"`
	Turns        []float64 `json:"turns_deg"`
	PerTurn      []float64 `json:"per_turn"`
}

// MeasureEquivariance scores tiles[j][i], the n×n kernel (row-major) from
// member i of the family from into member j of the family to, for every
// turn that maps both families onto themselves (multiples of their steps
// below 360°).
func MeasureEquivariance(tiles [][][]float64, n int, from, to Orbit) (*Equivariance, error) {
	if from.Invariant() && to.Invariant() {
		return nil, fmt.Errorf("neither family has an angle to turn")
	}
	kind := map[[2]bool]string{{false, false}: "equivariant→equivariant", {true, false}: "invariant→equivariant", {false, true}: "equivariant→invariant"}
	for j, row := range tiles {
		if !to.Invariant() && len(tiles) != len(to.Angles) || !from.Invariant() && len(row) != len(from.Angles) {
			return nil, fmt.Errorf("%d×%d tiles for families of %d and %d members", len(tiles), len(row), len(to.Angles), len(from.Angles))
		}
		for i, t := range row {
			if t != nil && len(t) != n*n {
				return nil, fmt.Errorf("tile (%d, %d) has %d values, not %d×%d", j, i, len(t), n, n)
			}
		}
	}
	e := &Equivariance{Kind: kind[[2]bool{from.Invariant(), to.Invariant()}], QuarterTurns: math.NaN()}
	step := from.Step
	if from.Invariant() {
		step = to.Step
	}
	if !(step > 0) {
		return nil, fmt.Errorf("an angle family without a step")
	}
	multiple := func(th float64, o Orbit) bool {
		if o.Invariant() {
			return true
		}
		q := th / o.Step
		return math.Abs(q-math.Round(q)) < 1e-6
	}
	var quarter []float64
	for th := step; th < 360-1e-6; th += step {
		if !multiple(th, from) || !multiple(th, to) {
			continue
		}
		var turned, target []float64
		for j := range tiles {
			jj := to.move(j, th)
			if jj < 0 {
				continue
			}
			for i := range tiles[j] {
				ii := from.move(i, th)
				if ii < 0 || tiles[j][i] == nil || tiles[jj][ii] == nil {
					continue
				}
				turned = append(turned, expand.RotateKernel(tiles[j][i], n, th)...)
				target = append(target, tiles[jj][ii]...)
			}
		}
		if len(turned) == 0 {
			continue
		}
		r := Pearson(turned, target)
		e.Turns = append(e.Turns, math.Round(th*1e6)/1e6)
		e.PerTurn = append(e.PerTurn, r)
		if q := math.Mod(th, 90); q < 1e-6 || 90-q < 1e-6 {
			quarter = append(quarter, r)
		}
	}
	if len(e.Turns) == 0 {
		return nil, fmt.Errorf("no turn maps both families onto themselves")
	}
	e.Score = mean(e.PerTurn)
	if len(quarter) > 0 {
		e.QuarterTurns = mean(quarter)
	}
	return e, nil
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
