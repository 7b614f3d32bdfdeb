package verify

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/circc/circc/datasets"

	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
	"github.com/circc/circc/reference"
	ort "github.com/circc/circc/runtime"
	"github.com/circc/circc/stimuli"
)

// LayerEvidence is one layer's count of members of a family kind against
// the layer-only null: the same network with only that layer's own
// weights (its block's convolutions, for an Inception block or a fire
// module) shuffled, everything below intact, over NullSeeds seeds; and,
// when asked, against the network null (Holds).
type LayerEvidence struct {
	Layer   string `json:"layer"`
	Units   int    `json:"units"`
	Members int    `json:"members"`
	NullTest
	Excess Float    `json:"excess"` // members − null mean
	CI     [2]Float `json:"ci"`     // 95% interval of the excess
	Found  bool     `json:"found"`
	// NoNull says why the layer has no null (no weights of its own, a
	// block that changes the map's size); such a layer is never found.
	NoNull string `json:"no_null,omitempty"`
	// Holds is the count against the network null: every convolution of
	// the network shuffled. A layer holds a population when it has more
	// members than a network without learned weights gives, whether it
	// builds them (Found) or inherits them from below.
	Holds *Population `json:"holds,omitempty"`
}

// NullTest is a count against the counts of a null: the null's mean and
// sample standard deviation over its seeds, z, and P, the one-sided
// p-value of the count as one more draw of the null (Student's t over
// the seeds).
type NullTest struct {
	NullMean Float `json:"null_mean"`
	NullSD   Float `json:"null_sd"`
	Seeds    int   `json:"seeds"`
	Z        Float `json:"z"`
	P        Float `json:"p"`
}

// Population is a layer's count against the network null.
type Population struct {
	NullTest
	Holds bool `json:"holds"`
}

// The nulls and the rule that calls a layer found.
const (
	// NullSeeds is how many shuffles of a layer's weights make its null.
	NullSeeds = 20
	// NetworkSeeds is the suggested number of shuffles of the whole
	// network for the network null (asked for with --network-seeds): with
	// nulls of about no members, 8 seeds let 6 members hold a population.
	NetworkSeeds = 8
	// FoundP: a layer is found (or holds a population) when its member
	// count, as a draw of the null, has a one-sided p-value of at most
	// this (about 3.7 null standard deviations with 20 seeds: Student's t
	// with seeds − 1 degrees of freedom, so few seeds cannot make a
	// spread look small), and it has at least MinMembers members.
	FoundP     = 0.001
	MinMembers = 3
	// minNullSD is the least spread a null is taken to have: a count is
	// whole, and a few seeds cannot show a spread below one unit.
	minNullSD = 1.0
)

// countTest tests a count against the counts of a null: t = (count −
// mean) / (sd·√(1 + 1/seeds)) on seeds − 1 degrees of freedom, the spread
// floored at minNullSD. Without counts every figure is NaN.
func countTest(count int, null []int) NullTest {
	nan := Float(math.NaN())
	r := NullTest{NullMean: nan, NullSD: nan, Seeds: len(null), Z: nan, P: nan}
	if len(null) == 0 {
		return r
	}
	mean, sd := meanSD(null)
	z := (float64(count) - mean) / math.Max(sd, minNullSD)
	r.NullMean, r.NullSD, r.Z = Float(mean), Float(sd), Float(z)
	if n := len(null); n >= 2 {
		t := z / math.Sqrt(1+1/float64(n))
		r.P = Float(distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Survival(t))
	}
	return r
}

// significant is the rule for both nulls: p ≤ FoundP and at least
// MinMembers members.
func (t NullTest) significant(members int) bool {
	return float64(t.P) <= FoundP && members >= MinMembers
}

// evidence sums a layer's count against its null counts.
func evidence(layer string, units, members int, null []int, noNull string) LayerEvidence {
	e := LayerEvidence{Layer: layer, Units: units, Members: members, NullTest: countTest(members, null), NoNull: noNull}
	nan := Float(math.NaN())
	e.Excess, e.CI = nan, [2]Float{nan, nan}
	if len(null) == 0 {
		return e
	}
	e.Excess = Float(float64(members)) - e.NullMean
	h := tQuantile(len(null)) * meanSE(float64(e.NullSD), len(null))
	e.CI = [2]Float{e.Excess - Float(h), e.Excess + Float(h)}
	e.Found = e.significant(members)
	return e
}

// population sums a layer's count against the network null's counts.
func population(members int, null []int) *Population {
	t := countTest(members, null)
	return &Population{NullTest: t, Holds: t.significant(members)}
}

