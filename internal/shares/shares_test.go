package shares

import (
	"slices"
	"testing"
)

func TestPercents(t *testing.T) {
	for _, tc := range []struct {
		counts []int
		want   []int
	}{
		{[]int{1, 1, 1}, []int{34, 33, 33}},        // rounding alone would say 33+33+33 = 99
		{[]int{2, 2, 2}, []int{34, 33, 33}},        // ties go to the earlier count
		{[]int{1, 2, 0}, []int{33, 67, 0}},         // 33.3 + 66.7
		{[]int{5, 9, 4}, []int{28, 50, 22}},        // 27.8 + 50 + 22.2
		{[]int{1, 1, 2, 2}, []int{17, 17, 33, 33}}, // 16.7 16.7 33.3 33.3: 98 rounded down, two points by remainder
		{[]int{1, 999, 0}, []int{1, 99, 0}},        // 0.1% shows as 1%, 99.9% as 99%
		{[]int{1, 1, 998}, []int{1, 1, 98}},
		{[]int{0, 7, 0}, []int{0, 100, 0}},
		{[]int{0, 0, 0}, []int{0, 0, 0}},
		{[]int{}, []int{}},
	} {
		got := Percents(tc.counts...)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Percents(%v) = %v, want %v", tc.counts, got, tc.want)
		}
	}
}

// TestPercentsProperties checks every split of up to 60 commenters in
// three: the shares add up to 100, none is off its exact value by a whole
// point or more unless lifted from zero, and a count above zero never
// shows as 0%.
func TestPercentsProperties(t *testing.T) {
	for a := 0; a <= 60; a++ {
		for b := 0; a+b <= 60; b++ {
			for c := 0; a+b+c <= 60; c++ {
				total := a + b + c
				if total == 0 {
					continue
				}
				got := Percents(a, b, c)
				sum := 0
				for i, n := range []int{a, b, c} {
					sum += got[i]
					exact := 100 * float64(n) / float64(total)
					if n > 0 && got[i] == 0 {
						t.Errorf("Percents(%d,%d,%d) = %v: a count above zero shows 0%%", a, b, c, got)
					}
					if d := float64(got[i]) - exact; (d >= 1 || d <= -1) && !(n > 0 && exact < 1) {
						t.Errorf("Percents(%d,%d,%d) = %v: share %d is %.2f off its exact %.2f", a, b, c, got, i, d, exact)
					}
				}
				if sum != 100 {
					t.Errorf("Percents(%d,%d,%d) = %v adds up to %d", a, b, c, got, sum)
				}
			}
		}
	}
}

// TestBar moved here from render with the bar it checks.
func TestBar(t *testing.T) {
	for _, tc := range []struct {
		share float64
		cells int
		want  string
	}{
		{0, 4, "    "}, {1, 4, "████"}, {0.5, 4, "██  "}, {0.3125, 4, "█▎  "}, {0.001, 4, "▏   "}, {2, 2, "██"},
	} {
		if got := Bar(tc.share, tc.cells); got != tc.want {
			t.Errorf("Bar(%v, %d) = %q, want %q", tc.share, tc.cells, got, tc.want)
		}
	}
}

func TestCells(t *testing.T) {
	for _, tc := range []struct {
		n, total, cells int
		want            string
	}{
		{0, 10, 4, "░░░░"}, {10, 10, 4, "████"}, {5, 10, 4, "██░░"}, {1, 100, 10, "█░░░░░░░░░"}, {0, 0, 3, "░░░"}, {3, 2, 2, "██"},
	} {
		if got := Cells(tc.n, tc.total, tc.cells); got != tc.want {
			t.Errorf("Cells(%d, %d, %d) = %q, want %q", tc.n, tc.total, tc.cells, got, tc.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		share float64
		want  string
	}{
		{0, "0%"}, {0.004, "<1%"}, {0.5, "50%"}, {0.125, "13%"}, {0.995, ">99%"}, {1, "100%"},
	} {
		if got := Percent(tc.share); got != tc.want {
			t.Errorf("Percent(%v) = %q, want %q", tc.share, got, tc.want)
		}
	}
}
