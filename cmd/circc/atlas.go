package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/circc/circc/atlas"
	"github.com/circc/circc/compiler"
	"github.com/circc/circc/datasets"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/models"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/runtime"
	"github.com/circc/circc/verify"
)

// runAtlas is circc atlas: by default plan, run and merge on this
// machine; plan, run, merge and submit do one step each.
func runAtlas(e *env, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "plan":
			return atlasPlan(e, args[1:], false)
		case "run":
			return atlasRun(e, args[1:])
		case "merge":
			return atlasMerge(e, args[1:])
		case "submit":
			return atlasSubmit(e, args[1:])
		}
	}
	return atlasPlan(e, args, true)
}

// atlasFlags are the flags that choose an atlas's units and settings.
type atlasFlags struct {
	rf                         *refFlags
	out, layers, units, objs   *string
	size, steps, seed, photos  *int
	top, weights, chunk, shard *int
	workers                    *int
	circuits                   *string
	asJSON                     *string
}

func addAtlasFlags(fl *flags, plan bool) *atlasFlags {
	a := &atlasFlags{}
	want := flagRuntime | flagData
	if plan {
		want |= flagAgainst
	}
	a.rf = addRefFlags(fl, want)
	a.out = fl.String("o", "", "the atlas `DIR` (shared by every shard)")
	d := atlas.DefaultSettings()
	if plan {
		a.layers = fl.String("layers", "", "comma-separated `LAYERS` (default: every layer)")
		a.units = fl.String("units", "", "comma-separated `UNITS`, LAYER[SEL] or LAYER:CH, instead of whole layers")
		a.objs = fl.String("objectives", strings.Join(d.Objectives, ","), "the feature visualizations to draw (none: only photos, weights and tuning)")
		a.size = fl.IntIn("size", d.Size, 16, 1024, "side of the visualizations, px")
		a.steps = fl.IntIn("steps", d.Steps, 1, 100000, "optimisation steps")
		a.seed = fl.IntIn("seed", 0, 0, 1<<30, "random seed of the visualizations")
		a.photos = fl.IntIn("photos", d.Photos, 0, 1<<20, "photos in the data-set pass (spread over the set)")
		a.top = fl.IntIn("top", d.Top, 0, 100, "photos shown each way")
		a.weights = fl.IntIn("weights", d.Weights, 0, 100, "strongest inputs and outputs shown")
		a.chunk = fl.IntIn("chunk", d.Chunk, 1, 1024, "units optimised together (a task)")
		a.shard = fl.IntIn("shards", 1, 1, 100000, "shards to split the work into")
	}
	a.workers = fl.IntIn("workers", 0, 0, 1024, "tasks run at once (0: one per CPU)")
	a.circuits = fl.String("circuits", "", "a `DIR` of circuits whose families the unit pages list")
	a.asJSON = addJSON(fl, "what was done")
	return a
}

func (a *atlasFlags) settings() (atlas.Settings, error) {
	s := atlas.Settings{Size: *a.size, Steps: *a.steps, Seed: int64(*a.seed), Photos: *a.photos, Top: *a.top, Weights: *a.weights, Chunk: *a.chunk}
	if *a.objs != "" && *a.objs != "none" {
		s.Objectives = strings.Split(*a.objs, ",")
	}
	return s, s.Check()
}

