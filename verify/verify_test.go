package verify

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/models"
	"github.com/circc/circc/reference"
	ort "github.com/circc/circc/runtime"
	"github.com/circc/circc/stimuli"
	"github.com/circc/circc/weights"
)

var (
	sharedModels, _ = filepath.Abs("../../shared/models")
	sharedData, _   = filepath.Abs("../../shared/datasets")
	once            sync.Once
	curvesRes       *compiler.Result
	curvesRep       *Report
	curvesErr       error
)

// curves verifies circuits/curves.circ once for the tests that read it.
func curves(t *testing.T) (*compiler.Result, *Report) {
	t.Helper()
	once.Do(func() {
		r, err := compiler.Compile(afero.NewOsFs(), "../circuits/curves.circ", compiler.Options{})
		if err != nil {
			curvesErr = err
			return
		}
		curvesRes = r
		curvesRep, curvesErr = Run(afero.NewOsFs(), r, Options{Against: "inceptionv1", ModelsDir: sharedModels, DataDir: sharedData, Photos: 32})
	})
	if curvesErr != nil {
		t.Fatal(curvesErr)
	}
	return curvesRes, curvesRep
}

// TestFindsCurveDetectors: without being told unit numbers, the verifier
// counts mixed3b's members of the curves kind far above the layer's own
// null, and pairs the 24 hand-made curve detectors one to one with 24 of
// them: matching response maps, preferred orientations close to the
// hand-made ones and all round the circle, no echo; and the members a
// template-free ranking puts first (the strongest answers to curves) are
// among the pairs.
func TestFindsCurveDetectors(t *testing.T) {
	t.Parallel()
	_, rep := curves(t)
	f := familyNamed(t, rep, "mixed3b.curve")
	if len(rep.Families) != 3 || f.Matching != "auto" || f.Kind != "curves" {
		t.Fatalf("families %+v", rep.Families)
	}
	if len(f.Pairs) != 24 || f.NaturalLayer != "mixed3b" || rep.Stimuli != 360*len(stimuli.CurveRadii)+18 {
		t.Fatalf("%d pairs on %s, %d stimuli", len(f.Pairs), f.NaturalLayer, rep.Stimuli)
	}
	e := f.Layers[0]
	t.Logf("mixed3b: %d members, null %.1f ± %.1f, z %.1f", e.Members, float64(e.NullMean), float64(e.NullSD), float64(e.Z))
	if f.Found == nil || !*f.Found || e.Members < 35 || float64(e.Z) < 3 || e.Seeds != NullSeeds {
		t.Errorf("mixed3b's curve population: %+v", e)
	}
	seen := map[int]bool{}
	var r, errs, echoes []float64
	for _, p := range f.Pairs {
		if seen[p.Channel] || p.Channel < 0 || !p.Genuine {
			t.Errorf("pair %s ~ %s: not a distinct member (%s)", p.Unit, p.Natural, p.NotGenuine)
		}
		seen[p.Channel] = true
		r = append(r, float64(p.PearsonR))
		errs = append(errs, float64(p.OrientationErrorDeg))
		echoes = append(echoes, float64(p.NaturalTuning.Echo))
		if !strings.HasPrefix(p.Natural, "mixed3b:") || len(p.Handmade.RadialTuning) != 360 || float64(p.NaturalTuning.Echo) > MaxEcho {
			t.Errorf("pair %+v", p)
		}
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	sort.Float64s(echoes)
	t.Logf("mean r %.3f, mean orientation error %.1f°, median natural echo %.3f, coverage %.2f", mean(r), mean(errs), echoes[len(echoes)/2], f.Coverage)
	if mean(r) < 0.8 || mean(errs) > 15 || f.Coverage < 0.9 {
		t.Error("the matched natural units do not behave like curve detectors")
	}
	if !rep.OK {
		t.Errorf("curves.circ's claims fail: %+v", rep.Expects)
	}
	// Every measurement marshals: undefined and unbounded ones as null.
	if _, err := json.Marshal(rep); err != nil {
		t.Errorf("the report does not marshal: %v", err)
	}
}

// familyNamed is the report's family LAYER.FAMILY.
func familyNamed(t *testing.T, rep *Report, name string) *Family {
	t.Helper()
	for _, f := range rep.Families {
		if f.Layer+"."+f.Family == name {
			return f
		}
	}
	t.Fatalf("no family %s in the report", name)
	return nil
}

// TestLinesAreAxial: the mixed3a lines (edge family, read with line
// stimuli, whose half-turns are the same images) are read on the half
// circle, where the hand-made units spread evenly; line detectors are
// tested against tight curves of their own orientation, and mixed3a's
// count of them does not stand out from its null: the instrument says
// so rather than pairing lines by resemblance.
func TestLinesAreAxial(t *testing.T) {
	_, rep := curves(t)
	f := familyNamed(t, rep, "mixed3a.edge")
	e := f.Layers[0]
	t.Logf("mixed3a lines: period %g°, spacing error %g° (hand-made), members %d, null %.1f ± %.1f, z %.1f, genuine %d of %d", f.PeriodDeg,
		float64(f.SpacingErrorDeg), e.Members, float64(e.NullMean), float64(e.NullSD), float64(e.Z), f.Genuine, len(f.Pairs))
	if f.PeriodDeg != 180 || float64(f.SpacingErrorDeg) > 1 || f.Kind != "lines" || len(f.Orientations) != 18 {
		t.Error("the lines are not read as an axial family")
	}
	if e.Found || float64(e.Z) > 3 {
		t.Errorf("mixed3a's lines stand out from the null: %+v", e)
	}
	for _, p := range f.Pairs {
		if p.Genuine != (p.Channel >= 0) || !math.IsNaN(float64(p.Handmade.Echo)) {
			t.Errorf("pair %+v", p)
		}
	}
	if c := familyNamed(t, rep, "mixed3b.curve"); c.PeriodDeg != 360 {
		t.Errorf("curves read with period %g", c.PeriodDeg)
	}
}

// TestNaturalCircuitBesideHandmade: verify lays the weights between the
// matched mixed3a families and the mixed3b curves beside the hand-made
// ones. The hand-made tiles are the compiler's own kernels; each natural
// tile is the expanded weight between the partners its row and column
// name; the hand-made curve circuit obeys the rotation motif (exactly at
// quarter turns), and the numbers of the natural one are reported.
func TestNaturalCircuitBesideHandmade(t *testing.T) {
	res, rep := curves(t)
	if len(rep.Connections) != 2 {
		t.Fatalf("%d connections", len(rep.Connections))
	}
	net, err := reference.Open(afero.NewOsFs(), "inceptionv1", sharedModels)
	if err != nil {
		t.Fatal(err)
	}
	layer := res.Network.Layer("mixed3b")
	for _, c := range rep.Connections {
		from, to := familyNamed(t, rep, c.From), familyNamed(t, rep, c.To)
		fromUnits, toUnits := familyUnits(res, from), familyUnits(res, to)
		fromUnits, fromPairs := paired(fromUnits, from.Pairs)
		toUnits, toPairs := paired(toUnits, to.Pairs)
		if c.To != "mixed3b.curve" || len(c.Rows) != len(toUnits) || len(c.Handmade) != len(toUnits) || len(c.Handmade[0]) != len(fromUnits) || c.Window.Size != [2]int{5, 5} {
			t.Fatalf("%s -> %s: %d rows, window %+v", c.From, c.To, len(c.Rows), c.Window)
		}
		worst := 0.0
		for j, u := range toUnits {
			for i, v := range fromUnits {
				for k, w := range layer.Kernel2D(u.Index, v.Index) {
					worst = math.Max(worst, math.Abs(c.Handmade[j][i][k]-float64(float32(w))))
				}
			}
		}
		if worst > 1e-6 {
			t.Errorf("%s: hand-made tiles differ from the compiler's kernels by %g", c.From, worst)
		}
		// Two natural tiles, from the partners named in the table.
		for _, ji := range [][2]int{{4, 2}, {17, len(fromUnits) - 1}} {
			j, i := ji[0], ji[1]
			e, err := weights.Expand(net.Model, []int64{1, 3, 224, 224}, "inception_3a/output_1", "inception_3b/output_1", []int{toPairs[j].Channel})
			if err != nil {
				t.Fatal(err)
			}
			want := e.TileIn(0, fromPairs[i].Channel, c.Window)
			for k := range want {
				if math.Abs(c.Natural[j][i][k]-want[k]) > 1e-7 {
					t.Fatalf("%s: natural tile (%d, %d) is not the expanded weight %s -> %s", c.From, j, i, fromPairs[i].Natural, toPairs[j].Natural)
				}
			}
		}
		h, n := c.HandmadeEquivariance, c.NaturalEquivariance
		if h == nil || n == nil {
			t.Fatalf("%s: no equivariance", c.From)
		}
		t.Logf("%s -> %s: tiles r %.3f, signs agree %.3f; equivariance hand-made %.3f (quarter turns %.3f), natural %.3f (%.3f)",
			c.From, c.To, c.Agreement.PearsonR, c.Agreement.SignAgreement, h.Score, h.QuarterTurns, n.Score, n.QuarterTurns)
		if math.IsNaN(c.Agreement.PearsonR) || math.IsNaN(c.Agreement.SignAgreement) || math.Abs(n.Score) > 1 {
			t.Errorf("%s: numbers %+v %+v", c.From, c.Agreement, n)
		}
		if c.From == "mixed3a.curve" && (h.QuarterTurns < 0.999 || h.Score < 0.9 || len(h.Turns) < 3) {
			t.Errorf("the hand-made curve circuit is not equivariant: %+v", h)
		}
		// The natural curve circuit against its nulls: its net weights
		// follow the difference of orientations far beyond relabelled
		// ones, and its tiles are equivariant above shuffled partners.
		if c.From == "mixed3a.curve" {
			o, q := c.OrientationRule, c.TileEquivariance
			t.Logf("orientation rule %+v; tile equivariance %+v", o, q)
			if o == nil || float64(o.P) > 0.01 || float64(o.Eta2) < 2*float64(o.NullMean) || q == nil || float64(q.P) > 0.01 || float64(q.Score) < float64(q.NullMean)+3*float64(q.NullSD) {
				t.Error("the natural curve circuit's rule and equivariance are not told from chance")
			}
		}
		if c.From == "mixed3a.edge" && (len(h.Turns) < 3 || h.Score < 0.8) {
			t.Errorf("the hand-made line-to-curve circuit: %+v", h)
		}
	}
}

func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium: run scripts/install-test-tools.sh")
	return ""
}

