package atlas

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/circc/circc/datasets"
	"github.com/circc/circc/reference"
	ort "github.com/circc/circc/runtime"
)

var shared = "../../shared"

func openNet(t testing.TB, name string) *reference.Net {
	t.Helper()
	models, _ := filepath.Abs(filepath.Join(shared, "models"))
	net, err := reference.Open(afero.NewOsFs(), name, models)
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func photos(t testing.TB) []datasets.Item {
	t.Helper()
	items, err := datasets.ImageNetSample(afero.NewOsFs(), filepath.Join(shared, "datasets", "imagenet-sample"))
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// small is a small atlas of SqueezeNet, built once.
var small struct {
	once sync.Once
	dir  string
	plan *Plan
	err  error
}

func smallAtlas(t *testing.T) (*Store, *Plan) {
	t.Helper()
	small.once.Do(func() {
		dir, err := os.MkdirTemp("", "atlas")
		if err != nil {
			small.err = err
			return
		}
		small.dir = dir
		net := openNet(t, "squeezenet1.0")
		st := DefaultSettings()
		st.Size, st.Steps, st.Photos, st.Top, st.Weights, st.Chunk = 32, 4, 12, 3, 3, 16
		// All of fire2, so that fire3's strongest inputs have pages.
		p, err := NewPlan(net, PlanOptions{Layers: []string{"fire2", "fire3"}, Units: map[string][]int{"fire3": {0, 1, 2, 3}},
			Settings: st, Shards: 1, Version: "test", Photos: photos(t)})
		if err != nil {
			small.err = err
			return
		}
		store, err := NewStore(afero.NewOsFs(), dir)
		if err == nil {
			_, err = p.RunShard(store, net, 0, RunOptions{Photos: photos(t)})
		}
		if err == nil {
			_, err = Merge(store, p, []CircuitMatch{{Circuit: "planted.circ", Family: "l.f", Layer: "fire3", Set: "curves", Channels: []int{2}}})
		}
		small.plan, small.err = p, err
	})
	if small.err != nil {
		t.Fatal(small.err)
	}
	store, _ := NewStore(afero.NewOsFs(), small.dir)
	return store, small.plan
}

func TestMain(m *testing.M) {
	code := m.Run()
	if small.dir != "" {
		os.RemoveAll(small.dir)
	}
	os.Exit(code)
}

// TestRerunComputesOnlyWhatIsMissing: a rerun of a complete shard
// computes nothing; with one unit's result gone, it recomputes that
// unit's task alone, to the same bytes.
func TestRerunComputesOnlyWhatIsMissing(t *testing.T) {
	store, p := smallAtlas(t)
	// A copy, so that the shared atlas stays whole.
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-a", store.Dir+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	st, _ := NewStore(afero.NewOsFs(), dir)
	net := openNet(t, "squeezenet1.0")
	stats, err := p.RunShard(st, net, 0, RunOptions{Photos: photos(t)})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Computed != 0 || stats.Cached != 132 {
		t.Errorf("rerun of a complete atlas: %+v", stats)
	}
	task := p.Tasks[len(p.Tasks)-1]
	key := p.Key(task, task.Channels[1])
	before := unitFiles(t, dir, key)
	if err := os.RemoveAll(filepath.Join(dir, "units", key)); err != nil {
		t.Fatal(err)
	}
	if st.Missing(p) != 1 {
		t.Fatalf("%d missing", st.Missing(p))
	}
	// On one onnxruntime thread, where the first run had one per CPU: the
	// bytes must not depend on it.
	stats, err = p.RunShard(st, net, 0, RunOptions{Photos: photos(t), Runtime: ort.Options{Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Computed != len(task.Channels) || stats.Cached != 132-len(task.Channels) {
		t.Errorf("rerun with one unit gone: %+v, want its task's %d units computed", stats, len(task.Channels))
	}
	after := unitFiles(t, dir, key)
	if len(before) < 10 || len(after) != len(before) {
		t.Errorf("%d files, then %d", len(before), len(after))
	}
	for name, b := range before {
		if !bytes.Equal(b, after[name]) {
			t.Errorf("the recomputed unit's %s differs from the first run's", name)
		}
	}
	// A killed run's day-old temporary folder goes at the merge; a young
	// one, perhaps a running shard's, stays.
	old, young := filepath.Join(dir, "units", ".tmp-old"), filepath.Join(dir, "units", ".tmp-young")
	for _, d := range []string{old, young} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-48 * time.Hour)
	os.Chtimes(old, long, long)
	if _, err := Merge(st, p, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); err == nil {
		t.Error("the day-old temporary folder stays")
	}
	if _, err := os.Stat(young); err != nil {
		t.Error("the young temporary folder went")
	}
}

// TestKeys: a unit's key changes with anything that changes its result.
func TestKeys(t *testing.T) {
	_, p := smallAtlas(t)
	task := p.Tasks[0]
	base := p.Key(task, task.Channels[0])
	for name, edit := range map[string]func(q *Plan){
		"steps":   func(q *Plan) { q.Settings.Steps++ },
		"version": func(q *Plan) { q.Version = "other" },
		"model":   func(q *Plan) { q.SHA256 = "00" },
		"photos":  func(q *Plan) { q.PhotoSet = "00" },
	} {
		q := *p
		edit(&q)
		if q.Key(task, task.Channels[0]) == base {
			t.Errorf("the key does not change with the %s", name)
		}
	}
	if p.Key(task, task.Channels[0]) == p.Key(task, task.Channels[1]) {
		t.Error("two units share a key")
	}
}

// TestPlanBalance: a whole-network plan of InceptionV1 splits into
// shards whose estimated costs are within 1.3× of the mean, and a deeper
// layer's unit costs more than a shallower one's.
func TestPlanBalance(t *testing.T) {
	net := openNet(t, "inceptionv1")
	for _, n := range []int{4, 16, 64, 128} {
		p, err := NewPlan(net, PlanOptions{Settings: DefaultSettings(), Shards: n, Version: "test", Photos: photos(t)})
		if err != nil {
			t.Fatal(err)
		}
		b := Balance(p.ShardCosts())
		t.Logf("%d shards: the longest is %.3f× the mean", n, b)
		if !(b <= 1.3) {
			t.Errorf("%d shards: the longest is %.2f× the mean", n, b)
		}
		if n == 4 && !(p.Layer("mixed5b").UnitCost > p.Layer("mixed3a").UnitCost) {
			t.Errorf("mixed5b's unit costs %g, mixed3a's %g", p.Layer("mixed5b").UnitCost, p.Layer("mixed3a").UnitCost)
		}
	}
}

// TestSplit: every task lands in one shard, equal tasks split evenly, a
// task costing as much as all the others together is a shard of its own,
// and a layer's tasks stay together when its passes cost more than the
// balance gains.
func TestSplit(t *testing.T) {
	tasks := func(layers ...string) []Task {
		var out []Task
		for _, l := range layers {
			out = append(out, Task{Layer: l})
		}
		return out
	}
	ones := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	s := split(tasks("a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a"), ones, nil, 4)
	seen := map[int]bool{}
	for _, sh := range s {
		if len(sh) != 3 {
			t.Errorf("equal costs split as %v", s)
		}
		for _, i := range sh {
			if seen[i] {
				t.Errorf("task %d in two shards", i)
			}
			seen[i] = true
		}
	}
	if len(seen) != 12 {
		t.Errorf("%d of 12 tasks assigned", len(seen))
	}
	s = split(tasks("a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a"), []float64{10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, nil, 2)
	if len(s[0]) != 1 || s[0][0] != 0 {
		t.Errorf("a task costing the rest's sum should be a shard of its own: %v", s)
	}
	// Two layers whose passes cost 5 each: splitting a layer across the
	// shards would cost more than the imbalance of keeping them whole.
	s = split(tasks("a", "a", "a", "b", "b"), []float64{1, 1, 1, 1, 1}, map[string]float64{"a": 5, "b": 5}, 2)
	for _, sh := range s {
		layer := tasks("a", "a", "a", "b", "b")[sh[0]].Layer
		for _, i := range sh {
			if tasks("a", "a", "a", "b", "b")[i].Layer != layer {
				t.Errorf("a layer split across shards: %v", s)
			}
		}
	}
	if s := split(tasks("a", "a"), []float64{1, 1}, nil, 3); len(s[0])+len(s[1])+len(s[2]) != 2 {
		t.Errorf("more shards than tasks: %v", s)
	}
}

// TestAtlasInBrowser: Chromium opens a unit page, follows its first
// expanded-weight link to the neighbouring layer's unit, and the index's
// search finds a unit by name.
func TestAtlasInBrowser(t *testing.T) {
	store, p := smallAtlas(t)
	// The unit fire3:1's strongest input, as the record says.
	last := p.Tasks[len(p.Tasks)-1]
	rec, err := store.Record(p.Key(last, last.Channels[0]))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Layer != "fire3" || len(rec.Inputs) == 0 {
		t.Fatalf("record %s:%d with %d inputs", rec.Layer, rec.Channel, len(rec.Inputs))
	}
	harness := filepath.Join(store.Dir, "harness.html")
	js := `<!doctype html><html><body><pre id="out"></pre>
<iframe id="f" src="squeezenet1.0/fire3/0.html" width="800" height="600"></iframe>
<script>
const f = document.getElementById("f"), out = document.getElementById("out");
let step = 0;
f.addEventListener("load", () => {
  const d = f.contentDocument;
  out.textContent += "PAGE " + d.querySelector("h1").textContent + "\n";
  if (step == 0) { step++; out.textContent += "IMAGES " + [...d.images].filter(i => i.complete && i.naturalWidth > 0).length + " of " + d.images.length + "\n"; d.querySelector("a.in").click(); }
  else if (step == 1) { step++; f.src = "index.html"; }
  else if (step == 2) { step++; d.getElementById("q").value = "squeezenet1.0.fire2:3"; d.getElementById("search").requestSubmit(); }
});
</script></body></html>`
	if err := os.WriteFile(harness, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	var browser string
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
		}
	}
	if browser == "" {
		t.Fatal("no chromium: run scripts/install-test-tools.sh")
	}
	out, err := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--allow-file-access-from-files",
		"--virtual-time-budget=10000", "--dump-dom", "file://"+harness).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	want := []string{"PAGE squeezenet1.0 fire3:0", "PAGE squeezenet1.0 " + rec.Inputs[0].Layer + ":" + strconv.Itoa(rec.Inputs[0].Channel), "PAGE squeezenet1.0 fire2:3"}
	at := 0
	for _, w := range want {
		i := strings.Index(dom[at:], w)
		if i < 0 {
			t.Fatalf("the browser's walk lacks %q (in order):\n%s", w, dom)
		}
		at += i + len(w)
	}
	if !strings.Contains(dom, "IMAGES ") || strings.Contains(dom, "IMAGES 0 ") {
		t.Errorf("the unit page's images did not load:\n%s", dom)
	}
}

// TestTopPhotosAgainstTheBranches: fire3's top and most negative photos
// are read before its ReLUs, through a Concat the atlas adds; the oracle
// reads the two branch convolutions directly, for every photo of the
// pass: the top photo's activation is the largest of any photo's map, the
// bottom one's the smallest, at the cell the record names.
func TestTopPhotosAgainstTheBranches(t *testing.T) {
	store, p := smallAtlas(t)
	net := openNet(t, "squeezenet1.0")
	items := PickPhotos(photos(t), p.Settings.Photos)
	s, err := net.Session(224, 224, []string{"fire3/expand1x1_1", "fire3/expand3x3_1"}, ort.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	last := p.Tasks[len(p.Tasks)-1]
	for _, c := range last.Channels {
		rec, err := store.Record(p.Key(last, c))
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Top) != p.Settings.Top || len(rec.Bottom) != p.Settings.Top {
			t.Fatalf("unit %d: %d top and %d bottom photos", c, len(rec.Top), len(rec.Bottom))
		}
		hi, lo := math.Inf(-1), math.Inf(1)
		var hiName, loName string
		for _, it := range items {
			img, err := datasets.Decode(afero.NewOsFs(), it.Path)
			if err != nil {
				t.Fatal(err)
			}
			x, err := net.Manifest.Preprocess(img)
			if err != nil {
				t.Fatal(err)
			}
			out, err := s.Run(x, []int64{1, 3, 224, 224})
			if err != nil {
				t.Fatal(err)
			}
			o, ch := out[0], c // fire3's channels: expand1x1 (64), then expand3x3
			if c >= 64 {
				o, ch = out[1], c-64
			}
			plane := int(o.Shape[2] * o.Shape[3])
			for _, v := range o.Data[ch*plane : (ch+1)*plane] {
				if float64(v) > hi {
					hi, hiName = float64(v), baseName(it.Path)
				}
				if float64(v) < lo {
					lo, loName = float64(v), baseName(it.Path)
				}
			}
		}
		if math.Abs(rec.Top[0].Activation-hi) > 1e-4*math.Abs(hi) || rec.Top[0].Name != hiName {
			t.Errorf("unit %d: top photo %s at %g, the oracle's %s at %g", c, rec.Top[0].Name, rec.Top[0].Activation, hiName, hi)
		}
		if math.Abs(rec.Bottom[0].Activation-lo) > 1e-4*math.Abs(lo) || rec.Bottom[0].Name != loName {
			t.Errorf("unit %d: bottom photo %s at %g, the oracle's %s at %g", c, rec.Bottom[0].Name, rec.Bottom[0].Activation, loName, lo)
		}
		for i := 1; i < len(rec.Top); i++ {
			if rec.Top[i].Activation > rec.Top[i-1].Activation || rec.Bottom[i].Activation < rec.Bottom[i-1].Activation {
				t.Errorf("unit %d: photos out of order", c)
			}
		}
	}
}

// TestCircuitsOnPages: a circuit's family that lists its channels is
// named on those units' pages only.
func TestCircuitsOnPages(t *testing.T) {
	store, _ := smallAtlas(t)
	for ch, want := range map[int]bool{2: true, 1: false} {
		b, err := os.ReadFile(filepath.Join(store.Dir, UnitPage("squeezenet1.0", "fire3", ch)))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(b), "planted.circ: l.f"); got != want {
			t.Errorf("fire3:%d's page names the planted circuit: %v", ch, got)
		}
	}
}

// unitFiles reads a stored unit's files.
func unitFiles(t *testing.T, dir, key string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "units", key))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, "units", key, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// TestPageWithOneSidedWeights: a unit with inputs and no outputs (the
// last layer, or a side expanded weights refuse) gets its page, with the
// inputs, the refusal, and no empty links.
func TestPageWithOneSidedWeights(t *testing.T) {
	fs := afero.NewMemMapFs()
	st, err := NewStore(fs, "at")
	if err != nil {
		t.Fatal(err)
	}
	p := &Plan{Model: "m", SHA256: "00", Version: "test", Settings: DefaultSettings(),
		Layers: []Layer{{Name: "a", Channels: 2}, {Name: "b", Channels: 1, Prev: "a"}},
		Tasks:  []Task{{Layer: "a", Channels: []int{0, 1}}, {Layer: "b", Channels: []int{0}}}, Shards: [][]int{{0, 1}}}
	for _, t0 := range p.Tasks {
		for _, c := range t0.Channels {
			rec := Record{Model: "m", Layer: t0.Layer, Channel: c, Key: p.Key(t0, c)}
			if t0.Layer == "b" {
				rec.Inputs = []Link{{Layer: "a", Channel: 1, Norm: 2, File: "in-0.png"}, {Layer: "a", Channel: 0, Norm: 1, File: "in-1.png"}}
				rec.Refused = map[string]string{"outputs": "no next layer to read"}
			}
			b, _ := json.Marshal(rec)
			if err := st.Put(rec.Key, map[string][]byte{"unit.json": b}); err != nil {
				t.Fatal(err)
			}
		}
	}
	stats, err := Merge(st, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Units != 3 || stats.Missing != 0 {
		t.Errorf("merge: %+v", stats)
	}
	page, err := afero.ReadFile(fs, filepath.Join("at", UnitPage("m", "b", 0)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<a class="in" href="../a/1.html">a:1</a>`, `<a class="in" href="../a/0.html">a:0</a>`, "No expanded outputs: no next layer to read"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(string(page), `class="out"`) {
		t.Error("the page links an output it does not have")
	}
}
