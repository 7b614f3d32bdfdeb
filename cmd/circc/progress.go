package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress reports long work on stderr when it is a terminal and stays
// quiet when it is piped or when --json asks for machine output.
type progress struct {
	w     io.Writer
	on    bool
	label string
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer, label string, quiet bool) *progress {
	on := false
	if f, ok := w.(*os.File); ok && !quiet {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progress{w: w, on: on, label: label, start: time.Now()}
}

func (p *progress) update(done, total int) {
	if !p.on || (time.Since(p.last) < 200*time.Millisecond && done < total) {
		return
	}
	p.last = time.Now()
	rate := float64(done) / time.Since(p.start).Seconds()
	fmt.Fprintf(p.w, "\r%s: %d/%d photos (%.0f/s)", p.label, done, total, rate)
	if done >= total {
		fmt.Fprintln(p.w)
	}
}
