package main

import (
	"bytes"
	"fmt"
	"image/png"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/stimuli"
	"github.com/circc/circc/vis"
)

// visUnit is one unit to visualise, resolved.
type visUnit struct {
	Unit     string  `json:"unit"`
	Model    string  `json:"model"` // a reference model, or the circuit's source
	Tensor   string  `json:"tensor"`
	Channel  int     `json:"channel"`
	Response float64 `json:"response"`
	File     string  `json:"file"`
}

// visGroup is the units optimised together: one graph, one tensor.
type visGroup struct {
	model *onnx.Model
	input vis.Input
	units []*visUnit
}

func runVis(e *env, args []string) int {
	fl := newFlags("vis", e.stderr)
	rf := addRefFlags(fl, flagAgainst|flagRuntime|flagDefines)
	out := fl.String("o", "", "write the portraits into `DIR`")
	circuit := fl.String("circuit", "", "visualise hand-made units of the circuit in `FILE` (UNIT: LAYER.NAME, LAYER.FAMILY or NAME)")
	size := fl.IntIn("size", 224, 16, 1024, "the side of the images, in pixels")
	steps := fl.IntIn("steps", 512, 1, 100000, "optimisation steps")
	seed := fl.IntIn("seed", 0, 0, 1<<30, "random seed (the same seed gives the same images)")
	asJSON := addJSON(fl, "what was made")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if *out == "" || fl.NArg() == 0 {
		fmt.Fprintln(e.stderr, "usage: circc vis --against MODEL [--circuit FILE] -o DIR UNIT... (UNIT: LAYER:CH, LAYER[SEL], MODEL.LAYER…, or a circuit's unit or family)")
		return exitUsage
	}
	opt, err := rf.runtimeOptions()
	if err != nil {
		return e.fail(badUsage(err))
	}
	var res *compiler.Result
	if *circuit != "" {
		var code int
		if res, code = compileFor(e, *circuit, rf); res == nil {
			return code
		}
	}
	groups, order, err := resolveUnits(e, rf, res, fl.Args())
	if err != nil {
		return e.fail(badUsage(err))
	}
	start := time.Now()
	var files []safefs.File
	var all []*visUnit
	var images []*vis.Result
	for _, key := range order {
		g := groups[key]
		var channels []int
		for _, u := range g.units {
			channels = append(channels, u.Channel)
		}
		p := e.stage(fmt.Sprintf("%s: %s", key, diag.Count(len(g.units), "unit")), "steps", *asJSON == "-")
		r, err := vis.Visualize(g.model, g.input, g.units[0].Tensor, channels, vis.Options{Size: *size, Steps: *steps, Seed: int64(*seed), Batch: opt.Batch, Runtime: opt, Progress: p.update})
		p.end()
		if err != nil {
			return e.fail(err)
		}
		images = append(images, r)
		for i, u := range g.units {
			u.Response = r.Response[i]
			u.File = filepath.Join(*out, fileName(u.Unit)+".png")
			var b bytes.Buffer
			if err := png.Encode(&b, r.Images[i].RGBA()); err != nil {
				return e.fail(err)
			}
			files = append(files, safefs.File{Path: u.File, Data: b.Bytes()})
			all = append(all, u)
		}
	}
	var portraits []*stimuli.Image
	var labels []string
	for _, r := range images {
		portraits = append(portraits, r.Images...)
	}
	for _, u := range all {
		labels = append(labels, u.Unit)
	}
	var sheet bytes.Buffer
	if err := png.Encode(&sheet, vis.Sheet(portraits, labels, 6)); err != nil {
		return e.fail(err)
	}
	files = append(files, safefs.File{Path: filepath.Join(*out, "contact-sheet.png"), Data: sheet.Bytes()})
	if err := e.fs.MkdirAll(*out, 0o755); err != nil {
		return e.fail(err)
	}
	if err := safefs.WriteFiles(e.fs, files, nil); err != nil {
		return e.fail(err)
	}
	if *asJSON != "" {
		if err := writeJSON(e, map[string]any{"units": all, "size": *size, "steps": *steps, "seed": *seed, "seconds": time.Since(start).Seconds()}); err != nil {
			return e.fail(err)
		}
		return exitOK
	}
	for _, u := range all {
		fmt.Fprintf(e.stdout, "%-28s %-12s response %10.4g  %s\n", u.Unit, u.Model, u.Response, u.File)
	}
	return exitOK
}

