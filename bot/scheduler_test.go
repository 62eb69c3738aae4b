package bot

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/store"
)

// The scheduler tests run the real service — robfig/cron, the SQLite store,
// digest.Analyze — inside a synctest bubble, whose clock advances only when
// every goroutine waits: days of schedule pass in milliseconds.

var day0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestDailySchedulePostsEachDaysNewComments(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(day0)
		h := newHarness(t, openStore(t, t.TempDir()))
		title, cs := exampleComments(t)
		src := &fakeSource{title: title}
		src.add(cs[:10]...)
		h.sources["thread.txt"] = src
		rec := &recorder{}
		h.dests["stdout"] = rec
		s := h.service("r1", Settings{PollInterval: 10 * time.Minute, SweepInterval: time.Hour},
			[]ThreadSpec{{Name: "huawei", Source: "thread.txt", Target: "Huawei"}},
			[]DigestSpec{{Name: "morning", Thread: "huawei", Schedule: mustSchedule(t, "CRON_TZ=Europe/Berlin 0 8 * * *"), To: []addr.Addr{mustAddr(t, "stdout")}, MinNew: 1, CatchUp: true}})
		stop := start(t, s)

		// Day 1 08:00 Berlin: the 10 comments read at start are new.
		sleepUntil(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		src.add(cs[10:15]...)
		sleepUntil(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
		src.add(cs[15:30]...)
		sleepUntil(time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC))
		stop()

		posts := rec.got()
		wantSlots := []string{"2026-03-02T07:00:00Z", "2026-03-03T07:00:00Z", "2026-03-04T07:00:00Z"}
		if got := rec.slots(); strings.Join(got, " ") != strings.Join(wantSlots, " ") {
			t.Fatalf("slots posted = %v, want %v\n%s", got, wantSlots, h.logs)
		}
		// The first digest covers the 10 comments read at start, the
		// second the 5 added on day 1, the third the 15 added on day 2.
		for i, want := range []struct{ newC, total int }{{10, 10}, {5, 15}, {15, 30}} {
			c := posts[i].Digest.Context
			if c == nil || c.NewComments != want.newC || c.TotalComments != want.total || posts[i].Digest.CommentCount != want.newC {
				t.Errorf("post %d context = %+v, comment_count %d; want %d new of %d", i, c, posts[i].Digest.CommentCount, want.newC, want.total)
			}
		}
		runs, err := h.store.Runs(t.Context(), "morning", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 3 {
			t.Fatalf("runs = %+v", runs)
		}
		for _, r := range runs {
			if r.State != store.RunPosted || r.Attempts != 1 || r.Holder != "r1" {
				t.Errorf("run %+v", r)
			}
		}
	})
}

func TestHourlyScheduleSkipsQuietHours(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(day0)
		h := newHarness(t, openStore(t, t.TempDir()))
		title, cs := exampleComments(t)
		src := &fakeSource{title: title}
		src.add(cs[:3]...)
		h.sources["t"] = src
		rec := &recorder{}
		h.dests["stdout"] = rec
		s := h.service("r1", Settings{PollInterval: 5 * time.Minute, SweepInterval: time.Hour},
			[]ThreadSpec{{Name: "huawei", Source: "t"}},
			[]DigestSpec{{Name: "hourly", Thread: "huawei", Schedule: mustSchedule(t, "0 * * * *"), To: []addr.Addr{mustAddr(t, "stdout")}, MinNew: 2, CatchUp: true}})
		stop := start(t, s)
		sleepUntil(day0.Add(90 * time.Minute)) // 13:00 posts the first 3
		src.add(cs[3:4]...)                    // 14:00: only 1 new, fewer than 2: skipped
		sleepUntil(day0.Add(150 * time.Minute))
		src.add(cs[4:6]...) // 15:00: 3 new (the skipped one stayed new)
		sleepUntil(day0.Add(210 * time.Minute))
		stop()

		if got := strings.Join(rec.slots(), " "); got != "2026-03-01T13:00:00Z 2026-03-01T15:00:00Z" {
			t.Fatalf("slots = %s\n%s", got, h.logs)
		}
		if n := rec.got()[1].Digest.Context.NewComments; n != 3 {
			t.Errorf("15:00 digest has %d new comments, want 3 (1 left new by the skipped slot + 2)", n)
		}
		runs, _ := h.store.Runs(t.Context(), "hourly", 0)
		if len(runs) != 3 || runs[1].State != store.RunPosted || !strings.HasPrefix(runs[1].Ref, SkippedRef) {
			t.Errorf("runs = %+v, want the 14:00 run recorded as skipped", runs)
		}
	})
}

