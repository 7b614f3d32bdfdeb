package main

import (
	"fmt"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/lsp"
	"github.com/circc/circc/models"
)

func runLSP(e *env, args []string) int {
	fl := newFlags("lsp", e.stderr)
	modelsDir := fl.String("models", "", "folder holding the reference models (default as for check)")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	reg := models.Registered(e.fs, *modelsDir)
	if err := lsp.New(e.fs, reg, compiler.Version).RunStdio(); err != nil {
		return e.fail(err)
	}
	return exitOK
}

func runDoc(e *env, args []string) int {
	fl := newFlags("doc", e.stderr)
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if fl.NArg() > 1 {
		fmt.Fprintln(e.stderr, "usage: circc doc [MODULE[.NAME]]")
		return exitUsage
	}
	text, err := lsp.Doc(fl.Arg(0))
	if err != nil {
		return e.fail(badUsage(err))
	}
	fmt.Fprint(e.stdout, text)
	return exitOK
}
