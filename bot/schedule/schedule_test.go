package schedule

import (
	"strings"
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// slots lists n slots after from, as RFC 3339 in the schedule's zone.
func slots(s *Schedule, from time.Time, n int) []string {
	var out []string
	for t := from; len(out) < n; {
		t = s.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t.In(s.Location()).Format(time.RFC3339))
	}
	return out
}

func TestNext(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		name string
		spec string
		zone *time.Location
		from time.Time
		want []string
	}{
		{
			name: "daily in Berlin",
			spec: "CRON_TZ=Europe/Berlin 0 8 * * *",
			from: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
			want: []string{"2026-03-02T08:00:00+01:00", "2026-03-03T08:00:00+01:00"},
		},
		{
			name: "daily across Berlin's spring forward keeps 08:00 local",
			spec: "CRON_TZ=Europe/Berlin 0 8 * * *",
			from: time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC),
			want: []string{"2026-03-29T08:00:00+02:00", "2026-03-30T08:00:00+02:00"},
		},
		{
			name: "hourly",
			spec: "CRON_TZ=UTC 0 * * * *",
			from: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
			want: []string{"2026-03-01T13:00:00Z", "2026-03-01T14:00:00Z", "2026-03-01T15:00:00Z"},
		},
		{
			name: "02:30 on New York's spring-forward day runs when the clocks jump",
			spec: "CRON_TZ=America/New_York 30 2 * * *",
			from: time.Date(2026, 3, 6, 12, 0, 0, 0, ny),
			want: []string{"2026-03-07T02:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"},
		},
		{
			name: "01:30 on New York's fall-back day runs once",
			spec: "CRON_TZ=America/New_York 30 1 * * *",
			from: time.Date(2026, 10, 30, 12, 0, 0, 0, ny),
			want: []string{"2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"},
		},
		{
			name: "hourly through the repeated hour runs once per wall-clock hour",
			spec: "CRON_TZ=America/New_York 0 * * * *",
			from: time.Date(2026, 11, 1, 0, 30, 0, 0, ny),
			want: []string{"2026-11-01T01:00:00-04:00", "2026-11-01T02:00:00-05:00", "2026-11-01T03:00:00-05:00"},
		},
		{
			name: "every 15 minutes through the skipped hour collapses into the jump",
			spec: "CRON_TZ=America/New_York */15 * * * *",
			from: time.Date(2026, 3, 8, 1, 40, 0, 0, ny),
			want: []string{"2026-03-08T01:45:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:15:00-04:00"},
		},
		{
			name: "zone-less spec is read in the default zone",
			spec: "0 9 * * *",
			zone: ny,
			from: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			want: []string{"2026-01-01T09:00:00-05:00", "2026-01-02T09:00:00-05:00"},
		},
		{
			name: "@every is a grid replicas agree on",
			spec: "@every 2s",
			from: time.Date(2026, 1, 1, 0, 0, 1, 300, time.UTC),
			want: []string{"2026-01-01T00:00:02Z", "2026-01-01T00:00:04Z"},
		},
		{
			name: "@daily with a zone",
			spec: "CRON_TZ=Asia/Tokyo @daily",
			from: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			want: []string{"2026-01-02T00:00:00+09:00", "2026-01-03T00:00:00+09:00"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.spec, tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			got := slots(s, tt.from, len(tt.want))
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("slots after %s:\n got %v\nwant %v", tt.from, got, tt.want)
			}
		})
	}
}

func TestPrev(t *testing.T) {
	tests := []struct {
		spec string
		at   time.Time
		want time.Time
	}{
		{"CRON_TZ=UTC 0 8 * * *", time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)},
		{"CRON_TZ=UTC 0 8 * * *", time.Date(2026, 3, 2, 7, 59, 59, 0, time.UTC), time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)},
		{"CRON_TZ=UTC 0 8 * * 1", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)},
		{"CRON_TZ=UTC 0 8 1 1 *", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)},
		{"CRON_TZ=America/New_York 30 2 * * *", time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)},
		{"@every 2s", time.Date(2026, 1, 1, 0, 0, 3, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC)},
	}
	for _, tt := range tests {
		s, err := Parse(tt.spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Prev(tt.at); !got.Equal(tt.want) {
			t.Errorf("%q Prev(%s) = %s, want %s", tt.spec, tt.at, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", "empty schedule"},
		{"CRON_TZ=UTC", "no schedule after it"},
		{"TZ=Europe/Berlin", "no schedule after it"},
		{"CRON_TZ=Mars/Base 0 8 * * *", `unknown time zone "Mars/Base"`},
		{"0 8 * *", "invalid cron spec"},
		{"61 8 * * *", "invalid cron spec"},
		{"@fortnightly", "invalid cron spec"},
		{"@every 500ms", "at least 1s"},
		{"0 0 30 2 *", "never fires"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.spec, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tt.spec, err, tt.want)
		}
	}
}

// TestIn reads a spec parsed once in each channel's zone, as follows do
// with the configured default: the slots move with the zone, the text
// parses back to the same slots, and a spec naming its own zone keeps it.
func TestIn(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	chicago, _ := time.LoadLocation("America/Chicago")
	at := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)

	daily, err := Parse("0 9 * * *", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	in := daily.In(chicago)
	if got, want := in.Next(at), time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("In(Chicago).Next = %v, want %v", got, want)
	}
	if got := in.String(); got != "CRON_TZ=America/Chicago 0 9 * * *" {
		t.Errorf("In(Chicago).String = %q", got)
	}
	back, err := Parse(in.String(), berlin)
	if err != nil || !back.Next(at).Equal(in.Next(at)) || back.Location().String() != in.Location().String() {
		t.Errorf("Parse(%q) = %v, %v: want the same slots and zone", in.String(), back, err)
	}
	if got := daily.Next(at); !got.Equal(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("In changed the original: Next = %v", got)
	}

	zoned, err := Parse("CRON_TZ=Europe/Berlin 0 9 * * *", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if got := zoned.In(chicago); got.Location() != zoned.Location() || got.String() != zoned.String() {
		t.Errorf("In(Chicago) of a spec naming Berlin = %q in %v, want it unchanged", got.String(), got.Location())
	}
}
