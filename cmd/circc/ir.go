package main

import (
	"fmt"
	"strings"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/models"
)

func runIR(e *env, args []string) int {
	fl := newFlags("ir", e.stderr)
	after := fl.String("after", "", "dump the result of `STAGE` ("+strings.Join(compiler.StageNames(), ", ")+")")
	weights := fl.Bool("weights", false, "with --after expand: list every nonzero kernel")
	defines := addDefines(fl)
	if fl.Parse(args) != nil {
		return exitUsage
	}
	st, ok := compiler.LookupStage(*after)
	if fl.NArg() != 1 || !ok {
		switch {
		case *after == "":
			fmt.Fprintln(e.stderr, "circc: ir needs --after STAGE")
		case !ok:
			fmt.Fprintf(e.stderr, "circc: no stage %q\n", *after)
		default:
			fmt.Fprintln(e.stderr, "circc: ir takes one FILE")
		}
		fmt.Fprintf(e.stderr, "usage: circc ir --after STAGE [--weights] FILE\nstages:\n")
		for _, s := range compiler.Stages {
			fmt.Fprintf(e.stderr, "  %-7s %s\n", s.Name, s.Doc)
		}
		return exitUsage
	}
	opt := compiler.Options{StopAfter: st.Name, Weights: *weights, Defines: defines}
	var err error
	opt.Models = models.Registered(e.fs, "")
	res, err := compiler.Compile(e.fs, fl.Arg(0), opt)
	if err != nil {
		fmt.Fprintf(e.stderr, "circc: %v\n", err)
		return exitUsage
	}
	if res.Diags.HasErrors() {
		e.report(res.Diags, res.Program.Source)
		return exitDiags
	}
	st.Dump(res, e.stdout, opt)
	return exitOK
}