// TestReportPageLoads renders the HTML report in headless Chromium: the
// page loads, every image decodes, and the tuning plots are there.
func TestReportPageLoads(t *testing.T) {
	t.Parallel()
	res, rep := curves(t)
	page, err := HTML(afero.NewOsFs(), res, []*Report{rep}, sharedData)
	if err != nil {
		t.Fatal(err)
	}
	probe := `<script>window.addEventListener('load',async()=>{const imgs=[...document.images];` +
		`const bad=imgs.filter(i=>!i.complete||i.naturalWidth===0).length;` +
		`const q=s=>document.querySelectorAll(s).length;` +
		`const thumbs=[...document.querySelectorAll('span.ph')];const bg=e=>getComputedStyle(e).backgroundImage;` +
		`const urls=[...new Set(thumbs.map(bg))].filter(u=>u!=='none');` +
		`const ok=await Promise.all(urls.map(u=>new Promise(r=>{const i=new Image();i.onload=()=>r(i.naturalWidth>0);i.onerror=()=>r(false);i.src=u.slice(5,-2);})));` +
		`const blank=thumbs.filter(e=>bg(e)==='none').length+ok.filter(x=>!x).length;` +
		`document.body.setAttribute('data-check',imgs.length+' images, '+bad+' broken, '+thumbs.length+' thumbnails of '+urls.length+' photos, '+blank+' blank, '+q('svg polygon')+' tuning curves, '+q('svg image')+' figures, '+q('svg text')+' labels, '+q('figcaption')+' captions');` +
		`const links=[...document.querySelectorAll('nav a')];const dead=links.filter(a=>!document.getElementById(decodeURIComponent(a.hash.slice(1)))).length;` +
		`document.body.setAttribute('data-nav',links.length+' links, '+dead+' dead');});</script>`
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	os.WriteFile(file, bytes.Replace(page, []byte("</body>"), []byte(probe+"</body>"), 1), 0o644)
	out, err := exec.Command(chromium(t), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--virtual-time-budget=10000", "--dump-dom", "file://"+file).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	i := strings.Index(dom, `data-check="`)
	if i < 0 {
		t.Fatalf("the page did not finish loading:\n%.500s", dom)
	}
	check := dom[i+12 : i+12+strings.Index(dom[i+12:], `"`)]
	t.Log(check)
	var images, broken, thumbs, photos, blank, curves, figures, labels, captions int
	if _, err := fmt.Sscanf(check, "%d images, %d broken, %d thumbnails of %d photos, %d blank, %d tuning curves, %d figures, %d labels, %d captions",
		&images, &broken, &thumbs, &photos, &blank, &curves, &figures, &labels, &captions); err != nil {
		t.Fatal(err)
	}
	// The table of contents reaches every network, family and connection.
	var links, dead int
	if j := strings.Index(dom, `data-nav="`); j < 0 {
		t.Error("no table of contents")
	} else if _, err := fmt.Sscanf(dom[j+10:], "%d links, %d dead", &links, &dead); err != nil || dead != 0 || links != 1+1+len(rep.Families)+len(rep.Connections) {
		t.Errorf("contents: %d links, %d dead (%v); want %d", links, dead, err, 2+len(rep.Families)+len(rep.Connections))
	}
	pairs, paired := 0, 0
	for _, f := range rep.Families {
		pairs += len(f.Pairs)
		for _, p := range f.Pairs {
			if p.Channel >= 0 {
				paired++
			}
		}
	}
	// A stimulus sheet per family and two weight grids per connection as
	// images; every pair with a partner's 2×8 top photos as thumbnails, each photo's
	// picture once in the page, and captioned; 2 heat maps per pair and
	// the weight tiles of each family as figures, with ticks, radius
	// labels, unit and input names.
	if images != len(rep.Families)+2*len(rep.Connections) || broken != 0 || thumbs != 2*8*paired || photos > rep.Photos || blank != 0 ||
		curves < 2*pairs || figures != 2*pairs+len(rep.Families) || labels < 2*pairs*(5+3)+pairs+42 || captions != thumbs {
		t.Errorf("%s", check)
	}
	if len(page) > 2<<20 {
		t.Errorf("the page is %d bytes; photos should be small JPEG thumbnails", len(page))
	}
	if !strings.Contains(dom, "mixed3b.curve ~ mixed3b") || !strings.Contains(dom, "max echo &lt; 0.1") || !strings.Contains(dom, "Where the family is: found in mixed3b") {
		t.Error("the page lacks the family heading or the claims")
	}
	if !strings.Contains(dom, "Weights mixed3a.curve → mixed3b.curve") || !strings.Contains(dom, `alt="natural weights mixed3a to mixed3b"`) {
		t.Error("the page lacks the natural circuit beside the hand-made one")
	}
}

var benchDevices = flag.String("device", "cpu", "devices the benchmarks run on: cpu, cuda, or cpu,cuda")

// rawRate times onnxruntime alone on a session: batches of zeros at its
// input size, warmed up first, the given number of batches an iteration.
// It reports and returns images/s.
func rawRate(b *testing.B, s *ort.Session, batch, side, batches int) float64 {
	in := make([]float32, batch*3*side*side)
	shape := []int64{int64(batch), 3, int64(side), int64(side)}
	for i := 0; i < 3; i++ {
		if _, err := s.Run(in, shape); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := 0; k < batches; k++ {
			if _, err := s.Run(in, shape); err != nil {
				b.Fatal(err)
			}
		}
	}
	rate := float64(b.N*batches*batch) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "images/s")
	return rate
}

