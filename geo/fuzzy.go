package geo

// fuzzyTarget is a name a misspelling may be matched against: US states,
// Canadian provinces and countries, the names people spell out in full.
type fuzzyTarget struct {
	key  string
	kind kind
	idx  int32
}

// closeEnough reports whether typed is one plausible typo away from name:
// for names of 5 to 7 letters a letter doubled, dropped, added or swapped
// with its neighbour (not replaced: "Panams" is not "Panama"); from 8 letters
// any one edit; from 10 letters two. The first letter must agree.
func closeEnough(typed, name string) bool {
	n := len(name)
	if n < 5 || typed == name || len(typed) == 0 || typed[0] != name[0] {
		return false
	}
	d := len(typed) - n
	if d < -2 || d > 2 {
		return false
	}
	switch {
	case n >= 10:
		return osa(typed, name, 2) <= 2
	case n >= 8:
		return osa(typed, name, 1) <= 1
	}
	if d == 0 {
		// Same length: only a swap of neighbours.
		diff := -1
		for i := 0; i < n; i++ {
			if typed[i] != name[i] {
				diff = i
				break
			}
		}
		return diff >= 0 && diff+1 < n && typed[diff] == name[diff+1] && typed[diff+1] == name[diff] && typed[diff+2:] == name[diff+2:]
	}
	return osa(typed, name, 1) <= 1
}

// osa is the optimal string alignment distance between a and b, or limit+1
// once it exceeds limit.
func osa(a, b string, limit int) int {
	if len(a) > 64 || len(b) > 64 {
		return limit + 1
	}
	var rows [3][65]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
