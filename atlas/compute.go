package atlas

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"maps"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/spf13/afero"
	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/datasets"
	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
	"github.com/circc/circc/reference"
	ort "github.com/circc/circc/runtime"
	"github.com/circc/circc/stimuli"
	"github.com/circc/circc/verify"
	"github.com/circc/circc/vis"
	"github.com/circc/circc/weights"
)

// Record is one unit's result, stored as unit.json beside its images.
type Record struct {
	Model     string     `json:"model"`
	Layer     string     `json:"layer"`
	Channel   int        `json:"channel"`
	Key       string     `json:"key"`
	Portraits []Portrait `json:"portraits"`
	// Top and Bottom are the photos that excite it most and least (the
	// most negative pre-activation where the layer is a ReLU's output).
	Top    []Photo `json:"top"`
	Bottom []Photo `json:"bottom"`
	// Inputs and Outputs are its strongest expanded-weight links to the
	// previous and next layer; Refused says why a side has none.
	Inputs   []Link              `json:"inputs"`
	Outputs  []Link              `json:"outputs"`
	Refused  map[string]string   `json:"refused,omitempty"`
	Tuning   []SetTuning         `json:"tuning"`
	Families []verify.Membership `json:"families"`
}

// Portrait is one optimised image.
type Portrait struct {
	Objective string  `json:"objective"`
	File      string  `json:"file"`
	Response  float64 `json:"response"`
}

// Photo is one photo's receptive-field crop at the cell where the unit
// answers it most (or least).
type Photo struct {
	Name       string  `json:"name"`
	Class      string  `json:"class"`
	Activation float64 `json:"activation"`
	Y          int     `json:"y"`
	X          int     `json:"x"`
	File       string  `json:"file"`
}

// Link is an expanded-weight connection to a unit of a neighbouring
// layer: the L2 norm of its kernel, its sum (positive: excites), and the
// kernel drawn.
type Link struct {
	Layer   string  `json:"layer"`
	Channel int     `json:"channel"`
	Norm    float64 `json:"norm"`
	Sum     float64 `json:"sum"`
	File    string  `json:"file"`
}

// SetTuning is a unit's answer to one stimulus set at its centre cell:
// the peak, the preferred orientation and the best response per
// orientation over the peak (the other axes at their best).
type SetTuning struct {
	Set          string    `json:"set"`
	Peak         float64   `json:"peak"`
	PreferredDeg float64   `json:"preferred_deg"`
	PeriodDeg    float64   `json:"period_deg"`
	ByAngle      []float64 `json:"by_angle"`
}

// RunOptions control how a shard's work runs.
type RunOptions struct {
	Photos  []datasets.Item // the photo set; the plan picks from it
	Workers int             // tasks optimised at once (0: one per CPU)
	Runtime ort.Options
	// Progress is told the units done and to do, and what is under way:
	// before each layer's passes and after each task.
	Progress func(done, total int, doing string)
}

// RunStats say what a shard did.
type RunStats struct {
	Shard    int `json:"shard"`
	Shards   int `json:"shards"`
	Computed int `json:"computed"` // units computed by this run
	Cached   int `json:"cached"`   // units already stored
}

// PickPhotos is the plan's photo set: n photos spread evenly over the
// list (all when it holds fewer).
func PickPhotos(items []datasets.Item, n int) []datasets.Item {
	if n <= 0 {
		return nil
	}
	if n >= len(items) {
		return items
	}
	var out []datasets.Item
	for i := range n {
		out = append(out, items[i*len(items)/n])
	}
	return out
}

