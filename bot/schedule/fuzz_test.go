package schedule

import (
	"testing"
	"time"
)

// FuzzParse reads any schedule a user gives /thread follow: no panic (the
// cron library panics on some specs), and a parsed schedule's slots move
// forward and come back in time.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0 9 * * *", "CRON_TZ=Europe/Berlin 0 8 * * *", "TZ=America/New_York 30 2 * * *", "@every 30m",
		"@daily", "@every 1.5s", "CRON_TZ=UTC", "TZ=", "CRON_TZ=Nowhere/City 0 0 * * *", "0 0 30 2 *", "*/0 * * * *",
		"60 * * * *", "@every -1s", "@every 87600h", "0 0 * * 7", "0-59/61 * * * *", "TZ=UTC\t@hourly", "\xff"} {
		f.Add(s)
	}
	from := time.Date(2026, 3, 8, 6, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := Parse(spec, time.UTC)
		if err != nil {
			if s != nil {
				t.Fatalf("Parse(%q) returned a schedule and an error", spec)
			}
			return
		}
		start := time.Now()
		t1 := s.Next(from)
		if t1.IsZero() {
			return
		}
		if !t1.After(from) {
			t.Fatalf("%q: Next(%v) = %v, not after", spec, from, t1)
		}
		if t2 := s.Next(t1); !t2.IsZero() && !t2.After(t1) {
			t.Fatalf("%q: Next(%v) = %v, not after", spec, t1, t2)
		}
		if p := s.Prev(t1); !p.Equal(t1) {
			t.Fatalf("%q: Prev(Next) = %v, want %v", spec, p, t1)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("%q: three slots took %v", spec, d)
		}
	})
}
