package main

import (
	"bytes"
	"fmt"

	"github.com/spf13/afero"

	"github.com/circc/circc/lang/format"
)

func runFmt(e *env, args []string) int {
	fl := newFlags("fmt", e.stderr)
	write := fl.Bool("w", false, "rewrite the files in place (atomically)")
	checkOnly := fl.Bool("check", false, "list files whose layout differs and exit 1; change nothing")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if fl.NArg() == 0 {
		fmt.Fprintln(e.stderr, "usage: circc fmt [-w] [--check] FILE...")
		return exitUsage
	}
	code := exitOK
	for _, name := range fl.Args() {
		src, err := afero.ReadFile(e.fs, name)
		if err != nil {
			fmt.Fprintf(e.stderr, "circc: %v\n", err)
			return exitUsage
		}
		out, ds := format.Source(name, src)
		if ds.HasErrors() {
			ds.WriteText(e.stderr, func(string) []byte { return src })
			code = exitDiags
			continue
		}
		switch {
		case *checkOnly:
			if !bytes.Equal(out, src) {
				fmt.Fprintln(e.stdout, name)
				code = exitDiags
			}
		case *write:
			if bytes.Equal(out, src) {
				continue
			}
			if err := writeAtomic(e.fs, name, out); err != nil {
				fmt.Fprintf(e.stderr, "circc: %v\n", err)
				return exitUsage
			}
		default:
			e.stdout.Write(out)
		}
	}
	return code
}
