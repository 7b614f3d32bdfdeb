package verify

import (
	"fmt"
	"math"
	"strings"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/stimuli"
	"github.com/circc/circc/vis"
)

// VisOptions ask verify for feature visualizations of every matched pair.
type VisOptions struct {
	Size, Steps int
	Seed        int64
}

// Portraits are a family's feature visualizations and how each kind of
// unit answers the other kind's: the cross-activation of a pair is the
// response of one unit to its partner's visualization over its response
// to its own; the baseline is the same over unmatched pairs.
type Portraits struct {
	Size  int `json:"size"`
	Steps int `json:"steps"`
	// Means over the family: natural units on their hand-made partners'
	// portraits, hand-made units on their natural partners', and both
	// over every unmatched pair.
	NaturalOnHandmade         Float `json:"natural_on_handmade"`
	HandmadeOnNatural         Float `json:"handmade_on_natural"`
	NaturalOnHandmadeBaseline Float `json:"natural_on_handmade_baseline"`
	HandmadeOnNaturalBaseline Float `json:"handmade_on_natural_baseline"`
	// TransferErrorDeg is the median over the natural partners of their
	// rotation transfer error; TransferFails counts those that fail it.
	TransferErrorDeg Float `json:"transfer_error_deg"`
	TransferFails    int   `json:"transfer_fails"`
}

// Rotation transfer: a natural unit's portrait turned by φ should excite
// most the member whose preferred orientation is φ further, and its own
// unit much less at a half-turn.
const (
	TransferStepDeg = 30
	// MaxTransferErrorDeg: the median error over the turns, at most the
	// spacing of the article's ten mixed3b curve detectors (36°) less a
	// step's rounding, 30°.
	MaxTransferErrorDeg = 30.0
	// MaxHalfTurnResponse: turned half a turn, the portrait excites its
	// own unit at most this share of what it does upright (a unit that
	// draws a face or a blob answers it at every turn).
	MaxHalfTurnResponse = 0.5
)

// Cross is one pair's cross-activation.
type Cross struct {
	NaturalOnHandmade Float `json:"natural_on_handmade"`
	HandmadeOnNatural Float `json:"handmade_on_natural"`
	// TransferErrorDeg is the median over turns of φ of how far the
	// preferred orientation of the member its turned portrait excites most
	// is from the natural unit's own plus φ; HalfTurn is its own response
	// to its portrait turned 180°, over its response upright.
	TransferErrorDeg Float `json:"transfer_error_deg"`
	HalfTurn         Float `json:"half_turn_response"`
	// The portraits (not in JSON).
	Handmade *stimuli.Image `json:"-"`
	Natural  *stimuli.Image `json:"-"`
}

