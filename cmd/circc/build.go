package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/experiment"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/runtime"
)

func runBuild(e *env, args []string) int {
	fl := newFlags("build", e.stderr)
	out := fl.String("o", "", "output model `OUT.onnx` (default: the source's name with .onnx); OUT.units.json is written beside it")
	stop := fl.String("stop-after", "", "stop after `STAGE` ("+strings.Join(compiler.StageNames(), ", ")+"); write nothing")
	into := fl.String("into", "", "write the circuit's set, replace and ablate statements into reference `MODEL` instead of building a standalone model")
	rf := addRefFlags(fl, flagData|flagCalibration|flagRuntime|flagDefines)
	withORT := fl.Bool("onnxruntime", false, "also run the written model once in onnxruntime at its input size (costs a forward pass)")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if *into != "" {
		*rf.against = *into
		return buildInto(e, fl, rf, *out)
	}
	if fl.NArg() != 1 {
		fmt.Fprintln(e.stderr, "usage: circc build [-o OUT.onnx] [--stop-after STAGE] FILE")
		return exitUsage
	}
	src := fl.Arg(0)
	rf.near(src)
	reg := models.Registered(e.fs, *rf.models)
	res, err := compiler.Compile(e.fs, src, compiler.Options{StopAfter: compiler.StageName(*stop), Defines: rf.defines, Models: reg})
	if err != nil {
		return e.fail(err)
	}
	if len(res.Diags) > 0 {
		e.report(res.Diags, res.Program.Source)
		if res.Diags.HasErrors() {
			return exitDiags
		}
	}
	if res.Stopped != compiler.StageEmit {
		fmt.Fprintf(e.stderr, "stopped after %s\n", res.Stopped)
		return exitOK
	}
	if res.ONNX == nil {
		return e.fail(badUsage(fmt.Errorf("%s only edits reference models and has no network of its own to build: \"circc build --into MODEL -o OUT.onnx %s\" writes the edited model, \"circc eval --against MODEL %s\" measures it", src, src, src)))
	}
	model := *out
	if model == "" {
		model = strings.TrimSuffix(src, ".circ") + ".onnx"
	}
	units := strings.TrimSuffix(model, ".onnx") + ".units.json"
	if err := writeVerified(e, res, model, units, *withORT); err != nil {
		return e.fail(problem(err))
	}
	n := res.Network
	nu := 0
	for _, l := range n.Layers {
		nu += len(l.Units)
	}
	checked := "checked tensor by tensor and layer shape by layer shape"
	if *withORT {
		checked += fmt.Sprintf(", and run with onnxruntime %s (%s)", runtime.LoadedVersion(), runtime.CPU)
	}
	fmt.Fprintf(e.stdout, "wrote %s (%s, %s, %s) and %s; %s\n", model, diag.Count(len(n.Layers), "layer"), diag.Count(nu, "unit"), diag.Count(n.NumWeights(), "weight"), units, checked)
	// Each motif family's equivariance error: the worst of its members'.
	for _, l := range n.Layers {
		worst := map[string]float64{}
		var order []string
		for _, u := range l.Units {
			if math.IsNaN(u.EquivarianceError) {
				continue
			}
			if _, seen := worst[u.Family]; !seen {
				order = append(order, u.Family)
			}
			worst[u.Family] = math.Max(worst[u.Family], u.EquivarianceError)
		}
		for _, f := range order {
			fmt.Fprintf(e.stdout, "motif %s.%s: equivariance error %.3g\n", l.Name, f, worst[f])
		}
	}
	return exitOK
}

// buildInto writes the reference model with the circuit's edits.
func buildInto(e *env, fl *flags, rf *refFlags, out string) int {
	if fl.NArg() != 1 || out == "" {
		fmt.Fprintln(e.stderr, "usage: circc build --into MODEL -o OUT.onnx FILE")
		return exitUsage
	}
	rf.near(fl.Arg(0))
	res, code := compileFor(e, fl.Arg(0), rf)
	if res == nil {
		return code
	}
	net, opt, code := rf.open(e)
	if net == nil {
		return code
	}
	_, calib, err := rf.photos(e)
	if err != nil && res.Experiments.Has(experiment.Replace) {
		return e.fail(err)
	}
	m, edits, err := net.Inject(e.fs, res, reference.InjectOptions{Calibration: calib, Runtime: opt, Matched: matcher(e, res, rf, opt)})
	if err != nil {
		return e.end(err, res.Program.Source)
	}
	if err := onnx.Write(e.fs, out, m); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s with %s from %s\n", out, net.Manifest.Name, diag.Count(len(edits), "edit"), res.Source)
	for _, ed := range edits {
		fmt.Fprintf(e.stdout, "  %-7s %s (%s) channels %s", ed.Kind, ed.Layer, ed.Tensor, compactInts(ed.Channels))
		if len(ed.Scales) > 0 {
			lo, hi := ed.Scales[0], ed.Scales[0]
			for _, s := range ed.Scales {
				lo, hi = math.Min(lo, s), math.Max(hi, s)
			}
			fmt.Fprintf(e.stdout, " scaled %.3g..%.3g", lo, hi)
		}
		fmt.Fprintf(e.stdout, " (%s)\n", ed.Pos)
	}
	return exitOK
}

// compactInts writes channel lists with runs: 320-329,379.
func compactInts(v []int) string {
	var parts []string
	for i := 0; i < len(v); {
		j := i
		for j+1 < len(v) && v[j+1] == v[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", v[i], v[j]))
		} else {
			parts = append(parts, fmt.Sprint(v[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// writeVerified writes the model and the units manifest together (see
// safefs.WriteFiles): both are written to temporary files, the model is
// re-read from disk and checked (verifyModel), and only then are both
// renamed into place.
func writeVerified(e *env, res *compiler.Result, model, units string, withORT bool) error {
	manifest, err := res.Manifest(filepath.Base(model)).JSON()
	if err != nil {
		return err
	}
	return safefs.WriteFiles(e.fs, []safefs.File{{Path: model, Data: res.ONNX}, {Path: units, Data: manifest}}, func(temps map[string]string) error {
		if err := verifyModel(e.fs, temps[model], res, withORT); err != nil {
			return fmt.Errorf("%s: %w (nothing was written)", model, err)
		}
		return nil
	})
}

// verifyModel re-reads the written model and checks it without running
// it, at a cost that does not grow with the input's size: every tensor
// against what the compiler meant to write, and every layer's output
// shape as the ONNX operators' shape rules give it against the shape the
// compiler declared. withORT also runs it once in onnxruntime and checks
// the shapes it gives.
func verifyModel(fs afero.Fs, path string, res *compiler.Result, withORT bool) error {
	data, err := afero.ReadFile(fs, path)
	if err != nil {
		return err
	}
	if err := res.CheckEncoded(data); err != nil {
		return err
	}
	in, inDims, outs, outDims := res.Shapes()
	m, err := onnx.FromBytes(data)
	if err != nil {
		return err
	}
	shapes, err := m.Shapes(inDims)
	if err != nil {
		return err
	}
	for i, name := range outs {
		if fmt.Sprint(shapes[name]) != fmt.Sprint(outDims[i]) {
			return fmt.Errorf("the ONNX shape rules give %s the shape %v, the compiler declares %v", name, shapes[name], outDims[i])
		}
	}
	if !withORT {
		return nil
	}
	return runtime.CheckShapes(data, in, inDims, outs, outDims, runtime.Options{})
}