// atlasPlan plans an atlas; with all, it also runs every shard and merges.
func atlasPlan(e *env, args []string, all bool) int {
	name := "atlas plan"
	if all {
		name = "atlas"
	}
	fl := newFlags(name, e.stderr)
	a := addAtlasFlags(fl, true)
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if *a.out == "" || fl.NArg() > 0 {
		fmt.Fprintf(e.stderr, "usage: circc %s --against MODEL [--layers L,…] [--units U,…] -o DIR\n", name)
		return exitUsage
	}
	st, err := a.settings()
	if err != nil {
		return e.fail(badUsage(err))
	}
	net, opt, code := a.rf.open(e)
	if net == nil {
		return code
	}
	var layers []string
	if *a.layers != "" {
		layers = strings.Split(*a.layers, ",")
	}
	units := map[string][]int{}
	if *a.units != "" {
		reg := models.Registered(e.fs, *a.rf.models)
		for _, u := range strings.Split(*a.units, ",") {
			ref, err := parseUnitRef(u, reg.Names())
			if err != nil {
				return e.fail(badUsage(err))
			}
			if ref.Model != "" && ref.Model != net.Manifest.Name {
				return e.fail(badUsage(fmt.Errorf("%s: the atlas is of %s", u, net.Manifest.Name)))
			}
			l, ok := net.Manifest.Layer(ref.Layer)
			if !ok {
				return e.fail(badUsage(fmt.Errorf("%s: %s has no layer %q", u, net.Manifest.Name, ref.Layer)))
			}
			units[l.Name] = append(units[l.Name], ref.Channels...)
		}
		if layers == nil {
			layers = []string{}
		}
	}
	photos, err := atlasPhotos(e, st, a)
	if err != nil {
		return e.fail(err)
	}
	plan, err := atlas.NewPlan(net, atlas.PlanOptions{Layers: layers, Units: units, Settings: st, Shards: *a.shard, Version: compiler.Version, Photos: photos})
	if err != nil {
		return e.fail(badUsage(err))
	}
	store, err := atlas.NewStore(e.fs, *a.out)
	if err != nil {
		return e.fail(err)
	}
	if err := store.SavePlan(plan); err != nil {
		return e.fail(err)
	}
	costs := plan.ShardCosts()
	if !all {
		units := 0
		for _, t := range plan.Tasks {
			units += len(t.Channels)
		}
		total, longest := 0.0, 0.0
		for _, c := range costs {
			total, longest = total+c, max(longest, c)
		}
		if *a.asJSON != "" {
			return jsonOr(e, map[string]any{"plan": filepath.Join(*a.out, atlas.PlanFile), "units": units, "tasks": len(plan.Tasks),
				"shards": len(plan.Shards), "shard_seconds": costs, "balance": atlas.Balance(costs), "missing": store.Missing(plan)})
		}
		fmt.Fprintf(e.stdout, "planned %s of %s in %s and %s (%s); %s to compute\n",
			diag.Count(units, "unit"), plan.Model, diag.Count(len(plan.Tasks), "task"), diag.Count(len(plan.Shards), "shard"),
			filepath.Join(*a.out, atlas.PlanFile), diag.Count(store.Missing(plan), "unit"))
		fmt.Fprintf(e.stdout, "estimated on 2 CPU cores: %s in all, the longest shard %s (%.2f× the mean)\n",
			hours(total), hours(longest), atlas.Balance(costs))
		return exitOK
	}
	start := time.Now()
	stats, code := runShard(e, store, plan, net, 0, photos, a, opt)
	if stats == nil {
		return code
	}
	site, code := merge(e, store, plan, a)
	if site == nil {
		return code
	}
	if *a.asJSON != "" {
		return jsonOr(e, map[string]any{"run": stats, "site": site, "index": filepath.Join(*a.out, "index.html"), "seconds": time.Since(start).Seconds()})
	}
	fmt.Fprintf(e.stdout, "%d units computed, %d already stored; %d pages in %s (%.0f s)\n", stats.Computed, stats.Cached, site.Pages, filepath.Join(*a.out, "index.html"), time.Since(start).Seconds())
	return exitOK
}

// atlasPhotos is the photo set an atlas picks from (none when its
// settings ask for no photos).
func atlasPhotos(e *env, st atlas.Settings, a *atlasFlags) ([]datasets.Item, error) {
	if st.Photos == 0 {
		return nil, nil
	}
	return datasets.ImageNetSample(e.fs, datasets.Dir(e.fs, *a.rf.data, "imagenet-sample"))
}

// jsonOr writes v as the command's JSON.
func jsonOr(e *env, v any) int {
	if err := writeJSON(e, v); err != nil {
		return e.fail(err)
	}
	return exitOK
}

