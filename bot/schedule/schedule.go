// Package schedule reads the cron specs of digests ("CRON_TZ=Europe/Berlin 0 8
// * * *", "@every 2s") and lists their slots: the instants a digest is due.
//
// Specs are parsed by robfig/cron/v3's standard parser, so they mean what its
// documentation says, with two differences that make slots safe to key runs
// by:
//
//   - Daylight saving time follows Vixie cron. A wall-clock time that does not
//     exist on a spring-forward day (02:30 in New York) runs once at the
//     moment the clocks jump (03:00 EDT) instead of being skipped for the
//     day; several such times collapse into that one slot. A wall-clock time
//     that happens twice on a fall-back day (01:30) runs only at its first
//     occurrence. A daily digest therefore runs exactly once every day.
//   - "@every D" runs on a grid fixed in absolute time (multiples of D since
//     Go's zero time) rather than D after the process started, so several
//     replicas agree on the slots.
//
// A Schedule satisfies cron.Schedule, so robfig's scheduler triggers it.
package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // zones must resolve in minimal containers too

	"github.com/robfig/cron/v3"
)

// Schedule is a parsed spec. The zero value is not valid; use Parse.
type Schedule struct {
	spec string
	loc  *time.Location
	// body is spec without its CRON_TZ=; zoned says the spec named its
	// zone, which In then keeps.
	body  string
	zoned bool
	// wall is the spec evaluated on wall-clock times written as UTC, so that
	// DST transitions never reach robfig's arithmetic; nil for @every.
	wall  *cron.SpecSchedule
	every time.Duration
}

// Parse reads spec. A spec without CRON_TZ= (or TZ=) is read in defaultZone
// (nil means UTC). It never panics, unlike cron.ParseStandard on a bare
// "CRON_TZ=UTC".
func Parse(spec string, defaultZone *time.Location) (*Schedule, error) {
	if defaultZone == nil {
		defaultZone = time.UTC
	}
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, errors.New("empty schedule: expected a cron spec such as \"CRON_TZ=Europe/Berlin 0 8 * * *\" or \"@every 1h\"")
	}
	loc := defaultZone
	body := spec
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		eq := strings.IndexByte(spec, '=')
		sp := strings.IndexAny(spec, " \t")
		if sp < 0 {
			return nil, fmt.Errorf("%q names a time zone but no schedule after it: expected e.g. \"%s 0 8 * * *\"", spec, spec)
		}
		zone := spec[eq+1 : sp]
		var err error
		if loc, err = time.LoadLocation(zone); err != nil {
			return nil, fmt.Errorf("unknown time zone %q in %q: expected an IANA name such as Europe/Berlin", zone, spec)
		}
		body = strings.TrimSpace(spec[sp:])
	}
	if d, ok := strings.CutPrefix(body, "@every "); ok {
		// robfig silently rounds sub-second and fractional intervals.
		if iv, err := time.ParseDuration(strings.TrimSpace(d)); err == nil && (iv < time.Second || iv%time.Second != 0) {
			return nil, fmt.Errorf("%q: the interval must be a whole number of seconds, at least 1s", body)
		}
	}
	parsed, err := cron.ParseStandard(body)
	if err != nil {
		return nil, fmt.Errorf("invalid cron spec %q: %v (expected five fields \"minute hour day-of-month month day-of-week\" or a descriptor such as @daily, @every 1h)", body, err)
	}
	s := &Schedule{spec: spec, loc: loc, body: body, zoned: body != spec}
	switch p := parsed.(type) {
	case *cron.SpecSchedule:
		w := *p
		w.Location = time.UTC
		s.wall = &w
		// A spec matching no date (30 February) would make Next search for
		// five years and give up; say so now.
		if s.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
			return nil, fmt.Errorf("cron spec %q never fires", body)
		}
	case cron.ConstantDelaySchedule:
		s.every = p.Delay
	default:
		return nil, fmt.Errorf("cron spec %q: unsupported schedule type %T", body, parsed)
	}
	return s, nil
}

// String returns the spec as written.
func (s *Schedule) String() string { return s.spec }

// In returns the schedule read in loc, written with CRON_TZ= so that its
// String parses back to the same slots; a spec that names its own zone keeps
// it. A follow's default schedule ("0 9 * * *") is parsed once from the
// configuration and read in each channel's zone this way.
func (s *Schedule) In(loc *time.Location) *Schedule {
	if s.zoned || loc == nil {
		return s
	}
	c := *s
	c.loc = loc
	c.spec = "CRON_TZ=" + loc.String() + " " + s.body
	c.zoned = true
	return &c
}

// Location is the zone the spec is read in.
func (s *Schedule) Location() *time.Location { return s.loc }

// Every returns the interval of an "@every" spec, 0 for calendar specs.
func (s *Schedule) Every() time.Duration { return s.every }

// Next returns the first slot strictly after t, in UTC; the zero time when
// there is none within five years.
func (s *Schedule) Next(t time.Time) time.Time {
	if s.every > 0 {
		return t.Truncate(s.every).Add(s.every).UTC()
	}
	w := toWall(t, s.loc)
	// Each turn moves w forward, and a turn only repeats when a wall-clock
	// slot maps to an instant not after t (the repeated hour of a fall-back
	// day), so the loop ends within a few turns.
	for range 1 << 16 {
		nw := s.wall.Next(w)
		if nw.IsZero() {
			return time.Time{}
		}
		if r := fromWall(nw, s.loc); r.After(t) {
			return r.UTC()
		}
		w = nw
	}
	return time.Time{}
}

// Prev returns the latest slot at or before t, in UTC; the zero time when
// there is none within about five years.
func (s *Schedule) Prev(t time.Time) time.Time {
	if s.every > 0 {
		return t.Truncate(s.every).UTC()
	}
	for _, back := range []time.Duration{time.Hour, 25 * time.Hour, 8 * 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour, 5 * 366 * 24 * time.Hour} {
		var last time.Time
		// Start one second earlier so that a slot exactly at t-back counts.
		for n, c := 0, s.Next(t.Add(-back-time.Second)); !c.IsZero() && !c.After(t); c = s.Next(c) {
			last = c
			if n++; n > 1<<20 {
				break
			}
		}
		if !last.IsZero() {
			return last
		}
	}
	return time.Time{}
}

// toWall returns t's wall clock in loc written as a UTC time.
func toWall(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// fromWall returns the instant at which loc's clocks show the wall-clock time
// w: the first such instant when the clocks show it twice, and the moment the
// clocks jumped when they skip it.
func fromWall(w time.Time, loc *time.Location) time.Time {
	r := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
	if toWall(r, loc).Equal(w) {
		// Shifts are at most two hours anywhere; look back for an earlier
		// instant showing the same time.
		for _, d := range []time.Duration{2 * time.Hour, time.Hour, 30 * time.Minute} {
			if e := r.Add(-d); toWall(e, loc).Equal(w) {
				return e
			}
		}
		return r
	}
	start, end := r.ZoneBounds()
	if toWall(r, loc).Before(w) {
		return end
	}
	return start
}
