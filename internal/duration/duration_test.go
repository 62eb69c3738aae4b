package duration

import (
	"strings"
	"testing"
	"time"
)

func TestText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		out  string
	}{
		{"30s", 30 * time.Second, "30s"},
		{"1h30m", 90 * time.Minute, "1h30m0s"},
		{"30d", 30 * 24 * time.Hour, "30d"},
		{"48h", 48 * time.Hour, "2d"},
		{"0", 0, "0s"},
	} {
		var d Duration
		if err := d.UnmarshalText([]byte(tc.in)); err != nil || d.D() != tc.want {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", tc.in, d.D(), err, tc.want)
			continue
		}
		if out, _ := d.MarshalText(); string(out) != tc.out {
			t.Errorf("MarshalText(%v) = %q, want %q", tc.want, out, tc.out)
		}
	}
	for _, bad := range []string{"", "30", "d", "1.5d", "999999d", "soon"} {
		var d Duration
		err := d.UnmarshalText([]byte(bad))
		if err == nil || !strings.Contains(err.Error(), "expected e.g.") {
			t.Errorf("UnmarshalText(%q) = %v, want an error saying what is expected", bad, err)
		}
	}
}