// runShard runs one shard with progress and writes its statistics to
// DIR/shards/K-of-N.json.
func runShard(e *env, store *atlas.Store, plan *atlas.Plan, net *reference.Net, k int, photos []datasets.Item, a *atlasFlags, opt runtime.Options) (*atlas.RunStats, int) {
	start := time.Now()
	quiet := *a.asJSON == "-"
	label := fmt.Sprintf("shard %d of %d", k+1, len(plan.Shards))
	p := e.stage(label, "units", quiet)
	last := time.Time{}
	stats, err := plan.RunShard(store, net, k, atlas.RunOptions{Photos: photos, Workers: *a.workers, Runtime: opt,
		Progress: func(done, total int, doing string) {
			p.update(done, total)
			// Piped (a cluster's log), a line at most every 10 s.
			if !p.tty && !quiet && (time.Since(last) > 10*time.Second || done == total) {
				last = time.Now()
				el := time.Since(start)
				msg := fmt.Sprintf("%s: %s, %d of %d units, %s", label, doing, done, total, el.Round(time.Second))
				if done > 0 {
					left := time.Duration(float64(el) / float64(done) * float64(total-done))
					msg += fmt.Sprintf(", about %s left", left.Round(time.Second))
				}
				fmt.Fprintln(e.stderr, msg)
			}
		}})
	p.end()
	if err != nil {
		return nil, e.fail(err)
	}
	b, _ := json.MarshalIndent(struct {
		*atlas.RunStats
		Seconds float64 `json:"seconds"`
	}{stats, time.Since(start).Seconds()}, "", " ")
	if err := e.fs.MkdirAll(filepath.Join(store.Dir, "shards"), 0o755); err != nil {
		return nil, e.fail(err)
	}
	if err := safefs.WriteFile(e.fs, filepath.Join(store.Dir, "shards", fmt.Sprintf("%d-of-%d.json", k, len(plan.Shards))), append(b, '\n')); err != nil {
		return nil, e.fail(err)
	}
	return stats, exitOK
}

// merge builds the site from what is stored.
func merge(e *env, store *atlas.Store, plan *atlas.Plan, a *atlasFlags) (*atlas.SiteStats, int) {
	var circuits []atlas.CircuitMatch
	if *a.circuits != "" {
		var err error
		if circuits, err = circuitMatches(e, *a.circuits, plan.Model, *a.rf.models); err != nil {
			return nil, e.fail(err)
		}
	}
	site, err := atlas.Merge(store, plan, circuits)
	if err != nil {
		return nil, e.fail(err)
	}
	return site, exitOK
}

// circuitMatches compiles the circuits of a folder and lists their
// families that name the model's layers.
func circuitMatches(e *env, dir, model, modelsDir string) ([]atlas.CircuitMatch, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.circ"))
	if err != nil {
		return nil, err
	}
	reg := models.Registered(e.fs, modelsDir)
	var out []atlas.CircuitMatch
	for _, f := range files {
		res, err := compiler.Compile(e.fs, f, compiler.Options{Models: reg})
		if err != nil {
			return nil, err
		}
		if res.Diags.HasErrors() {
			e.report(res.Diags, res.Program.Source)
			return nil, problem(fmt.Errorf("%s does not compile", f))
		}
		for _, m := range res.Experiments.Matches {
			if m.Natural.Model != model || m.Search {
				continue
			}
			chans, _ := m.Natural.Channels()
			out = append(out, atlas.CircuitMatch{Circuit: filepath.Base(f), Family: m.Layer.Name + "." + m.Family, Layer: m.Natural.Layer, Set: verify.KindOf(m.Stimuli).Set, Channels: chans})
		}
	}
	return out, nil
}

// openPlan reads the atlas folder's plan and opens its model.
func openPlan(e *env, a *atlasFlags) (*atlas.Store, *atlas.Plan, int) {
	if *a.out == "" {
		fmt.Fprintln(e.stderr, "circc atlas: name the atlas folder with -o DIR")
		return nil, nil, exitUsage
	}
	if _, err := e.fs.Stat(filepath.Join(*a.out, atlas.PlanFile)); err != nil {
		return nil, nil, e.fail(badUsage(fmt.Errorf("%s has no %s: plan the atlas first (circc atlas plan)", *a.out, atlas.PlanFile)))
	}
	store, err := atlas.NewStore(e.fs, *a.out)
	if err != nil {
		return nil, nil, e.fail(err)
	}
	plan, err := store.LoadPlan()
	if err != nil {
		return nil, nil, e.fail(err)
	}
	*a.rf.against = plan.Model
	return store, plan, exitOK
}

