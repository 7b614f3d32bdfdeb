package main

import (
	"fmt"
	"path/filepath"

	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/verify"
)

func runVerify(e *env, args []string) int {
	fl := newFlags("verify", e.stderr)
	rf := addRefFlags(fl, flagAgainst|flagSeveral|flagData|flagRuntime|flagDefines)
	jsonOut := addJSON(fl, "the report")
	htmlOut := fl.String("html", "", "write a self-contained report page to `FILE`")
	window := fl.IntIn("window", 0, 0, 64, "read each unit as the maximum over the centre N×N cells of its map (1: the centre unit; 0: position-tolerant, 16 px of the image whatever the layer's stride)")
	photos := fl.IntIn("photos", 128, 0, 100000, "dataset photos for each unit's top photos (0: none)")
	withVis := fl.Bool("vis", false, "add each pair's feature visualizations (hand-made and natural) and their cross-activations")
	visSize := fl.IntIn("vis-size", 128, 16, 1024, "--vis: the side of the portraits, in pixels")
	visSteps := fl.IntIn("vis-steps", 256, 1, 100000, "--vis: optimisation steps")
	visSeed := fl.IntIn("vis-seed", 0, 0, 1<<30, "--vis: random seed")
	robust := fl.Bool("robustness", false, "also run under every readout the verdicts must not depend on (windows 1, 2, 4; strokes 2 and 4 px) and say whether they hold")
	nullSeeds := fl.IntIn("null-seeds", verify.NullSeeds, 0, 1000, "shuffles of each layer's own weights in its null (0: no null, and no layer is found)")
	networkSeeds := fl.IntIn("network-seeds", 0, 0, 1000, fmt.Sprintf("shuffles of the whole network in a search's network null, which says which layers hold a population, built there or inherited (0: none; %d is enough; each costs a pass of the network)", verify.NetworkSeeds))
	figures := fl.String("figures", "", "write each family's heat maps (PNG) and radial tuning plots (SVG) into `DIR`")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if fl.NArg() != 1 {
		fmt.Fprintln(e.stderr, "usage: circc verify --against MODEL [--json[=FILE]] [--html FILE] FILE")
		return exitUsage
	}
	rf.near(fl.Arg(0))
	opt, err := rf.runtimeOptions()
	if err == nil {
		err = distinctOutputs(e.fs, map[string]string{"json": *jsonOut, "html": *htmlOut, "figures": *figures})
	}
	var against []string
	if err == nil {
		against, err = againstList(e.fs, *rf.against, *rf.models)
	}
	if err != nil {
		return e.fail(badUsage(err))
	}
	res, code := compileFor(e, fl.Arg(0), rf)
	if res == nil {
		return code
	}
	// One report per network: --against a,b verifies against each in turn.
	var reps []*verify.Report
	ok := true
	for _, against := range against {
		stages := newStages(e, "", *jsonOut == "-")
		vopt := verify.Options{Against: against, ModelsDir: *rf.models, DataDir: *rf.data, Runtime: opt,
			Window: *window, Photos: *photos, Progress: stages.update, Vis: visOptions(*withVis, *visSize, *visSteps, *visSeed), NullSeeds: nullSeedsOption(*nullSeeds), NetworkSeeds: *networkSeeds}
		rep, err := verify.Run(e.fs, res, vopt)
		if err == nil && *robust {
			rep.Robustness, err = verify.CheckReadouts(e.fs, res, vopt, rep)
		}
		stages.end()
		if err != nil {
			return e.end(err, res.Program.Source)
		}
		reps = append(reps, rep)
		ok = ok && rep.OK
	}
	if *jsonOut != "" {
		// One network: the report itself, as before; several: a list.
		var v any = reps[0]
		if len(reps) > 1 {
			v = map[string]any{"source": res.Source, "ok": ok, "models": reps}
		}
		if err := writeJSON(e, v); err != nil {
			return e.fail(err)
		}
	}
	if *htmlOut != "" {
		page, err := verify.HTML(e.fs, res, reps, *rf.data)
		if err == nil {
			err = safefs.WriteFile(e.fs, *htmlOut, page)
		}
		if err != nil {
			return e.fail(err)
		}
	}
	for _, rep := range reps {
		if *figures == "" {
			break
		}
		dir := *figures
		if len(reps) > 1 {
			dir = filepath.Join(dir, rep.Against)
			if err := e.fs.MkdirAll(dir, 0o755); err != nil {
				return e.fail(err)
			}
		}
		if _, err := rep.Figures(e.fs, dir, func(p string, b []byte) error { return safefs.WriteFile(e.fs, p, b) }); err != nil {
			return e.fail(err)
		}
	}
	if *jsonOut != "-" {
		for i, rep := range reps {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			rep.WriteText(e.stdout)
			if rep.Robustness != nil {
				rep.Robustness.WriteText(e.stdout)
			}
		}
	}
	if !ok {
		return exitDiags
	}
	return exitOK
}

// visOptions are verify's --vis options, nil without --vis.
func visOptions(on bool, size, steps, seed int) *verify.VisOptions {
	if !on {
		return nil
	}
	return &verify.VisOptions{Size: size, Steps: steps, Seed: int64(seed)}
}

// nullSeedsOption maps --null-seeds (0: none) to verify's option (negative: none).
func nullSeedsOption(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