// BenchmarkSweep measures, on each -device, onnxruntime's raw throughput on
// the graph a sweep runs (InceptionV1 cut at mixed3b with curves.circ
// beside it), at full size and on the cropped input, and, in the same run,
// the whole sweep (rendering, cropping, preprocessing, running, reading
// out) over the same number of curve stimuli; the sweep reports its rate
// as a share of the cropped raw one and as a multiple of the full-size one.
func BenchmarkSweep(b *testing.B) {
	devices, err := ort.ParseDevices(*benchDevices)
	if err != nil {
		b.Fatal(err)
	}
	if err := ort.Load(devices[0]); err != nil {
		b.Fatal(err)
	}
	fs, res, net, specs := curvesSpecs(b)
	set, _ := stimuli.Lookup("curves", 224)
	for _, dev := range devices {
		batch := dev.BatchSize()
		n := 10 * batch
		opt := Options{Runtime: dev}
		pr, err := newProbe(fs, res, net, specs, opt, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer pr.close()
		full, err := pr.session(224, ones(len(pr.outs)), false)
		if err != nil {
			b.Fatal(err)
		}
		defer full.Close()
		var fullRate, cropRate float64
		b.Run(dev.Device+"/raw-full", func(b *testing.B) { fullRate = rawRate(b, full, batch, 224, n/batch) })
		b.Run(dev.Device+"/raw-cropped", func(b *testing.B) {
			cropRate = rawRate(b, pr.sess, batch, pr.window.Size, n/batch)
			b.ReportMetric(float64(pr.window.Size), "window_px")
		})
		b.Run(dev.Device+"/sweep", func(b *testing.B) {
			stimulus := func(i int) (*stimuli.Image, error) { return set.Render(i * 7), nil }
			if _, err := sweep(pr.sess, net.Manifest, batch, stimulus, pr.outs, nil, pr.window, batch); err != nil {
				b.Fatal(err) // warm-up
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := sweep(pr.sess, net.Manifest, n, stimulus, pr.outs, nil, pr.window, batch); err != nil {
					b.Fatal(err)
				}
			}
			rate := float64(b.N*n) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "stimuli/s")
			if cropRate > 0 && fullRate > 0 {
				b.ReportMetric(100*rate/cropRate, "%_of_raw_cropped")
				b.ReportMetric(rate/fullRate, "x_full_size_raw")
			}
		})
	}
}