// portraits visualises a family's hand-made units through the compiled
// circuit and their natural partners through the reference network, and
// measures the cross-activations.
func portraits(res *compiler.Result, net *reference.Net, s *matchSpec, f *Family, opt Options) error {
	if len(f.Pairs) == 0 {
		return nil
	}
	circuit, err := onnx.FromBytes(res.ONNX)
	if err != nil {
		return err
	}
	hIn, err := vis.CircuitInput(res.Network)
	if err != nil {
		return err
	}
	nIn, err := vis.ModelInput(net.Manifest)
	if err != nil {
		return err
	}
	var hUnits, nUnits []int
	var pairs []*Pair // the pairs with a natural partner
	for i, p := range f.Pairs {
		if p.Channel >= 0 {
			hUnits, nUnits, pairs = append(hUnits, s.units[i].Index), append(nUnits, p.Channel), append(pairs, p)
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	vo := vis.Options{Size: opt.Vis.Size, Steps: opt.Vis.Steps, Seed: opt.Vis.Seed, Batch: opt.Runtime.Batch, Runtime: opt.Runtime}
	name := f.Layer + "." + f.Family
	vo.Progress = progressOf(opt, Stage{"portraits of " + name + ", hand-made", "steps"})
	hand, err := vis.Visualize(circuit, hIn, f.Layer, hUnits, vo)
	if err != nil {
		return err
	}
	vo.Progress = progressOf(opt, Stage{"portraits of " + name + ", natural", "steps"})
	nat, err := vis.Visualize(net.Model, nIn, s.tensor, nUnits, vo)
	if err != nil {
		return err
	}
	// r[a][b]: the units of kind a on the portraits of kind b (0 hand-made,
	// 1 natural), [image][unit].
	var r [2][2][][]float64
	for a, m := range []struct {
		model  *onnx.Model
		in     vis.Input
		tensor string
		units  []int
	}{{circuit, hIn, f.Layer, hUnits}, {net.Model, nIn, s.tensor, nUnits}} {
		for b, imgs := range [][]*stimuli.Image{hand.Images, nat.Images} {
			if r[a][b], err = vis.Respond(m.model, m.in, m.tensor, m.units, imgs, opt.Runtime); err != nil {
				return err
			}
		}
	}
	var matched, baseline [2][]float64 // 0: natural on hand-made, 1: hand-made on natural
	for j, p := range pairs {
		p.Cross = &Cross{Handmade: hand.Images[j], Natural: nat.Images[j]}
		for i := range pairs {
			nOnH := r[1][0][i][j] / r[1][1][j][j]
			hOnN := r[0][1][i][j] / r[0][0][j][j]
			if i == j {
				p.Cross.NaturalOnHandmade, p.Cross.HandmadeOnNatural = Float(nOnH), Float(hOnN)
				matched[0], matched[1] = append(matched[0], nOnH), append(matched[1], hOnN)
			} else {
				baseline[0], baseline[1] = append(baseline[0], nOnH), append(baseline[1], hOnN)
			}
		}
	}
	f.Portraits = &Portraits{Size: opt.Vis.Size, Steps: opt.Vis.Steps,
		NaturalOnHandmade: Float(meanOf(matched[0])), HandmadeOnNatural: Float(meanOf(matched[1])),
		NaturalOnHandmadeBaseline: Float(meanOf(baseline[0])), HandmadeOnNaturalBaseline: Float(meanOf(baseline[1]))}
	return rotationTransfer(net, nIn, s.tensor, nUnits, pairs, nat.Images, f, opt)
}

// rotationTransfer turns each natural partner's portrait by every multiple
// of TransferStepDeg and reads which partner it excites most, relative to
// each partner's response to its own portrait; a pair whose natural unit
// fails (MaxTransferErrorDeg, MaxHalfTurnResponse) is not genuine.
func rotationTransfer(net *reference.Net, in vis.Input, tensor string, units []int, pairs []*Pair, portraits []*stimuli.Image, f *Family, opt Options) error {
	var turned []*stimuli.Image
	var turns []float64
	for phi := 0.0; phi < 360; phi += TransferStepDeg {
		turns = append(turns, phi)
	}
	for _, img := range portraits {
		for _, phi := range turns {
			turned = append(turned, vis.Rotate(img, phi))
		}
	}
	r, err := vis.Respond(net.Model, in, tensor, units, turned, opt.Runtime)
	if err != nil {
		return err
	}
	var medians []float64
	f.Portraits.TransferFails = 0
	for j, p := range pairs {
		own := r[j*len(turns)] // upright: every partner on portrait j
		var errs []float64
		for t, phi := range turns[1:] {
			row := r[j*len(turns)+t+1]
			best, bv := -1, math.Inf(-1)
			for k := range pairs {
				self := r[k*len(turns)][k] // partner k on its own portrait
				if self <= 0 {
					continue
				}
				if v := row[k] / self; v > bv {
					best, bv = k, v
				}
			}
			if best < 0 {
				errs = append(errs, 180)
				continue
			}
			want := float64(p.NaturalTuning.PreferredDeg) + phi
			errs = append(errs, angleDiff(float64(pairs[best].NaturalTuning.PreferredDeg), want, f.PeriodDeg))
		}
		p.Cross.TransferErrorDeg = Float(median(errs))
		p.Cross.HalfTurn = Float(math.NaN())
		if own[j] > 0 {
			p.Cross.HalfTurn = Float(r[j*len(turns)+len(turns)/2][j] / own[j])
		}
		medians = append(medians, float64(p.Cross.TransferErrorDeg))
		var why []string
		if e := float64(p.Cross.TransferErrorDeg); !(e <= MaxTransferErrorDeg) {
			why = append(why, fmt.Sprintf("its turned portrait excites the member %.0f° off", e))
		}
		if h := float64(p.Cross.HalfTurn); f.PeriodDeg == 360 && !(h <= MaxHalfTurnResponse) {
			why = append(why, fmt.Sprintf("answers its portrait turned half a turn at %.2f", h))
		}
		if len(why) > 0 {
			f.Portraits.TransferFails++
			if p.Genuine {
				p.Genuine = false
				p.NotGenuine = "rotation transfer: " + strings.Join(why, ", ")
			}
		}
	}
	f.Portraits.TransferErrorDeg = Float(median(medians))
	return nil
}

func progressOf(opt Options, stage Stage) func(int, int) {
	if opt.Progress == nil {
		return nil
	}
	return func(d, t int) { opt.Progress(stage, d, t) }
}

func meanOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
