package check

import (
	"math"
	"sort"
)

// builtin is a predeclared function. check computes the result type from the
// argument types, reporting misuse through c.errorf at the call.
type builtin struct {
	name  string
	arity [2]int // min, max (-1: variadic)
	doc   string
	check func(c *call) *Type
}

// call is what a builtin's check sees.
type call struct {
	args []*Type
	fail func(arg int, format string, a ...any) // arg -1: the call itself
}

// cellwise applies f to numbers and to kernels cell by cell.
func cellwise(t *Type, d Dim) *Type {
	if t.Kind == KKernel {
		return &Type{Kind: KKernel, Dim: d, KSize: t.KSize}
	}
	return number(d)
}

func wantNumeric(c *call, i int) bool {
	t := c.args[i]
	if !t.known() {
		return false
	}
	if !t.numeric() {
		c.fail(i, "expected a number or a kernel, got %s", t)
		return false
	}
	return true
}

// trig: sin, cos, tan take an angle (or a plain number, read as radians).
func trig(c *call) *Type {
	if !wantNumeric(c, 0) {
		return unknownLike(c.args[0])
	}
	t := c.args[0]
	if t.Dim != angle && t.Dim != dimless {
		c.fail(0, "expected an angle, got %s", t.Dim)
	}
	return cellwise(t, dimless)
}

func unknownLike(t *Type) *Type {
	if t.known() && t.Kind == KKernel {
		return &Type{Kind: KKernel, KSize: t.KSize}
	}
	return unknown
}

func inverseTrig(c *call) *Type {
	if !wantNumeric(c, 0) {
		return unknownLike(c.args[0])
	}
	if c.args[0].Dim != dimless {
		c.fail(0, "expected a plain number, got %s", c.args[0].Dim)
	}
	return cellwise(c.args[0], angle)
}

func plain(c *call) *Type {
	if !wantNumeric(c, 0) {
		return unknownLike(c.args[0])
	}
	if c.args[0].Dim != dimless {
		c.fail(0, "expected a plain number, got %s (divide by a unit, e.g. x / 1px)", c.args[0].Dim)
	}
	return cellwise(c.args[0], dimless)
}

func preserve(c *call) *Type {
	if !wantNumeric(c, 0) {
		return unknownLike(c.args[0])
	}
	return cellwise(c.args[0], c.args[0].Dim)
}

// sameDims checks that all numeric arguments share one dimension and returns
// the cell-wise result (a kernel if any argument is one).
func sameDims(c *call) *Type {
	var res *Type
	for i := range c.args {
		if !wantNumeric(c, i) {
			continue
		}
		if res == nil {
			res = cellwise(c.args[i], c.args[i].Dim)
			continue
		}
		u := unify(res, c.args[i])
		if u == nil {
			c.fail(i, "mixes %s with %s", res, c.args[i])
			return unknownLike(res)
		}
		res = u
	}
	if res == nil {
		return unknown
	}
	return res
}

// reduce: sum, mean, min, max over one list, or min/max of several values.
func reduce(name string) func(c *call) *Type {
	return func(c *call) *Type {
		if len(c.args) == 1 && c.args[0].Kind == KList {
			e := c.args[0].Elem
			if e == nil || !e.known() {
				return unknown
			}
			if !e.numeric() {
				c.fail(0, "%s needs a list of numbers or kernels, got %s", name, c.args[0])
				return unknown
			}
			return cellwise(e, e.Dim)
		}
		if name == "sum" || name == "mean" {
			if len(c.args) == 1 && c.args[0].known() {
				c.fail(0, "%s needs a list, got %s", name, c.args[0])
			} else if len(c.args) > 1 {
				c.fail(-1, "%s takes one list; write %s([a, b, …])", name, name)
			}
			return unknown
		}
		return sameDims(c)
	}
}

var builtins = map[string]*builtin{}

func def(name string, lo, hi int, doc string, f func(c *call) *Type) {
	builtins[name] = &builtin{name: name, arity: [2]int{lo, hi}, doc: doc, check: f}
}