// TestSpecClaimsHold: every example in spec.md that states claims
// (expect) verifies with all its claims holding, as a reader who runs it
// will see.
func TestSpecClaimsHold(t *testing.T) {
	spec, err := os.ReadFile("../spec.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, block := range regexp.MustCompile("(?s)```circ\n(.*?)```").FindAllSubmatch(spec, -1) {
		if !bytes.Contains(block[1], []byte("\nexpect ")) {
			continue
		}
		n++
		fs := afero.NewOsFs()
		file := filepath.Join(t.TempDir(), "example.circ")
		os.WriteFile(file, block[1], 0o644)
		r, err := compiler.Compile(fs, file, compiler.Options{})
		if err != nil || r.Diags.HasErrors() {
			t.Fatal(err, r.Diags)
		}
		rep, err := Run(fs, r, Options{Against: "inceptionv1", ModelsDir: sharedModels, DataDir: sharedData, Photos: 0})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range rep.Expects {
			if !e.OK {
				t.Errorf("spec.md example %d: %s = %g fails", n, e.Claim, float64(e.Value))
			}
		}
	}
	if n == 0 {
		t.Fatal("spec.md has no example with claims")
	}
}

// TestSearchFindsCurvesInSqueezeNet: universality. Searching every layer of
// SqueezeNet for curves.circ's mixed3b curve family counts members of the
// curves kind in each against that layer's own null and reports every
// layer, ordered by excess: the population is found where it is built,
// fire6 among them and the family shown there, while the early layers
// hold none, and fire8, which holds the most members, keeps as many when
// only its own weights are shuffled (it inherits them); against the
// network null (every convolution shuffled) fire6 and fire8 both hold a
// population.
func TestSearchFindsCurvesInSqueezeNet(t *testing.T) {
	t.Parallel()
	r := curvesAgainst(t, "squeezenet1.0.*")
	rep, err := Run(afero.NewOsFs(), r, Options{Against: "squeezenet1.0", ModelsDir: sharedModels, DataDir: sharedData, NullSeeds: 10, NetworkSeeds: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Families) != 1 {
		t.Fatalf("%d families", len(rep.Families))
	}
	f := rep.Families[0]
	ev := map[string]LayerEvidence{}
	for _, e := range f.Layers {
		ev[e.Layer] = e
		t.Logf("%-8s members %3d null %5.1f ± %4.1f z %5.1f found %v %s", e.Layer, e.Members, float64(e.NullMean), float64(e.NullSD), float64(e.Z), e.Found, e.NoNull)
	}
	t.Logf("verdict: %s", verdict(f))
	if len(f.Layers) != 13 || len(f.Profile) != 13 || f.Matching != "search" || f.Found == nil || !*f.Found {
		t.Fatalf("search: %d layers, found %v in %s", len(f.Layers), f.Found, f.NaturalLayer)
	}
	if !ev["fire6"].Found || ev["conv1"].Found || ev["fire2"].Found || ev["conv1"].Members > 0 || ev["fire2"].Members > 0 {
		t.Errorf("fire6 must be found and the early layers hold nothing")
	}
	if e := ev["fire8"]; e.Members < 40 || e.Found || e.Members < ev["fire6"].Members || math.Abs(float64(e.Z)) > 2 {
		t.Errorf("fire8: %+v", e)
	}
	for _, l := range []string{"fire6", "fire8"} {
		if h := ev[l].Holds; h == nil || !h.Holds || float64(h.NullMean) > 2 {
			t.Errorf("%s holds no population against the network null: %+v", l, h)
		}
	}
	if h := ev["conv1"].Holds; h == nil || h.Holds {
		t.Errorf("conv1 against the network null: %+v", h)
	}
	if e := ev["pool8"]; e.NoNull == "" || e.Found {
		t.Errorf("a pool has no weights of its own: %+v", e)
	}
	for i := 1; i < len(f.Layers); i++ {
		if a, b := f.Layers[i-1], f.Layers[i]; !math.IsNaN(float64(b.Excess)) && float64(a.Excess) < float64(b.Excess) {
			t.Errorf("layers out of order: %s %.1f before %s %.1f", a.Layer, float64(a.Excess), b.Layer, float64(b.Excess))
		}
	}
	// The page's plot of members against the nulls draws every layer.
	if svg := string(profilePlot(f)); strings.Contains(svg, "NaN") || strings.Count(svg, "<title>") != 13 {
		t.Errorf("the members plot is not drawn: %d bars, NaN %v", strings.Count(svg, "<title>"), strings.Contains(svg, "NaN"))
	}
	if !strings.Contains(verdict(f), "fire6") || f.Versus == nil {
		t.Errorf("verdict %q, versus %+v", verdict(f), f.Versus)
	}
	seen := map[int]bool{}
	for _, p := range f.Pairs {
		if p.Channel >= 0 && (seen[p.Channel] || !strings.HasPrefix(p.Natural, f.NaturalLayer+":") || !p.Genuine) {
			t.Errorf("pair %s ~ %s: not a distinct member", p.Unit, p.Natural)
		}
		seen[p.Channel] = true
	}
}

// curvesAgainst compiles curves.circ with its match pointed at target
// (squeezenet1.0.fire6, squeezenet1.0.*) and its claims and edits removed.
func curvesAgainst(b testing.TB, target string) *compiler.Result {
	return curvesAgainstIn(b, target, nil)
}

// curvesAgainstIn is curvesAgainst with the models of a registry known to
// the checker (nil: the built-in ones).
func curvesAgainstIn(b testing.TB, target string, reg models.Registry) *compiler.Result {
	src, err := os.ReadFile("../circuits/curves.circ")
	if err != nil {
		b.Fatal(err)
	}
	src = regexp.MustCompile(`(?m)^(match mixed3b\.curve to) inceptionv1\.mixed3b( using curves)$`).ReplaceAll(src, []byte("$1 "+target+"$2"))
	src = regexp.MustCompile(`(?m)^(expect|replace|ablate|set) .*$`).ReplaceAll(src, nil)
	file := filepath.Join(b.TempDir(), "curves.circ")
	os.WriteFile(file, src, 0o644)
	r, err := compiler.Compile(afero.NewOsFs(), file, compiler.Options{Models: reg})
	if err != nil || r.Diags.HasErrors() {
		b.Fatal(err, r.Diags)
	}
	return r
}

// BenchmarkSearchSqueezeNet measures a search of all 13 SqueezeNet layers
// for curves.circ's curve family, every layer's null included, and, in the same
// run, the explicit match of one layer (fire6) as the baseline; it reports
// the search's seconds and its cost in explicit matches.
//
//	go test ./verify -run '^$' -bench SearchSqueezeNet -benchtime 1x
func BenchmarkSearchSqueezeNet(b *testing.B) {
	one, all := curvesAgainst(b, "squeezenet1.0.fire6"), curvesAgainst(b, "squeezenet1.0.*")
	run := func(r *compiler.Result) {
		if _, err := Run(afero.NewOsFs(), r, Options{Against: "squeezenet1.0", ModelsDir: sharedModels, DataDir: sharedData}); err != nil {
			b.Fatal(err)
		}
	}
	run(one) // warm up: onnxruntime, the page cache
	var tOne, tAll time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		run(one)
		tOne += time.Since(start)
		start = time.Now()
		run(all)
		tAll += time.Since(start)
	}
	b.ReportMetric(tAll.Seconds()/float64(b.N), "search-s/op")
	b.ReportMetric(tOne.Seconds()/float64(b.N), "one-layer-s/op")
	b.ReportMetric(tAll.Seconds()/tOne.Seconds(), "search/one-layer")
}

