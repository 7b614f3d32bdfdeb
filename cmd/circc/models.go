package main

import (
	"os"

	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/afero"

	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/places"
	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/runtime"
)

func runModels(e *env, args []string) int {
	if len(args) > 0 && args[0] == "add" {
		return modelAdd(e, args[1:])
	}
	if len(args) == 0 || (args[0] != "list" && args[0] != "test" && args[0] != "tensors") {
		fmt.Fprintln(e.stderr, "usage: circc models list [--models DIR]\n       circc models tensors [--models DIR] [--size H] NAME\n       circc models test [--models DIR] [--device cpu|cuda|cpu,cuda] [--record [--force]] [--json] NAME\n       circc models add [--models DIR] --name NAME [--preset caffe|torchvision|tf|lucid] [flags] FILE.onnx")
		return exitUsage
	}
	fl := newFlags("models "+args[0], e.stderr)
	root := fl.String("models", "", "a folder of reference models, searched before $"+models.EnvDir+", $CIRCC_HOME/models and the shipped shared/models")
	device := fl.String("device", "cpu", "execution provider: cpu, cuda, or cpu,cuda to run both and compare them")
	asJSON := addJSON(fl, "the results")
	size := fl.IntIn("size", 0, 0, 4096, "tensors: the input's side in pixels (0: the manifest's)")
	record := fl.Bool("record", false, "test: first record test data for a model that has none (a model you added), from onnxruntime on the first device")
	force := fl.Bool("force", false, "test --record: record again over existing test data")
	if fl.Parse(args[1:]) != nil {
		return exitUsage
	}
	if args[0] == "tensors" {
		return modelTensors(e, *root, *size, fl)
	}
	if args[0] == "list" {
		return modelList(e, *root, *asJSON != "")
	}
	if fl.NArg() != 1 {
		fmt.Fprintln(e.stderr, "usage: circc models test [--models DIR] [--device cpu|cuda|cpu,cuda] [--record [--force]] NAME")
		return exitUsage
	}
	devices, err := runtime.ParseDevices(*device)
	if err != nil {
		return e.fail(badUsage(err))
	}
	net, err := reference.Open(e.fs, fl.Arg(0), *root)
	if err != nil {
		return e.fail(err)
	}
	if *record {
		if _, builtin := models.Lookup(net.Manifest.Name); builtin {
			return e.fail(badUsage(fmt.Errorf("%s is a shipped model: its test data comes with it", net.Manifest.Name)))
		}
		err := net.RecordGolden(e.fs, devices[0], *force)
		if errors.Is(err, reference.ErrHasTestData) {
			err = badUsage(err)
		}
		if err != nil {
			return e.fail(err)
		}
		fmt.Fprintf(e.stderr, "recorded %s of test data for %s in %s (onnxruntime, %s), pinned in SHA256SUMS\n", diag.Count(reference.RecordSets, "input"), net.Manifest.Name, net.Dir, devices[0].Device)
	}
	return modelTest(e, net, devices, *asJSON != "")
}

// modelEntry is one registered model in circc models list.
type modelEntry struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	Dir    string `json:"dir"`
	Layers int    `json:"layers"`
	Status string `json:"status"` // ok, missing, altered, unreadable or broken
	Error  string `json:"error,omitempty"`
}

