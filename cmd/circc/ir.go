package main

import (
	"errors"
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
	st, ok := compiler.LookupStage(compiler.StageName(*after))
	if fl.NArg() != 1 || !ok {
		switch {
		case *after == "":
			e.fail(badUsage(errors.New("ir needs --after STAGE")))
		case !ok:
			e.fail(badUsage(fmt.Errorf("no stage %q", *after)))
		default:
			e.fail(badUsage(errors.New("ir takes one FILE")))
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
		return e.fail(err)
	}
	if res.Diags.HasErrors() {
		e.report(res.Diags, res.Program.Source)
		return exitDiags
	}
	st.Dump(res, e.stdout, opt)
	return exitOK
}
