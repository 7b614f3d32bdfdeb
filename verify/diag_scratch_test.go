package verify

import (
	"github.com/circc/circc/datasets"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/stimuli"
	"fmt"
	"math"
	"os"
	"sort"
	"testing"

	"github.com/spf13/afero"
)

func TestScratchNull(t *testing.T) {
	if os.Getenv("SCRATCH") == "" {
		t.Skip()
	}
	fs, res, net, specs := curvesSpecs(t)
	if m := os.Getenv("MODEL"); m != "" {
		net, _ = reference.Open(fs, m, sharedModels)
	}
	s := specs[0]
	if os.Getenv("LAYER") != "" {
		s.natLayer = os.Getenv("LAYER")
		l, _ := net.Manifest.Layer(s.natLayer)
		s.tensor = l.Tensor
	}
	set := os.Getenv("SET")
	if set != "" {
		s.set = set
	}
	specs = []*matchSpec{s}
	opt := Options{Photos: 128, DataDir: sharedData}
	windows, _ := readWindows(net.Model, []string{s.tensor}, 0)
	plans := map[string]*nullPlan{s.tensor: planNull(net, s.tensor, windows[0])}
	t.Logf("plan %+v", plans[s.tensor])
	pr, ds, err := newProbe(fs, res, net, specs, opt, plans)
	if err != nil || ds != nil {
		t.Fatal(err, ds)
	}
	sweeps, sets, err := pr.sweepSets(specs, "")
	if err != nil {
		t.Fatal(err)
	}
	items, _ := datasetItems()
	_ = items
	photoItems := items
	_ = afero.NewOsFs
	kind := KindOf(s.set)
	// photos centre
	rows, err := photoRows(pr, net, fs, photoItems)
	if err != nil {
		t.Fatal(err)
	}
	sweeps["photos"] = rows
	report := func(name string, r map[string][][]float32) {
		_, readings := countMembers(kind, sets, r)
		fails := map[string]int{}
		n := 0
		for _, rd := range readings {
			ok := true
			for _, tst := range kind.Tests {
				if tst.Fails(rd) != "" {
					fails[tst.Name]++
					ok = false
				}
			}
			if ok {
				n++
			}
		}
		t.Logf("%s: members %d of %d; fails %v", name, n, len(readings), fails)
		type combo struct {
			name string
			ok   func(r *Reading) bool
		}
		w := func(r *Reading, lo, hi float64) bool { return float64(r.WidthDeg) >= lo && float64(r.WidthDeg) <= hi }
		base := func(r *Reading, st, e, pref float64, radii int, spread float64) bool {
			return (math.IsNaN(r.Strength) || r.Strength >= st) && w(r, 16, 81) && r.Echo <= Float(e) && r.CurvePreference >= Float(pref) && r.Radii >= radii && r.RadiusSpreadDeg <= spread
		}
		combos := []combo{
			{"base", func(r *Reading) bool { return base(r, .25, .05, 1.25, 2, 30) }},
			{"nostr", func(r *Reading) bool { return base(r, 0, .05, 1.25, 2, 30) }},
			{"str.5", func(r *Reading) bool { return base(r, .5, .05, 1.25, 2, 30) }},
			{"e.1", func(r *Reading) bool { return base(r, .25, .1, 1.25, 2, 30) }},
			{"radii3", func(r *Reading) bool { return base(r, .25, .05, 1.25, 3, 30) }},
			{"pref2", func(r *Reading) bool { return base(r, .25, .05, 2, 2, 30) }},
		}
		var cs []float64
		for _, rd := range readings {
			if testSelective.Fails(rd) == "" && testStrength.Fails(rd) == "" {
				cs = append(cs, rd.Contrast)
			}
		}
		sort.Float64s(cs)
		if len(cs) > 0 {
			t.Logf("%s contrast among selective+strong (%d): %v", name, len(cs), cs[len(cs)*3/4:])
		}
		line := name + ":"
		for _, c := range combos {
			k := 0
			for _, rd := range readings {
				if c.ok(rd) {
					k++
				}
			}
			line += fmt.Sprintf(" %s=%d", c.name, k)
		}
		t.Log(line)
	}
	report("real", natural(sweeps, s.tensor))
	in, err := nullInputs(net, plans[s.tensor], kind, sets, sweeps, photoItems, nil)
	if err != nil {
		t.Fatal(err)
	}
	same, err := runNull(net, plans[s.tensor], -1, in, opt.Runtime)
	if err != nil {
		t.Fatal(err)
	}
	report("unshuffled block", same)
	for seed := int64(1); seed <= 6; seed++ {
		r, err := runNull(net, plans[s.tensor], seed, in, opt.Runtime)
		if err != nil {
			t.Fatal(err)
		}
		report("null", r)
	}
}

func datasetItems() ([]datasets.Item, error) {
	items, err := datasets.ImageNetSample(afero.NewOsFs(), datasets.Dir(sharedData, "imagenet-sample"))
	var pick []datasets.Item
	for i := 0; i < len(items); i += 8 {
		pick = append(pick, items[i])
	}
	return pick, err
}

func photoRows(pr *probe, net *reference.Net, fs afero.Fs, items []datasets.Item) (Responses, error) {
	return sweep(pr.sess, net.Manifest, len(items), func(i int) (*stimuli.Image, error) {
		img, err := datasets.Decode(fs, items[i].Path)
		if err != nil {
			return nil, err
		}
		return stimuli.FromImage(img, 224)
	}, pr.reads, nil, pr.window, 16)
}
