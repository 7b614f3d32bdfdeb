package atlas

import (
	"fmt"
	"strings"
)

// Slurm says how the shards run on a Slurm cluster.
type Slurm struct {
	Circc       string   // the circc every node runs (an absolute path they all see)
	Dir         string   // the atlas folder, absolute, on the shared file system
	Args        []string // flags of circc atlas run and merge (--models, --data, --device)
	Partition   string
	GPUsPerTask int
	CPUsPerTask int
	MaxParallel int // array tasks at once (0: no limit)
	Time        string
	Retries     int // times a failed task is requeued
}

// quote makes s one word of a shell command line.
func quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-=+:,@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (s *Slurm) header(name, log string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n#SBATCH --job-name=%s\n#SBATCH --output=%s\n", name, quote(log))
	if s.Partition != "" {
		fmt.Fprintf(&b, "#SBATCH --partition=%s\n", quote(s.Partition))
	}
	if s.Time != "" {
		fmt.Fprintf(&b, "#SBATCH --time=%s\n", quote(s.Time))
	}
	return b.String()
}

func (s *Slurm) command(sub string, extra ...string) string {
	words := []string{quote(s.Circc), "atlas", sub, "-o", quote(s.Dir)}
	for _, a := range append(s.Args, extra...) {
		words = append(words, quote(a))
	}
	return strings.Join(words, " ")
}

// ArrayScript is the sbatch script of the shards: one array task per
// shard, requeued (up to Retries times) when it fails or its node does.
func (s *Slurm) ArrayScript(shards int) string {
	var b strings.Builder
	b.WriteString(s.header("circc-atlas", s.Dir+"/slurm/shard-%a.log"))
	array := fmt.Sprintf("0-%d", shards-1)
	if s.MaxParallel > 0 {
		array += fmt.Sprintf("%%%d", s.MaxParallel)
	}
	// A requeued task appends to its log, so that the failure stays.
	fmt.Fprintf(&b, "#SBATCH --array=%s\n#SBATCH --requeue\n#SBATCH --open-mode=append\n#SBATCH --ntasks=1\n", array)
	if s.CPUsPerTask > 0 {
		fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", s.CPUsPerTask)
	}
	if s.GPUsPerTask > 0 {
		fmt.Fprintf(&b, "#SBATCH --gpus-per-task=%d\n", s.GPUsPerTask)
	}
	// The shard comes from $SLURM_ARRAY_TASK_ID; a shard whose units are
	// stored finishes at once, so a resubmitted array redoes only the rest.
	fmt.Fprintf(&b, "%s\nstatus=$?\n", s.command("run"))
	fmt.Fprintf(&b, `if [ $status -ne 0 ] && [ "${SLURM_RESTART_COUNT:-0}" -lt %d ]; then
  echo "circc atlas: shard $SLURM_ARRAY_TASK_ID failed (exit $status); requeued" >&2
  scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
  sleep 600
fi
exit $status
`, s.Retries)
	return b.String()
}

// MergeScript is the sbatch script of the merge, run after every shard
// succeeded.
func (s *Slurm) MergeScript() string {
	var b strings.Builder
	b.WriteString(s.header("circc-atlas-merge", s.Dir+"/slurm/merge.log"))
	b.WriteString("#SBATCH --ntasks=1\n")
	fmt.Fprintf(&b, "exec %s\n", s.command("merge"))
	return b.String()
}
