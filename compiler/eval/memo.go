package eval

import (
	"unsafe"
)

// Functions in circ are pure, so a call with the same arguments gives the
// same value. The memo reuses results: in the Curve Circuits recipe the arc
// geometry of a receiving unit is otherwise recomputed for each of its
// inputs. Plain numbers, bools and strings are keyed by value; grids,
// tables and functions by identity (the entry keeps the arguments alive, so
// an identity cannot be reused while its entry exists).

const memoArgs = 6
const memoMax = 1 << 16

type argKey struct {
	kind byte
	f    float64
	p    uintptr
	dim  Dim
}

type memoKey struct {
	fn   *Closure
	n    int
	args [memoArgs]argKey
	// names of named arguments are part of the call's shape
	named string
}

type memoEntry struct {
	args []Value
	val  Value
}

func keyOf(v Value) (argKey, bool) {
	switch v := v.(type) {
	case Num:
		if v.Cells == nil {
			return argKey{kind: 1, f: v.S, dim: v.Dim}, true
		}
		return argKey{kind: 2, p: uintptr(unsafe.Pointer(unsafe.SliceData(v.Cells))), f: float64(v.K), dim: v.Dim}, true
	case Bool:
		if v.Cells == nil {
			if v.B {
				return argKey{kind: 3, f: 1}, true
			}
			return argKey{kind: 3}, true
		}
	case Str:
		return argKey{}, false // strings are rare arguments; not worth a key
	case *Table:
		return argKey{kind: 4, p: uintptr(unsafe.Pointer(v))}, true
	case *Closure:
		return argKey{kind: 5, p: uintptr(unsafe.Pointer(v))}, true
	}
	return argKey{}, false
}

func (ev *Evaluator) memoKey(f *Closure, names string, args []Value) (memoKey, bool) {
	if len(args) > memoArgs {
		return memoKey{}, false
	}
	k := memoKey{fn: f, n: len(args), named: names}
	for i, a := range args {
		ak, ok := keyOf(a)
		if !ok {
			return memoKey{}, false
		}
		k.args[i] = ak
	}
	return k, true
}
