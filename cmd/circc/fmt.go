package main

import (
	"bytes"
	"fmt"

	"github.com/circc/circc/internal/safefs"
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
		src, err := safefs.ReadFile(e.fs, name, safefs.MaxSource)
		if err != nil {
			return e.fail(err)
		}
		out, ds := format.Source(name, src)
		if ds.HasErrors() {
			e.report(ds, func(string) []byte { return src })
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
			if err := safefs.WriteFiles(e.fs, []safefs.File{{Path: name, Data: out, Rewrite: true}}, nil); err != nil {
				return e.fail(err)
			}
		default:
			e.stdout.Write(out)
		}
	}
	return code
}
