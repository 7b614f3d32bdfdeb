package main

import (
	"errors"
	"fmt"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/datasets"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/places"
	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/runtime"
	"github.com/circc/circc/verify"
)

// refFlags are the flags of the commands that use a reference model.
// A command registers only those that mean something to it; the others
// keep their defaults.
type refFlags struct {
	against, models, data, device *string
	calibration, threads, batch   *int
	defines                       defineFlag
}

// refFlag names a group of reference-model flags.
type refFlag uint

const (
	flagAgainst     refFlag = 1 << iota // --against MODEL
	flagSeveral                         // --against takes a comma-separated list
	flagData                            // --data
	flagCalibration                     // --calibration
	flagDefines                         // -D, for the circuit the command compiles
	flagRuntime                         // --device, --threads, --batch
)

func addRefFlags(fl *flags, want refFlag) *refFlags {
	str := func(v string) *string { return &v }
	num := func(v int) *int { return &v }
	r := &refFlags{against: str("inceptionv1"), data: str(""), device: str("cpu"), calibration: num(32), threads: num(0), batch: num(0)}
	if want&flagAgainst != 0 {
		doc := "reference `MODEL`"
		if want&flagSeveral != 0 {
			doc = "reference `MODELS`, one or several, comma-separated"
		}
		r.against = fl.String("against", "inceptionv1", doc)
	}
	r.models = fl.String("models", "", "a folder of reference models, searched before $CIRCC_MODELS, $CIRCC_HOME/models and the shipped shared/models")
	if want&flagData != 0 {
		r.data = fl.String("data", "", "a folder of photo sets, searched before $CIRCC_DATA, $CIRCC_HOME/datasets and the shipped shared/datasets")
	}
	if want&flagRuntime != 0 {
		r.device = fl.String("device", "cpu", "execution provider: cpu or cuda")
		r.threads = fl.IntIn("threads", 0, 0, 256, "onnxruntime intra-op threads (0: its default)")
		r.batch = fl.IntIn("batch", 0, 0, 4096, "images per run (0: the device's default, 16 on cpu, 256 on cuda)")
	}
	if want&flagCalibration != 0 {
		r.calibration = fl.IntIn("calibration", 32, 0, 10000, "photos used to scale replaced units")
	}
	if want&flagDefines != 0 {
		r.defines = addDefines(fl)
	}
	return r
}

// near puts the shared folders beside the circuit's own checkout on top
// of the search, when no folder was given: a circuit found by path finds
// the models and photos it was written against, from any directory.
func (r *refFlags) near(file string) {
	if *r.models == "" {
		*r.models = places.Beside(file, "models")
	}
	if *r.data == "" {
		*r.data = places.Beside(file, "datasets")
	}
}

// runtimeOptions are the session options the flags ask for.
func (r *refFlags) runtimeOptions() (runtime.Options, error) {
	opt, err := runtime.ParseDevice(*r.device)
	opt.Threads, opt.Batch = *r.threads, *r.batch
	return opt, err
}

// open opens the reference model and the session options the flags ask
// for; on failure it says why and returns the exit code.
func (r *refFlags) open(e *env) (*reference.Net, runtime.Options, int) {
	opt, err := r.runtimeOptions()
	if err != nil {
		return nil, opt, e.fail(badUsage(err))
	}
	p := e.stage("loading "+*r.against, "", e.jsonTo == "-")
	net, err := reference.Open(e.fs, *r.against, *r.models)
	p.end()
	if err != nil {
		return nil, opt, e.fail(err)
	}
	return net, opt, exitOK
}

// photos loads the photo set and picks n evenly spread calibration photos.
func (r *refFlags) photos(e *env) ([]datasets.Item, []datasets.Item, error) {
	items, err := datasets.ImageNetSample(e.fs, datasets.Dir(e.fs, *r.data, "imagenet-sample"))
	if err != nil {
		return nil, nil, err
	}
	var calib []datasets.Item
	if n := *r.calibration; n > 0 {
		step := max(len(items)/n, 1)
		for i := 0; i < len(items) && len(calib) < n; i += step {
			calib = append(calib, items[i])
		}
	}
	return items, calib, nil
}

// compileFor compiles a circuit for injection; diagnostics are printed.
func compileFor(e *env, file string, rf *refFlags) (*compiler.Result, int) {
	reg := models.Registered(e.fs, *rf.models)
	p := e.stage("compiling "+file, "", e.jsonTo == "-")
	res, err := compiler.Compile(e.fs, file, compiler.Options{Defines: rf.defines, Models: reg})
	p.end()
	if err != nil {
		return nil, e.fail(err)
	}
	if res.Diags.HasErrors() {
		e.report(res.Diags, res.Program.Source)
		return nil, exitDiags
	}
	return res, exitOK
}

