package verify

import "github.com/circc/circc/weights"

// Float is a measurement that may be undefined (NaN: a unit that never
// responds has no preferred orientation) or unbounded; JSON gets null
// then. It is weights' type, which the expanded weights' measurements
// share.
type Float = weights.Float