// modelList lists the registered models and whether each is found and
// intact; it exits 1 when a model is there but is not the pinned file.
func modelList(e *env, root string, asJSON bool) int {
	var list []modelEntry
	code := exitOK
	reg := models.Registered(e.fs, root)
	for _, name := range reg.Names() {
		m, _ := reg.Lookup(name)
		me := modelEntry{Name: m.Name, Title: m.Title, Dir: m.Dir(e.fs, root), Layers: len(m.Layers), Status: "ok"}
		if _, err := reference.Open(e.fs, name, root); err != nil {
			me.Error = err.Error()
			switch {
			case errors.Is(err, models.ErrMissing):
				me.Status = "missing"
			case errors.Is(err, models.ErrAltered):
				me.Status, code = "altered", exitDiags
			case errors.Is(err, models.ErrBroken), errors.Is(err, onnx.ErrUnsafe), errors.Is(err, onnx.ErrMalformed):
				me.Status, code = "broken", exitDiags
			default:
				me.Status, code = "unreadable", exitDiags
			}
		}
		list = append(list, me)
	}
	for name, err := range reg.Broken() {
		list, code = append(list, modelEntry{Name: name, Dir: places.Find(e.fs, root, models.EnvDir, "models", name), Status: "broken", Error: err.Error()}), exitDiags
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	if asJSON {
		writeJSON(e, map[string]any{"ok": code == exitOK, "models": list})
		return code
	}
	for _, me := range list {
		status := me.Status
		if me.Error != "" {
			status += ": " + me.Error
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%d layers\t%s\n", me.Name, me.Title, me.Dir, me.Layers, status)
	}
	return code
}

// goldenLimit is the largest relative L2 error accepted against stored
// activations, and between devices.
const goldenLimit = 1e-5

// goldenRun is one device's run of the stored test data.
type goldenRun struct {
	Provider    string                   `json:"provider"`
	Onnxruntime string                   `json:"onnxruntime"`
	Worst       float64                  `json:"worst_rel_l2"`
	Tensors     []reference.GoldenResult `json:"tensors"`
}

// modelTest runs the model's stored test data on each device and, with
// two devices, compares their outputs with each other.
func modelTest(e *env, net *reference.Net, devices []runtime.Options, asJSON bool) int {
	var runs []goldenRun
	for _, opt := range devices {
		res, err := net.TestGolden(e.fs, opt)
		if errors.Is(err, reference.ErrNoTestData) {
			err = problem(fmt.Errorf("%w; record it once from onnxruntime with: circc models test --record %s", err, net.Manifest.Name))
		}
		if err != nil {
			return e.fail(err)
		}
		runs = append(runs, goldenRun{Provider: res[0].Provider, Onnxruntime: runtime.LoadedVersion(), Worst: reference.WorstRelL2(res), Tensors: res})
	}
	ok := true
	for _, r := range runs {
		ok = ok && r.Worst <= goldenLimit
	}
	var agreement []reference.GoldenResult
	var disagreement float64 // the worst relative difference between the devices
	if len(runs) == 2 {
		var err error
		if agreement, err = reference.Agreement(runs[1].Tensors, runs[0].Tensors); err != nil {
			return e.fail(err)
		}
		disagreement = reference.WorstRelL2(agreement)
		ok = ok && disagreement <= goldenLimit
	}
	if asJSON {
		out := map[string]any{"model": net.Manifest.Name, "ok": ok, "runs": runs}
		if agreement != nil {
			out["agreement"] = map[string]any{"between": []string{runs[0].Provider, runs[1].Provider}, "worst_rel_l2": disagreement, "tensors": agreement}
		}
		writeJSON(e, out)
	} else {
		table := func(title string, res []reference.GoldenResult) {
			fmt.Fprintln(e.stdout, title)
			fmt.Fprintf(e.stdout, "%-16s %-26s %10s %12s %10s\n", "set", "tensor", "values", "rel L2 err", "max abs")
			for _, r := range res {
				fmt.Fprintf(e.stdout, "%-16s %-26s %10d %12.2g %10.2g\n", r.Set, r.Tensor, r.Values, r.RelL2, r.MaxAbs)
			}
		}
		for _, r := range runs {
			table(fmt.Sprintf("%s on %s (onnxruntime %s), against the stored activations", net.Path, r.Provider, r.Onnxruntime), r.Tensors)
			fmt.Fprintf(e.stdout, "worst relative error %.2g\n\n", r.Worst)
		}
		if agreement != nil {
			table(fmt.Sprintf("%s against %s", runs[0].Provider, runs[1].Provider), agreement)
			fmt.Fprintf(e.stdout, "worst relative difference %.2g\n\n", disagreement)
		}
		verdict := "ok"
		if !ok {
			verdict = "FAILED"
		}
		fmt.Fprintf(e.stdout, "%s (limit %.0g)\n", verdict, goldenLimit)
	}
	if !ok {
		return exitDiags
	}
	return exitOK
}

// modelTensors lists every tensor of a model with its shape, and the
// Lucid-style name of the layers the manifest knows.
func modelTensors(e *env, root string, size int, fl *flags) int {
	if fl.NArg() != 1 {
		fmt.Fprintln(e.stderr, "usage: circc models tensors [--models DIR] [--size H] NAME")
		return exitUsage
	}
	net, err := reference.Open(e.fs, fl.Arg(0), root)
	if err != nil {
		return e.fail(err)
	}
	m := net.Manifest
	h, w := m.Input.Size[0], m.Input.Size[1]
	if size > 0 {
		h, w = size, size
	}
	names, shapes, err := net.Model.Tensors([]int64{1, int64(len(m.Input.Channels)), int64(h), int64(w)})
	if err != nil {
		return e.fail(problem(err))
	}
	lucid := map[string]string{}
	for _, l := range m.Layers {
		lucid[l.Tensor] = l.Name
	}
	for _, n := range names {
		fmt.Fprintf(e.stdout, "%-40s %v", n, shapes[n])
		if l := lucid[n]; l != "" {
			fmt.Fprintf(e.stdout, "  = %s", l)
		}
		fmt.Fprintln(e.stdout)
	}
	return exitOK
}

// presets are the preprocessing conventions users meet: a pixel p in
// [0, 1] enters the network as (p·scale − mean) / std.
var presets = map[string]models.Input{
	"caffe":       {Channels: []string{"b", "g", "r"}, Scale: 255, Mean: []float64{104, 117, 123}},
	"torchvision": {Channels: []string{"r", "g", "b"}, Scale: 1, Mean: []float64{0.485, 0.456, 0.406}, Std: []float64{0.229, 0.224, 0.225}},
	"tf":          {Channels: []string{"r", "g", "b"}, Scale: 1, Mean: []float64{0.5, 0.5, 0.5}, Std: []float64{0.5, 0.5, 0.5}}, // RGB in [-1, 1]
	"lucid":       {Channels: []string{"r", "g", "b"}, Scale: 255, Mean: []float64{117, 117, 117}},                              // Lucid's InceptionV1: RGB in [-117, 138]
}

// modelAdd registers a user's ONNX image network: its manifest, read from
// the graph, and the file itself go into MODELS/NAME/.
func modelAdd(e *env, args []string) int {
	fl := newFlags("models add", e.stderr)
	root := fl.String("models", "", "the models folder to add to (default $"+models.EnvDir+", else $CIRCC_HOME/models: never the shipped one)")
	name := fl.String("name", "", "the model's `NAME` in circuits and commands")
	title := fl.String("title", "", "a line saying what the model is")
	preset := fl.String("preset", "caffe", "preprocessing: caffe (BGR, 0-255, mean 104,117,123), torchvision (RGB, 0-1, ImageNet mean and std), tf (RGB in [-1, 1]) or lucid (RGB in [-117, 138], Lucid's InceptionV1)")
	channels := fl.String("channels", "", "input channel order, e.g. bgr or rgb (overrides the preset)")
	scale := fl.Float64("scale", 0, "pixel scale: 255 for 0-255, 1 for 0-1 (overrides the preset)")
	mean := fl.String("mean", "", "per-channel means, comma-separated, in the input's channel order (overrides the preset)")
	std := fl.String("std", "", "per-channel standard deviations, comma-separated (overrides the preset)")
	size := fl.IntIn("size", 0, 0, 4096, "the input's side in pixels when the graph leaves it free (0: the graph's)")
	force := fl.Bool("force", false, "replace a model of the same name, its folder as a whole")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	in, ok := presets[*preset]
	if !ok {
		return e.fail(badUsage(fmt.Errorf("no preset %q (presets: caffe, torchvision, tf, lucid)", *preset)))
	}
	if fl.NArg() != 1 || *name == "" {
		fmt.Fprintln(e.stderr, "usage: circc models add [--models DIR] --name NAME [--force] [--preset caffe|torchvision|tf|lucid] [--channels bgr] [--scale S] [--mean a,b,c] [--std a,b,c] [--size N] FILE.onnx")
		return exitUsage
	}
	if _, builtin := models.Lookup(*name); builtin || !validModelName.MatchString(*name) {
		return e.fail(badUsage(fmt.Errorf("%q cannot name a model: it must be a circ name (letters, digits, _ and version numbers like 1.0) and not a built-in model's", *name)))
	}
	var err error
	if *channels != "" {
		in.Channels = strings.Split(strings.ToLower(*channels), "")
	}
	if *scale != 0 {
		in.Scale = *scale
	}
	for _, f := range []struct {
		text string
		dst  *[]float64
	}{{*mean, &in.Mean}, {*std, &in.Std}} {
		if f.text == "" {
			continue
		}
		if *f.dst, err = floats(f.text); err != nil {
			return e.fail(badUsage(err))
		}
	}
	if len(in.Mean) != len(in.Channels) || len(in.Std) > 0 && len(in.Std) != len(in.Channels) {
		return e.fail(badUsage(fmt.Errorf("%d channels (%s) but %d means and %d standard deviations", len(in.Channels), strings.Join(in.Channels, ""), len(in.Mean), len(in.Std))))
	}
	data, err := safefs.ReadFile(e.fs, fl.Arg(0), safefs.MaxModel)
	if err != nil {
		return e.fail(err)
	}
	if *title == "" {
		*title = "added from " + filepath.Base(fl.Arg(0))
	}
	data, changed, err := reference.Import(data)
	if err != nil {
		return e.fail(problem(fmt.Errorf("%s: %v", fl.Arg(0), err)))
	}
	man, err := reference.Describe(data, *name, *title, in, *size)
	if err != nil {
		return e.fail(problem(fmt.Errorf("%s: %v", fl.Arg(0), err)))
	}
	manifest, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return e.fail(err)
	}
	// A user's models go to the top of the stack (--models, else
	// $CIRCC_MODELS, else their own folder), never into the shipped one.
	dir := filepath.Join(places.Dir(*root, models.EnvDir, "models"), *name)
	if err := e.fs.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return e.fail(err)
	}
	if err := replaceFolder(e.fs, dir, []safefs.File{
		{Path: models.ManifestFile, Data: append(manifest, '\n')},
		{Path: man.File, Data: data},
	}, *force); err != nil {
		return e.fail(err)
	}
	var names []string
	for _, l := range man.Layers {
		names = append(names, l.Name)
	}
	for _, c := range changed {
		fmt.Fprintf(e.stdout, "%s: %s\n", *name, c)
	}
	fmt.Fprintf(e.stdout, "added %s in %s (preset %s): input %s %dx%d %s, %d layers: %s\n", *name, dir, *preset, man.Input.Name, man.Input.Size[0], man.Input.Size[1],
		strings.Join(man.Input.Channels, ""), len(man.Layers), strings.Join(names, " "))
	return exitOK
}

