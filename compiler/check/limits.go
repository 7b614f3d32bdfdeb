package check

import "math"

// The limits on what a circuit may declare. The checker reports a constant
// that passes one where it is written; the evaluator and the expander check
// computed values against the same numbers before anything is allocated.
// spec.md lists them.
const (
	MaxInputSide     = 4096     // pixels per side of the input image
	MaxInputChannels = 4096     // channels of the input
	MaxKernel        = 63       // cells per side of a kernel
	MaxUnitsPerLayer = 4096     // units of one layer (and of one family)
	MaxWeights       = 64 << 20 // convolution weights in the whole network
	MaxActivations   = 1 << 28  // values of all layers' outputs for one image
	MaxPower         = 16       // largest whole power of a number with a unit
)

// WholeNumber converts x to an int when it is a whole number in [lo, hi].
// Every conversion of a computed number to an int goes through it, so that
// NaN, infinities and values past the int range never become an index.
func WholeNumber(x float64, lo, hi int) (int, bool) {
	if math.IsNaN(x) || x != math.Trunc(x) || x < float64(lo) || x > float64(hi) {
		return 0, false
	}
	return int(x), true
}

// Finite reports whether x is neither NaN nor an infinity.
func Finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// FitsFloat32 reports whether x is finite and stays finite as a float32,
// the precision weights are stored in.
func FitsFloat32(x float64) bool {
	f := float64(float32(x))
	return Finite(x) && !math.IsInf(f, 0)
}
