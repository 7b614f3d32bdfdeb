package eval

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/lang/ast"
)

// Value is the result of evaluating an expression: Num, Bool, Str, List,
// Size, *Table, *Closure, *Builtin or *Module.
type Value interface{}

// Dim is a physical dimension (see check.Dim).
type Dim = check.Dim

// Num is a number or a square grid of numbers: a kernel, or a value that
// varies per cell inside a kernel constructor. Cells is nil for a plain
// number; otherwise it holds K×K values, row by row (y down, x right).
// Angles are in degrees, lengths in pixels.
type Num struct {
	S     float64
	Cells []float64
	K     int
	Dim   Dim
}

// Bool is a truth value, or a grid of them (a per-cell condition).
type Bool struct {
	B     bool
	Cells []bool
	K     int
}

// Str is a string.
type Str string

// List is a list.
type List []Value

// Size is a WxH literal.
type Size struct{ W, H int }

// Table is a piecewise-linear table, its keys extended by its symmetry so
// that lookups after folding always find keys on both sides.
type Table struct {
	keys, vals []float64
	mirror     float64 // 0: none
	periodic   float64 // 0: none
	gap, fill  float64
	hasGap     bool
	keyDim     Dim
	valDim     Dim
}

// Closure is a user function with the module it was declared in.
type Closure struct {
	decl *ast.Fn
	env  *Env
}

// Builtin is a predeclared function.
type Builtin struct {
	name string
	fn   func(c *callCtx) Value
}

// Module is an imported library's top-level environment.
type Module struct {
	name string
	env  *Env
}

func (n Num) isGrid() bool { return n.Cells != nil }

// At returns cell i (the scalar for a plain number).
func (n Num) At(i int) float64 {
	if n.Cells == nil {
		return n.S
	}
	return n.Cells[i]
}

// Format renders a value for IR dumps and unit names: angles in degrees,
// lengths in pixels, kernels as their size.
func Format(v Value) string {
	switch v := v.(type) {
	case Num:
		if v.isGrid() {
			return fmt.Sprintf("<%dx%d kernel>", v.K, v.K)
		}
		return FormatQuantity(v.S, v.Dim)
	case Bool:
		if v.Cells != nil {
			return fmt.Sprintf("<%dx%d mask>", v.K, v.K)
		}
		return strconv.FormatBool(v.B)
	case Str:
		return strconv.Quote(string(v))
	case List:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = Format(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case Size:
		return fmt.Sprintf("%dx%d", v.W, v.H)
	case *Table:
		return fmt.Sprintf("<table of %d keys>", len(v.keys))
	case *Closure:
		return "<fn " + v.decl.Name.Name + ">"
	case *Builtin:
		return "<builtin " + v.name + ">"
	case *Module:
		return "<module " + v.name + ">"
	}
	return fmt.Sprintf("%v", v)
}

// FormatQuantity writes a number in its dimension's display unit: degrees
// for angles, px for lengths, with at most 6 significant digits and no
// trailing zeros.
func FormatQuantity(x float64, d Dim) string {
	switch d {
	case Dim{}:
		return num(x)
	case Dim{Angle: 1}:
		return num(x) + "deg"
	case Dim{Length: 1}:
		return num(x) + "px"
	}
	return num(x) + "(" + d.String() + ")"
}

func num(x float64) string {
	if x == 0 {
		return "0" // no "-0"
	}
	return strconv.FormatFloat(x, 'g', 6, 64)
}