// fileName makes a unit's name safe as a file name.
var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._=-]+`)

func fileName(unit string) string { return strings.Trim(unsafeChars.ReplaceAllString(unit, "_"), "_") }

// resolveUnits groups the units by graph and tensor, in the order first
// named.
func resolveUnits(e *env, rf *refFlags, res *compiler.Result, names []string) (map[string]*visGroup, []string, error) {
	groups := map[string]*visGroup{}
	var order []string
	nets := map[string]*reference.Net{}
	add := func(key string, g func() (*visGroup, error), u *visUnit) error {
		if groups[key] == nil {
			v, err := g()
			if err != nil {
				return err
			}
			groups[key] = v
			order = append(order, key)
		}
		groups[key].units = append(groups[key].units, u)
		return nil
	}
	reg := models.Registered(e.fs, *rf.models)
	for _, name := range names {
		if isUnitRef(name) {
			ref, err := parseUnitRef(name, reg.Names())
			if err != nil {
				return nil, nil, err
			}
			model, layer := ref.Model, ref.Layer
			if model == "" {
				model = *rf.against
			}
			net := nets[model]
			if net == nil {
				if net, err = reference.Open(e.fs, model, *rf.models); err != nil {
					return nil, nil, err
				}
				nets[model] = net
			}
			tensor, err := net.Tensor(layer)
			if err != nil {
				return nil, nil, err
			}
			if ref.Channels == nil {
				return nil, nil, fmt.Errorf("%s: name its channels, LAYER:CH or LAYER[SEL]", name)
			}
			// Checked before any work starts, so a wrong unit shows no progress.
			if err := channelsOf(net.Manifest, layer, ref.Channels); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", name, err)
			}
			for _, c := range ref.Channels {
				unit := &visUnit{Unit: fmt.Sprintf("%s:%d", layer, c), Model: model, Tensor: tensor, Channel: c}
				if model != *rf.against {
					unit.Unit = model + "." + unit.Unit
				}
				if err := add(model+" "+tensor, func() (*visGroup, error) {
					in, err := vis.ModelInput(net.Manifest)
					return &visGroup{model: net.Model, input: in}, err
				}, unit); err != nil {
					return nil, nil, err
				}
			}
			continue
		}
		if res == nil {
			return nil, nil, fmt.Errorf("%s is not LAYER:CH or LAYER[SEL]; a hand-made unit needs --circuit FILE", name)
		}
		units, err := circuitUnits(res, name)
		if err != nil {
			return nil, nil, err
		}
		for _, u := range units {
			if err := add(res.Source+" "+u.Tensor, func() (*visGroup, error) {
				m, err := onnx.FromBytes(res.ONNX)
				if err != nil {
					return nil, err
				}
				in, err := vis.CircuitInput(res.Network)
				return &visGroup{model: m, input: in}, err
			}, u); err != nil {
				return nil, nil, err
			}
		}
	}
	return groups, order, nil
}

// circuitUnits finds a circuit's units by LAYER.NAME, LAYER.FAMILY, NAME
// or FAMILY (the last two when one layer has them).
func circuitUnits(res *compiler.Result, name string) ([]*visUnit, error) {
	var found []*visUnit
	layers := map[string]bool{}
	for _, l := range res.Network.Layers {
		for _, u := range l.Units {
			for _, form := range []string{l.Name + "." + u.Name, l.Name + "." + u.Family, u.Name, u.Family} {
				if form == name {
					found = append(found, &visUnit{Unit: l.Name + "." + u.Name, Model: res.Source, Tensor: l.Name, Channel: u.Index})
					layers[l.Name] = true
					break
				}
			}
		}
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("%s has no unit or family %q", res.Source, name)
	}
	if len(layers) > 1 {
		var ls []string
		for _, l := range res.Network.Layers {
			if layers[l.Name] {
				ls = append(ls, l.Name+"."+name)
			}
		}
		return nil, fmt.Errorf("%q is in several layers: say which (%s)", name, strings.Join(ls, ", "))
	}
	return found, nil
}