func TestDaylightSavingTransitions(t *testing.T) {
	tests := []struct {
		name     string
		spec     string
		from, to time.Time
		want     []string
	}{
		{
			// 02:30 does not exist on 8 March in New York: the run happens
			// when the clocks jump to 03:00 EDT, not skipped for the day.
			name: "spring forward",
			spec: "CRON_TZ=America/New_York 30 2 * * *",
			from: time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC),
			to:   time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC),
			want: []string{"2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"},
		},
		{
			// 01:30 happens twice on 1 November: one run, at the first.
			name: "fall back",
			spec: "CRON_TZ=America/New_York 30 1 * * *",
			from: time.Date(2026, 10, 30, 12, 0, 0, 0, time.UTC),
			to:   time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC),
			want: []string{"2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sleepUntil(tt.from)
				h := newHarness(t, openStore(t, t.TempDir()))
				title, cs := exampleComments(t)
				h.sources["t"] = &fakeSource{title: title, comments: cs[:5]}
				rec := &recorder{}
				h.dests["stdout"] = rec
				s := h.service("r1", Settings{PollInterval: time.Hour, SweepInterval: time.Hour},
					[]ThreadSpec{{Name: "huawei", Source: "t"}},
					[]DigestSpec{{Name: "d", Thread: "huawei", Schedule: mustSchedule(t, tt.spec), To: []addr.Addr{mustAddr(t, "stdout")}, MinNew: 0, CatchUp: true}})
				stop := start(t, s)
				sleepUntil(tt.to)
				stop()
				if got := strings.Join(rec.slots(), " "); got != strings.Join(tt.want, " ") {
					t.Errorf("slots = %s, want %s", got, strings.Join(tt.want, " "))
				}
			})
		})
	}
}

// TestCatchUpAfterDowntime stops the service for three days: at restart it
// posts one digest, for the most recent missed slot, covering everything that
// arrived meanwhile — not one per missed slot. With catch_up off it posts
// nothing until the next slot.
func TestCatchUpAfterDowntime(t *testing.T) {
	for _, catchUp := range []bool{true, false} {
		t.Run(map[bool]string{true: "on", false: "off"}[catchUp], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sleepUntil(day0)
				dir := t.TempDir()
				h := newHarness(t, openStore(t, dir))
				title, cs := exampleComments(t)
				src := &fakeSource{title: title, comments: cs[:5]}
				h.sources["t"] = src
				rec := &recorder{}
				h.dests["stdout"] = rec
				threads := []ThreadSpec{{Name: "huawei", Source: "t"}}
				digests := []DigestSpec{{Name: "d", Thread: "huawei", Schedule: mustSchedule(t, "CRON_TZ=Europe/Berlin 0 8 * * *"), To: []addr.Addr{mustAddr(t, "stdout")}, MinNew: 1, CatchUp: catchUp}}
				set := Settings{PollInterval: time.Hour, SweepInterval: time.Hour}

				stop := start(t, h.service("r1", set, threads, digests))
				sleepUntil(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)) // posts 2 March
				stop()
				src.add(cs[5:25]...) // arrive while the service is down
				sleepUntil(time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC))
				stop = start(t, h.service("r2", set, threads, digests))
				sleepUntil(time.Date(2026, 3, 5, 13, 0, 0, 0, time.UTC))
				stop()

				want := "2026-03-02T07:00:00Z"
				if catchUp {
					want += " 2026-03-05T07:00:00Z"
				}
				if got := strings.Join(rec.slots(), " "); got != want {
					t.Fatalf("slots = %s, want %s\n%s", got, want, h.logs)
				}
				if catchUp {
					if n := rec.got()[1].Digest.Context.NewComments; n != 20 {
						t.Errorf("catch-up digest has %d new comments, want the 20 that arrived during the downtime", n)
					}
				}
			})
		})
	}
}

// TestTwoSchedulersOneStore runs two services — two processes started by
// mistake on one SQLite file — through a day of hourly slots: each slot is
// posted exactly once.
func TestTwoSchedulersOneStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(day0)
		dir := t.TempDir()
		title, cs := exampleComments(t)
		src := &fakeSource{title: title, comments: cs[:2]}
		rec := &recorder{}
		threads := []ThreadSpec{{Name: "huawei", Source: "t"}}
		digests := []DigestSpec{{Name: "d", Thread: "huawei", Schedule: mustSchedule(t, "0 * * * *"), To: []addr.Addr{mustAddr(t, "stdout")}, MinNew: 0, CatchUp: true}}
		var stops []func()
		for _, holder := range []string{"r1", "r2"} {
			h := newHarness(t, openStore(t, dir))
			h.sources["t"] = src
			h.dests["stdout"] = rec
			stops = append(stops, start(t, h.service(holder, Settings{PollInterval: 10 * time.Minute}, threads, digests)))
		}
		for i := range 24 {
			sleepUntil(day0.Add(time.Duration(i)*time.Hour + 30*time.Minute))
			src.add(cs[2+i])
		}
		sleepUntil(day0.Add(24*time.Hour + time.Minute)) // the 24th slot, 12:00
		for _, stop := range stops {
			stop()
		}
		slots := rec.slots()
		seen := map[string]int{}
		for _, s := range slots {
			seen[s]++
		}
		if len(seen) != 24 || len(slots) != 24 {
			t.Fatalf("%d posts for %d slots, want 24 and 24: %v", len(slots), len(seen), slots)
		}
		// No comment lost or repeated: the new comments of all posts add up
		// to the thread.
		total := 0
		for _, p := range rec.got() {
			total += p.Digest.Context.NewComments
		}
		if total != 26 {
			t.Errorf("posts cover %d comments, want 26", total)
		}
		if src.maxActive > 1 {
			t.Errorf("the source was polled by both services at once")
		}
	})
}
