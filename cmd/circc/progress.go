package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/circc/circc/verify"
	"golang.org/x/term"
)

// progress reports one stage of long work on stderr. On a terminal it
// redraws one line: what is done, the rate and the time left, the rate
// measured from the first report on (so the start-up before the first
// batch does not make it absurd). Piped, it writes one line when the stage
// ends, with its count and time, so logs show where the time went. It
// writes nothing when quiet (JSON on stdout).
type progress struct {
	w          io.Writer
	tty, quiet bool
	label      string
	unit       string // what is counted: "photos", "stimuli"
	start      time.Time
	first      time.Time // of the first report, when the rate starts
	firstDone  int
	last       time.Time
	done       int
	total      int
	finished   bool
}

// isTerminal reports whether w is a terminal (/dev/null, a character
// device too, is not).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// stage starts reporting a stage of the command. A stage without a unit
// counts nothing: it reports only that it ended, and how long it took.
func (e *env) stage(label, unit string, quiet bool) *progress {
	p := &progress{w: e.stderr, tty: isTerminal(e.rawStderr), quiet: quiet, label: label, unit: unit, start: time.Now()}
	if p.tty && !quiet {
		fmt.Fprintf(p.w, "\r\033[K%s…", label)
	}
	return p
}

func (p *progress) update(done, total int) {
	now := time.Now()
	p.done, p.total = done, total
	if p.unit == "" {
		return
	}
	if p.first.IsZero() {
		p.first, p.firstDone = now, done
	}
	if p.quiet || !p.tty || now.Sub(p.last) < 200*time.Millisecond && done < total {
		return
	}
	p.last = now
	line := fmt.Sprintf("%s: %d/%d %s", p.label, done, total, p.unit)
	if dt := now.Sub(p.first).Seconds(); done > p.firstDone && dt > 0 {
		rate := float64(done-p.firstDone) / dt
		line += fmt.Sprintf("  %.1f/s", rate)
		if done < total {
			line += fmt.Sprintf("  %s left", clock(float64(total-done)/rate))
		}
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

// end finishes the stage: the terminal line is closed, and a piped log
// gets the stage's one line.
func (p *progress) end() {
	if p.finished || p.quiet {
		return
	}
	p.finished = true
	took := time.Since(p.start).Seconds()
	switch {
	case p.tty && p.unit != "":
		fmt.Fprintf(p.w, "\r\033[K%s: %d %s in %.1f s\n", p.label, p.done, p.unit, took)
	case p.tty:
		fmt.Fprintf(p.w, "\r\033[K")
	case p.unit != "":
		fmt.Fprintf(p.w, "%s: %d %s in %.1f s\n", p.label, p.done, p.unit, took)
	default:
		fmt.Fprintf(p.w, "%s: %.1f s\n", p.label, took)
	}
}

// clock writes seconds as m:ss.
func clock(s float64) string {
	n := int(s + 0.5)
	return fmt.Sprintf("%d:%02d", n/60, n%60)
}

// stages follows a run that reports several named stages through one
// callback (verify.Options.Progress): a new name ends the stage before.
type stages struct {
	e      *env
	prefix string
	quiet  bool
	cur    *progress
}

func newStages(e *env, prefix string, quiet bool) *stages {
	return &stages{e: e, prefix: prefix, quiet: quiet}
}

func (s *stages) update(stage verify.Stage, done, total int) {
	label := s.prefix + stage.Label
	if s.cur == nil || s.cur.label != label {
		s.end()
		s.cur = s.e.stage(label, stage.Unit, s.quiet)
	}
	s.cur.update(done, total)
}

func (s *stages) end() {
	if s.cur != nil {
		s.cur.end()
	}
}
