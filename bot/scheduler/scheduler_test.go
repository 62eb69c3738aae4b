package scheduler_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/bot/digests"
	"github.com/threaddigest/threaddigest/bot/internal/bottest"
	"github.com/threaddigest/threaddigest/bot/scheduler"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/source"
	"github.com/threaddigest/threaddigest/store"
)

// The scheduler tests run the real service — robfig/cron, the SQLite store,
// digest.Analyze — inside a synctest bubble, whose clock advances only when
// every goroutine waits: days of schedule pass in milliseconds.

var day0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// req is a Slack command typed in channel.
var req = bottest.Req

func TestDailySchedulePostsEachDaysNewComments(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bottest.SleepUntil(day0)
		h := bottest.New(t, bottest.OpenStore(t, t.TempDir()))
		title, cs := bottest.ExampleComments(t)
		src := &bottest.FakeSource{Title: title}
		src.Add(cs[:10]...)
		h.Sources["thread.txt"] = src
		rec := &bottest.Recorder{}
		h.Dests["stdout"] = rec
		s := h.Service("r1", scheduler.Settings{PollInterval: 10 * time.Minute, SweepInterval: time.Hour},
			[]scheduler.ThreadSpec{{Name: "huawei", Source: "thread.txt", Target: "Huawei"}},
			[]scheduler.DigestSpec{{Name: "morning", Thread: "huawei", Schedule: bottest.Schedule(t, "CRON_TZ=Europe/Berlin 0 8 * * *"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 1, CatchUp: true}})
		stop := bottest.Start(t, s)

		// Day 1 08:00 Berlin: the 10 comments read at start are new.
		bottest.SleepUntil(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		src.Add(cs[10:15]...)
		bottest.SleepUntil(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
		src.Add(cs[15:30]...)
		bottest.SleepUntil(time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC))
		stop()

		posts := rec.Got()
		wantSlots := []string{"2026-03-02T07:00:00Z", "2026-03-03T07:00:00Z", "2026-03-04T07:00:00Z"}
		if got := rec.Slots(); strings.Join(got, " ") != strings.Join(wantSlots, " ") {
			t.Fatalf("slots posted = %v, want %v\n%s", got, wantSlots, h.Logs)
		}
		// The first digest covers the 10 comments read at start, the
		// second the 5 added on day 1, the third the 15 added on day 2.
		for i, want := range []struct{ newC, total int }{{10, 10}, {5, 15}, {15, 30}} {
			c := posts[i].Digest.Context
			if c == nil || c.NewComments != want.newC || c.TotalComments != want.total || posts[i].Digest.CommentCount != want.newC {
				t.Errorf("post %d context = %+v, comment_count %d; want %d new of %d", i, c, posts[i].Digest.CommentCount, want.newC, want.total)
			}
		}
		runs, err := h.Store.Runs(t.Context(), "morning", 0)
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
		bottest.SleepUntil(day0)
		h := bottest.New(t, bottest.OpenStore(t, t.TempDir()))
		title, cs := bottest.ExampleComments(t)
		src := &bottest.FakeSource{Title: title}
		src.Add(cs[:3]...)
		h.Sources["t"] = src
		rec := &bottest.Recorder{}
		h.Dests["stdout"] = rec
		s := h.Service("r1", scheduler.Settings{PollInterval: 5 * time.Minute, SweepInterval: time.Hour},
			[]scheduler.ThreadSpec{{Name: "huawei", Source: "t"}},
			[]scheduler.DigestSpec{{Name: "hourly", Thread: "huawei", Schedule: bottest.Schedule(t, "0 * * * *"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 2, CatchUp: true}})
		stop := bottest.Start(t, s)
		bottest.SleepUntil(day0.Add(90 * time.Minute)) // 13:00 posts the first 3
		src.Add(cs[3:4]...)                            // 14:00: only 1 new, fewer than 2: skipped
		bottest.SleepUntil(day0.Add(150 * time.Minute))
		src.Add(cs[4:6]...) // 15:00: 3 new (the skipped one stayed new)
		bottest.SleepUntil(day0.Add(210 * time.Minute))
		stop()

		if got := strings.Join(rec.Slots(), " "); got != "2026-03-01T13:00:00Z 2026-03-01T15:00:00Z" {
			t.Fatalf("slots = %s\n%s", got, h.Logs)
		}
		if n := rec.Got()[1].Digest.Context.NewComments; n != 3 {
			t.Errorf("15:00 digest has %d new comments, want 3 (1 left new by the skipped slot + 2)", n)
		}
		runs, _ := h.Store.Runs(t.Context(), "hourly", 0)
		if len(runs) != 3 || runs[1].State != store.RunPosted || !strings.HasPrefix(runs[1].Ref, store.SkippedRef) {
			t.Errorf("runs = %+v, want the 14:00 run recorded as skipped", runs)
		}
	})
}

// TestSkippedSlotsSaidOnce checks that a quiet thread on an hourly
// schedule says "slot skipped" once at info level until its digest posts
// again, each further skip only at debug level.
func TestSkippedSlotsSaidOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bottest.SleepUntil(day0)
		h := bottest.New(t, bottest.OpenStore(t, t.TempDir()))
		title, cs := bottest.ExampleComments(t)
		src := &bottest.FakeSource{Title: title}
		src.Add(cs[:3]...)
		h.Sources["t"] = src
		rec := &bottest.Recorder{}
		h.Dests["stdout"] = rec
		s := h.Service("r1", scheduler.Settings{PollInterval: 5 * time.Minute, SweepInterval: time.Hour},
			[]scheduler.ThreadSpec{{Name: "huawei", Source: "t"}},
			[]scheduler.DigestSpec{{Name: "hourly", Thread: "huawei", Schedule: bottest.Schedule(t, "0 * * * *"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 1, CatchUp: true}})
		stop := bottest.Start(t, s)
		bottest.SleepUntil(day0.Add(270 * time.Minute)) // 13:00 posts; 14:00, 15:00, 16:00 skip
		src.Add(cs[3:5]...)
		bottest.SleepUntil(day0.Add(390 * time.Minute)) // 17:00 posts; 18:00 skips
		stop()

		if got := strings.Join(rec.Slots(), " "); got != "2026-03-01T13:00:00Z 2026-03-01T17:00:00Z" {
			t.Fatalf("slots = %s\n%s", got, h.Logs)
		}
		info, debug := 0, 0
		for _, line := range strings.Split(h.Logs.String(), "\n") {
			if strings.Contains(line, "slot skipped") {
				switch {
				case strings.Contains(line, "level=INFO"):
					info++
				case strings.Contains(line, "level=DEBUG"):
					debug++
				}
			}
		}
		if info != 2 || debug != 2 {
			t.Errorf("skips logged %d times at info and %d at debug, want 2 (the first after each post) and 2:\n%s", info, debug, h.Logs)
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
				bottest.SleepUntil(tt.from)
				h := bottest.New(t, bottest.OpenStore(t, t.TempDir()))
				title, cs := bottest.ExampleComments(t)
				h.Sources["t"] = &bottest.FakeSource{Title: title, Comments: cs[:5]}
				rec := &bottest.Recorder{}
				h.Dests["stdout"] = rec
				s := h.Service("r1", scheduler.Settings{PollInterval: time.Hour, SweepInterval: time.Hour},
					[]scheduler.ThreadSpec{{Name: "huawei", Source: "t"}},
					[]scheduler.DigestSpec{{Name: "d", Thread: "huawei", Schedule: bottest.Schedule(t, tt.spec), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 0, CatchUp: true}})
				stop := bottest.Start(t, s)
				bottest.SleepUntil(tt.to)
				stop()
				if got := strings.Join(rec.Slots(), " "); got != strings.Join(tt.want, " ") {
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
				bottest.SleepUntil(day0)
				dir := t.TempDir()
				h := bottest.New(t, bottest.OpenStore(t, dir))
				title, cs := bottest.ExampleComments(t)
				src := &bottest.FakeSource{Title: title, Comments: cs[:5]}
				h.Sources["t"] = src
				rec := &bottest.Recorder{}
				h.Dests["stdout"] = rec
				threads := []scheduler.ThreadSpec{{Name: "huawei", Source: "t"}}
				digests := []scheduler.DigestSpec{{Name: "d", Thread: "huawei", Schedule: bottest.Schedule(t, "CRON_TZ=Europe/Berlin 0 8 * * *"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 1, CatchUp: catchUp}}
				set := scheduler.Settings{PollInterval: time.Hour, SweepInterval: time.Hour}

				stop := bottest.Start(t, h.Service("r1", set, threads, digests))
				bottest.SleepUntil(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)) // posts 2 March
				stop()
				src.Add(cs[5:25]...) // arrive while the service is down
				bottest.SleepUntil(time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC))
				stop = bottest.Start(t, h.Service("r2", set, threads, digests))
				bottest.SleepUntil(time.Date(2026, 3, 5, 13, 0, 0, 0, time.UTC))
				stop()

				want := "2026-03-02T07:00:00Z"
				if catchUp {
					want += " 2026-03-05T07:00:00Z"
				}
				if got := strings.Join(rec.Slots(), " "); got != want {
					t.Fatalf("slots = %s, want %s\n%s", got, want, h.Logs)
				}
				if catchUp {
					if n := rec.Got()[1].Digest.Context.NewComments; n != 20 {
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
		bottest.SleepUntil(day0)
		dir := t.TempDir()
		title, cs := bottest.ExampleComments(t)
		src := &bottest.FakeSource{Title: title, Comments: cs[:2]}
		rec := &bottest.Recorder{}
		threads := []scheduler.ThreadSpec{{Name: "huawei", Source: "t"}}
		digests := []scheduler.DigestSpec{{Name: "d", Thread: "huawei", Schedule: bottest.Schedule(t, "0 * * * *"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 0, CatchUp: true}}
		var stops []func()
		for _, holder := range []string{"r1", "r2"} {
			h := bottest.New(t, bottest.OpenStore(t, dir))
			h.Sources["t"] = src
			h.Dests["stdout"] = rec
			stops = append(stops, bottest.Start(t, h.Service(holder, scheduler.Settings{PollInterval: 10 * time.Minute}, threads, digests)))
		}
		for i := range 24 {
			bottest.SleepUntil(day0.Add(time.Duration(i)*time.Hour + 30*time.Minute))
			src.Add(cs[2+i])
		}
		bottest.SleepUntil(day0.Add(24*time.Hour + time.Minute)) // the 24th slot, 12:00
		for _, stop := range stops {
			stop()
		}
		slots := rec.Slots()
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
		for _, p := range rec.Got() {
			total += p.Digest.Context.NewComments
		}
		if total != 26 {
			t.Errorf("posts cover %d comments, want 26", total)
		}
		if src.MaxActive() > 1 {
			t.Errorf("the source was polled by both services at once")
		}
	})
}

// TestOutageFoldsIntoOneCatchUp is issue 12's outage: a digest every
// minute, a run timeout of three minutes, a receiver down for five and a
// half minutes while comments keep arriving. Later slots must not start
// beside the one still retrying (each would compute its "new comments" from
// the same last post): one run is in flight at a time, the slots missed
// meanwhile fold into one catch-up run, and when the receiver is back one
// digest arrives covering every comment exactly once.
func TestOutageFoldsIntoOneCatchUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bottest.SleepUntil(day0.Add(-30 * time.Second))
		h := bottest.New(t, bottest.OpenStore(t, t.TempDir()))
		title, cs := bottest.ExampleComments(t)
		src := &bottest.FakeSource{Title: title}
		src.Add(cs[:10]...)
		h.Sources["t"] = src
		recoverAt := day0.Add(5*time.Minute + 30*time.Second)
		var mu sync.Mutex
		active, maxActive, attempts := 0, 0, 0
		rec := &bottest.Recorder{OnDeliver: func(ctx context.Context, n int, p bot.Post) (string, error) {
			mu.Lock()
			active++
			maxActive = max(maxActive, active)
			attempts++
			mu.Unlock()
			defer func() { mu.Lock(); active--; mu.Unlock() }()
			time.Sleep(200 * time.Millisecond) // a post takes a moment
			if time.Now().Before(recoverAt) {
				return "", errors.New("HTTP 503: service unavailable")
			}
			return "ok", nil
		}}
		h.Dests["stdout"] = rec
		s := h.Service("r1", scheduler.Settings{Lease: 30 * time.Second, SweepInterval: 15 * time.Second, PollInterval: 20 * time.Second, RunTimeout: 3 * time.Minute},
			[]scheduler.ThreadSpec{{Name: "huawei", Source: "t"}},
			[]scheduler.DigestSpec{{Name: "d", Thread: "huawei", Schedule: bottest.Schedule(t, "@every 1m"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 1, CatchUp: true}})
		stop := bottest.Start(t, s)
		// Comments arrive during the outage, every minute.
		for i, at := range []time.Duration{30 * time.Second, 90 * time.Second, 150 * time.Second} {
			bottest.SleepUntil(day0.Add(at))
			src.Add(cs[10+i])
		}
		bottest.SleepUntil(day0.Add(12 * time.Minute))
		stop()

		posts := rec.Got()
		if len(posts) != 1 {
			t.Fatalf("%d digests arrived after the outage (slots %v), want one catch-up\n%s", len(posts), rec.Slots(), h.Logs)
		}
		c := posts[0].Digest.Context
		if c == nil || c.NewComments != 13 || c.TotalComments != 13 || posts[0].Digest.CommentCount != 13 {
			t.Errorf("the catch-up digest has context %+v, comment_count %d; want the 13 comments, each once", c, posts[0].Digest.CommentCount)
		}
		if posts[0].MayRepeat {
			t.Error("the catch-up is marked as possibly repeating, but no run was cut off mid-post")
		}
		if maxActive != 1 {
			t.Errorf("%d deliveries of one digest and destination ran at once, want 1", maxActive)
		}
		runs, err := h.Store.Runs(t.Context(), "d", 0)
		if err != nil {
			t.Fatal(err)
		}
		delivered := 0
		for i, r := range runs {
			if r.State == store.RunPosted && !strings.HasPrefix(r.Ref, store.SkippedRef) {
				delivered++
			}
			if r.State == store.RunClaimed || r.State == store.RunPosting {
				t.Errorf("run %+v is still in flight", r)
			}
			if i > 0 && !r.ClaimedAt.Before(runs[i-1].ClaimedAt) {
				t.Errorf("slot %s was claimed after the later slot %s", r.Slot, runs[i-1].Slot)
			}
		}
		if delivered != 1 {
			t.Errorf("%d runs recorded as delivered, want 1: %+v", delivered, runs)
		}
		t.Logf("%d delivery attempts, %d runs", attempts, len(runs))
	})
}

// blockedSource is a source whose read blocks where no context reaches (a
// FIFO without a writer, a hung mount) until the test releases it.
type blockedSource struct {
	release chan struct{}
	mu      sync.Mutex
	reads   int
}

func (b *blockedSource) Fetch(ctx context.Context, state string) (source.Result, error) {
	b.mu.Lock()
	b.reads++
	b.mu.Unlock()
	<-b.release
	return source.Result{}, errors.New("released")
}

// TestStuckSourceDoesNotStallOthers follows a thread whose source blocks
// forever beside a healthy one: the healthy thread is polled and its digests
// posted on time (the start does not wait for the stuck read), the stuck
// read is abandoned at the poll's deadline and not started again while it
// is blocked, the thread shows as stuck, and the service stops within its
// shutdown grace.
func TestStuckSourceDoesNotStallOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bottest.SleepUntil(day0.Add(-30 * time.Second))
		h := bottest.New(t, bottest.OpenStore(t, t.TempDir()))
		title, cs := bottest.ExampleComments(t)
		good := &bottest.FakeSource{Title: title}
		good.Add(cs[:5]...)
		h.Sources["good"] = good
		stuck := &blockedSource{release: make(chan struct{})}
		defer close(stuck.release)
		rec := &bottest.Recorder{}
		h.Dests["stdout"] = rec
		cache, err := digests.New(digests.Deps{Store: h.Store,
			Analyze: func(_ context.Context, _ string, t threaddigest.Thread, opt digest.Options) digest.Digest {
				return digest.Analyze(t, opt)
			},
		}, digests.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := scheduler.New(scheduler.Deps{
			Store: h.Store, Logger: slog.New(slog.NewTextHandler(h.Logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Clock: bot.SystemClock{}, Holder: "r1",
			Digests: cache,
			OpenSource: func(t scheduler.ThreadSpec) (source.Source, error) {
				if t.Source == "fifo" {
					return stuck, nil
				}
				return h.Sources[t.Source], nil
			},
			OpenDestination: func(a addr.Addr) (bot.Destination, error) { return rec, nil },
		}, scheduler.Settings{Lease: 30 * time.Second, SweepInterval: 15 * time.Second, PollInterval: time.Minute, ShutdownGrace: 10 * time.Second},
			[]scheduler.ThreadSpec{{Name: "fifo", Source: "fifo"}, {Name: "huawei", Source: "good"}},
			[]scheduler.DigestSpec{
				{Name: "d", Thread: "huawei", Schedule: bottest.Schedule(t, "@every 5m"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 1, CatchUp: true},
				{Name: "f", Thread: "fifo", Schedule: bottest.Schedule(t, "@every 5m"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 1, CatchUp: true},
			})
		if err != nil {
			t.Fatal(err)
		}
		stop := bottest.Start(t, s)
		bottest.SleepUntil(day0.Add(3 * time.Minute))
		good.Add(cs[5:9]...)
		bottest.SleepUntil(day0.Add(11 * time.Minute))

		// The healthy thread: polled each minute, its digests posted at
		// 12:00 (the 5 comments read at start) and 12:05 (the 4 added).
		fetches := good.Count()
		if fetches < 10 {
			t.Errorf("the healthy thread was polled %d times in 11 minutes, want one a minute", fetches)
		}
		if got := strings.Join(rec.Slots(), " "); got != "2026-03-01T12:00:00Z 2026-03-01T12:05:00Z" {
			t.Errorf("slots posted = %s, want the healthy thread's 12:00 and 12:05\n%s", got, h.Logs)
		} else if a, b := rec.Got()[0].Digest.Context.NewComments, rec.Got()[1].Digest.Context.NewComments; a != 5 || b != 4 {
			t.Errorf("the digests have %d and %d new comments, want 5 and 4", a, b)
		}
		stuck.mu.Lock()
		reads := stuck.reads
		stuck.mu.Unlock()
		if reads != 1 {
			t.Errorf("the stuck source was read %d times, want once (abandoned reads must not pile up)", reads)
		}
		var fifo scheduler.Readiness
		for _, r := range s.Readiness() {
			if r.Part == "thread fifo" {
				fifo = r
			}
		}
		if fifo.OK || !strings.Contains(fifo.Detail, "stuck") {
			t.Errorf("the stuck thread's readiness = %+v, want not ready, stuck", fifo)
		}
		if !strings.Contains(h.Logs.String(), "no answer within the poll's deadline of 30s") {
			t.Errorf("the log does not say the read was abandoned:\n%s", h.Logs)
		}
		stopped := time.Now()
		stop()
		if took := time.Since(stopped); took > 10*time.Second {
			t.Errorf("the service took %s to stop, more than its shutdown grace", took)
		}
	})
}

// TestUncertainRunMarksNextDigest: a replica dies mid-post; its run is
// marked uncertain and not posted again (at most once per slot), so its
// comments stay new and the next digest carries them, marked as possibly
// repeating; the digest after that is not marked.
func TestUncertainRunMarksNextDigest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bottest.SleepUntil(day0.Add(30 * time.Minute))
		h := bottest.New(t, bottest.OpenStore(t, t.TempDir()))
		title, cs := bottest.ExampleComments(t)
		src := &bottest.FakeSource{Title: title}
		src.Add(cs[:5]...)
		h.Sources["t"] = src
		rec := &bottest.Recorder{}
		h.Dests["stdout"] = rec
		s := h.Service("r1", scheduler.Settings{Lease: 30 * time.Second, SweepInterval: 15 * time.Second, PollInterval: time.Minute},
			[]scheduler.ThreadSpec{{Name: "huawei", Source: "t"}},
			[]scheduler.DigestSpec{{Name: "d", Thread: "huawei", Schedule: bottest.Schedule(t, "0 * * * *"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 1, CatchUp: true}})
		stop := bottest.Start(t, s)
		bottest.SleepUntil(day0.Add(80 * time.Minute)) // 13:00 posted 5
		src.Add(cs[5:8]...)
		// Another replica claims 14:00 a moment early and dies while posting.
		bottest.SleepUntil(day0.Add(119*time.Minute + 50*time.Second))
		k := store.RunKey{Digest: "d", Destination: "stdout", Slot: day0.Add(2 * time.Hour)}
		r, claimed, err := h.Store.ClaimRun(t.Context(), k, "huawei", "dead", 30*time.Second, time.Now())
		if err != nil || !claimed {
			t.Fatalf("claim as the dead replica: %v, %v", claimed, err)
		}
		if err := h.Store.MarkPosting(t.Context(), r.ID, "dead", 2*time.Minute, time.Now()); err != nil {
			t.Fatal(err)
		}
		bottest.SleepUntil(day0.Add(150 * time.Minute))
		src.Add(cs[8:10]...)
		bottest.SleepUntil(day0.Add(210 * time.Minute)) // 15:00 posted
		src.Add(cs[10:11]...)
		bottest.SleepUntil(day0.Add(270 * time.Minute)) // 16:00 posted
		stop()

		posts := rec.Got()
		if got := strings.Join(rec.Slots(), " "); got != "2026-03-01T13:00:00Z 2026-03-01T15:00:00Z 2026-03-01T16:00:00Z" {
			t.Fatalf("slots = %s\n%s", got, h.Logs)
		}
		for i, want := range []struct {
			newC      int
			mayRepeat bool
		}{{5, false}, {5, true}, {1, false}} {
			if posts[i].Digest.Context.NewComments != want.newC || posts[i].MayRepeat != want.mayRepeat {
				t.Errorf("post %d: %d new comments, may repeat %v; want %d, %v", i, posts[i].Digest.Context.NewComments, posts[i].MayRepeat, want.newC, want.mayRepeat)
			}
		}
		runs, _ := h.Store.Runs(t.Context(), "d", 0)
		for _, r := range runs {
			if r.Slot.Equal(k.Slot) && r.State != store.RunUncertain {
				t.Errorf("the dead replica's run is %s, want uncertain", r.State)
			}
		}
		if n := strings.Count(h.Logs.String(), "left mid-post by a replica that stopped"); n != 1 {
			t.Errorf("the uncertain run was reported %d times, want once\n%s", n, h.Logs)
		}
	})
}