// shardIndex reads K/N, else the index a scheduler gives the task.
func shardIndex(flag string, shards int) (int, error) {
	if flag == "" {
		for _, env := range []string{"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"} {
			if v := os.Getenv(env); v != "" {
				k, err := strconv.Atoi(v)
				if err != nil || k < 0 || k >= shards {
					return 0, fmt.Errorf("$%s is %q: the plan has shards 0 to %d", env, v, shards-1)
				}
				return k, nil
			}
		}
		if shards == 1 {
			return 0, nil
		}
		return 0, fmt.Errorf("the plan has %d shards: say which with --shard K/N, or run under a Slurm array or an indexed job", shards)
	}
	ks, ns, ok := strings.Cut(flag, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil {
		return 0, fmt.Errorf("--shard %s: want K/N, K from 0", flag)
	}
	if n != shards {
		return 0, fmt.Errorf("--shard %s: the plan has %d shards", flag, shards)
	}
	if k < 0 || k >= n {
		return 0, fmt.Errorf("--shard %s: K is 0 to %d", flag, n-1)
	}
	return k, nil
}

func atlasRun(e *env, args []string) int {
	fl := newFlags("atlas run", e.stderr)
	a := addAtlasFlags(fl, false)
	shard := fl.String("shard", "", "the shard `K/N` to compute (default: $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX)")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	store, plan, code := openPlan(e, a)
	if plan == nil {
		return code
	}
	k, err := shardIndex(*shard, len(plan.Shards))
	if err != nil {
		return e.fail(badUsage(err))
	}
	net, opt, code := a.rf.open(e)
	if net == nil {
		return code
	}
	photos, err := atlasPhotos(e, plan.Settings, a)
	if err != nil {
		return e.fail(err)
	}
	stats, code := runShard(e, store, plan, net, k, photos, a, opt)
	if stats == nil {
		return code
	}
	if *a.asJSON != "" {
		return jsonOr(e, stats)
	}
	fmt.Fprintf(e.stdout, "shard %d of %d: %d units computed, %d already stored\n", k, len(plan.Shards), stats.Computed, stats.Cached)
	return exitOK
}

func atlasMerge(e *env, args []string) int {
	fl := newFlags("atlas merge", e.stderr)
	a := addAtlasFlags(fl, false)
	if fl.Parse(args) != nil {
		return exitUsage
	}
	store, plan, code := openPlan(e, a)
	if plan == nil {
		return code
	}
	site, code := merge(e, store, plan, a)
	if site == nil {
		return code
	}
	if *a.asJSON != "" {
		return jsonOr(e, site)
	}
	fmt.Fprintf(e.stdout, "%d pages for %d units in %s", site.Pages, site.Units, filepath.Join(*a.out, "index.html"))
	if site.Missing > 0 {
		fmt.Fprintf(e.stdout, "; %d units not computed yet", site.Missing)
	}
	fmt.Fprintln(e.stdout)
	return exitOK
}

func atlasSubmit(e *env, args []string) int {
	fl := newFlags("atlas submit", e.stderr)
	a := addAtlasFlags(fl, false)
	slurm := fl.Bool("slurm", false, "submit to Slurm (the one scheduler circc submits to)")
	partition := fl.String("partition", "", "the Slurm `PARTITION`")
	gpus := fl.IntIn("gpus-per-task", 0, 0, 64, "GPUs per shard")
	cpus := fl.IntIn("cpus-per-task", 0, 0, 1024, "CPUs per shard (0: the cluster's default)")
	parallel := fl.IntIn("max-parallel", 0, 0, 100000, "shards running at once (0: no limit)")
	limit := fl.String("time", "", "each shard's time limit, as sbatch reads it")
	retries := fl.IntIn("retries", 2, 0, 100, "times a failed shard is requeued")
	circc := fl.String("circc", "", "the circc the nodes run (default: this one)")
	dry := fl.Bool("dry-run", false, "write the scripts and print the sbatch commands without running them")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if !*slurm {
		return e.fail(badUsage(fmt.Errorf("say where to submit: --slurm (run shards elsewhere with circc atlas run --shard K/N)")))
	}
	store, plan, code := openPlan(e, a)
	if plan == nil {
		return code
	}
	dir, err := filepath.Abs(store.Dir)
	if err != nil {
		return e.fail(err)
	}
	bin := *circc
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return e.fail(err)
		}
	}
	s := &atlas.Slurm{Circc: bin, Dir: dir, Partition: *partition, GPUsPerTask: *gpus, CPUsPerTask: *cpus, MaxParallel: *parallel, Time: *limit, Retries: *retries}
	for _, f := range []struct{ name, value string }{{"models", *a.rf.models}, {"data", *a.rf.data}} {
		if f.value != "" {
			abs, err := filepath.Abs(f.value)
			if err != nil {
				return e.fail(err)
			}
			s.Args = append(s.Args, "--"+f.name, abs)
		}
	}
	if *a.rf.device != "cpu" {
		s.Args = append(s.Args, "--device", *a.rf.device)
	}
	if *a.workers > 0 {
		s.Args = append(s.Args, "--workers", strconv.Itoa(*a.workers))
	}
	if *a.circuits != "" {
		abs, _ := filepath.Abs(*a.circuits)
		s.Args = append(s.Args, "--circuits", abs)
	}
	sdir := filepath.Join(dir, "slurm")
	if err := e.fs.MkdirAll(sdir, 0o755); err != nil {
		return e.fail(err)
	}
	arrayFile, mergeFile := filepath.Join(sdir, "shards.sbatch"), filepath.Join(sdir, "merge.sbatch")
	if err := safefs.WriteFiles(e.fs, []safefs.File{{Path: arrayFile, Data: []byte(s.ArrayScript(len(plan.Shards)))}, {Path: mergeFile, Data: []byte(s.MergeScript())}}, nil); err != nil {
		return e.fail(err)
	}
	if *dry {
		if *a.asJSON != "" {
			return jsonOr(e, map[string]any{"shards_script": arrayFile, "merge_script": mergeFile, "submitted": false})
		}
		fmt.Fprintf(e.stdout, "sbatch --parsable %s\nsbatch --parsable --dependency=afterok:ARRAY_JOB --kill-on-invalid-dep=yes %s\n", arrayFile, mergeFile)
		return exitOK
	}
	sbatch := func(args ...string) (string, error) {
		out, err := exec.Command("sbatch", append([]string{"--parsable"}, args...)...).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("sbatch %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
		id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
		return id, nil
	}
	arrayID, err := sbatch(arrayFile)
	if err != nil {
		return e.fail(err)
	}
	mergeID, err := sbatch("--dependency=afterok:"+arrayID, "--kill-on-invalid-dep=yes", mergeFile)
	if err != nil {
		return e.fail(err)
	}
	if *a.asJSON != "" {
		return jsonOr(e, map[string]any{"array_job": arrayID, "merge_job": mergeID, "shards": len(plan.Shards), "shards_script": arrayFile, "merge_script": mergeFile, "submitted": true})
	}
	fmt.Fprintf(e.stdout, "submitted %d shards as job %s and the merge as job %s\nfollow them: squeue -j %s,%s; logs in %s; the site: %s\n",
		len(plan.Shards), arrayID, mergeID, arrayID, mergeID, sdir, filepath.Join(dir, "index.html"))
	return exitOK
}

// hours writes an estimated time readably.
func hours(sec float64) string {
	switch {
	case sec < 120:
		return fmt.Sprintf("%.0f s", sec)
	case sec < 7200:
		return fmt.Sprintf("%.0f min", sec/60)
	}
	return fmt.Sprintf("%.1f h", sec/3600)
}
