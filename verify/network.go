package verify

import (
	"fmt"

	"github.com/circc/circc/datasets"
	pb "github.com/circc/circc/onnx/onnxpb"
	"github.com/circc/circc/stimuli"
)

// networkNull counts, for every layer a search reads, the members in the
// network with every convolution's weights shuffled, over
// opt.NetworkSeeds seeds, and adds each layer's count against them to
// its evidence (Holds). The layer-only null asks whether a layer builds
// its population; this one asks whether the layer holds one at all,
// built there or inherited from below. One pass of the shuffled network
// per seed reads every layer.
func (p *probe) networkNull(specs []*matchSpec, sets map[string]*stimuli.Set, photos []datasets.Item, reader *datasets.Reader, ev map[string]*LayerEvidence) error {
	var searched []*matchSpec
	seen := map[string]bool{}
	for _, s := range specs {
		if k := evidenceKey(s); s.search && !seen[k] && ev[k] != nil {
			searched, seen[k] = append(searched, s), true
		}
	}
	if p.opt.NetworkSeeds <= 0 || len(searched) == 0 {
		return nil
	}
	side := p.net.Manifest.Input.Size[0]
	if p.window.Size > 0 {
		side = p.window.Size
	}
	// The photos are decoded and cropped once, for every seed.
	shape := []int64{int64(len(p.net.Manifest.Input.Channels)), int64(side), int64(side)}
	rows, err := photoRows(p.net, photos, reader, p.window, side, side)
	if err != nil {
		return err
	}
	counts := map[string][]int{}
	for seed := 1; seed <= p.opt.NetworkSeeds; seed++ {
		m := p.model.Clone()
		if err := m.PermuteConvWeightsOf(int64(seed), func(*pb.NodeProto) bool { return true }); err != nil {
			return fmt.Errorf("the network null: %w", err)
		}
		sess, err := p.sessionOn(m, side, p.windows, false)
		if err != nil {
			return fmt.Errorf("the network null: %w", err)
		}
		r := map[string]Responses{}
		for name, set := range sets {
			if r[name], err = sweep(sess, p.net.Manifest, set.Len(), func(i int) (*stimuli.Image, error) { return set.Render(i), nil }, p.outs, nil, p.window, p.opt.Runtime.BatchSize()); err != nil {
				sess.Close()
				return err
			}
		}
		if len(rows) > 0 {
			if r["photos"], err = sweepTensors(sess, rows, shape, p.outs, p.opt.Runtime.BatchSize()); err != nil {
				sess.Close()
				return err
			}
		}
		sess.Close()
		for _, s := range searched {
			n, _ := countMembers(KindOf(s.set), sets, natural(r, s.tensor))
			counts[evidenceKey(s)] = append(counts[evidenceKey(s)], n)
		}
		if p.opt.Progress != nil {
			p.opt.Progress(Stage{"network null", "seeds"}, seed, p.opt.NetworkSeeds)
		}
	}
	for k, c := range counts {
		ev[k].Holds = population(ev[k].Members, c)
	}
	return nil
}
