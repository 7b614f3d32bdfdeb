package verify

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/eval"
	"github.com/circc/circc/compiler/expand"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/weights"
)

// Connection is the natural circuit between two matched families laid
// beside the hand-made one: the expanded weights from the natural
// partners of From's units into those of To's, tile for tile against the
// hand-made weights between the units themselves.
type Connection struct {
	From         string `json:"from"` // LAYER.FAMILY
	To           string `json:"to"`
	NaturalFrom  string `json:"natural_from"` // the natural layers
	NaturalTo    string `json:"natural_to"`
	HandmadeSize [2]int `json:"handmade_kernel"`
	NaturalSize  [2]int `json:"natural_kernel"`
	// Agreement is over every tile; Rows per unit of To (its tiles from
	// every unit of From).
	Agreement weights.Agreement `json:"agreement"`
	Rows      []ConnectionRow   `json:"rows"`
	// Equivariance of each circuit under the rotation motif, when the
	// families are indexed by an angle.
	HandmadeEquivariance *weights.Equivariance `json:"handmade_equivariance,omitempty"`
	NaturalEquivariance  *weights.Equivariance `json:"natural_equivariance,omitempty"`
	// OrientationRule and TileEquivariance test the natural circuit
	// against nulls that relabel its units' orientations.
	OrientationRule  *OrientationRule  `json:"orientation_rule,omitempty"`
	TileEquivariance *TileEquivariance `json:"tile_equivariance,omitempty"`
	// Skipped says why there is no natural circuit to compare (and then
	// nothing else is filled in).
	Skipped string `json:"skipped,omitempty"`
	// The tiles, on one window: [to unit][from unit] row-major kernels.
	Window   weights.Window `json:"-"`
	Handmade [][][]float64  `json:"-"`
	Natural  [][][]float64  `json:"-"`
	RowNames []string       `json:"-"`
	ColNames []string       `json:"-"`
}

// ConnectionRow is one unit of To against its natural partner.
type ConnectionRow struct {
	Unit    string `json:"unit"`
	Natural string `json:"natural"`
	weights.Agreement
}

