package verify

import (
	"math"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/reference"
	ort "github.com/circc/circc/runtime"
	"github.com/circc/circc/stimuli"
)

// probe is a session on the reference network cut at the tensors the
// specs read, with the circuit beside it, reading each over its block of
// centre cells, and the blocks below layers their nulls run on. Stimuli
// run through the smallest centred window of the input that gives the
// same values (crop); photos, read anywhere on the map, through the full
// size.
type probe struct {
	net     *reference.Net
	model   *onnx.Model // the reference with the circuit beside it
	outs    []string    // the tensors read
	reads   []string    // what the centre session reads: outs, then the blocks below layers (TENSOR/block)
	sess    *ort.Session
	window  crop  // the part of the input sess takes; zero: all of it
	windows []int // each output's block of cells
	blocks  []string
	sides   []int // each block's side
	photos  *ort.Session
	opt     Options
}

// newProbe opens the session that reads the specs' natural tensors and the
// circuit's layers, each over its block of centre cells, and for each
// null plan whose block reads a layer below, that layer's centre block in
// full (TENSOR/block), on which the null's block runs.
func newProbe(fs afero.Fs, res *compiler.Result, net *reference.Net, specs []*matchSpec, opt Options, plans map[string]*nullPlan) (*probe, error) {
	var layers []string
	seen := map[string]bool{}
	for _, s := range specs {
		if !seen["circuit:"+s.layer.Name] {
			layers, seen["circuit:"+s.layer.Name] = append(layers, s.layer.Name), true
		}
	}
	model, outs, err := net.Beside(fs, res, tensorsOf(specs), layers)
	if err != nil {
		return nil, err
	}
	p := &probe{net: net, outs: outs, model: model, opt: opt}
	size := net.Manifest.Input.Size[0]
	channels := len(net.Manifest.Input.Channels)
	if p.windows, err = readWindows(model, outs, opt.Window); err != nil {
		return nil, err
	}
	side := map[string]int{}
	for _, t := range tensorsOf(specs) {
		if pl := plans[t]; pl != nil && pl.noNull == "" && !pl.image {
			if side[pl.block.Input] != 0 && side[pl.block.Input] != pl.side {
				pl.noNull = "its input is another layer's at another size" // not with these models' blocks
				continue
			}
			if side[pl.block.Input] == 0 {
				p.blocks, p.sides = append(p.blocks, pl.block.Input), append(p.sides, pl.side)
			}
			side[pl.block.Input] = pl.side
		}
	}
	p.reads = append(append([]string(nil), outs...), blockNames(p.blocks)...)
	in := size
	if !opt.FullSize {
		// Only the centre blocks are read: compute them on the smallest
		// window of the input that gives the same values.
		all := append(append([]string(nil), outs...), p.blocks...)
		if w, ok := model.CentreCropWindows(all, append(append([]int(nil), p.windows...), p.sides...), channels, size); ok {
			p.window, in = w, w.Size
		}
	}
	if p.sess, err = p.session(in, p.windows, true); err != nil {
		return nil, err
	}
	return p, nil
}

// blockNames are the outputs ReadBlocks names.
func blockNames(tensors []string) []string {
	var out []string
	for _, t := range tensors {
		out = append(out, t+"/block")
	}
	return out
}

// TolerancePx is how far from the image centre, in pixels, position-
// tolerant reading looks for the unit a stimulus reaches (see readWindows).
const TolerancePx = 16

// readWindows is the side of the block of cells each output is read over:
// window for every output when it is given (1: the centre cell), else
// position-tolerant reading, sized from the output's stride in input
// pixels: round(TolerancePx / stride) cells, at least 1 (2 at stride 8,
// 4 at stride 4, 1 at stride 16 and more). A stimulus centred on the
// image then reaches the unit nearest to it whatever the layer's grid.
func readWindows(m *onnx.Model, outs []string, window int) ([]int, error) {
	out := make([]int, len(outs))
	if window > 0 {
		for i := range out {
			out[i] = window
		}
		return out, nil
	}
	fields, err := m.ReceptiveFields()
	if err != nil {
		return nil, err
	}
	for i, t := range outs {
		out[i] = 1
		if f, ok := fields[t]; ok && f.Jump[0] > 0 {
			out[i] = max(1, int(math.Round(TolerancePx/float64(f.Jump[0]))))
		}
	}
	return out, nil
}

// session opens the probe's model on a side×side input, reading each
// output's block of cells in the graph (windows[i] for output i; 0: the
// whole map) and, with blocks, the blocks below layers in full.
func (p *probe) session(side int, windows []int, blocks bool) (*ort.Session, error) {
	return p.sessionOn(p.model.Clone(), side, windows, blocks)
}

// sessionOn is session on m, a copy of the probe's model.
func (p *probe) sessionOn(m *onnx.Model, side int, windows []int, blocks bool) (*ort.Session, error) {
	if err := m.SetInputShape(side, side); err != nil {
		return nil, err
	}
	input := []int64{1, int64(len(p.net.Manifest.Input.Channels)), int64(side), int64(side)}
	read, err := m.ReadWindowsEach(input, windows, p.outs...)
	if err != nil {
		return nil, err
	}
	if blocks && len(p.blocks) > 0 {
		more, err := m.ReadBlocks(input, p.sides, p.blocks...)
		if err != nil {
			return nil, err
		}
		read = append(read, more...)
	}
	data, err := m.Bytes()
	if err != nil {
		return nil, err
	}
	return ort.NewSessionFromBytes(data, m.Input().GetName(), read, p.opt.Runtime)
}

// photoSession reads each output's largest value anywhere on the map of
// a full-size input, as photos are read; made when photos need it.
func (p *probe) photoSession() (*ort.Session, error) {
	if p.photos == nil {
		s, err := p.session(p.net.Manifest.Input.Size[0], make([]int, len(p.outs)), false)
		if err != nil {
			return nil, err
		}
		p.photos = s
	}
	return p.photos, nil
}

func (p *probe) close() {
	p.sess.Close()
	if p.photos != nil {
		p.photos.Close()
	}
}

// progress reports a stage of the probe to the caller's Progress.
func (p *probe) progress(stage Stage) func(int, int) {
	if p.opt.Progress == nil {
		return nil
	}
	return func(d, t int) { p.opt.Progress(stage, d, t) }
}

// sweepSets runs one sweep per stimulus set the specs' family kinds need
// (their own sets and their contrast sets); label prefixes the progress
// stages.
func (p *probe) sweepSets(specs []*matchSpec, label string) (map[string]Responses, map[string]*stimuli.Set, error) {
	sweeps := map[string]Responses{}
	setOf := map[string]*stimuli.Set{}
	size := p.net.Manifest.Input.Size[0]
	for _, s := range specs {
		k := KindOf(s.set)
		for _, name := range append([]string{k.Set}, k.Contrast...) {
			if _, done := sweeps[name]; done {
				continue
			}
			set, err := stimuli.LookupStroke(name, size, p.opt.stroke())
			if err != nil {
				return nil, nil, err
			}
			r, err := sweep(p.sess, p.net.Manifest, set.Len(), func(i int) (*stimuli.Image, error) { return set.Render(i), nil }, p.reads,
				p.progress(Stage{label + name, "stimuli"}), p.window, p.opt.Runtime.BatchSize())
			if err != nil {
				return nil, nil, err
			}
			sweeps[name], setOf[name] = r, set
		}
	}
	return sweeps, setOf, nil
}
