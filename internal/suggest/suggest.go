// Package suggest finds the likely intended word for a typo: the "did you
// mean" of configuration keys, dataset names and plot options.
package suggest

import "strings"

// Distance is the Levenshtein edit distance between a and b (bytes).
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns the candidate nearest to word (case-insensitively), or ""
// when none is close enough to be a plausible typo: at most a third of the
// word's length away (and at least 2 edits allowed), or a prefix of three or
// more letters.
func Closest(word string, candidates []string) string {
	w := strings.ToLower(word)
	best, bestD := "", len(w)+len(candidates)+100
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := Distance(w, lc)
		if len(w) >= 3 && (strings.HasPrefix(lc, w) || strings.HasPrefix(w, lc)) {
			d = min(d, 2)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(2, len(w)/3) {
		return ""
	}
	return best
}
