package compiler

import (
	"github.com/spf13/afero"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/diag"
)

// Stage is one named step of the compiler.
type Stage struct {
	Name string
	Doc  string
}

// Stages lists the compiler's stages in order.
var Stages = []Stage{
	{Name: "check", Doc: "load the circuit and its imports, resolve names, check kinds, dimensions, layers and connections"},
}

// Check runs the front end on the circuit at filename.
func Check(fs afero.Fs, filename string) (*check.Program, diag.List, error) {
	return check.Check(fs, filename)
}