// connections finds, among the verified families, every pair whose
// hand-made layers are connected (To's layer comes after From's in the
// circuit) and whose natural layers are too, and compares the two
// circuits' weights.
func connections(res *compiler.Result, net *reference.Net, fams []*Family) ([]*Connection, error) {
	circuit, err := onnx.FromBytes(res.ONNX)
	if err != nil {
		return nil, err
	}
	in := res.Network.Input
	circuitIn := []int64{1, int64(in.C), int64(in.H), int64(in.W)}
	size := net.Manifest.Input.Size
	naturalIn := []int64{1, int64(len(net.Manifest.Input.Channels)), int64(size[0]), int64(size[1])}
	order := map[string]int{}
	for i, l := range res.Network.Layers {
		order[l.Name] = i
	}
	var out []*Connection
	for _, from := range fams {
		for _, to := range fams {
			if order[from.Layer] >= order[to.Layer] || len(from.Pairs) == 0 || len(to.Pairs) == 0 {
				continue
			}
			c, err := connect(res, circuit, circuitIn, net, naturalIn, from, to)
			var skip *skipped
			if errors.As(err, &skip) {
				// No natural circuit to lay beside: say why.
				c, err = &Connection{From: from.Layer + "." + from.Family, To: to.Layer + "." + to.Family, NaturalFrom: from.NaturalLayer,
					NaturalTo: to.NaturalLayer, Skipped: skip.why}, nil
			}
			if err != nil {
				return nil, fmt.Errorf("%s.%s → %s.%s: %w", from.Layer, from.Family, to.Layer, to.Family, err)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// connect compares one pair of families; nil when the natural layers do
// not run the same way.
func connect(res *compiler.Result, circuit *onnx.Model, circuitIn []int64, net *reference.Net, naturalIn []int64, from, to *Family) (*Connection, error) {
	fromUnits, toUnits := familyUnits(res, from), familyUnits(res, to)
	if len(fromUnits) != len(from.Pairs) || len(toUnits) != len(to.Pairs) {
		return nil, fmt.Errorf("the pairs do not follow the family's units")
	}
	allFrom, allTo := fromUnits, toUnits
	// Only units with a natural partner have a natural circuit to compare.
	fromUnits, fromPairs := paired(fromUnits, from.Pairs)
	toUnits, toPairs := paired(toUnits, to.Pairs)
	if len(fromUnits) == 0 || len(toUnits) == 0 {
		return nil, &skipped{"a family has no natural partner"}
	}
	natFrom, err := net.Tensor(from.NaturalLayer)
	if err != nil {
		return nil, err
	}
	natTo, err := net.Tensor(to.NaturalLayer)
	if err != nil {
		return nil, err
	}
	if natFrom == natTo {
		return nil, &skipped{fmt.Sprintf("both families are matched in %s: the natural units are in one layer, with no weights between them", from.NaturalLayer)}
	}
	hand, err := weights.Expand(circuit, circuitIn, from.Layer, to.Layer, indices(toUnits))
	if err != nil {
		return nil, err
	}
	var natOut, natIn []int
	for _, p := range toPairs {
		natOut = append(natOut, p.Channel)
	}
	for _, p := range fromPairs {
		natIn = append(natIn, p.Channel)
	}
	nat, err := weights.Expand(net.Model, naturalIn, natFrom, natTo, natOut)
	if err != nil {
		if errors.Is(err, weights.ErrNotAfter) {
			return nil, &skipped{fmt.Sprintf("the natural layers run the other way (%s comes after %s)", from.NaturalLayer, to.NaturalLayer)}
		}
		return nil, err
	}
	hs, ns := hand.Shape(), nat.Shape()
	c := &Connection{From: from.Layer + "." + from.Family, To: to.Layer + "." + to.Family, NaturalFrom: from.NaturalLayer, NaturalTo: to.NaturalLayer,
		HandmadeSize: [2]int{hs[2], hs[3]}, NaturalSize: [2]int{ns[2], ns[3]}, Window: hand.Window().Union(nat.Window())}
	for _, u := range fromUnits {
		c.ColNames = append(c.ColNames, strings.TrimPrefix(u.Name, u.Family))
	}
	var allHand, allNat []float64
	peak := 0.0
	for j := range toUnits {
		var hrow, nrow [][]float64
		for i, u := range fromUnits {
			hrow = append(hrow, hand.TileIn(j, u.Index, c.Window))
			nrow = append(nrow, nat.TileIn(j, natIn[i], c.Window))
			for _, v := range hrow[i] {
				peak = math.Max(peak, math.Abs(v))
			}
		}
		c.Handmade, c.Natural = append(c.Handmade, hrow), append(c.Natural, nrow)
		c.RowNames = append(c.RowNames, strings.TrimPrefix(toUnits[j].Name, toUnits[j].Family))
	}
	for j, u := range toUnits {
		h, n := flatten(c.Handmade[j]), flatten(c.Natural[j])
		c.Rows = append(c.Rows, ConnectionRow{Unit: u.Name, Natural: toPairs[j].Natural, Agreement: weights.Compare(h, n, peak)})
		allHand, allNat = append(allHand, h...), append(allNat, n...)
	}
	c.Agreement = weights.Compare(allHand, allNat, peak)
	fo, fok := orbitOf(fromUnits)
	tor, tok := orbitOf(toUnits)
	if e, err := handmadeEquivariance(circuit, circuitIn, from.Layer, to.Layer, allFrom, allTo); err == nil {
		c.HandmadeEquivariance = e // a property of the whole hand-made circuit
	}
	if (fok || tok) && c.Window.Size[0] == c.Window.Size[1] {
		if e, err := weights.MeasureEquivariance(c.Natural, c.Window.Size[0], fo, tor); err == nil {
			c.NaturalEquivariance = e
			c.TileEquivariance = tileEquivariance(c.Natural, c.Window.Size[0], fo, tor)
		}
	}
	// The net weight between natural units against the difference of
	// their own preferred orientations.
	sums := make([][]float64, len(c.Natural))
	for j, row := range c.Natural {
		for _, t := range row {
			s := 0.0
			for _, v := range t {
				s += v
			}
			sums[j] = append(sums[j], s)
		}
	}
	var fromDeg, toDeg []float64
	for _, p := range fromPairs {
		fromDeg = append(fromDeg, float64(p.NaturalTuning.PreferredDeg))
	}
	for _, p := range toPairs {
		toDeg = append(toDeg, float64(p.NaturalTuning.PreferredDeg))
	}
	c.OrientationRule = orientationRule(sums, fromDeg, toDeg, math.Min(from.PeriodDeg, to.PeriodDeg))
	return c, nil
}

// familyUnits are a family's units in the circuit, in index order (the
// order of its pairs).
// paired keeps the units whose pair has a natural partner, with their pairs.
func paired(us []*expand.Unit, pairs []*Pair) ([]*expand.Unit, []*Pair) {
	var u2 []*expand.Unit
	var p2 []*Pair
	for i, p := range pairs {
		if p.Channel >= 0 {
			u2, p2 = append(u2, us[i]), append(p2, p)
		}
	}
	return u2, p2
}

func familyUnits(res *compiler.Result, f *Family) []*expand.Unit {
	var us []*expand.Unit
	for _, u := range res.Network.Layer(f.Layer).Units {
		if u.Family == f.Family {
			us = append(us, u)
		}
	}
	sort.SliceStable(us, func(a, b int) bool { return us[a].Index < us[b].Index })
	return us
}

func indices(us []*expand.Unit) []int {
	var out []int
	for _, u := range us {
		out = append(out, u.Index)
	}
	return out
}

func flatten(tiles [][]float64) []float64 {
	var out []float64
	for _, t := range tiles {
		out = append(out, t...)
	}
	return out
}

// orbitOf reads how a family's members turn: its first angle parameter
// (hue excepted, which turns colours), with the period the language gives
// its domain (n evenly spaced angles s apart: n·s; else 360°); ok is false
// for a family without one (invariant).
func orbitOf(us []*expand.Unit) (weights.Orbit, bool) {
	o := weights.Orbit{Period: 360}
	name := ""
	for _, p := range us[0].Params {
		if n, ok := p.Value.(eval.Num); ok && n.Dim == (eval.Dim{Angle: 1}) && p.Name != "hue" {
			name = p.Name
			break
		}
	}
	if name == "" {
		return o, false
	}
	var distinct []float64
	seen := map[float64]bool{}
	for _, u := range us {
		var key []string
		for _, p := range u.Params {
			if p.Name == name {
				a := p.Value.(eval.Num).S
				o.Angles = append(o.Angles, a)
				if !seen[a] {
					seen[a] = true
					distinct = append(distinct, a)
				}
				continue
			}
			key = append(key, fmt.Sprintf("%s=%v", p.Name, p.Value))
		}
		o.Keys = append(o.Keys, strings.Join(key, ","))
	}
	sort.Float64s(distinct)
	if len(distinct) > 1 {
		o.Step = distinct[1] - distinct[0]
		even := true
		for i := 1; i < len(distinct); i++ {
			even = even && math.Abs(distinct[i]-distinct[i-1]-o.Step) < 1e-9
		}
		if even && distinct[len(distinct)-1]-distinct[0]+o.Step <= 360+1e-9 {
			o.Period = float64(len(distinct)) * o.Step
		}
	}
	return o, true
}

// DisplayQuantile is the share of a grid's |weights| below its colour
// scale's end (weights.Grid.Quantile).
const DisplayQuantile = 0.995

// Grids are the connection's two weight tables as pictures: one row per
// unit of To, one tile per unit of From; draw each with Image(Quantile(
// DisplayQuantile)).
func (c *Connection) Grids() (hand, natural *weights.Grid) {
	grid := func(title string, tiles [][][]float64) *weights.Grid {
		g := &weights.Grid{Title: title, Rows: c.RowNames, Cols: c.ColNames, Size: c.Window.Size}
		for _, row := range tiles {
			var r [][]float32
			for _, t := range row {
				f := make([]float32, len(t))
				for k, v := range t {
					f[k] = float32(v)
				}
				r = append(r, f)
			}
			g.Tiles = append(g.Tiles, r)
		}
		return g
	}
	return grid("hand-made "+c.From+" -> "+c.To, c.Handmade), grid("natural "+c.NaturalFrom+" -> "+c.NaturalTo+" (expanded)", c.Natural)
}

// handmadeEquivariance measures the hand-made circuit between two whole
// families, every unit, paired or not.
func handmadeEquivariance(circuit *onnx.Model, in []int64, from, to string, fromUnits, toUnits []*expand.Unit) (*weights.Equivariance, error) {
	fo, fok := orbitOf(fromUnits)
	tor, tok := orbitOf(toUnits)
	if !fok && !tok {
		return nil, fmt.Errorf("no angle")
	}
	hand, err := weights.Expand(circuit, in, from, to, indices(toUnits))
	if err != nil {
		return nil, err
	}
	w := hand.Window()
	if w.Size[0] != w.Size[1] {
		return nil, fmt.Errorf("a kernel that is not square")
	}
	tiles := make([][][]float64, len(toUnits))
	for j := range toUnits {
		for _, u := range fromUnits {
			tiles[j] = append(tiles[j], hand.TileIn(j, u.Index, w))
		}
	}
	return weights.MeasureEquivariance(tiles, w.Size[0], fo, tor)
}

// skipped is why connect has no natural circuit to compare.
type skipped struct{ why string }

func (s *skipped) Error() string { return s.why }