// meanSE is the standard error of a null's mean over its seeds (its
// spread floored at minNullSD). The count itself is a census of the
// layer's units under one readout, exact; so an excess, and the
// difference between two layers' excesses, is uncertain only through the
// null means. How much the count depends on the readout is what
// CheckReadouts measures.
func meanSE(nullSD float64, seeds int) float64 {
	return math.Max(nullSD, minNullSD) / math.Sqrt(float64(max(seeds, 1)))
}

// tQuantile is the two-sided 95% quantile of Student's t for a mean over
// seeds draws (1.96 as seeds grow; +Inf for fewer than two).
func tQuantile(seeds int) float64 {
	if seeds < 2 {
		return math.Inf(1)
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(seeds - 1)}.Quantile(0.975)
}

// meanSD is the mean and the sample standard deviation of counts or
// scores.
func meanSD[T int | float64](v []T) (float64, float64) {
	var m float64
	for _, x := range v {
		m += float64(x)
	}
	m /= float64(len(v))
	var s float64
	for _, x := range v {
		s += (float64(x) - m) * (float64(x) - m)
	}
	if len(v) > 1 {
		s /= float64(len(v) - 1)
	}
	return m, math.Sqrt(s)
}

// Comparison is the difference in excess between the two layers with the
// most, with its 95% interval: a tie when the interval holds zero.
type Comparison struct {
	Best string   `json:"best"`
	Next string   `json:"next"`
	Diff Float    `json:"diff"`
	CI   [2]Float `json:"ci"`
	Tie  bool     `json:"tie"`
}

// compareBest orders layers by excess (those without a null last) and
// compares the first two: the difference of their excesses, uncertain
// through both null means (Student's t on the fewer seeds).
func compareBest(ev []LayerEvidence) ([]LayerEvidence, *Comparison) {
	out := append([]LayerEvidence(nil), ev...)
	key := func(e LayerEvidence) float64 {
		if math.IsNaN(float64(e.Excess)) {
			return math.Inf(-1)
		}
		return float64(e.Excess)
	}
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) > key(out[j]) })
	if len(out) < 2 || math.IsNaN(float64(out[1].Excess)) {
		return out, nil
	}
	a, b := out[0], out[1]
	h := tQuantile(min(a.Seeds, b.Seeds)) * math.Hypot(meanSE(float64(a.NullSD), a.Seeds), meanSE(float64(b.NullSD), b.Seeds))
	d := float64(a.Excess - b.Excess)
	c := &Comparison{Best: a.Layer, Next: b.Layer, Diff: Float(d), CI: [2]Float{Float(d - h), Float(d + h)}}
	c.Tie = float64(c.CI[0]) <= 0
	return out, c
}

// nullPlan is how one layer's null is run: the block that makes it, and
// the centred block of its input that the network is read at so that the
// block alone, run on it, gives the layer's readout.
type nullPlan struct {
	tensor string
	window int
	block  *onnx.Block
	image  bool    // the block reads the image: it runs on the cropped stimuli
	side   int     // the side of the input block read (not for the image)
	shape  []int64 // one input's shape: [C, side, side]
	crop   crop    // for the image: the crop of the stimuli
	noNull string
}

// planNull plans the null of the layer read from tensor with the given
// window: stops are the other layers' tensors.
func planNull(net *reference.Net, tensor string, window int) *nullPlan {
	p := &nullPlan{tensor: tensor, window: window}
	stops := map[string]bool{}
	for _, l := range net.Manifest.Layers {
		stops[l.Tensor] = true
	}
	b, err := net.Model.BlockOf(tensor, stops)
	if err != nil {
		p.noNull = err.Error()
		return p
	}
	p.block = b
	if len(b.Convs) == 0 {
		p.noNull = "no weights of its own"
		return p
	}
	size := net.Manifest.Input.Size[0]
	channels := len(net.Manifest.Input.Channels)
	if b.Input == net.Model.Input().GetName() {
		p.image = true
		m := net.Model.Clone()
		if c, ok := m.CentreCropWindows([]string{tensor}, []int{window}, channels, size); ok {
			p.crop = c
		}
		side := size
		if p.crop.Size > 0 {
			side = p.crop.Size
		}
		p.shape = []int64{int64(channels), int64(side), int64(side)}
		return p
	}
	shapes, err := net.Model.Shapes([]int64{1, int64(channels), int64(size), int64(size)})
	if err != nil {
		p.noNull = err.Error()
		return p
	}
	in, out := shapes[b.Input], shapes[tensor]
	if len(in) != 4 || len(out) != 4 || in[2] != out[2] || in[3] != out[3] || in[2] != in[3] {
		p.noNull = "its block changes the map's size (a stride or a pool inside)"
		return p
	}
	sub := net.Model.Clone()
	S := int(in[2])
	if err := sub.SetOutputs([]int64{1, int64(channels), int64(size), int64(size)}, tensor); err != nil {
		p.noNull = err.Error()
		return p
	}
	if err := sub.Between(b.Input, in, tensor); err != nil {
		p.noNull = err.Error()
		return p
	}
	fields, err := sub.ReceptiveFields()
	f, ok := fields[tensor]
	if err != nil || !ok || f.Jump != [2]int{1, 1} {
		p.noNull = "its block's fields cannot be followed"
		return p
	}
	halo := max(-f.Lo[0], -f.Lo[1], f.Hi[0], f.Hi[1])
	side := window + 2*halo
	if (S-side)%2 != 0 {
		side++
	}
	side = min(side, S)
	p.side, p.shape = side, []int64{in[1], int64(side), int64(side)}
	return p
}

