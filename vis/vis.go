package vis

import (
	"fmt"
	"math"
	"math/rand"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"

	"github.com/circc/circc/compiler/expand"
	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/onnx/grad"
	ort "github.com/circc/circc/runtime"
	"github.com/circc/circc/stimuli"
)

// Input says how an RGB image in [0, 1] becomes the graph's input: input
// channel i is A[i]·rgb[Src[i]] + B[i] (a reference model's mean and
// scale, a circuit's range).
type Input struct {
	Src  []int
	A, B []float64
}

// Options control an optimisation.
type Options struct {
	Size  int     // side of the image (default 224)
	Steps int     // default 512
	Seed  int64   // the initial spectrum and the transforms
	LR    float64 // Adam's learning rate (default 0.05)
	// NoTransforms optimises without transformation robustness.
	NoTransforms bool
	// Batch is how many units are optimised together (0: as many as
	// MaxBatchPixels allows at this size). Each batch starts from the
	// same seed, so a run with one batch is what it always was.
	Batch int
	// Objective is what each image climbs (default Neuron).
	Objective Objective
	// Diversity is the weight of the likeness penalty of the Diverse
	// objective (0: 0.5), DiverseImages its images per unit (0: 4).
	Diversity     float64
	DiverseImages int
	Runtime       ort.Options
	Progress      func(step, steps int)
}

// Objective is what an optimised image climbs: the portraits of the
// Distill appendix and of Microscope.
type Objective uint8

const (
	// Neuron: the centre cell of the unit's channel.
	Neuron Objective = iota
	// Channel: the mean of the unit's channel over its whole map.
	Channel
	// Negative: the centre cell, descended: what inhibits the unit most.
	Negative
	// Diverse: the centre cell, for DiverseImages images per unit at once,
	// less Diversity times their mean likeness: the cosine between the
	// Gram matrices of the target layer's channels (Lucid's diversity
	// term). Its gradient is taken at the previous step's activations, so
	// a step costs one run, as the other objectives' do. The penalty's
	// gradient is scaled to Diversity times the norm of the objective's,
	// times the image's response over its group's best (an image that does
	// not yet excite its unit climbs the objective alone).
	Diverse
)

// Objectives names the objectives, in order, as atlases and files call
// them.
var Objectives = []string{"neuron", "channel", "negative", "diverse"}

func (o Objective) String() string { return Objectives[o] }

func (o *Options) defaults() {
	if o.Size == 0 {
		o.Size = 224
	}
	if o.Steps == 0 {
		o.Steps = 512
	}
	if o.LR == 0 {
		o.LR = 0.05
	}
	if o.Diversity == 0 {
		o.Diversity = 0.5
	}
	if o.DiverseImages == 0 {
		o.DiverseImages = 4
	}
}

// perUnit is how many images the objective makes for each unit.
func (o *Options) perUnit() int {
	if o.Objective == Diverse {
		return o.DiverseImages
	}
	return 1
}

// MaxBatchPixels bounds the pixels of one batch of images when Options
// leaves Batch at 0: 256 units at 128 px, 4 at 1024 px.
const MaxBatchPixels = 1 << 22

// Result holds, per unit, its visualization and the unit's response to
// it (the centre cell of its channel, or for Channel its map's mean,
// without transforms); for Diverse, DiverseImages of each, unit by unit.
type Result struct {
	Images   []*stimuli.Image
	Response []float64
}

