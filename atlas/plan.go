package atlas

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/circc/circc/datasets"
	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/vis"
)

// Settings say what is computed for each unit.
type Settings struct {
	Size       int      `json:"size"`       // side of the visualizations, px
	Steps      int      `json:"steps"`      // optimisation steps
	Seed       int64    `json:"seed"`       // of the visualizations
	Objectives []string `json:"objectives"` // vis.Objectives to draw
	Photos     int      `json:"photos"`     // photos in the data-set pass (0: none)
	Top        int      `json:"top"`        // photos shown each way
	Weights    int      `json:"weights"`    // strongest inputs and outputs shown
	Chunk      int      `json:"chunk"`      // units optimised together
}

// DefaultSettings are the atlas's defaults: Microscope's portraits at
// 128 px, the shipped photos.
func DefaultSettings() Settings {
	return Settings{Size: 128, Steps: 256, Objectives: slices.Clone(vis.Objectives), Photos: 1000, Top: 8, Weights: 6, Chunk: 16}
}

// Check says what is wrong with settings, if anything.
func (s Settings) Check() error {
	switch {
	case s.Size < 16 || s.Size > 1024:
		return fmt.Errorf("size %d: 16 to 1024 px", s.Size)
	case s.Steps < 1:
		return fmt.Errorf("steps %d: at least 1", s.Steps)
	case s.Chunk < 1:
		return fmt.Errorf("chunk %d: at least 1", s.Chunk)
	case s.Photos < 0 || s.Top < 0 || s.Weights < 0:
		return fmt.Errorf("photos, top and weights cannot be negative")
	}
	for _, o := range s.Objectives {
		if !slices.Contains(vis.Objectives, o) {
			return fmt.Errorf("no objective %q: %v", o, vis.Objectives)
		}
	}
	return nil
}

// Layer is one layer of the atlas with its neighbours among the model's
// named layers (the expanded weights' other ends; "" at the ends).
type Layer struct {
	Name     string `json:"name"`
	Tensor   string `json:"tensor"`
	Channels int    `json:"channels"`
	Prev     string `json:"prev,omitempty"`
	Next     string `json:"next,omitempty"`
	// UnitCost is the estimated cost of one unit's visualizations,
	// PassCost that of the layer's photo and stimulus passes, in seconds on
	// the reference machine (2 cores; see estimate).
	UnitCost float64 `json:"unit_cost"`
	PassCost float64 `json:"pass_cost"`
}

// Task is units of one layer optimised together.
type Task struct {
	Layer    string `json:"layer"`
	Channels []int  `json:"channels"`
}

// Plan is the work of an atlas: what to compute, and how it is split
// into shards.
type Plan struct {
	Model    string   `json:"model"`
	Title    string   `json:"title"`
	SHA256   string   `json:"sha256"`
	Version  string   `json:"version"`
	Settings Settings `json:"settings"`
	// PhotoSet fingerprints the photos of the data-set pass (their names).
	PhotoSet string  `json:"photo_set"`
	Layers   []Layer `json:"layers"`
	Tasks    []Task  `json:"tasks"`
	// Shards lists, per shard, its tasks' indices, in order.
	Shards [][]int `json:"shards"`
}

// PlanOptions choose the units of an atlas.
type PlanOptions struct {
	Layers   []string         // model layer names (nil: every layer)
	Units    map[string][]int // channels per layer (a layer absent: all)
	Settings Settings
	Shards   int
	Version  string
	Photos   []datasets.Item // the photo set the plan picks from
}