// session opens the block of a plan on its input block, with the
// block's convolutions shuffled by seed (seed < 0: as learned), reading
// the layer's window.
func (p *nullPlan) session(net *reference.Net, seed int64, opt ort.Options) (*ort.Session, string, error) {
	m := net.Model.Clone()
	if seed >= 0 {
		own := map[string]bool{}
		for _, n := range p.block.Convs {
			own[n.GetOutput()[0]] = true
		}
		if err := m.PermuteConvWeightsOf(seed, func(n *pb.NodeProto) bool { return own[n.GetOutput()[0]] }); err != nil {
			return nil, "", err
		}
	}
	input := append([]int64{1}, p.shape...)
	// Cut after the layer first: what lies beyond it need not fit the
	// block's small input.
	size := net.Manifest.Input.Size
	if err := m.SetOutputs([]int64{1, int64(len(net.Manifest.Input.Channels)), int64(size[0]), int64(size[1])}, p.tensor); err != nil {
		return nil, "", err
	}
	if p.image {
		if err := m.SetInputShape(int(p.shape[1]), int(p.shape[2])); err != nil {
			return nil, "", err
		}
	} else if err := m.Between(p.block.Input, input, p.tensor); err != nil {
		return nil, "", err
	}
	read, err := m.ReadWindowsEach(input, []int{p.window}, p.tensor)
	if err != nil {
		return nil, "", err
	}
	data, err := m.Bytes()
	if err != nil {
		return nil, "", err
	}
	s, err := ort.NewSessionFromBytes(data, m.Input().GetName(), read, opt)
	return s, read[0], err
}

// layerInputs holds, per stimulus set (and "photos"), the rows a null's
// block runs on.
type layerInputs map[string][][]float32

// countMembers counts the members among a layer's units, reading every
// set's responses from r (by set name, "photos" for the photos; nil when
// there are none).
func countMembers(kind *Kind, sets map[string]*stimuli.Set, r map[string][][]float32) (int, []*Reading) {
	rows := r[kind.Set]
	if len(rows) == 0 {
		return 0, nil
	}
	n, readings := 0, make([]*Reading, len(rows[0]))
	for c := range readings {
		var contrast [][]float64
		for _, name := range kind.Contrast {
			contrast = append(contrast, columnOf(r[name], c))
		}
		var photos []float64
		if r["photos"] != nil {
			photos = columnOf(r["photos"], c)
		}
		readings[c] = kind.read(sets, columnOf(rows, c), contrast, photos)
		if kind.Member(readings[c]) {
			n++
		}
	}
	return n, readings
}

func columnOf(rows [][]float32, ch int) []float64 {
	v := make([]float64, len(rows))
	for i, row := range rows {
		v[i] = float64(row[ch])
	}
	return v
}

// nullCounts runs a layer's null: its block with its weights shuffled by
// each seed, on the inputs, counting members each time.
func nullCounts(net *reference.Net, p *nullPlan, kind *Kind, sets map[string]*stimuli.Set, in layerInputs, seeds int, opt ort.Options, progress func(done, total int)) ([]int, error) {
	var counts []int
	for s := 0; s < seeds; s++ {
		r, err := runNull(net, p, int64(s+1), in, opt)
		if err != nil {
			return nil, err
		}
		n, _ := countMembers(kind, sets, r)
		counts = append(counts, n)
		if progress != nil {
			progress(s+1, seeds)
		}
	}
	return counts, nil
}