// RunShard computes the units of shard k (0-based) that the store lacks.
func (p *Plan) RunShard(st *Store, net *reference.Net, k int, opt RunOptions) (*RunStats, error) {
	if k < 0 || k >= len(p.Shards) {
		return nil, fmt.Errorf("shard %d: the plan has shards 0 to %d", k, len(p.Shards)-1)
	}
	if net.Manifest.SHA256 != p.SHA256 {
		return nil, fmt.Errorf("the atlas was planned for %s with sha256 %s; this model's is %s", p.Model, p.SHA256, net.Manifest.SHA256)
	}
	photos := PickPhotos(opt.Photos, p.Settings.Photos)
	if photoSet(photos) != p.PhotoSet {
		return nil, fmt.Errorf("the photos differ from those the atlas was planned with (%d found)", len(opt.Photos))
	}
	stats := &RunStats{Shard: k, Shards: len(p.Shards)}
	byLayer := map[string][]Task{}
	var order []string
	total := 0
	for _, i := range p.Shards[k] {
		t := p.Tasks[i]
		if st.HasTask(p, t) {
			stats.Cached += len(t.Channels)
			continue
		}
		if byLayer[t.Layer] == nil {
			order = append(order, t.Layer)
		}
		byLayer[t.Layer] = append(byLayer[t.Layer], t)
		total += len(t.Channels)
	}
	in, err := vis.ModelInput(net.Manifest)
	if err != nil {
		return nil, err
	}
	done := 0
	for _, name := range order {
		tasks := byLayer[name]
		l := p.Layer(name)
		var chans []int
		for _, t := range tasks {
			chans = append(chans, t.Channels...)
		}
		if opt.Progress != nil {
			opt.Progress(done, total, name+": photos, stimuli and weights")
		}
		ld, err := p.layerPasses(st.fs, net, l, chans, photos, in, opt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		workers := opt.Workers
		if workers <= 0 {
			workers = numCPU()
		}
		workers = min(workers, len(tasks))
		// The workers share the CPUs (the bytes do not depend on
		// onnxruntime's thread count: TestRerunComputesOnlyWhatIsMissing).
		topt := opt
		if topt.Runtime.Threads == 0 {
			topt.Runtime.Threads = max(1, numCPU()/workers)
		}
		var mu sync.Mutex
		var first error
		jobs := make(chan Task)
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for t := range jobs {
					err := p.runTask(st, net, l, t, ld, in, topt)
					mu.Lock()
					if err != nil && first == nil {
						first = fmt.Errorf("%s: %w", name, err)
					}
					if err == nil {
						done += len(t.Channels)
						stats.Computed += len(t.Channels)
						if opt.Progress != nil {
							opt.Progress(done, total, name)
						}
					}
					mu.Unlock()
				}
			}()
		}
		for _, t := range tasks {
			mu.Lock()
			failed := first != nil
			mu.Unlock()
			if failed {
				break
			}
			jobs <- t
		}
		close(jobs)
		wg.Wait()
		if first != nil {
			return stats, first
		}
	}
	return stats, nil
}

