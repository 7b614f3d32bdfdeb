package compiler_test

import (
	"math"
	"sort"
)

// An independent implementation of the Curve Circuits recipe, written from
// circuits-notes §3.3 (not from the circ standard library), to check the
// compiled weights against.

const quirkRad = 6.283 / 360 // the recipe's degrees → radians

func gaborAW(size int, angleDeg, shift float64) []float64 {
	c := float64(size / 2)
	a := angleDeg * quirkRad
	k := 4 * math.Pi / float64(size)
	out := make([]float64, size*size)
	peak := 0.0
	for Y := 0; Y < size; Y++ {
		for X := 0; X < size; X++ {
			x, y := float64(X), float64(Y)
			mask := 3 / (3 + ((x-c)*(x-c)+(y-c)*(y-c))/2)
			xr := math.Cos(a)*x + math.Sin(a)*y - c + shift
			f := mask * math.Cos(k*xr)
			out[Y*size+X] = f
			peak = math.Max(peak, math.Abs(f))
		}
	}
	for i := range out {
		out[i] /= peak
	}
	return out
}

func edgeAW(size int, angleDeg float64) (f, surround []float64) {
	c := float64(size / 2)
	a := angleDeg * quirkRad
	f, surround = make([]float64, size*size), make([]float64, size*size)
	peak := 0.0
	for Y := 0; Y < size; Y++ {
		for X := 0; X < size; X++ {
			x, y := float64(X)-c, float64(Y)-c
			v := math.Min(math.Max(1+0.1-math.Abs(math.Cos(a)*x+math.Sin(a)*y), 0), 1)
			f[Y*size+X] = v
			peak = math.Max(peak, v)
		}
	}
	for Y := 0; Y < size; Y++ {
		for X := 0; X < size; X++ {
			x, y := float64(X)-c, float64(Y)-c
			i := Y*size + X
			f[i] /= math.Max(peak, 1e-6)
			surround[i] = 3 / (3 + math.Sqrt(x*x+y*y)/2) * (1 - f[i])
		}
	}
	return f, surround
}

func curveAW(size int, angleDeg, r float64) (e, tangent []float64) {
	c := float64(size / 2)
	a := angleDeg * quirkRad
	cx, cy := -r*math.Cos(a), -r*math.Sin(a)
	e, tangent = make([]float64, size*size), make([]float64, size*size)
	for Y := 0; Y < size; Y++ {
		for X := 0; X < size; X++ {
			dx, dy := float64(X)-c-cx, float64(Y)-c-cy
			v := 1.05 - math.Abs(math.Sqrt(dx*dx+dy*dy)-r)/float64(size)/1.3
			v = math.Pow(math.Min(math.Max(v, 0), 1), 4)
			v = math.Min(math.Max(2*v-1, 0), 1)
			i := Y*size + X
			e[i] = v
			t := math.Atan2(dy, dx) * 360 / 6.28
			tangent[i] = math.Mod(math.Mod(t, 360)+360, 360)
		}
	}
	return e, tangent
}

// coefInterp follows the recipe's coef_interpolate: mirrored keys, keys
// replicated by ±360 and negated, linear interpolation between the nearest
// keys below and above, a key more than 10 away replaced by -0.01 at 10.
func coefInterp(table map[float64]float64, mirror float64) func(float64) float64 {
	keys := map[float64]float64{}
	for k, v := range table {
		keys[k] = v
	}
	if mirror == 90 {
		for k, v := range table {
			keys[90+(90-k)] = v
		}
	}
	if mirror == 90 || mirror == 180 {
		for k, v := range copyMap(keys) {
			keys[180+(180-k)] = v
		}
	}
	for k, v := range copyMap(keys) {
		keys[360+k] = v
	}
	for k, v := range copyMap(keys) {
		keys[-k] = v
	}
	var ks []float64
	for k := range keys {
		ks = append(ks, k)
	}
	sort.Float64s(ks)
	return func(x float64) float64 {
		var k1, k2 float64
		found1, found2 := false, false
		for _, k := range ks {
			if k <= x {
				k1, found1 = k, true
			}
			if k > x && !found2 {
				k2, found2 = k, true
			}
		}
		x1, x2 := x-k1, k2-x
		v1, v2 := keys[k1], keys[k2]
		if !found1 || x1 > 10 {
			x1, v1 = 10, -0.01
		}
		if !found2 || x2 > 10 {
			x2, v2 = 10, -0.01
		}
		t := x1 / (x1 + x2)
		return (1-t)*v1 + t*v2
	}
}

func copyMap(m map[float64]float64) map[float64]float64 {
	out := map[float64]float64{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

var (
	tangentAW = coefInterp(map[float64]float64{0: 1, 10: 0.8, 20: 0.7, 30: 0.4, 40: 0.2,
		130: -0.05, 140: -0.2, 150: -0.4, 160: -0.8, 170: -1, 180: -1}, 180)
	coef1AW        = coefInterp(map[float64]float64{0: 1, 10: 0.8, 20: 0.2, 30: -0.1, 40: -0.8, 50: -0.5, 60: -0.1}, 90)
	coef2AW        = coefInterp(map[float64]float64{0: 1, 5: 1, 10: 0.5, 15: -1, 20: -1, 30: -1, 40: -0.8, 50: -0.4, 60: -0.1}, 90)
	edgeEdgeCoefAW = map[int]float64{0: 1, 10: 0.2, 20: 0.01, 30: -0.0, 40: -0.05, 50: -0.05, 60: -0.1, 70: -0.1, 80: -0.3, 90: -0.6}
)

func pyMod(x, m float64) float64 { return math.Mod(math.Mod(x, m)+m, m) }

func curveCurveAW(size int, a1, a2 float64, radii []float64) []float64 {
	out := make([]float64, size*size)
	for _, r := range radii {
		f, t := curveAW(size, a2, r)
		for i := range out {
			coef := 0.8*tangentAW(t[i]-a1) + 0.2*tangentAW(a2-a1)
			out[i] += (f[i]*coef - 0.1*(1-f[i])*math.Max(0, coef)) / float64(len(radii))
		}
	}
	return out
}

func edgeCurveAW(size int, a1, a2 float64, radii []float64) []float64 {
	out := make([]float64, size*size)
	for _, r := range radii {
		f, t := curveAW(size, a2, r)
		for i := range out {
			d := math.Trunc(t[i] - a1)
			coef := coef2AW(d)
			if (pyMod(a1-a2, 180) <= 90) != (pyMod(t[i]-a2, 180) >= 90) {
				coef = coef1AW(d)
			}
			out[i] += (f[i]*coef - 0.1*(1-f[i])*math.Max(0, coef)) / float64(len(radii))
		}
	}
	return out
}

func edgeEdgeAW1x1(a1, a2 float64) float64 {
	d := int(pyMod(math.Trunc(a1-a2), 180))
	return edgeEdgeCoefAW[min(d, 180-d)]
}

// edgeEdgeAW is the recipe's edge_edge_connect on a size×size layer:
// coef·F_edge − 0.1·max(0, coef)·F_surround, with coef from the table.
func edgeEdgeAW(size int, aIn, aOut float64) []float64 {
	coef := edgeEdgeAW1x1(aIn, aOut)
	f, surround := edgeAW(size, aOut)
	out := make([]float64, size*size)
	for i := range out {
		out[i] = coef*f[i] - 0.1*math.Max(0, coef)*surround[i]
	}
	return out
}
