package verify

import (
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
}

// Cross is one pair's cross-activation.
type Cross struct {
	NaturalOnHandmade Float `json:"natural_on_handmade"`
	HandmadeOnNatural Float `json:"handmade_on_natural"`
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
	for _, u := range s.units {
		hUnits = append(hUnits, u.Index)
	}
	for _, p := range f.Pairs {
		nUnits = append(nUnits, p.Channel)
	}
	vo := vis.Options{Size: opt.Vis.Size, Steps: opt.Vis.Steps, Seed: opt.Vis.Seed, Batch: opt.Runtime.Batch, Runtime: opt.Runtime}
	name := f.Layer + "." + f.Family
	vo.Progress = progressOf(opt, "portraits of "+name+", hand-made")
	hand, err := vis.Visualize(circuit, hIn, f.Layer, hUnits, vo)
	if err != nil {
		return err
	}
	vo.Progress = progressOf(opt, "portraits of "+name+", natural")
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
	for j, p := range f.Pairs {
		p.Cross = &Cross{Handmade: hand.Images[j], Natural: nat.Images[j]}
		for i := range f.Pairs {
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
	return nil
}

func progressOf(opt Options, stage string) func(int, int) {
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