// BenchmarkCalibratedSearch measures the calibrated search of every
// InceptionV1 layer for curves.circ's curve family, with 20 null seeds per
// layer and 128 photos, and, in the same run, the same search without
// nulls as the baseline; it reports the search's seconds and the share
// the nulls add. The target is at most 3 minutes on 2 cores.
//
//	go test ./verify -run '^$' -bench CalibratedSearch -benchtime 1x -timeout 30m
func BenchmarkCalibratedSearch(b *testing.B) {
	all := curvesAgainst(b, "inceptionv1.*")
	run := func(seeds int) {
		if _, err := Run(afero.NewOsFs(), all, Options{Against: "inceptionv1", ModelsDir: sharedModels, DataDir: sharedData, Photos: 128, NullSeeds: seeds}); err != nil {
			b.Fatal(err)
		}
	}
	run(-1) // warm up: onnxruntime, the page cache
	var tBare, tNull time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		run(-1)
		tBare += time.Since(start)
		start = time.Now()
		run(NullSeeds)
		tNull += time.Since(start)
	}
	b.ReportMetric(tNull.Seconds()/float64(b.N), "search-s/op")
	b.ReportMetric(tBare.Seconds()/float64(b.N), "without-nulls-s/op")
	b.ReportMetric(tNull.Seconds()/tBare.Seconds(), "search/without-nulls")
}

