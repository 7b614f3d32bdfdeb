package check

import (
	"fmt"
	"strings"

	"github.com/circc/circc/models"
)

// Dim is a physical dimension as exponents of angle and length:
// {0,0} is a plain number, {1,0} an angle, {0,1} a length, {0,2} an area.
type Dim struct{ Angle, Length int }

var (
	dimless = Dim{}
	angle   = Dim{Angle: 1}
	length  = Dim{Length: 1}
)

// Mul is the dimension of a product.
func (d Dim) Mul(e Dim) Dim { return Dim{d.Angle + e.Angle, d.Length + e.Length} }

// Div is the dimension of a quotient.
func (d Dim) Div(e Dim) Dim { return Dim{d.Angle - e.Angle, d.Length - e.Length} }

func (d Dim) String() string {
	if d == dimless {
		return "number"
	}
	if d == angle {
		return "angle"
	}
	if d == length {
		return "length"
	}
	var parts []string
	add := func(name string, e int) {
		switch {
		case e == 1:
			parts = append(parts, name)
		case e != 0:
			parts = append(parts, fmt.Sprintf("%s^%d", name, e))
		}
	}
	add("angle", d.Angle)
	add("length", d.Length)
	return strings.Join(parts, "·")
}

// Kind is what sort of value an expression denotes.
type Kind int

const (
	KUnknown Kind = iota // an earlier error, or not known until evaluation
	KNumber
	KBool
	KString
	KSize
	KList
	KKernel
	KTable
	KFunc
	KBuiltin
	KModule
	KLayer
	KFamily
	KInput
	KModel
	KNatLayer
)

var kindNames = map[Kind]string{
	KUnknown: "unknown", KNumber: "number", KBool: "bool", KString: "string", KSize: "size",
	KList: "list", KKernel: "kernel", KTable: "table", KFunc: "function", KBuiltin: "function",
	KModule: "module", KLayer: "layer", KFamily: "family", KInput: "input", KModel: "model",
	KNatLayer: "model layer",
}

// Type is the static type of an expression. Numbers, kernels and tables carry
// a dimension; constant numbers carry their value so that sizes and ranges
// can be checked before evaluation.
type Type struct {
	Kind   Kind
	Dim    Dim      // number, kernel cells, table values, list of numbers
	KeyDim Dim      // table keys
	Elem   *Type    // list element
	Const  *float64 // value of a constant number
	KSize  int      // kernel width when known
	Len    int      // list length when known (0: unknown)
	// anyDim marks a kernel or table whose dimensions are not known (a
	// parameter annotated "kernel" or "table"): dimensions are not checked.
	anyDim bool

	fn       *fnSym
	builtin  *builtin
	module   *module
	layer    *layerSym
	family   *familySym
	model    *models.Manifest
	natLayer *models.Layer
}

var unknown = &Type{Kind: KUnknown}

func number(d Dim) *Type { return &Type{Kind: KNumber, Dim: d} }

func constant(v float64, d Dim) *Type { return &Type{Kind: KNumber, Dim: d, Const: &v} }

func (t *Type) known() bool { return t != nil && t.Kind != KUnknown }

// numeric reports whether t is a number or a kernel (cell-wise arithmetic).
func (t *Type) numeric() bool { return t.Kind == KNumber || t.Kind == KKernel }

func (t *Type) String() string {
	switch t.Kind {
	case KNumber:
		return t.Dim.String()
	case KKernel:
		s := "kernel"
		if t.KSize > 0 {
			s = fmt.Sprintf("%dx%d kernel", t.KSize, t.KSize)
		}
		if t.Dim != dimless {
			s += " of " + t.Dim.String()
		}
		return s
	case KList:
		if t.Elem != nil && t.Elem.known() {
			return "list of " + t.Elem.String()
		}
		return "list"
	case KTable:
		return fmt.Sprintf("table (%s → %s)", t.KeyDim, t.Dim)
	}
	return kindNames[t.Kind]
}

// key is a stable string that identifies the type for instantiation caches.
func (t *Type) key() string {
	if t == nil {
		return "nil"
	}
	s := fmt.Sprintf("%d/%v/%v/%d/%d", t.Kind, t.Dim, t.KeyDim, t.KSize, t.Len)
	if t.Const != nil {
		s += fmt.Sprintf("=%g", *t.Const)
	}
	if t.Elem != nil {
		s += "[" + t.Elem.key() + "]"
	}
	switch {
	case t.fn != nil:
		s += "fn:" + t.fn.name
	case t.builtin != nil:
		s += "b:" + t.builtin.name
	case t.family != nil:
		s += "fam:" + t.family.name
	}
	return s
}

// unify returns the common type of a and b (branches of an if, items of a
// list) or nil when they differ.
func unify(a, b *Type) *Type {
	if !a.known() || a.anyDim {
		return b
	}
	if !b.known() || b.anyDim {
		return a
	}
	if a.Kind != b.Kind {
		if a.Kind == KNumber && b.Kind == KKernel || a.Kind == KKernel && b.Kind == KNumber {
			if a.Dim != b.Dim {
				return nil
			}
			if a.Kind == KKernel {
				return &Type{Kind: KKernel, Dim: a.Dim, KSize: a.KSize}
			}
			return &Type{Kind: KKernel, Dim: b.Dim, KSize: b.KSize}
		}
		return nil
	}
	switch a.Kind {
	case KNumber:
		if a.Dim != b.Dim {
			return nil
		}
		return number(a.Dim)
	case KKernel:
		if a.Dim != b.Dim {
			return nil
		}
		k := a.KSize
		if a.KSize != b.KSize {
			if a.KSize != 0 && b.KSize != 0 {
				return nil
			}
			k = max(a.KSize, b.KSize)
		}
		return &Type{Kind: KKernel, Dim: a.Dim, KSize: k}
	case KList:
		e := unify(a.Elem, b.Elem)
		if e == nil {
			return nil
		}
		return &Type{Kind: KList, Elem: e}
	case KTable:
		if a.Dim != b.Dim || a.KeyDim != b.KeyDim {
			return nil
		}
	}
	return a
}
