package diag

import "sort"

// Suggest returns the candidate closest to name by edit distance, or "" when
// none is close enough to be a likely typo: one edit for names of three or
// four letters, two from five letters on, none for shorter names (any one
// letter is one edit from any other).
func Suggest(name string, candidates []string) string {
	limit := 0
	switch n := len([]rune(name)); {
	case n >= 5:
		limit = 2
	case n >= 3:
		limit = 1
	}
	if limit == 0 {
		return ""
	}
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted) // deterministic among ties
	best, bestD := "", limit+1
	for _, c := range sorted {
		if c == name {
			continue
		}
		if d := distance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance with adjacent transposition counted as one edit.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