// TestCroppedSweepMatchesFullSize: the stimuli run through the smallest
// window of the input that holds every centre cell's receptive field, and
// every unit read there matches the full-size run to 1e-5 (relative to
// the output's scale), for the natural layer and the circuit beside it.
func TestCroppedSweepMatchesFullSize(t *testing.T) {
	fs, res, net, specs := curvesSpecs(t)
	cropped, err := newProbe(fs, res, net, specs, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cropped.close()
	full, err := newProbe(fs, res, net, specs, Options{FullSize: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer full.close()
	w := cropped.window
	t.Logf("window %d×%d at (%d, %d) of 224×224", w.Size, w.Size, w.Y0, w.X0)
	if w.Size == 0 || w.Size > 160 || full.window.Size != 0 {
		t.Fatalf("crop %+v, full %+v", w, full.window)
	}
	set, _ := stimuli.Lookup("curves", 224)
	image := func(i int) (*stimuli.Image, error) { return set.Render(i * 23), nil }
	// 48 images in batches of 20: the last batch is partly spare.
	a, err := sweep(cropped.sess, net.Manifest, 48, image, cropped.outs, nil, w, 20)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sweep(full.sess, net.Manifest, 48, image, full.outs, nil, crop{}, 16)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range full.outs {
		// One row per image, however the batches fall: the spare slots of
		// the last batch are not responses.
		if len(a[out]) != 48 || len(b[out]) != 48 {
			t.Fatalf("%s: %d and %d rows for 48 images", out, len(a[out]), len(b[out]))
		}
		scale := 0.0
		for _, img := range b[out] {
			for _, v := range img {
				scale = math.Max(scale, math.Abs(float64(v)))
			}
		}
		worst := 0.0
		for i := range b[out] {
			for c := range b[out][i] {
				worst = math.Max(worst, math.Abs(float64(a[out][i][c]-b[out][i][c]))/scale)
			}
		}
		t.Logf("%s: %d images × %d units, worst difference %.2g of the largest response", out, len(b[out]), len(b[out][0]), worst)
		if worst > 1e-5 {
			t.Errorf("%s: cropped and full-size runs differ by %.2g", out, worst)
		}
	}
}

// curvesSpecs compiles curves.circ and reads its match against InceptionV1,
// for the tests and benchmarks that build probes themselves.
func curvesSpecs(tb testing.TB) (afero.Fs, *compiler.Result, *reference.Net, []*matchSpec) {
	tb.Helper()
	fs := afero.NewOsFs()
	res, err := compiler.Compile(fs, "../circuits/curves.circ", compiler.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	net, err := reference.Open(fs, "inceptionv1", sharedModels)
	if err != nil {
		tb.Fatal(err)
	}
	specs, d := collect(res, net)
	if d != nil {
		tb.Fatal(d)
	}
	return fs, res, net, specs
}

// BenchmarkVerifyCurves measures, on each -device, the whole of verify on
// curves.circ (stimuli, 128 photos, analysis) against, in the same run,
// onnxruntime's raw full-size forward pass over as many images on the same
// graph (InceptionV1 cut at mixed3b with the circuit beside it, warmed up):
// the target is at most half its time.
func BenchmarkVerifyCurves(b *testing.B) {
	devices, err := ort.ParseDevices(*benchDevices)
	if err != nil {
		b.Fatal(err)
	}
	if err := ort.Load(devices[0]); err != nil {
		b.Fatal(err)
	}
	fs, res, net, specs := curvesSpecs(b)
	for _, dev := range devices {
		batch := dev.BatchSize()
		opt := Options{Against: "inceptionv1", ModelsDir: sharedModels, DataDir: sharedData, Photos: 128, Runtime: dev}
		var images int
		var fullRate float64
		b.Run(dev.Device+"/raw-full", func(b *testing.B) {
			pr, err := newProbe(fs, res, net, specs, opt, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer pr.close()
			full, err := pr.session(224, ones(len(pr.outs)), false)
			if err != nil {
				b.Fatal(err)
			}
			defer full.Close()
			fullRate = rawRate(b, full, batch, 224, 1)
		})
		b.Run(dev.Device+"/verify", func(b *testing.B) {
			if _, err := Run(fs, res, opt); err != nil {
				b.Fatal(err) // warm-up
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rep, err := Run(fs, res, opt)
				if err != nil {
					b.Fatal(err)
				}
				images = rep.Stimuli + rep.Photos
			}
			secs := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(secs, "verify_s")
			b.ReportMetric(float64(images), "images")
			if fullRate > 0 {
				full := float64(images) / fullRate
				b.ReportMetric(full, "full_forward_s")
				b.ReportMetric(secs/full, "verify/full_forward")
			}
		})
	}
}

// ones is n windows of one cell.
func ones(n int) []int {
	w := make([]int, n)
	for i := range w {
		w[i] = 1
	}
	return w
}
