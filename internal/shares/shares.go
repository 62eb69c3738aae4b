// Package shares turns counts into the percentages and bars every rendering
// shows (text, Markdown, Slack, Discord, the chart), so that they agree: a
// share the same percentage everywhere, the shares of a split — favor,
// against, none — adding up to 100 as shown, a share above zero never
// drawn or written as nothing.
package shares

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Of returns n/total, 0 when total is 0.
func Of(n, total int) float64 {
	if total <= 0 {
		return 0
	}
	return float64(n) / float64(total)
}

// Percent writes a share in [0, 1] as a whole percentage: "<1%" for a share
// above zero that would round to 0, ">99%" for one short of the whole that
// would round to 100.
func Percent(share float64) string {
	switch {
	case share <= 0 || math.IsNaN(share):
		return "0%"
	case share < 0.01:
		return "<1%"
	case share > 0.99 && share < 1:
		return ">99%"
	case share >= 1:
		return "100%"
	}
	return fmt.Sprintf("%d%%", int(math.Round(100*share)))
}

// Bar draws a share (0..1) as block characters in cells columns, to an
// eighth of a cell, padded with spaces to exactly cells columns: for a
// terminal or a code span. A share above zero always shows a sliver.
func Bar(share float64, cells int) string {
	// The partial blocks give a bar its last fraction of a cell.
	eighths := [...]string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}
	if math.IsNaN(share) || share < 0 {
		share = 0
	}
	if share > 1 {
		share = 1
	}
	n := int(math.Round(share * float64(cells*8)))
	if n == 0 && share > 0 {
		n = 1
	}
	s := strings.Repeat("█", n/8) + eighths[n%8]
	used := n / 8
	if n%8 != 0 {
		used++
	}
	return s + strings.Repeat(" ", cells-used)
}

// Cells draws n/total as cells whole cells, filled (█) and empty (░), for
// chat messages, whose fonts draw partial blocks unevenly. A share above
// zero fills at least one cell.
func Cells(n, total, cells int) string {
	full := 0
	if total > 0 {
		full = int(math.Round(float64(cells) * float64(n) / float64(total)))
	}
	if n > 0 && full == 0 {
		full = 1
	}
	full = min(max(full, 0), cells)
	return strings.Repeat("█", full) + strings.Repeat("░", cells-full)
}

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