// Visualize optimises one image per channel of target (all in one batch),
// or DiverseImages for Diverse, each to climb the objective.
func Visualize(m *onnx.Model, in Input, target string, channels []int, opt Options) (*Result, error) {
	opt.defaults()
	if len(channels) == 0 {
		return nil, fmt.Errorf("no units to visualise")
	}
	if opt.Objective > Diverse {
		return nil, fmt.Errorf("no objective %d", opt.Objective)
	}
	n := opt.Size
	c := m.Clone()
	if err := c.SetInputShape(n, n); err != nil {
		return nil, err
	}
	inC := int64(len(in.Src))
	// Only the network up to the target: a head sized for the full input
	// (a classifier after Flatten) need not fit this one.
	if err := c.SetOutputs([]int64{1, inC, int64(n), int64(n)}, target); err != nil {
		return nil, err
	}
	// The objective reads the centre cells alone: the network needs only
	// the window of the image their fields cover (the gradient outside it
	// is zero), which halves the work at 128×128 for mixed3b.
	win := onnx.Crop{Size: n}
	if w, ok := c.CentreCrop([]string{target}, int(inC), n); ok && opt.Objective != Channel {
		win = w
		if err := c.SetInputShape(w.Size, w.Size); err != nil {
			return nil, err
		}
	}
	side := win.Size
	shape := []int64{1, inC, int64(side), int64(side)}
	g, err := grad.Build(c, shape, target, grad.Options{RedirectRelu: true})
	if err != nil {
		return nil, err
	}
	shapes, err := c.Shapes(shape)
	if err != nil {
		return nil, err
	}
	ts := shapes[target]
	if len(ts) != 4 {
		return nil, fmt.Errorf("%s is not a map of units (shape %v)", target, ts)
	}
	for _, ch := range channels {
		if ch < 0 || int64(ch) >= ts[1] {
			return nil, fmt.Errorf("%s has channels 0 to %d; %d is not one", target, ts[1]-1, ch)
		}
	}
	data, err := g.Bytes()
	if err != nil {
		return nil, err
	}
	sess, err := ort.NewSessionInputs(data, []string{g.Input().GetName(), grad.Seed}, []string{target, grad.Image}, opt.Runtime)
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	chunk := opt.Batch
	if chunk <= 0 {
		chunk = max(1, MaxBatchPixels/(n*n))
	}
	// A unit's diverse images share a batch: their likeness is measured
	// among themselves.
	chunk = max(1, chunk/opt.perUnit())
	all := &Result{}
	for at := 0; at < len(channels); at += chunk {
		part := channels[at:min(at+chunk, len(channels))]
		step := opt.Progress
		if step != nil {
			k := opt.perUnit()
			done, total := at*k*opt.Steps, len(channels)*k*opt.Steps
			step = func(s, _ int) { opt.Progress(done+s*len(part)*k, total) }
		}
		r, err := optimise(sess, in, win, ts, part, opt, step)
		if err != nil {
			return nil, err
		}
		all.Images = append(all.Images, r.Images...)
		all.Response = append(all.Response, r.Response...)
	}
	return all, nil
}

// optimise runs Adam on one batch of images, one per channel (perUnit
// per channel for Diverse).
func optimise(sess *ort.Session, in Input, win onnx.Crop, ts []int64, units []int, opt Options, progress func(step, steps int)) (*Result, error) {
	n, side, inC := opt.Size, win.Size, int64(len(in.Src))
	var channels []int
	for _, ch := range units {
		for range opt.perUnit() {
			channels = append(channels, ch)
		}
	}
	B := len(channels)
	plane := ts[2] * ts[3]
	centre := (ts[2]-1)/2*ts[3] + (ts[3]-1)/2
	base := objectiveSeed(opt.Objective, ts, channels)
	seed := slices.Clone(base)
	seedShape := []int64{int64(B), ts[1], ts[2], ts[3]}
	sp := newSpectrum(n, n)
	rng := rand.New(rand.NewSource(opt.Seed))
	params := make([][]float64, B)
	for b := range params {
		params[b] = sp.init(rng)
	}
	adam := newAdam(len(params[0]), B, opt.LR)
	np := sp.params()
	// render makes image b: planar rgb and the sigmoid's slopes.
	render := func(b int) ([]float64, []float64) {
		var t [3][]float64
		for ch := 0; ch < 3; ch++ {
			t[ch] = sp.image(params[b][ch*np : (ch+1)*np])
		}
		return rgb(t)
	}
	ww := side * side
	input := make([]float32, int64(B)*inC*int64(ww))
	// fill writes image b's window as the model's input.
	fill := func(b int, img []float64) {
		for i := range in.Src {
			dst := input[(b*len(in.Src)+i)*ww : (b*len(in.Src)+i+1)*ww]
			for y := 0; y < side; y++ {
				src := img[in.Src[i]*n*n+(win.Y0+y)*n+win.X0:]
				for x := 0; x < side; x++ {
					dst[y*side+x] = float32(in.A[i]*src[x] + in.B[i])
				}
			}
		}
	}
	run := func() ([]ort.Output, error) {
		return sess.RunInputs(ort.Input{Data: input, Shape: []int64{int64(B), inC, int64(side), int64(side)}}, ort.Input{Data: seed, Shape: seedShape})
	}
	for step := 0; step < opt.Steps; step++ {
		w := newWarp(n, 1, 0, [2]float64{})
		if !opt.NoTransforms {
			w = randomWarp(n, rng)
		}
		slopes := make([][]float64, B)
		parallel(B, func(b int) {
			img, slope := render(b)
			slopes[b] = slope
			fill(b, w.apply(img, n))
		})
		out, err := run()
		if err != nil {
			return nil, err
		}
		if opt.Objective == Diverse {
			diversify(seed, base, out[0].Data, ts, channels, centre, opt.DiverseImages, opt.Diversity)
		}
		dx := out[1].Data
		nn := n * n
		parallel(B, func(b int) {
			// Back through the preprocessing, the warp, the colours and
			// the spectrum.
			d := make([]float64, 3*nn)
			for i, src := range in.Src {
				g := dx[(b*len(in.Src)+i)*ww : (b*len(in.Src)+i+1)*ww]
				for y := 0; y < side; y++ {
					row := d[src*nn+(win.Y0+y)*n+win.X0:]
					for x := 0; x < side; x++ {
						row[x] += in.A[i] * float64(g[y*side+x])
					}
				}
			}
			d = w.adjoint(d, n)
			t := rgbAdjoint(d, slopes[b])
			gp := make([]float64, 3*np)
			for ch := 0; ch < 3; ch++ {
				copy(gp[ch*np:(ch+1)*np], sp.adjoint(t[ch]))
			}
			adam.ascend(b, params[b], gp)
		})
		if progress != nil {
			progress(step+1, opt.Steps)
		}
	}
	res := &Result{}
	for b := 0; b < B; b++ {
		img, _ := render(b)
		fill(b, img)
		im := stimuli.NewImage(n, n, 0)
		for i, v := range img {
			im.Pix[i] = float32(v)
		}
		res.Images = append(res.Images, im)
	}
	out, err := run()
	if err != nil {
		return nil, err
	}
	for b, ch := range channels {
		at := (int64(b)*ts[1] + int64(ch)) * plane
		if opt.Objective == Channel {
			sum := 0.0
			for _, v := range out[0].Data[at : at+plane] {
				sum += float64(v)
			}
			res.Response = append(res.Response, sum/float64(plane))
			continue
		}
		res.Response = append(res.Response, float64(out[0].Data[at+centre]))
	}
	return res, nil
}

