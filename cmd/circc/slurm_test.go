package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// cluster is a one-node Slurm cluster on this machine: munged, slurmctld
// and slurmd, with every file under a temporary folder.
type cluster struct {
	t    *testing.T
	dir  string
	conf string
	env  []string
}

// freePort is a TCP port on 127.0.0.1 that nothing listens on now.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startCluster starts the daemons; the test's cleanup stops them.
func startCluster(t *testing.T) *cluster {
	for _, tool := range []string{"munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("no %s: run scripts/install-test-tools.sh (Debian's slurm-wlm and munge)", tool)
		}
	}
	dir := t.TempDir()
	c := &cluster{t: t, dir: dir, conf: filepath.Join(dir, "slurm.conf")}
	for _, d := range []string{"state", "spool"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(dir, "munge.socket")
	munge := exec.Command("munged", "--force", "--foreground", "--socket="+sock, "--pid-file="+filepath.Join(dir, "munged.pid"),
		"--log-file="+filepath.Join(dir, "munged.log"), "--seed-file="+filepath.Join(dir, "munged.seed"))
	c.daemon(munge)
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ = strings.Cut(host, ".")
	conf := fmt.Sprintf(`ClusterName=circc
SlurmctldHost=%[1]s(127.0.0.1)
SlurmctldPort=%[2]d
SlurmdPort=%[3]d
AuthType=auth/munge
AuthInfo=socket=%[4]s
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=%[5]s/state
SlurmdSpoolDir=%[5]s/spool
SlurmctldPidFile=%[5]s/slurmctld.pid
SlurmdPidFile=%[5]s/slurmd.pid
SlurmctldLogFile=%[5]s/slurmctld.log
SlurmdLogFile=%[5]s/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=%[1]s NodeAddr=127.0.0.1 CPUs=%[6]d State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
`, host, freePort(t), freePort(t), sock, dir, runtime.NumCPU())
	if err := os.WriteFile(c.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	c.env = append(os.Environ(), "SLURM_CONF="+c.conf)
	// munged makes its socket before slurmctld needs it.
	c.waitFor("munged's socket", func() bool { _, err := os.Stat(sock); return err == nil })
	c.daemon(exec.Command("slurmctld", "-D", "-c", "-f", c.conf))
	c.daemon(exec.Command("slurmd", "-D", "-f", c.conf))
	c.waitFor("the node to be idle", func() bool {
		out, _ := c.cmd("sinfo", "-h", "-o", "%t").Output()
		return strings.TrimSpace(string(out)) == "idle"
	})
	return c
}

// daemon starts a daemon in the foreground and stops it at cleanup.
func (c *cluster) daemon(cmd *exec.Cmd) {
	cmd.Env = c.env
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	log, err := os.Create(filepath.Join(c.dir, filepath.Base(cmd.Path)+".out"))
	if err != nil {
		c.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		log.Close()
	})
}

func (c *cluster) cmd(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = c.env
	return cmd
}

// waitFor polls until ok, for at most two minutes.
func (c *cluster) waitFor(what string, ok func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			logs, _ := exec.Command("sh", "-c", "tail -n 20 "+c.dir+"/*.log "+c.dir+"/*.out").CombinedOutput()
			c.t.Fatalf("timed out waiting for %s\n%s", what, logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// state is a job's state as scontrol reports it ("" when unknown).
func (c *cluster) state(job string) []string {
	out, err := c.cmd("scontrol", "-o", "show", "job", job).Output()
	if err != nil {
		return nil
	}
	var states []string
	for _, line := range strings.Split(string(out), "\n") {
		for _, f := range strings.Fields(line) {
			if s, ok := strings.CutPrefix(f, "JobState="); ok {
				states = append(states, s)
			}
		}
	}
	return states
}

// settled says whether every element of a job has ended.
func (c *cluster) settled(job string) bool {
	states := c.state(job)
	if len(states) == 0 {
		return false
	}
	for _, s := range states {
		switch s {
		case "PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "SUSPENDED":
			return false
		}
	}
	return true
}

// atlasUnits reads every stored unit's files: key → file → bytes.
func atlasUnits(t *testing.T, dir string) map[string]map[string][]byte {
	out := map[string]map[string][]byte{}
	entries, err := os.ReadDir(filepath.Join(dir, "units"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("a temporary folder is left: %s", e.Name())
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, "units", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = map[string][]byte{}
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(dir, "units", e.Name(), f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out[e.Name()][f.Name()] = b
		}
	}
	return out
}

// sameUnits checks two atlases hold the same units, file for file.
func sameUnits(t *testing.T, got, want string) {
	t.Helper()
	g, w := atlasUnits(t, got), atlasUnits(t, want)
	if len(g) != len(w) {
		t.Errorf("%d units, the local run has %d", len(g), len(w))
	}
	for key, files := range w {
		for name, b := range files {
			if !bytes.Equal(g[key][name], b) {
				t.Errorf("unit %s: %s differs from the local run's", key, name)
			}
		}
	}
	for _, page := range []string{"index.html", "squeezenet1.0/fire2/index.html", "squeezenet1.0/fire3/1.html"} {
		a, _ := os.ReadFile(filepath.Join(got, page))
		b, _ := os.ReadFile(filepath.Join(want, page))
		if len(b) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs from the local run's (%d and %d bytes)", page, len(a), len(b))
		}
	}
}

// TestAtlasOnSlurm runs a small atlas of SqueezeNet on a real one-node
// Slurm cluster: the merged site equals a local run's unit for unit; a
// shard that fails once is requeued and the atlas completes; a shard
// cancelled mid-run is redone alone by a resubmission, with the same
// result.
func TestAtlasOnSlurm(t *testing.T) {
	if os.Getuid() != 0 {
		t.Fatal("the Slurm test starts slurmd as root: run it as root (as CI does)")
	}
	c := startCluster(t)
	bin := circcBinary(t)
	models, _ := filepath.Abs("../../../shared/models")
	data, _ := filepath.Abs("../../../shared/datasets")
	planArgs := []string{"--against", "squeezenet1.0", "--models", models, "--data", data, "--units", "fire2[0..3],fire3[0..3],fire4[0..3]",
		"--size", "48", "--steps", "12", "--photos", "24", "--top", "3", "--weights", "3", "--chunk", "2"}
	run := func(args ...string) string {
		t.Helper()
		cmd := c.cmd(bin, args...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("circc %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	local := filepath.Join(t.TempDir(), "local")
	run(append([]string{"atlas", "-o", local}, planArgs...)...)

	submit := func(dir, circc string, extra ...string) (string, string) {
		t.Helper()
		var r struct{ ArrayJob, MergeJob string }
		out := run(append([]string{"atlas", "submit", "--slurm", "--json", "-o", dir, "--circc", circc, "--models", models, "--data", data}, extra...)...)
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("submit's JSON: %v\n%s", err, out)
		}
		r.ArrayJob, r.MergeJob = fmt.Sprint(m["array_job"]), fmt.Sprint(m["merge_job"])
		return r.ArrayJob, r.MergeJob
	}

	// A shard that fails once: a circc that exits 3 on its first run of
	// shard 1.
	mark := filepath.Join(t.TempDir(), "failed-once")
	flaky := filepath.Join(t.TempDir(), "flaky-circc")
	script := fmt.Sprintf("#!/bin/sh\nif [ \"$SLURM_ARRAY_TASK_ID\" = 1 ] && [ \"$2\" = run ] && [ ! -e %[1]s ]; then touch %[1]s; echo failing once >&2; exit 3; fi\nexec %[2]s \"$@\"\n", mark, bin)
	if err := os.WriteFile(flaky, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cl := filepath.Join(t.TempDir(), "cluster")
	run(append([]string{"atlas", "plan", "--shards", "3", "-o", cl}, planArgs...)...)
	array, merge := submit(cl, flaky)
	// Slurm makes a requeued task wait two minutes before it is eligible
	// again; the test, as the cluster's administrator, lets it start now.
	c.waitFor("shard 1 to be requeued", func() bool {
		out, _ := c.cmd("scontrol", "-o", "show", "job", array+"_1").Output()
		return strings.Contains(string(out), "Restarts=1") && strings.Contains(string(out), "JobState=PENDING")
	})
	if out, err := c.cmd("scontrol", "update", "jobid="+array+"_1", "starttime=now").CombinedOutput(); err != nil {
		t.Fatalf("scontrol update: %v %s", err, out)
	}
	c.waitFor("the merge job", func() bool { return c.settled(merge) })
	if s := c.state(merge); len(s) != 1 || s[0] != "COMPLETED" {
		log, _ := os.ReadFile(filepath.Join(cl, "slurm", "shard-1.log"))
		t.Fatalf("merge job %s: %v; shards %v\n%s", merge, s, c.state(array), log)
	}
	if _, err := os.Stat(mark); err != nil {
		t.Error("shard 1 never failed: the test's flaky circc did not run")
	}
	if log, _ := os.ReadFile(filepath.Join(cl, "slurm", "shard-1.log")); !strings.Contains(string(log), "requeued") {
		t.Errorf("shard 1's log does not say it was requeued:\n%s", log)
	}
	sameUnits(t, cl, local)

	// A shard cancelled mid-run; the resubmission redoes it alone.
	cut := filepath.Join(t.TempDir(), "cancelled")
	slow := append(slicesClone(planArgs), "--steps", "120")
	run(append([]string{"atlas", "plan", "--shards", "3", "-o", cut}, slow...)...)
	array, merge = submit(cut, bin, "--max-parallel", "3")
	c.waitFor("shard 1 to start", func() bool {
		s := c.state(array + "_1")
		return len(s) == 1 && s[0] == "RUNNING"
	})
	time.Sleep(time.Second)
	if out, err := c.cmd("scancel", array+"_1").CombinedOutput(); err != nil {
		t.Fatalf("scancel: %v %s", err, out)
	}
	c.waitFor("the array", func() bool { return c.settled(array) })
	c.waitFor("the merge job", func() bool { return c.settled(merge) })
	if s := c.state(merge); len(s) == 1 && s[0] == "COMPLETED" {
		t.Fatalf("the merge ran although shard 1 was cancelled")
	}
	shardRuns := func() map[string]float64 {
		out := map[string]float64{}
		for k := range 3 {
			b, err := os.ReadFile(filepath.Join(cut, "shards", fmt.Sprintf("%d-of-3.json", k)))
			if err != nil {
				continue
			}
			var s struct{ Computed float64 }
			json.Unmarshal(b, &s)
			out[fmt.Sprint(k)] = s.Computed
		}
		return out
	}
	before := shardRuns()
	if _, ok := before["1"]; ok {
		t.Fatalf("shard 1 finished before it was cancelled: %v", before)
	}
	_, merge = submit(cut, bin, "--max-parallel", "3")
	c.waitFor("the resubmitted merge job", func() bool { return c.settled(merge) })
	if s := c.state(merge); len(s) != 1 || s[0] != "COMPLETED" {
		t.Fatalf("resubmitted merge job: %v", s)
	}
	after := shardRuns()
	if after["0"] != 0 || after["2"] != 0 || after["1"] == 0 {
		t.Errorf("units computed by the resubmission per shard: %v (only shard 1 should compute)", after)
	}
	// Shard 1's units as a local run of that shard of the same plan makes
	// them.
	shard1 := filepath.Join(t.TempDir(), "shard1")
	if err := os.MkdirAll(shard1, 0o755); err != nil {
		t.Fatal(err)
	}
	plan, err := os.ReadFile(filepath.Join(cut, "atlas.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shard1, "atlas.json"), plan, 0o644); err != nil {
		t.Fatal(err)
	}
	run("atlas", "run", "--shard", "1/3", "--models", models, "--data", data, "-o", shard1)
	g, w := atlasUnits(t, cut), atlasUnits(t, shard1)
	if len(w) == 0 || len(g) != 12 {
		t.Errorf("%d units after the resubmission (want 12), %d of shard 1 locally", len(g), len(w))
	}
	for key, files := range w {
		for name, b := range files {
			if !bytes.Equal(g[key][name], b) {
				t.Errorf("unit %s: %s differs from the local run's", key, name)
			}
		}
	}
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }
