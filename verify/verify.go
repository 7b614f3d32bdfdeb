package verify

import (
	"fmt"
	"time"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/expand"
	"github.com/circc/circc/compiler/experiment"
	"github.com/circc/circc/datasets"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/reference"
	ort "github.com/circc/circc/runtime"
	"github.com/circc/circc/stimuli"
)

// Stage is a step of a verification, for progress reports: what it is
// and what it counts (Unit: "stimuli", "photos", "seeds", "steps", or ""
// for a step that counts nothing).
type Stage struct {
	Label, Unit string
}

// Options control a verification.
type Options struct {
	Against   string // reference model
	ModelsDir string
	DataDir   string
	Runtime   ort.Options
	Window    int     // readout block side (1: the centre unit; 0: position-tolerant, see readWindows)
	Stroke    float64 // stroke width of curves, lines and angles in pixels (0: stimuli.StrokeWidth)
	Photos    int     // dataset photos for top photos and the strength test (0: none)
	TopK      int     // top photos per unit
	// Progress, when set, is told how far each stage is.
	Progress func(stage Stage, done, total int)
	// NullSeeds is how many shuffles of each layer's own weights make its
	// null (0: NullSeeds; negative: no null, and no layer is found).
	NullSeeds int
	// NetworkSeeds is how many shuffles of the whole network make the
	// network null of a search's layers (0: none; NetworkSeeds is the
	// suggested count). It costs one pass of the network per seed.
	NetworkSeeds int
	// FullSize runs stimuli through the whole input instead of the smallest
	// window that gives the same values (the reference for tests).
	FullSize bool
	// Vis, when set, adds each pair's feature visualizations and their
	// cross-activations.
	Vis *VisOptions
}

type matchSpec struct {
	match    *experiment.Match
	layer    *expand.Layer
	family   string
	units    []*expand.Unit
	natLayer string // Lucid name
	tensor   string
	channels []int // explicit; nil: search
	set      string
	search   bool // one of the layers of match … to MODEL.*
}

// stroke is the stimuli's stroke width in pixels.
func (o Options) stroke() float64 {
	if o.Stroke == 0 {
		return stimuli.StrokeWidth
	}
	return o.Stroke
}

// Run verifies a compiled circuit against its reference model. An error
// that is the circuit's fault is a diag.List.
func Run(fs afero.Fs, res *compiler.Result, opt Options) (*Report, error) {
	start := time.Now()
	if opt.TopK == 0 {
		opt.TopK = 8
	}
	if opt.NullSeeds == 0 {
		opt.NullSeeds = NullSeeds
	}
	if opt.Progress != nil {
		opt.Progress(Stage{"loading " + opt.Against, ""}, 0, 1)
	}
	net, err := reference.Open(fs, opt.Against, opt.ModelsDir)
	if err != nil {
		return nil, err
	}
	specs, d := collect(res, net)
	if d != nil {
		return nil, diag.List{d}
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("%s has no match statement for %s: nothing to verify", res.Source, net.Manifest.Name)
	}
	windows, err := readWindows(net.Model, tensorsOf(specs), opt.Window)
	if err != nil {
		return nil, err
	}
	plans := map[string]*nullPlan{}
	for i, t := range tensorsOf(specs) {
		if opt.NullSeeds > 0 {
			plans[t] = planNull(net, t, windows[i])
		}
	}
	pr, err := newProbe(fs, res, net, specs, opt, plans)
	if err != nil {
		return nil, err
	}
	defer pr.close()
	rep := &Report{Source: res.Source, Against: net.Manifest.Name, Provider: pr.sess.Provider, OK: true}
	size := net.Manifest.Input.Size[0]
	sweeps, setOf, err := pr.sweepSets(specs, "")
	if err != nil {
		return nil, err
	}
	for _, set := range setOf {
		rep.Stimuli += set.Len()
	}
	var photos Responses
	var photoNames []string
	var photoItems []datasets.Item
	var reader *datasets.Reader
	if opt.Photos > 0 {
		items, err := datasets.ImageNetSample(fs, datasets.Dir(fs, opt.DataDir, "imagenet-sample"))
		if err != nil {
			return nil, fmt.Errorf("%w (or run with --photos 0)", err)
		}
		step := max(len(items)/opt.Photos, 1)
		for i := 0; i < len(items) && len(photoItems) < opt.Photos; i += step {
			photoItems = append(photoItems, items[i])
			photoNames = append(photoNames, items[i].Name)
		}
		// Each photo is read twice: at the cells the stimuli are read at
		// (for membership), and anywhere on the map (for top photos).
		var uses []datasets.Item
		uses = append(append(uses, photoItems...), photoItems...)
		reader = datasets.NewReader(fs, uses)
		photo := func(i int) (*stimuli.Image, error) {
			img, err := reader.Decode(photoItems[i].Path)
			if err != nil {
				return nil, err
			}
			return stimuli.FromImage(img, size)
		}
		if sweeps["photos"], err = sweep(pr.sess, net.Manifest, len(photoItems), photo, pr.reads, pr.progress(Stage{"photos", "photos"}), pr.window, opt.Runtime.BatchSize()); err != nil {
			return nil, err
		}
		ps, err := pr.photoSession()
		if err != nil {
			return nil, err
		}
		if photos, err = sweep(ps, net.Manifest, len(photoItems), photo, pr.outs, pr.progress(Stage{"photos", "photos"}), crop{}, opt.Runtime.BatchSize()); err != nil {
			return nil, err
		}
		rep.Photos = len(photoItems)
	}
	evidence, err := layerEvidence(net, specs, plans, setOf, sweeps, photoItems, reader, opt)
	if err != nil {
		return nil, err
	}
	if err := pr.networkNull(specs, setOf, photoItems, reader, evidence); err != nil {
		return nil, err
	}
	rep.Families = reduceSearches(specs, func(s *matchSpec) *Family {
		return analyse(s, setOf, sweeps, photos, photoNames, opt.TopK, evidence[evidenceKey(s)])
	})
	exclusive(rep.Families)
	if opt.Vis != nil {
		for _, s := range specs {
			for _, f := range rep.Families {
				if f.Layer == s.layer.Name && f.Family == s.family && f.NaturalLayer == s.natLayer {
					if err := portraits(res, net, s, f, opt); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	recount(rep.Families)
	if opt.Progress != nil {
		opt.Progress(Stage{"weights between matched families", ""}, 0, 1)
	}
	if rep.Connections, err = connections(res, net, rep.Families); err != nil {
		return nil, err
	}
	rep.Expects = expects(res.Experiments, rep)
	for _, e := range rep.Expects {
		rep.OK = rep.OK && e.OK
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// tensorsOf lists the natural tensors the specs read, once each, in order.
func tensorsOf(specs []*matchSpec) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range specs {
		if !seen[s.tensor] {
			out, seen[s.tensor] = append(out, s.tensor), true
		}
	}
	return out
}