// objectiveSeed is the objective's derivative with respect to the target
// map, image by image: what the gradient graph runs backwards.
func objectiveSeed(obj Objective, ts []int64, channels []int) []float32 {
	plane := ts[2] * ts[3]
	centre := (ts[2]-1)/2*ts[3] + (ts[3]-1)/2
	seed := make([]float32, int64(len(channels))*ts[1]*plane)
	for b, ch := range channels {
		at := (int64(b)*ts[1] + int64(ch)) * plane
		switch obj {
		case Channel:
			for i := range plane {
				seed[at+i] = 1 / float32(plane)
			}
		case Negative:
			seed[at+centre] = -1
		default:
			seed[at+centre] = 1
		}
	}
	return seed
}

// parallel runs f(0) … f(n−1) on every CPU (the images of a batch are
// independent; onnxruntime is idle meanwhile).
func parallel(n int, f func(i int)) {
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < min(n, goruntime.NumCPU()); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// adam is Adam (Kingma and Ba) with the usual β1 0.9, β2 0.999, ε 1e-8,
// one state per image; it climbs the objective.
type adam struct {
	lr   float64
	t    []int
	m, v [][]float64
}

func newAdam(n, batch int, lr float64) *adam {
	a := &adam{lr: lr, t: make([]int, batch), m: make([][]float64, batch), v: make([][]float64, batch)}
	for b := range a.m {
		a.m[b], a.v[b] = make([]float64, n), make([]float64, n)
	}
	return a
}

func (a *adam) ascend(b int, p, g []float64) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	a.t[b]++
	c1, c2 := 1-math.Pow(b1, float64(a.t[b])), 1-math.Pow(b2, float64(a.t[b]))
	m, v := a.m[b], a.v[b]
	for i, gi := range g {
		m[i] = b1*m[i] + (1-b1)*gi
		v[i] = b2*v[i] + (1-b2)*gi*gi
		p[i] += a.lr * (m[i] / c1) / (math.Sqrt(v[i]/c2) + eps)
	}
}

// channelOf maps an RGB channel's name to its plane.
var channelOf = map[string]int{"r": 0, "g": 1, "b": 2}

