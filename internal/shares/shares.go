// Package shares turns counts into the whole percentages every rendering
// shows (text, Markdown, Slack, Discord, the chart), so that they agree and
// the shares of a split — favor, against, none — add up to 100 as shown.
package shares

import "sort"

// FewCommenters is the size below which a region's shares rest on too few
// people to generalise from; every rendering marks such regions.
const FewCommenters = 5

// Few reports whether a region of n commenters is too small to generalise
// from.
func Few(n int) bool { return n < FewCommenters }

// FewNote is the note every rendering gives under a split with small
// regions, after its marker.
const FewNote = "fewer than 5 commenters: too few to generalise from"

// Percents splits counts into whole percentages that add up to exactly 100
// (all zero when the counts add up to zero), by largest remainder: each
// share is rounded down, and the points left go to the largest remainders
// (ties to the earlier count). A count above zero never shows as 0%, so a
// count short of the total never shows as 100%: such a count is lifted to
// 1%, and the point taken from the largest share.
func Percents(counts ...int) []int {
	out := make([]int, len(counts))
	total := 0
	for _, c := range counts {
		if c > 0 {
			total += c
		}
	}
	if total == 0 {
		return out
	}
	rem := make([]int, len(counts))
	left := 100
	for i, c := range counts {
		if c <= 0 {
			continue
		}
		out[i] = 100 * c / total
		rem[i] = 100 * c % total
		left -= out[i]
	}
	order := make([]int, len(counts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]] > rem[order[b]] })
	for _, i := range order {
		if left == 0 {
			break
		}
		if rem[i] > 0 {
			out[i]++
			left--
		}
	}
	// Lift counts rounded to nothing, taking from the largest share.
	for i, c := range counts {
		if c > 0 && out[i] == 0 {
			big := 0
			for j := range out {
				if out[j] > out[big] {
					big = j
				}
			}
			out[big]--
			out[i] = 1
		}
	}
	return out
}