// runNull runs a layer's block (shuffled by seed; seed < 0: as learned)
// on every set's inputs and returns its readout per set.
func runNull(net *reference.Net, p *nullPlan, seed int64, in layerInputs, opt ort.Options) (map[string][][]float32, error) {
	sess, out, err := p.session(net, seed, opt)
	if err != nil {
		return nil, fmt.Errorf("the null of %s: %w", p.tensor, err)
	}
	defer sess.Close()
	r := map[string][][]float32{}
	for name, rows := range in {
		res, err := sweepTensors(sess, rows, p.shape, []string{out}, opt.BatchSize())
		if err != nil {
			return nil, err
		}
		r[name] = res[out]
	}
	return r, nil
}

// evidenceKey names a spec's layer evidence: its tensor read with its kind.
func evidenceKey(s *matchSpec) string { return s.tensor + " " + KindOf(s.set).Set }

// layerEvidence counts, for every natural layer the specs read and each
// kind it is read with, the members and, where the layer has a null, the
// members under each of opt.NullSeeds shuffles of its own weights.
func layerEvidence(net *reference.Net, specs []*matchSpec, plans map[string]*nullPlan, sets map[string]*stimuli.Set, sweeps map[string]Responses,
	photos []datasets.Item, reader *datasets.Reader, opt Options) (map[string]*LayerEvidence, error) {
	out := map[string]*LayerEvidence{}
	for _, s := range specs {
		key := evidenceKey(s)
		if out[key] != nil {
			continue
		}
		kind := KindOf(s.set)
		r := natural(sweeps, s.tensor)
		members, readings := countMembers(kind, sets, r)
		p := plans[s.tensor]
		var null []int
		noNull := ""
		switch {
		case p == nil:
			noNull = "no null asked"
		case p.noNull != "":
			noNull = p.noNull
		default:
			in, err := nullInputs(net, p, kind, sets, sweeps, photos, reader)
			if err != nil {
				return nil, err
			}
			var progress func(int, int)
			if opt.Progress != nil {
				progress = func(d, t int) { opt.Progress(Stage{"null of " + s.natLayer, "seeds"}, d, t) }
			}
			if null, err = nullCounts(net, p, kind, sets, in, opt.NullSeeds, opt.Runtime, progress); err != nil {
				return nil, err
			}
		}
		e := evidence(s.natLayer, len(readings), members, null, noNull)
		out[key] = &e
	}
	return out, nil
}

// nullInputs gathers what a layer's null block runs on, per set the kind
// reads and for the photos: the block below the layer as the network read
// it, or, for a block that reads the image, the stimuli and photos cropped
// and preprocessed.
func nullInputs(net *reference.Net, p *nullPlan, kind *Kind, sets map[string]*stimuli.Set, sweeps map[string]Responses, photos []datasets.Item, reader *datasets.Reader) (layerInputs, error) {
	in := layerInputs{}
	names := append([]string{kind.Set}, kind.Contrast...)
	if len(photos) > 0 {
		names = append(names, "photos")
	}
	if !p.image {
		for _, name := range names {
			in[name] = sweeps[name][p.block.Input+"/block"]
		}
		return in, nil
	}
	h, w := int(p.shape[1]), int(p.shape[2])
	for _, name := range names {
		if name == "photos" {
			rows, err := photoRows(net, photos, reader, p.crop, h, w)
			if err != nil {
				return nil, err
			}
			in[name] = rows
			continue
		}
		set := sets[name]
		for i := 0; i < set.Len(); i++ {
			x, err := imageRow(net, set.Render(i), p.crop, h, w)
			if err != nil {
				return nil, err
			}
			in[name] = append(in[name], x)
		}
	}
	return in, nil
}

// imageRow is one image as the network takes it: the crop c of it,
// preprocessed, h×w.
func imageRow(net *reference.Net, im *stimuli.Image, c crop, h, w int) ([]float32, error) {
	dst := make([]float32, len(net.Manifest.Input.Channels)*h*w)
	return dst, net.Manifest.FromRGB(dst, cropImage(im, c).Pix, h, w)
}

// photoRows decodes each photo and makes it a row (imageRow).
func photoRows(net *reference.Net, photos []datasets.Item, reader *datasets.Reader, c crop, h, w int) ([][]float32, error) {
	var rows [][]float32
	for _, it := range photos {
		img, err := reader.Decode(it.Path)
		if err != nil {
			return nil, err
		}
		im, err := stimuli.FromImage(img, net.Manifest.Input.Size[0])
		if err != nil {
			return nil, err
		}
		x, err := imageRow(net, im, c, h, w)
		if err != nil {
			return nil, err
		}
		rows = append(rows, x)
	}
	return rows, nil
}