// ModelInput is a reference model's preprocessing as an Input.
func ModelInput(man *models.Manifest) (Input, error) {
	var in Input
	for i, c := range man.Input.Channels {
		src, ok := channelOf[c]
		if !ok {
			return in, fmt.Errorf("model %s: input channel %q is not r, g or b", man.Name, c)
		}
		in.Src = append(in.Src, src)
		in.A = append(in.A, man.Input.Scale/man.Input.StdOf(i))
		in.B = append(in.B, -man.Input.Mean[i]/man.Input.StdOf(i))
	}
	return in, nil
}

// CircuitInput is a compiled circuit's input as an Input: its channels
// by name, its range.
func CircuitInput(net *expand.Network) (Input, error) {
	var in Input
	for _, c := range net.Input.Channels {
		src, ok := channelOf[strings.Trim(c, `"`)]
		if !ok {
			return in, fmt.Errorf("circuit %s: input channel %s is not r, g or b; only RGB circuits can be visualised", net.Name, c)
		}
		in.Src = append(in.Src, src)
		in.A = append(in.A, net.Input.Hi-net.Input.Lo)
		in.B = append(in.B, net.Input.Lo)
	}
	return in, nil
}

// Respond runs images (n×n, planar RGB in [0, 1]) through m and returns,
// per image, the responses of the given channels of target at the centre
// cell of its map: the same reading the optimisation climbs.
func Respond(m *onnx.Model, in Input, target string, channels []int, images []*stimuli.Image, opt ort.Options) ([][]float64, error) {
	if len(images) == 0 {
		return nil, nil
	}
	r, err := NewResponder(m, in, target, images[0].W, opt)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Respond(channels, images)
}

// Responder reads the centre cell of a target's channels for n×n images,
// one session for many batches.
type Responder struct {
	in   Input
	n    int
	win  onnx.Crop
	sess *ort.Session
}

// NewResponder prepares a session that reads target's centre cell for
// n×n images. Only the window the centre cell's field covers is run (the
// same reading, by CentreCrop's guarantee).
func NewResponder(m *onnx.Model, in Input, target string, n int, opt ort.Options) (*Responder, error) {
	c := m.Clone()
	if err := c.SetInputShape(n, n); err != nil {
		return nil, err
	}
	inC := int64(len(in.Src))
	win := onnx.Crop{Size: n}
	if w, ok := c.CentreCrop([]string{target}, int(inC), n); ok {
		win = w
		if err := c.SetInputShape(w.Size, w.Size); err != nil {
			return nil, err
		}
	}
	outs, err := c.ReadWindows([]int64{1, inC, int64(win.Size), int64(win.Size)}, 1, target)
	if err != nil {
		return nil, err
	}
	data, err := c.Bytes()
	if err != nil {
		return nil, err
	}
	sess, err := ort.NewSessionFromBytes(data, c.Input().GetName(), outs, opt)
	if err != nil {
		return nil, err
	}
	return &Responder{in: in, n: n, win: win, sess: sess}, nil
}

// Close frees the session.
func (r *Responder) Close() { r.sess.Close() }

// Respond returns, per image, the responses of the given channels.
func (r *Responder) Respond(channels []int, images []*stimuli.Image) ([][]float64, error) {
	if len(images) == 0 {
		return nil, nil
	}
	in, n, side, win := r.in, r.n, r.win.Size, r.win
	nn, ww := n*n, side*side
	batch := make([]float32, len(images)*len(in.Src)*ww)
	for b, im := range images {
		if im.W != n || im.H != n {
			return nil, fmt.Errorf("image %d is %dx%d, not %dx%d", b, im.W, im.H, n, n)
		}
		for i := range in.Src {
			src := im.Pix[in.Src[i]*nn : (in.Src[i]+1)*nn]
			dst := batch[(b*len(in.Src)+i)*ww : (b*len(in.Src)+i+1)*ww]
			for y := 0; y < side; y++ {
				row := src[(win.Y0+y)*n+win.X0:]
				for x := 0; x < side; x++ {
					dst[y*side+x] = float32(in.A[i]*float64(row[x]) + in.B[i])
				}
			}
		}
	}
	res, err := r.sess.Run(batch, []int64{int64(len(images)), int64(len(in.Src)), int64(side), int64(side)})
	if err != nil {
		return nil, err
	}
	C := int(res[0].Shape[1])
	out := make([][]float64, len(images))
	for b := range images {
		for _, ch := range channels {
			if ch < 0 || ch >= C {
				return nil, fmt.Errorf("channel %d: the target has %d", ch, C)
			}
			out[b] = append(out[b], float64(res[0].Data[b*C+ch]))
		}
	}
	return out, nil
}
