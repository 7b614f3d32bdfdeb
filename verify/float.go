package verify

import (
	"math"
	"strconv"
)

// Float is a measurement that may be undefined (NaN: a unit that never
// responds has no preferred orientation) or unbounded; JSON gets null then.
type Float float64

// MarshalJSON writes null for NaN and infinities.
func (f Float) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}