func init() {
	def("sin", 1, 1, "sine of an angle", trig)
	def("cos", 1, 1, "cosine of an angle", trig)
	def("tan", 1, 1, "tangent of an angle", trig)
	def("asin", 1, 1, "inverse sine, an angle", inverseTrig)
	def("acos", 1, 1, "inverse cosine, an angle", inverseTrig)
	def("atan", 1, 1, "inverse tangent, an angle", inverseTrig)
	def("atan2", 2, 2, "angle of the vector (x, y): atan2(y, x)", func(c *call) *Type {
		if t := sameDims(c); t.known() {
			return cellwise(t, angle)
		}
		return unknown
	})
	def("exp", 1, 1, "e to the power x", plain)
	def("log", 1, 1, "natural logarithm", plain)
	def("sqrt", 1, 1, "square root; halves the dimension", func(c *call) *Type {
		if !wantNumeric(c, 0) {
			return unknownLike(c.args[0])
		}
		d := c.args[0].Dim
		if d.Angle%2 != 0 || d.Length%2 != 0 {
			c.fail(0, "square root of %s has no dimension", d)
			return unknownLike(c.args[0])
		}
		return cellwise(c.args[0], Dim{d.Angle / 2, d.Length / 2})
	})
	def("abs", 1, 1, "absolute value", preserve)
	def("floor", 1, 1, "largest whole number not above x (in x's unit)", preserve)
	def("ceil", 1, 1, "smallest whole number not below x (in x's unit)", preserve)
	def("round", 1, 1, "nearest whole number, halves away from zero (in x's unit)", preserve)
	def("trunc", 1, 1, "whole part, towards zero (in x's unit)", preserve)
	def("sign", 1, 1, "-1, 0 or 1", func(c *call) *Type {
		if !wantNumeric(c, 0) {
			return unknownLike(c.args[0])
		}
		return cellwise(c.args[0], dimless)
	})
	def("min", 1, -1, "smallest of the arguments, or of one list", reduce("min"))
	def("max", 1, -1, "largest of the arguments, or of one list", reduce("max"))
	def("sum", 1, 1, "sum of a list (cell-wise for kernels)", reduce("sum"))
	def("mean", 1, 1, "mean of a list (cell-wise for kernels)", reduce("mean"))
	def("clip", 3, 3, "clip(x, lo, hi): x limited to [lo, hi]", sameDims)
	def("mod", 2, 2, "mod(a, b): remainder with the sign of b, in [0, b) for b > 0", sameDims)
	def("len", 1, 1, "number of items of a list", func(c *call) *Type {
		if c.args[0].known() && c.args[0].Kind != KList {
			c.fail(0, "expected a list, got %s", c.args[0])
		}
		if c.args[0].Len > 0 {
			return constant(float64(c.args[0].Len), dimless)
		}
		return number(dimless)
	})
	def("peak", 1, 1, "largest absolute cell of a kernel", func(c *call) *Type {
		t := c.args[0]
		if t.known() && t.Kind != KKernel {
			c.fail(0, "expected a kernel, got %s", t)
			return unknown
		}
		return number(t.Dim)
	})
	def("rotations", 1, 1, "rotations(n): the n angles 0deg, 360deg/n, … evenly around the circle", func(c *call) *Type {
		t := c.args[0]
		if t.known() {
			if t.Kind != KNumber || t.Dim != dimless {
				c.fail(0, "expected a count, got %s", t)
			} else if t.Const != nil && (*t.Const < 1 || *t.Const != math.Trunc(*t.Const)) {
				c.fail(0, "the count must be a whole number of at least 1, got %g", *t.Const)
			}
		}
		n := 0
		if t.Const != nil && *t.Const >= 1 {
			n = int(*t.Const)
		}
		return &Type{Kind: KList, Elem: number(angle), Len: n}
	})
	def("matched", 1, 1, "matched(layer.family): the natural channels matched to a family (in selectors)", func(c *call) *Type {
		if t := c.args[0]; t.known() && t.Kind != KFamily {
			c.fail(0, "expected a family, got %s", t)
		}
		return &Type{Kind: KList, Elem: number(dimless)}
	})
}

// constants are predeclared numbers.
var constants = map[string]float64{"pi": math.Pi, "tau": 2 * math.Pi}

// Constant returns a predeclared number (pi, tau): the one definition the
// checker and the evaluator share.
func Constant(name string) (float64, bool) {
	v, ok := constants[name]
	return v, ok
}

func builtinNames() []string {
	var out []string
	for n := range builtins {
		out = append(out, n)
	}
	for n := range constants {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
