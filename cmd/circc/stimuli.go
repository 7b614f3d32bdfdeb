package main

import (
	"bytes"
	"fmt"
	"image/png"
	"path/filepath"
	"strings"

	"github.com/circc/circc/stimuli"
)

func runStimuli(e *env, args []string) int {
	fl := newFlags("stimuli", e.stderr)
	kind := fl.String("kind", "curves", "stimulus set: "+strings.Join(stimuli.Names(), ", ")+", or all")
	out := fl.String("out", ".", "folder for the contact sheets (KIND.png)")
	size := fl.Int("size", 224, "image size in pixels")
	if fl.Parse(args) != nil || fl.NArg() != 0 {
		fmt.Fprintln(e.stderr, "usage: circc stimuli --kind KIND --out DIR")
		return exitUsage
	}
	kinds := []string{*kind}
	if *kind == "all" {
		kinds = stimuli.Names()
	}
	if err := e.fs.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(e.stderr, "circc: %v\n", err)
		return exitUsage
	}
	for _, k := range kinds {
		set, err := stimuli.Lookup(k, *size)
		if err != nil {
			fmt.Fprintf(e.stderr, "circc: %v\n", err)
			return exitUsage
		}
		var b bytes.Buffer
		if err := png.Encode(&b, set.ContactSheet(48, 36)); err != nil {
			fmt.Fprintf(e.stderr, "circc: %v\n", err)
			return exitUsage
		}
		path := filepath.Join(*out, k+".png")
		if err := writeAtomic(e.fs, path, b.Bytes()); err != nil {
			fmt.Fprintf(e.stderr, "circc: %v\n", err)
			return exitUsage
		}
		var axes []string
		for _, a := range set.Axes {
			axes = append(axes, fmt.Sprintf("%d %s", len(a.Values), a.Name))
		}
		fmt.Fprintf(e.stdout, "wrote %s: %d stimuli (%s)\n", path, set.Len(), strings.Join(axes, " × "))
	}
	return exitOK
}
