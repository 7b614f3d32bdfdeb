package eval

import (
	"math"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
)

type callCtx struct {
	ev   *Evaluator
	name string
	args []Value
	call *ast.Call
	s, e ast.Pos
}

func (c *callCtx) fail(format string, a ...any) { c.failCode(diag.CodeType, format, a...) }

func (c *callCtx) failCode(code diag.Code, format string, a ...any) {
	c.ev.fail(c.s, c.e, code, c.name+": "+format, a...)
}

func (c *callCtx) num(i int) Num {
	if i >= len(c.args) {
		c.fail("missing argument %d", i+1)
	}
	n, ok := c.args[i].(Num)
	if !ok {
		c.fail("argument %d is %s, not a number", i+1, Format(c.args[i]))
	}
	return n
}

var (
	dimless = Dim{}
	angleD  = Dim{Angle: 1}
)

func unary(f func(float64) float64, out func(Dim) Dim) func(c *callCtx) Value {
	return func(c *callCtx) Value {
		a := c.num(0)
		return mapNum(a, out(a.Dim), f)
	}
}

// trig applies f to an angle (in degrees) or a plain number (radians).
// At whole multiples of 90deg the results are exact: cos(90deg) is 0, not
// 6e-17, so that quarter-turn symmetries stay exact.
func trig(f func(float64) float64) func(c *callCtx) Value {
	return func(c *callCtx) Value {
		a := c.num(0)
		if a.Dim == angleD {
			return mapNum(a, dimless, func(x float64) float64 {
				if q := x / 90; q == math.Trunc(q) && math.Abs(q) < 1<<50 {
					return exactQuarter(f, int64(q))
				}
				return f(x * math.Pi / 180)
			})
		}
		return mapNum(a, dimless, f)
	}
}

// exactQuarter evaluates sin, cos or tan at q quarter turns exactly.
func exactQuarter(f func(float64) float64, q int64) float64 {
	q = ((q % 4) + 4) % 4
	sin := [4]float64{0, 1, 0, -1}[q]
	cos := [4]float64{1, 0, -1, 0}[q]
	// Identify f by its value at a probe point: sin, cos or tan.
	switch p := f(0.5); {
	case p == math.Sin(0.5):
		return sin
	case p == math.Cos(0.5):
		return cos
	}
	if cos == 0 {
		return math.Inf(int(sin))
	}
	return sin / cos
}

// inverse applies an inverse trigonometric function, giving degrees.
func inverse(f func(float64) float64) func(float64) float64 {
	return func(x float64) float64 { return f(x) * 180 / math.Pi }
}

func same(d Dim) Dim  { return d }
func none(Dim) Dim    { return dimless }
func toAngle(Dim) Dim { return angleD }

// reduce folds a list (or several arguments) cell by cell.
func reduce(f func(acc, x float64) float64, mean bool) func(c *callCtx) Value {
	return func(c *callCtx) Value {
		items := c.args
		if len(c.args) == 1 {
			if l, ok := c.args[0].(List); ok {
				items = l
			}
		}
		if len(items) == 0 {
			c.failCode(diag.CodeRange, "the list is empty")
		}
		acc, ok := items[0].(Num)
		if !ok {
			c.fail("expected numbers or kernels, got %s", Format(items[0]))
		}
		for _, it := range items[1:] {
			n, ok := it.(Num)
			if !ok {
				c.fail("expected numbers or kernels, got %s", Format(it))
			}
			acc = c.ev.zip(acc, n, acc.Dim, f, c.s, c.e)
		}
		if mean {
			k := float64(len(items))
			acc = mapNum(acc, acc.Dim, func(x float64) float64 { return x / k })
		}
		return acc
	}
}

func sumOf(acc, x float64) float64 { return acc + x }

var builtins = map[string]*Builtin{}

func def(name string, fn func(c *callCtx) Value) { builtins[name] = &Builtin{name: name, fn: fn} }

func init() {
	def("sin", trig(math.Sin))
	def("cos", trig(math.Cos))
	def("tan", trig(math.Tan))
	def("asin", unary(inverse(math.Asin), toAngle))
	def("acos", unary(inverse(math.Acos), toAngle))
	def("atan", unary(inverse(math.Atan), toAngle))
	def("atan2", func(c *callCtx) Value {
		return c.ev.zip(c.num(0), c.num(1), angleD, func(y, x float64) float64 { return math.Atan2(y, x) * 180 / math.Pi }, c.s, c.e)
	})
	def("exp", unary(math.Exp, none))
	def("log", unary(math.Log, none))
	def("sqrt", func(c *callCtx) Value {
		a := c.num(0)
		return mapNum(a, Dim{Angle: a.Dim.Angle / 2, Length: a.Dim.Length / 2}, math.Sqrt)
	})
	def("abs", unary(math.Abs, same))
	def("floor", unary(math.Floor, same))
	def("ceil", unary(math.Ceil, same))
	def("round", unary(math.Round, same))
	def("trunc", unary(math.Trunc, same))
	def("sign", unary(func(x float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	}, none))
	def("min", reduce(math.Min, false))
	def("max", reduce(math.Max, false))
	def("sum", reduce(sumOf, false))
	def("mean", reduce(sumOf, true))
	def("clip", func(c *callCtx) Value {
		x := c.ev.zip(c.num(0), c.num(1), c.num(0).Dim, math.Max, c.s, c.e)
		return c.ev.zip(x, c.num(2), x.Dim, math.Min, c.s, c.e)
	})
	def("mod", func(c *callCtx) Value { return c.ev.zip(c.num(0), c.num(1), c.num(0).Dim, pyMod, c.s, c.e) })
	def("len", func(c *callCtx) Value {
		l, ok := c.args[0].(List)
		if !ok {
			c.fail("expected a list")
		}
		return Num{S: float64(len(l))}
	})
	def("peak", func(c *callCtx) Value {
		k := c.num(0)
		p := math.Abs(k.S)
		for _, x := range k.Cells {
			p = math.Max(p, math.Abs(x))
		}
		return Num{S: p, Dim: k.Dim}
	})
	def("rotations", func(c *callCtx) Value {
		x := c.num(0).S
		n, ok := check.WholeNumber(x, 1, c.ev.Limits.MaxListLen)
		if !ok {
			c.fail("the count must be a whole number from 1 to %d, got %s", c.ev.Limits.MaxListLen, num(x))
		}
		out := make(List, n)
		for i := range out {
			out[i] = Num{S: 360 * float64(i) / float64(n), Dim: angleD}
		}
		return out
	})
	def("matched", func(c *callCtx) Value {
		c.fail("matched(…) names natural channels and is only meaningful in a selector")
		return nil
	})
}
