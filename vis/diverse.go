package vis

import "math"

// diversify sets seed to base less the gradient of each image's likeness
// to the others of its group (k consecutive images): the mean cosine
// between the Gram matrices of their target maps act (B×C×h×w). Each
// image's gradient is scaled to weight (the one-hot objective has norm
// 1) times its unit's response at the centre over the group's largest:
// an image that does not excite its unit yet is left to the objective.
func diversify(seed, base, act []float32, ts []int64, channels []int, centre int64, k int, weight float64) {
	C, P := int(ts[1]), int(ts[2]*ts[3])
	B := len(act) / (C * P)
	grams := make([][]float64, B)
	norms := make([]float64, B)
	parallel(B, func(b int) {
		a := act[b*C*P : (b+1)*C*P]
		g := make([]float64, C*C)
		for i := 0; i < C; i++ {
			ai := a[i*P : (i+1)*P]
			for j := 0; j <= i; j++ {
				aj := a[j*P : (j+1)*P]
				s := 0.0
				for p := range ai {
					s += float64(ai[p]) * float64(aj[p])
				}
				g[i*C+j], g[j*C+i] = s/float64(P), s/float64(P)
			}
		}
		n := 0.0
		for _, v := range g {
			n += v * v
		}
		grams[b], norms[b] = g, math.Sqrt(n)
	})
	copy(seed, base)
	resp := func(b int) float64 { return math.Max(0, float64(act[(b*C+channels[b])*P+int(centre)])) }
	parallel(B, func(b int) {
		g0 := (b / k) * k
		top := 0.0
		for j := g0; j < g0+k && j < B; j++ {
			top = math.Max(top, resp(j))
		}
		if k < 2 || norms[b] == 0 || top == 0 {
			return
		}
		// d = ∂(mean cosine)/∂G_b, symmetric.
		d := make([]float64, C*C)
		for j := g0; j < g0+k && j < B; j++ {
			if j == b || norms[j] == 0 {
				continue
			}
			dot := 0.0
			for i, v := range grams[b] {
				dot += v * grams[j][i]
			}
			cos := dot / (norms[b] * norms[j])
			for i := range d {
				d[i] += (grams[j][i]/(norms[b]*norms[j]) - cos*grams[b][i]/(norms[b]*norms[b])) / float64(k-1)
			}
		}
		// ∂/∂A_b = 2·d·A_b / P.
		a := act[b*C*P : (b+1)*C*P]
		grad := make([]float64, C*P)
		for i := 0; i < C; i++ {
			row := grad[i*P : (i+1)*P]
			for j := 0; j < C; j++ {
				w := 2 * d[i*C+j] / float64(P)
				if w == 0 {
					continue
				}
				for p, v := range a[j*P : (j+1)*P] {
					row[p] += w * float64(v)
				}
			}
		}
		n := 0.0
		for _, v := range grad {
			n += v * v
		}
		if n == 0 {
			return
		}
		scale := weight * resp(b) / top / math.Sqrt(n)
		s := seed[b*C*P : (b+1)*C*P]
		for i, v := range grad {
			s[i] -= float32(scale * v)
		}
	})
}