func runEval(e *env, args []string) int {
	fl := newFlags("eval", e.stderr)
	rf := addRefFlags(fl, flagAgainst|flagData|flagCalibration|flagRuntime|flagDefines)
	limit := fl.IntIn("limit", 0, 0, 1<<20, "evaluate only the first `N` photos (0: all)")
	asJSON := addJSON(fl, "the results")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if fl.NArg() > 1 {
		fmt.Fprintln(e.stderr, "usage: circc eval --against MODEL [FILE]")
		return exitUsage
	}
	if fl.NArg() == 1 {
		rf.near(fl.Arg(0))
	}
	net, opt, code := rf.open(e)
	if net == nil {
		return code
	}
	items, calib, err := rf.photos(e)
	if err != nil {
		return e.fail(err)
	}
	if *limit > 0 && *limit < len(items) {
		items = items[:*limit]
	}
	type run struct {
		name  string
		model *onnx.Model
		edits []reference.Edit
	}
	runs := []run{{name: "intact", model: net.Model}}
	if fl.NArg() == 1 {
		res, code := compileFor(e, fl.Arg(0), rf)
		if res == nil {
			return code
		}
		match := matcher(e, res, rf, opt)
		for _, kind := range []string{"ablate", "replace", "set"} {
			m, edits, err := net.Inject(e.fs, res, reference.InjectOptions{Kinds: map[string]bool{kind: true}, Calibration: calib, Runtime: opt, Matched: match})
			var ds diag.List
			if errors.As(err, &ds) {
				return e.end(err, res.Program.Source)
			}
			if err != nil {
				continue // no statement of this kind
			}
			runs = append(runs, run{name: kind, model: m, edits: edits})
		}
		if len(runs) == 1 {
			return e.fail(problem(fmt.Errorf("%s has no set, replace or ablate statement for %s", fl.Arg(0), net.Manifest.Name)))
		}
	}
	output := net.Model.P.GetGraph().GetOutput()[0].GetName()
	var results []*reference.Accuracy
	for _, r := range runs {
		p := e.stage("evaluating "+r.name, "photos", *asJSON == "-")
		acc, err := net.Evaluate(e.fs, r.name, r.model, output, items, opt, p.update)
		p.end()
		if err != nil {
			return e.fail(fmt.Errorf("%s: %v", r.name, err))
		}
		results = append(results, acc)
	}
	if *asJSON != "" {
		writeJSON(e, map[string]any{"against": net.Manifest.Name, "provider": results[0].Provider, "results": results})
		return exitOK
	}
	fmt.Fprintf(e.stdout, "%s on %s (%s)\n", net.Manifest.Name, diag.Count(len(items), "photo"), results[0].Provider)
	fmt.Fprintf(e.stdout, "%-10s %7s %7s\n", "model", "top-1", "top-5")
	for i, a := range results {
		fmt.Fprintf(e.stdout, "%-10s %6.1f%% %6.1f%%", a.Name, 100*a.Top1, 100*a.Top5)
		for _, ed := range runs[i].edits {
			fmt.Fprintf(e.stdout, "  %s %s %s (%s)", ed.Kind, ed.Layer, diag.Count(len(ed.Channels), "channel"), ed.Pos)
		}
		fmt.Fprintln(e.stdout)
	}
	return exitOK
}

// matcher resolves matched(…) in a circuit's edits with the matching of
// circc verify, run once when first needed.
func matcher(e *env, res *compiler.Result, rf *refFlags, opt runtime.Options) func(string) ([]int, error) {
	var rep *verify.Report
	var failed error
	return func(family string) ([]int, error) {
		if rep == nil && failed == nil {
			stages := newStages(e, "matching: ", e.jsonTo == "-")
			// Pairing needs the members, not the layers' nulls.
			r, err := verify.Run(e.fs, res, verify.Options{Against: *rf.against, ModelsDir: *rf.models, DataDir: *rf.data, Runtime: opt,
				Progress: stages.update, NullSeeds: -1})
			stages.end()
			rep, failed = r, err
		}
		if failed != nil {
			return nil, failed
		}
		for _, f := range rep.Families {
			if f.Layer+"."+f.Family == family {
				var out []int
				for _, p := range f.Pairs {
					out = append(out, p.Channel) // -1: the unit has no natural partner
				}
				return out, nil
			}
		}
		return nil, fmt.Errorf("no match statement pairs %s with %s", family, *rf.against)
	}
}
