package verify

import (
	"math"

	"github.com/circc/circc/weights"
)

// pearson is the correlation of two equally long series (0 when either is
// constant).
func pearson(a, b []float64) float64 {
	if r := weights.Pearson(a, b); !math.IsNaN(r) {
		return r
	}
	return 0
}

// assign pairs each row with a distinct column, maximising the total score
// (rows ≤ columns): the Hungarian algorithm on the negated scores.
func assign(score [][]float64) []int {
	n := len(score)
	if n == 0 {
		return nil
	}
	m := len(score[0])
	const inf = math.MaxFloat64 / 4
	u := make([]float64, n+1)
	v := make([]float64, m+1)
	p := make([]int, m+1) // p[j]: row matched to column j (1-based), 0 none
	way := make([]int, m+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		minv := make([]float64, m+1)
		used := make([]bool, m+1)
		for j := range minv {
			minv[j] = inf
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], inf, 0
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				cur := -score[i0-1][j-1] - u[i0] - v[j]
				if cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= m; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	out := make([]int, n)
	for j := 1; j <= m; j++ {
		if p[j] > 0 {
			out[p[j]-1] = j - 1
		}
	}
	return out
}
