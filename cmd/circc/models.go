package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/circc/circc/models"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/runtime"
)

func runModels(e *env, args []string) int {
	if len(args) == 0 || (args[0] != "list" && args[0] != "test" && args[0] != "tensors") {
		fmt.Fprintln(e.stderr, "usage: circc models list [--models DIR]\n       circc models tensors [--models DIR] [--size H] NAME\n       circc models test [--models DIR] [--device cpu|cuda] [--json] NAME")
		return exitUsage
	}
	fl := newFlags("models "+args[0], e.stderr)
	root := fl.String("models", "", "folder holding the reference models (default $"+models.EnvDir+" or ../shared/models)")
	device := fl.String("device", "cpu", "execution provider: cpu or cuda")
	asJSON := fl.Bool("json", false, "write the results as JSON on stdout")
	size := fl.Int("size", 0, "tensors: the input's side in pixels (default: the manifest's)")
	if fl.Parse(args[1:]) != nil {
		return exitUsage
	}
	if args[0] == "tensors" {
		return modelTensors(e, *root, *size, fl)
	}
	switch args[0] {
	case "list":
		for _, name := range models.Names() {
			m, _ := models.Lookup(name)
			status := "ok"
			if _, err := m.Locate(e.fs, *root); err != nil {
				status = "missing: " + err.Error()
			}
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%d layers\t%s\n", m.Name, m.Title, m.Dir(*root), len(m.Layers), status)
		}
		return exitOK
	}
	if fl.NArg() != 1 {
		fmt.Fprintln(e.stderr, "usage: circc models test [--models DIR] [--device cpu|cuda] NAME")
		return exitUsage
	}
	opt, err := runtime.ParseDevice(*device)
	if err != nil {
		fmt.Fprintf(e.stderr, "circc: %v\n", err)
		return exitUsage
	}
	net, err := reference.Open(e.fs, fl.Arg(0), *root)
	if err != nil {
		fmt.Fprintf(e.stderr, "circc: %v\n", err)
		return exitUsage
	}
	res, err := net.TestGolden(e.fs, opt)
	if err != nil {
		fmt.Fprintf(e.stderr, "circc: %v\n", err)
		return exitDiags
	}
	worst := 0.0
	for _, r := range res {
		worst = max(worst, r.RelL2)
	}
	ok := worst <= 1e-5
	if *asJSON {
		b, _ := json.MarshalIndent(map[string]any{"model": net.Manifest.Name, "provider": runtime.Provider(), "ok": ok, "tensors": res}, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
	} else {
		fmt.Fprintf(e.stdout, "%s on %s (onnxruntime %s)\n", net.Path, runtime.Provider(), runtime.LoadedVersion())
		fmt.Fprintf(e.stdout, "%-16s %-26s %10s %12s %10s\n", "set", "tensor", "values", "rel L2 err", "max abs")
		for _, r := range res {
			fmt.Fprintf(e.stdout, "%-16s %-26s %10d %12.2g %10.2g\n", r.Set, r.Tensor, r.Values, r.RelL2, r.MaxAbs)
		}
		verdict := "ok"
		if !ok {
			verdict = "FAILED"
		}
		fmt.Fprintf(e.stdout, "worst relative error %.2g: %s\n", worst, strings.ToLower(verdict))
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
		fmt.Fprintf(e.stderr, "circc: %v\n", err)
		return exitUsage
	}
	m := net.Manifest
	h, w := m.Input.Size[0], m.Input.Size[1]
	if size > 0 {
		h, w = size, size
	}
	names, shapes, err := net.Model.Tensors([]int64{1, int64(len(m.Input.Channels)), int64(h), int64(w)})
	if err != nil {
		fmt.Fprintf(e.stderr, "circc: %v\n", err)
		return exitDiags
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