// NewPlan plans an atlas of net.
func NewPlan(net *reference.Net, opt PlanOptions) (*Plan, error) {
	st := opt.Settings
	if err := st.Check(); err != nil {
		return nil, err
	}
	if opt.Shards < 1 {
		return nil, fmt.Errorf("shards %d: at least 1", opt.Shards)
	}
	man := net.Manifest
	p := &Plan{Model: man.Name, Title: man.Title, SHA256: man.SHA256, Version: opt.Version, Settings: st}
	p.PhotoSet = photoSet(PickPhotos(opt.Photos, st.Photos))
	names := opt.Layers
	if names == nil {
		for _, l := range man.Layers {
			names = append(names, l.Name)
		}
	}
	for l := range opt.Units {
		if !slices.Contains(names, l) {
			names = append(names, l)
		}
	}
	all := man.Layers
	for _, name := range names {
		l, ok := man.Layer(name)
		if !ok {
			return nil, fmt.Errorf("%s has no layer %q", man.Name, name)
		}
		i := slices.IndexFunc(all, func(x models.Layer) bool { return x.Name == l.Name })
		layer := Layer{Name: l.Name, Tensor: l.Tensor, Channels: l.Channels}
		if i > 0 {
			layer.Prev = all[i-1].Name
		}
		if i+1 < len(all) {
			layer.Next = all[i+1].Name
		}
		if slices.ContainsFunc(p.Layers, func(x Layer) bool { return x.Name == l.Name }) {
			continue
		}
		p.Layers = append(p.Layers, layer)
	}
	// Layers in the model's order, so that shards walk the network.
	slices.SortStableFunc(p.Layers, func(a, b Layer) int {
		return slices.IndexFunc(all, func(x models.Layer) bool { return x.Name == a.Name }) -
			slices.IndexFunc(all, func(x models.Layer) bool { return x.Name == b.Name })
	})
	if err := p.estimate(net.Model, man.Input.Size[0]); err != nil {
		return nil, err
	}
	for _, l := range p.Layers {
		chans := opt.Units[l.Name]
		if chans == nil {
			for c := range l.Channels {
				chans = append(chans, c)
			}
		}
		for _, c := range chans {
			if c < 0 || c >= l.Channels {
				return nil, fmt.Errorf("%s has channels 0 to %d; %d is not one", l.Name, l.Channels-1, c)
			}
		}
		chans = slices.Compact(slices.Sorted(slices.Values(chans)))
		for at := 0; at < len(chans); at += st.Chunk {
			p.Tasks = append(p.Tasks, Task{Layer: l.Name, Channels: chans[at:min(at+st.Chunk, len(chans))]})
		}
	}
	pass := map[string]float64{}
	for _, l := range p.Layers {
		pass[l.Name] = l.PassCost
	}
	p.Shards = split(p.Tasks, p.taskCosts(), pass, opt.Shards)
	return p, nil
}

// baseName is a path's last element: photos are named by file, not by
// where a machine keeps them.
func baseName(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' || path[i] == '\\' {
			return path[i+1:]
		}
	}
	return path
}

// Layer finds a layer of the plan.
func (p *Plan) Layer(name string) *Layer {
	for i := range p.Layers {
		if p.Layers[i].Name == name {
			return &p.Layers[i]
		}
	}
	return nil
}

// diverseImages is the size of a unit's diversity set.
const diverseImages = 4

// images is how many optimised images a unit gets: cropped to the centre
// cell's field, and whole.
func (s Settings) images() (crop, full int) {
	for _, o := range s.Objectives {
		switch o {
		case "channel":
			full++
		case "diverse":
			crop += diverseImages
		default:
			crop++
		}
	}
	return crop, full
}

// The cost model, in seconds on the 2-core machine the README's figures
// come from, fitted (least squares) to scripts/atlas-cost.sh's
// measurements of every layer of both shipped networks (30 layers; the
// worst unit estimate is 31 % off): a visualization step costs a fixed
// part (parametrization, transforms, Adam; growing with the image's
// pixels), a part per multiply-add of the forward and backward pass
// (about three forwards) and, for the diverse images, the Gram term; a
// pass image (a photo decoded, a stimulus drawn) costs a fixed part and
// its forward's multiply-adds.
const (
	stepSeconds      = 6.55e-3  // per image-step at 128 px
	visMACSeconds    = 4.02e-11 // per multiply-add of a visualization step
	passImageSeconds = 1.28e-3  // per photo or stimulus
	passMACSeconds   = 1.83e-11 // per multiply-add of a pass
	// gramSeconds is per multiply-add of the diversity term's Gram matrix
	// and its gradient (in Go, 2·C²·positions per image-step): it
	// dominates for wide layers, as SqueezeNet's conv10 (1000 channels).
	gramSeconds = 2.11e-10
)

// estimate sets each layer's costs (seconds on the reference machine)
// from the multiply-adds of the network up to it: a visualization step at
// the optimised size, cropped to the centre cell's field for the centre
// objectives; a photo at the model's size; a stimulus cropped too.
func (p *Plan) estimate(m *onnx.Model, size int) error {
	st := p.Settings
	crop, full := st.images()
	fixed := stepSeconds * float64(st.Size*st.Size) / (128 * 128)
	for i := range p.Layers {
		l := &p.Layers[i]
		visFull, _, err := macs(m, l.Tensor, st.Size, false)
		if err != nil {
			return err
		}
		visCrop, gram, err := macs(m, l.Tensor, st.Size, true)
		if err != nil {
			return err
		}
		atSize, _, err := macs(m, l.Tensor, size, false)
		if err != nil {
			return err
		}
		stimCrop, _, err := macs(m, l.Tensor, size, true)
		if err != nil {
			return err
		}
		step := float64(crop)*(fixed+3*visMACSeconds*visCrop) + float64(full)*(fixed+3*visMACSeconds*visFull)
		if slices.Contains(st.Objectives, "diverse") {
			step += diverseImages * 2 * gramSeconds * gram
		}
		l.UnitCost = float64(st.Steps) * step
		l.PassCost = float64(st.Photos+stimuliCount)*passImageSeconds + passMACSeconds*(float64(st.Photos)*atSize+float64(stimuliCount)*stimCrop)
	}
	return nil
}