// photoSet fingerprints a photo set by its files' names (not where a
// machine keeps them): a short sha256, "" for none.
func photoSet(photos []datasets.Item) string {
	if len(photos) == 0 {
		return ""
	}
	h := sha256.New()
	for _, it := range photos {
		fmt.Fprintln(h, baseName(it.Path))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// file keeps one of channel c's files for its record.
func (ld *layerData) file(c int, name string, b []byte) {
	if ld.files[c] == nil {
		ld.files[c] = map[string][]byte{}
	}
	ld.files[c][name] = b
}

// layerData is what a layer's passes found, per channel.
type layerData struct {
	top, bottom map[int][]Photo
	files       map[int]map[string][]byte // per channel: photo crops and kernel tiles, by file name
	best        map[int]float64           // best photo response at the centre cell
	tuning      map[int][]SetTuning
	families    map[int][]verify.Membership
	inputs      map[int][]Link
	outputs     map[int][]Link
	refused     map[string]string
	// preModel reads the layer's values before its ReLU as preTensor
	// (the model itself, and the layer, where there are none): what the
	// negative objective descends, as a ReLU's output stops at zero.
	preModel  *onnx.Model
	preTensor string
}

func (p *Plan) layerPasses(fsys afero.Fs, net *reference.Net, l *Layer, chans []int, photos []datasets.Item, in vis.Input, opt RunOptions) (*layerData, error) {
	ld := &layerData{top: map[int][]Photo{}, bottom: map[int][]Photo{}, files: map[int]map[string][]byte{}, best: map[int]float64{},
		tuning: map[int][]SetTuning{}, families: map[int][]verify.Membership{}, inputs: map[int][]Link{}, outputs: map[int][]Link{},
		refused: map[string]string{}}
	ld.preModel, ld.preTensor = net.Model, l.Tensor
	if pre, node, ok := preactivation(net.Model, l.Tensor); ok {
		m := net.Model
		if node != nil {
			m = m.Clone()
			m.P.Graph.Node = append(m.P.Graph.Node, node)
		}
		ld.preModel, ld.preTensor = m, pre
	}
	if err := p.photoPass(fsys, net, l, chans, photos, ld, opt); err != nil {
		return nil, err
	}
	if err := p.stimulusPass(net, l, chans, in, ld, opt); err != nil {
		return nil, err
	}
	p.weightLinks(net, l, chans, ld)
	return ld, nil
}

// preactivation finds, for a tensor made by a ReLU (or a concatenation of
// ReLUs), the values before it: the node to add to read them, or the
// tensor itself when it exists. ok is false when there is none.
func preactivation(m *onnx.Model, tensor string) (string, *pb.NodeProto, bool) {
	n := m.Producer(tensor)
	if n == nil {
		return "", nil, false
	}
	switch n.GetOpType() {
	case onnx.OpRelu:
		return n.GetInput()[0], nil, true
	case onnx.OpConcat:
		var ins []string
		for _, t := range n.GetInput() {
			r := m.Producer(t)
			if r == nil || r.GetOpType() != onnx.OpRelu {
				return "", nil, false
			}
			ins = append(ins, r.GetInput()[0])
		}
		out := "circc/atlas/pre/" + tensor
		c := proto.Clone(n).(*pb.NodeProto)
		c.Name = proto.String(out)
		c.Input = ins
		c.Output = []string{out}
		return out, c, true
	}
	return "", nil, false
}

// hit is a photo's extreme value in one channel's map.
type hit struct {
	photo int
	v     float64
	y, x  int
}

func (p *Plan) photoPass(fsys afero.Fs, net *reference.Net, l *Layer, chans []int, photos []datasets.Item, ld *layerData, opt RunOptions) error {
	for _, c := range chans {
		ld.best[c] = math.NaN()
	}
	if len(photos) == 0 {
		return nil
	}
	man := net.Manifest
	h, w := man.Input.Size[0], man.Input.Size[1]
	m := ld.preModel.Clone()
	if err := m.SetInputShape(h, w); err != nil {
		return err
	}
	outs := []string{l.Tensor}
	hasPre := ld.preTensor != l.Tensor
	if hasPre {
		outs = append(outs, ld.preTensor)
	}
	inC := int64(len(man.Input.Channels))
	if err := m.SetOutputs([]int64{1, inC, int64(h), int64(w)}, outs...); err != nil {
		return err
	}
	data, err := m.Bytes()
	if err != nil {
		return err
	}
	sess, err := ort.NewSessionFromBytes(data, m.Input().GetName(), outs, opt.Runtime)
	if err != nil {
		return err
	}
	defer sess.Close()
	k := p.Settings.Top
	top := map[int][]hit{}
	bottom := map[int][]hit{}
	feed := net.Photos(fsys, photos, opt.Runtime.BatchSize())
	defer feed.Close()
	for {
		b, ok := feed.Next()
		if !ok {
			break
		}
		res, err := sess.Run(b.Data, []int64{int64(b.Size), inC, int64(h), int64(w)})
		if err != nil {
			feed.Done(b)
			return err
		}
		post, vals := res[0], res[0]
		if hasPre {
			vals = res[1]
		}
		C, H, W := int(post.Shape[1]), int(post.Shape[2]), int(post.Shape[3])
		plane := H * W
		for i := 0; i < b.K; i++ {
			for _, c := range chans {
				at := (i*C + c) * plane
				centre := float64(post.Data[at+(H-1)/2*W+(W-1)/2])
				if math.IsNaN(ld.best[c]) || centre > ld.best[c] {
					ld.best[c] = centre
				}
				mx, mn := hit{photo: b.Start + i, v: math.Inf(-1)}, hit{photo: b.Start + i, v: math.Inf(1)}
				for q, v := range vals.Data[at : at+plane] {
					if float64(v) > mx.v {
						mx.v, mx.y, mx.x = float64(v), q/W, q%W
					}
					if float64(v) < mn.v {
						mn.v, mn.y, mn.x = float64(v), q/W, q%W
					}
				}
				top[c] = keep(top[c], mx, k, func(a, b hit) bool { return a.v > b.v })
				bottom[c] = keep(bottom[c], mn, k, func(a, b hit) bool { return a.v < b.v })
			}
		}
		feed.Done(b)
	}
	if err := feed.Err(); err != nil {
		return err
	}
	fields, err := net.Model.ReceptiveFields()
	if err != nil {
		return err
	}
	field, hasField := fields[l.Tensor]
	return p.crops(fsys, net, photos, top, bottom, field, hasField, ld)
}

// keep inserts h into a list kept sorted by better, at most k long; ties
// keep the earlier photo first.
func keep(list []hit, h hit, k int, better func(a, b hit) bool) []hit {
	if k == 0 {
		return list
	}
	i := sort.Search(len(list), func(i int) bool { return better(h, list[i]) })
	if i >= k {
		return list
	}
	list = slices.Insert(list, i, h)
	if len(list) > k {
		list = list[:k]
	}
	return list
}

// thumbSide is the largest side of a photo crop in the atlas.
const thumbSide = 96

func (p *Plan) crops(fsys afero.Fs, net *reference.Net, photos []datasets.Item, top, bottom map[int][]hit, field onnx.Field, hasField bool, ld *layerData) error {
	man := net.Manifest
	h, w := man.Input.Size[0], man.Input.Size[1]
	reader := datasets.NewReader(fsys, photos)
	images := map[int]*stimuli.Image{}
	load := func(i int) (*stimuli.Image, error) {
		if im := images[i]; im != nil {
			return im, nil
		}
		img, err := reader.Decode(photos[i].Path)
		if err != nil {
			return nil, err
		}
		im, err := stimuli.CentreCrop(img, h, w)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", photos[i].Path, err)
		}
		images[i] = im
		return im, nil
	}
	cut := func(c int, list []hit, side string, dst map[int][]Photo) error {
		for j, hh := range list {
			im, err := load(hh.photo)
			if err != nil {
				return err
			}
			y0, x0, y1, x1 := 0, 0, h-1, w-1
			if hasField {
				y0, x0 = max(0, field.Lo[0]+hh.y*field.Jump[0]), max(0, field.Lo[1]+hh.x*field.Jump[1])
				y1, x1 = min(h-1, field.Hi[0]+hh.y*field.Jump[0]), min(w-1, field.Hi[1]+hh.x*field.Jump[1])
			}
			crop := stimuli.NewImage(x1-x0+1, y1-y0+1, 0)
			for ch := range 3 {
				for y := y0; y <= y1; y++ {
					copy(crop.Pix[ch*crop.W*crop.H+(y-y0)*crop.W:][:crop.W], im.Pix[ch*w*h+y*w+x0:][:crop.W])
				}
			}
			thumb := min(max(crop.W, crop.H), thumbSide)
			var buf bytes.Buffer
			if err := png.Encode(&buf, stimuli.Thumbnail(squareOf(crop), thumb)); err != nil {
				return err
			}
			name := fmt.Sprintf("%s-%d.png", side, j)
			ld.file(c, name, buf.Bytes())
			dst[c] = append(dst[c], Photo{Name: baseName(photos[hh.photo].Path), Class: photos[hh.photo].Name, Activation: hh.v, Y: hh.y, X: hh.x, File: name})
		}
		return nil
	}
	var chans []int
	for c := range top {
		chans = append(chans, c)
	}
	sort.Ints(chans)
	for _, c := range chans {
		if err := cut(c, top[c], "top", ld.top); err != nil {
			return err
		}
		if err := cut(c, bottom[c], "bottom", ld.bottom); err != nil {
			return err
		}
	}
	return nil
}

// squareOf pads a crop to a square with mid grey (a field cut by the
// image's border keeps its scale).
func squareOf(im *stimuli.Image) *stimuli.Image {
	if im.W == im.H {
		return im
	}
	n := max(im.W, im.H)
	sq := stimuli.NewImage(n, n, 0.5)
	for ch := range 3 {
		for y := range im.H {
			copy(sq.Pix[ch*n*n+y*n:][:im.W], im.Pix[ch*im.W*im.H+y*im.W:][:im.W])
		}
	}
	return sq
}

// stimulusBatch is how many stimuli run at once.
const stimulusBatch = 64

func (p *Plan) stimulusPass(net *reference.Net, l *Layer, chans []int, in vis.Input, ld *layerData, opt RunOptions) error {
	size := net.Manifest.Input.Size[0]
	r, err := vis.NewResponder(net.Model, in, l.Tensor, size, opt.Runtime)
	if err != nil {
		return err
	}
	defer r.Close()
	sets := map[string]*stimuli.Set{}
	resp := map[int]map[string][]float64{}
	for _, c := range chans {
		resp[c] = map[string][]float64{}
	}
	for _, name := range fingerprintSets {
		set, err := stimuli.Lookup(name, size)
		if err != nil {
			return err
		}
		sets[name] = set
		for at := 0; at < set.Len(); at += stimulusBatch {
			var ims []*stimuli.Image
			for i := at; i < min(at+stimulusBatch, set.Len()); i++ {
				ims = append(ims, set.Render(i))
			}
			out, err := r.Respond(chans, ims)
			if err != nil {
				return err
			}
			for _, row := range out {
				for j, c := range chans {
					resp[c][name] = append(resp[c][name], row[j])
				}
			}
		}
	}
	for _, c := range chans {
		for _, name := range fingerprintSets {
			ld.tuning[c] = append(ld.tuning[c], setTuning(sets[name], resp[c][name]))
		}
		ld.families[c] = verify.Classify(sets, resp[c], ld.best[c])
	}
	return nil
}

// setTuning summarises responses to a set over its orientation axis.
func setTuning(set *stimuli.Set, resp []float64) SetTuning {
	angles := set.Axes[0].Values
	per := len(resp) / len(angles)
	t := SetTuning{Set: set.Name, PeriodDeg: set.PeriodDeg, ByAngle: make([]float64, len(angles))}
	best := math.Inf(-1)
	for i, a := range angles {
		m := math.Inf(-1)
		for _, v := range resp[i*per : (i+1)*per] {
			m = math.Max(m, v)
		}
		t.ByAngle[i] = m
		if m > best {
			best, t.PreferredDeg = m, a
		}
	}
	t.Peak = best
	for i := range t.ByAngle {
		if best > 0 {
			t.ByAngle[i] = round4(t.ByAngle[i] / best)
		} else {
			t.ByAngle[i] = 0
		}
	}
	return t
}

// round4 keeps four decimals: a fingerprint drawn 100 px wide needs no
// more, and the JSON stays small.
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// weightLinks finds each unit's strongest expanded-weight inputs from the
// previous layer and outputs to the next.
func (p *Plan) weightLinks(net *reference.Net, l *Layer, chans []int, ld *layerData) {
	man := net.Manifest
	shape := []int64{1, int64(len(man.Input.Channels)), int64(man.Input.Size[0]), int64(man.Input.Size[1])}
	k := p.Settings.Weights
	if k == 0 {
		return
	}
	if prev := modelLayer(man, l.Prev); prev != nil {
		e, err := weights.Expand(net.Model, shape, prev.Tensor, l.Tensor, chans)
		if err != nil {
			ld.refused["inputs"] = err.Error()
		} else {
			for o, c := range chans {
				ld.inputs[c] = ld.addLinks(c, "in", prev.Name, e, k, e.Shape()[1], func(i int) []float32 { return e.Tile(o, i) }, func(i int) int { return i })
			}
		}
	}
	if next := modelLayer(man, l.Next); next != nil {
		e, err := weights.Expand(net.Model, shape, l.Tensor, next.Tensor, nil)
		if err != nil {
			ld.refused["outputs"] = err.Error()
		} else {
			for _, c := range chans {
				ld.outputs[c] = ld.addLinks(c, "out", next.Name, e, k, e.Shape()[0], func(o int) []float32 { return e.Tile(o, c) }, func(o int) int { return e.Channels[o] })
			}
		}
	}
}

// addLinks finds unit c's k strongest kernels among n (kernel(j), to or
// from channel(j) of layer), draws them as side-RANK.png and lists them.
func (ld *layerData) addLinks(c int, side, layer string, e *weights.Expanded, k, n int, kernel func(j int) []float32, channel func(j int) int) []Link {
	stats := func(t []float32) (norm, sum float64) {
		for _, v := range t {
			norm += float64(v) * float64(v)
			sum += float64(v)
		}
		return math.Sqrt(norm), sum
	}
	var links []Link
	norms := make([]float64, n)
	for j := range norms {
		norms[j], _ = stats(kernel(j))
	}
	for rank, j := range verify.TopK(norms, k) {
		t := kernel(j)
		norm, sum := stats(t)
		name := fmt.Sprintf("%s-%d.png", side, rank)
		ld.file(c, name, tilePNG(t, e.Shape()[2], e.Shape()[3]))
		links = append(links, Link{Layer: layer, Channel: channel(j), Norm: round4(norm), Sum: round4(sum), File: name})
	}
	return links
}

// modelLayer finds a model layer by name ("" or unknown: nil).
func modelLayer(man *models.Manifest, name string) *models.Layer {
	if l, ok := man.Layer(name); ok && name != "" {
		return l
	}
	return nil
}

// runTask optimises a task's portraits and stores each unit's record.
func (p *Plan) runTask(st *Store, net *reference.Net, l *Layer, t Task, ld *layerData, in vis.Input, opt RunOptions) error {
	rt := opt.Runtime
	files := map[int]map[string][]byte{}
	recs := map[int]*Record{}
	for _, c := range t.Channels {
		files[c] = map[string][]byte{}
		recs[c] = &Record{Model: p.Model, Layer: l.Name, Channel: c, Key: p.Key(t, c), Top: ld.top[c], Bottom: ld.bottom[c],
			Inputs: ld.inputs[c], Outputs: ld.outputs[c], Tuning: ld.tuning[c], Families: ld.families[c]}
		if len(ld.refused) > 0 {
			recs[c].Refused = ld.refused
		}
		maps.Copy(files[c], ld.files[c])
	}
	for _, name := range p.Settings.Objectives {
		obj := vis.Objective(slices.Index(vis.Objectives, name))
		per := 1
		if obj == vis.Diverse {
			per = diverseImages
		}
		m, target := net.Model, l.Tensor
		if obj == vis.Negative {
			m, target = ld.preModel, ld.preTensor
		}
		r, err := vis.Visualize(m, in, target, t.Channels, vis.Options{Size: p.Settings.Size, Steps: p.Settings.Steps, Seed: p.Settings.Seed,
			Objective: obj, DiverseImages: per, Batch: len(t.Channels) * per, Runtime: rt})
		if err != nil {
			return err
		}
		for i, im := range r.Images {
			c := t.Channels[i/per]
			file := name + ".png"
			if per > 1 {
				file = fmt.Sprintf("%s-%d.png", name, i%per)
			}
			var b bytes.Buffer
			if err := png.Encode(&b, im.RGBA()); err != nil {
				return err
			}
			files[c][file] = b.Bytes()
			recs[c].Portraits = append(recs[c].Portraits, Portrait{Objective: name, File: file, Response: r.Response[i]})
		}
	}
	for _, c := range t.Channels {
		b, err := json.MarshalIndent(recs[c], "", " ")
		if err != nil {
			return err
		}
		files[c]["unit.json"] = append(b, '\n')
		if err := st.Put(recs[c].Key, files[c]); err != nil {
			return err
		}
	}
	return nil
}

// tilePNG draws a kernel in the articles' palette, each tap a square of
// tapPx pixels, scaled to its own largest |weight|.
func tilePNG(t []float32, kh, kw int) []byte {
	const tapPx = 8
	peak := 0.0
	for _, v := range t {
		peak = math.Max(peak, math.Abs(float64(v)))
	}
	img := image.NewRGBA(image.Rect(0, 0, kw*tapPx, kh*tapPx))
	for y := range kh {
		for x := range kw {
			c := weights.Colour(0)
			if peak > 0 {
				c = weights.Colour(float64(t[y*kw+x]) / peak)
			}
			for dy := range tapPx {
				for dx := range tapPx {
					img.SetRGBA(x*tapPx+dx, y*tapPx+dy, c)
				}
			}
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