var validModelName = regexp.MustCompile(`^[\pL_][\pL\pN_]*(\.\d+)*$`)

func floats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v == v) {
			return nil, fmt.Errorf("%q is not a list of numbers", s)
		}
		out = append(out, v)
	}
	return out, nil
}

// replaceFolder makes dir hold exactly files (paths relative to it): they
// are written into a fresh temporary folder beside it, which is renamed
// into place, so that a reader sees the old folder or the new one, never
// a mix, and nothing of the old one stays behind. An existing dir (a
// folder, a file or a link, which is never followed) is replaced only with
// force.
func replaceFolder(fs afero.Fs, dir string, files []safefs.File, force bool) error {
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	old, err := lstat(fs, dir)
	switch {
	case err == nil && !force:
		what := "a model"
		if old.Mode()&os.ModeSymlink != 0 {
			what = "a link"
		}
		return fmt.Errorf("%s already holds %s; add --force to replace it as a whole", dir, what)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return err
	}
	if err := fs.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := afero.TempDir(fs, parent, "."+base+".circc-new-")
	if err != nil {
		return err
	}
	defer fs.RemoveAll(tmp)
	if err := fs.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		f.Path = filepath.Join(tmp, f.Path)
		if err := safefs.WriteFiles(fs, []safefs.File{f}, nil); err != nil {
			return err
		}
	}
	if old == nil {
		return fs.Rename(tmp, dir)
	}
	// Move the old entry aside (a link moves as a link), put the new
	// folder in its place, then remove the old one; put it back on failure.
	aside := filepath.Join(parent, "."+base+".circc-old-"+filepath.Base(tmp))
	if err := fs.Rename(dir, aside); err != nil {
		return err
	}
	if err := fs.Rename(tmp, dir); err != nil {
		fs.Rename(aside, dir)
		return err
	}
	return fs.RemoveAll(aside)
}

// lstat is Lstat where the filesystem has it, Stat elsewhere.
func lstat(fs afero.Fs, name string) (os.FileInfo, error) {
	if l, ok := fs.(afero.Lstater); ok {
		fi, _, err := l.LstatIfPossible(name)
		return fi, err
	}
	return fs.Stat(name)
}