// taskCosts is each task's estimated cost: its units' visualizations.
func (p *Plan) taskCosts() []float64 {
	var costs []float64
	for _, t := range p.Tasks {
		costs = append(costs, float64(len(t.Channels))*p.Layer(t.Layer).UnitCost)
	}
	return costs
}

// ShardCosts is each shard's estimated cost: its tasks', and the whole
// passes of every layer it touches (a shard runs a layer's passes once,
// for its own units).
func (p *Plan) ShardCosts() []float64 {
	var out []float64
	for _, tasks := range p.Shards {
		c := 0.0
		seen := map[string]bool{}
		for _, i := range tasks {
			t := p.Tasks[i]
			l := p.Layer(t.Layer)
			c += float64(len(t.Channels)) * l.UnitCost
			if !seen[t.Layer] {
				seen[t.Layer] = true
				c += l.PassCost
			}
		}
		out = append(out, c)
	}
	return out
}

// Balance is the longest shard's cost over the mean shard's.
func Balance(costs []float64) float64 {
	if len(costs) == 0 {
		return math.NaN()
	}
	sum, top := 0.0, 0.0
	for _, c := range costs {
		sum += c
		top = math.Max(top, c)
	}
	return top / (sum / float64(len(costs)))
}

// split assigns tasks to n shards, longest first, each to the shard it
// finishes soonest, a shard that does not run the task's layer yet
// charged that layer's passes twice (they lengthen the shard, and they
// add to the whole), so that a layer's tasks stay together unless the
// balance gains more than a second run of its passes costs. A shard runs its tasks in
// the plan's order. Shards beyond the number of tasks are empty.
func split(tasks []Task, costs []float64, pass map[string]float64, n int) [][]int {
	order := make([]int, len(tasks))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return costs[order[a]] > costs[order[b]] })
	shards := make([][]int, n)
	load := make([]float64, n)
	layers := make([]map[string]bool, n)
	for k := range layers {
		layers[k] = map[string]bool{}
	}
	for _, i := range order {
		best, bestScore, bestEnd := 0, math.Inf(1), 0.0
		for k := range shards {
			end, score := load[k]+costs[i], load[k]+costs[i]
			if p := pass[tasks[i].Layer]; !layers[k][tasks[i].Layer] {
				// A layer's passes run again on a new shard: work added to
				// the whole, so they count twice against it.
				end, score = end+p, score+2*p
			}
			if score < bestScore {
				best, bestScore, bestEnd = k, score, end
			}
		}
		shards[best] = append(shards[best], i)
		load[best] = bestEnd
		layers[best][tasks[i].Layer] = true
	}
	for k := range shards {
		sort.Ints(shards[k])
	}
	return shards
}

// Key is the content address of one unit's result.
func (p *Plan) Key(t Task, ch int) string {
	b, _ := json.Marshal(struct {
		Model, SHA256, Version, PhotoSet string
		Settings                         Settings
		Layer                            string
		Task                             []int
		Channel                          int
	}{p.Model, p.SHA256, p.Version, p.PhotoSet, p.Settings, t.Layer, t.Channels, ch})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

// Encode is the plan as written to atlas.json.
func (p *Plan) Encode() []byte {
	b, _ := json.MarshalIndent(p, "", " ")
	return append(b, '\n')
}

// DecodePlan reads atlas.json.
func DecodePlan(b []byte) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("atlas.json: %w", err)
	}
	if err := p.Settings.Check(); err != nil {
		return nil, fmt.Errorf("atlas.json: %w", err)
	}
	for _, t := range p.Tasks {
		if p.Layer(t.Layer) == nil {
			return nil, fmt.Errorf("atlas.json: a task names layer %q, which it does not list", t.Layer)
		}
	}
	for _, s := range p.Shards {
		for _, i := range s {
			if i < 0 || i >= len(p.Tasks) {
				return nil, fmt.Errorf("atlas.json: a shard names task %d of %d", i, len(p.Tasks))
			}
		}
	}
	return &p, nil
}
