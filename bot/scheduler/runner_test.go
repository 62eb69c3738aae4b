package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threaddigest/threaddigest/bot"
	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/bot/internal/bottest"
	"github.com/threaddigest/threaddigest/bot/scheduler"
	"github.com/threaddigest/threaddigest/store"
)

// TestDeliveryRetries drives one hourly slot through a destination that
// fails on purpose, and checks when each attempt happened, what was posted
// and what the store recorded. A failed run leaves its comments new: the next
// slot's digest covers them.
func TestDeliveryRetries(t *testing.T) {
	errServer := errors.New("HTTP 500: internal error")
	tests := []struct {
		name string
		// deliver answers attempt n (from 1) of the 13:00 slot; later slots
		// succeed.
		deliver      func(ctx context.Context, n int) error
		wantAttempts []time.Duration // offsets from the slot
		wantState    store.RunState
		wantReason   string
	}{
		{
			name: "server errors then success",
			deliver: func(ctx context.Context, n int) error {
				if n <= 2 {
					return errServer
				}
				return nil
			},
			wantAttempts: []time.Duration{0, time.Second, 3 * time.Second},
			wantState:    store.RunPosted,
		},
		{
			name: "429 with Retry-After is honoured",
			deliver: func(ctx context.Context, n int) error {
				if n == 1 {
					return &bot.RetryAfterError{After: 20 * time.Second, Err: errors.New("HTTP 429")}
				}
				return nil
			},
			wantAttempts: []time.Duration{0, 20 * time.Second},
			wantState:    store.RunPosted,
		},
		{
			name: "permanent error is not retried",
			deliver: func(ctx context.Context, n int) error {
				return &bot.PermanentError{Err: errors.New("HTTP 404: no such webhook")}
			},
			wantAttempts: []time.Duration{0},
			wantState:    store.RunFailed,
			wantReason:   "HTTP 404: no such webhook (not retried)",
		},
		{
			name: "slow replies time out and the run fails at its deadline",
			deliver: func(ctx context.Context, n int) error {
				<-ctx.Done()
				return fmt.Errorf("webhook: %w", ctx.Err())
			},
			// 30s attempts with 1s, 2s, 4s backoff; the fourth is cut
			// short by the 2-minute run deadline.
			wantAttempts: []time.Duration{0, 31 * time.Second, 63 * time.Second, 97 * time.Second},
			wantState:    store.RunFailed,
			wantReason:   "attempt 4: webhook: context deadline exceeded; no time left in the run",
		},
		{
			name: "retry-after beyond the deadline fails at once",
			deliver: func(ctx context.Context, n int) error {
				return &bot.RetryAfterError{After: time.Hour, Err: errors.New("HTTP 429")}
			},
			wantAttempts: []time.Duration{0},
			wantState:    store.RunFailed,
			wantReason:   "(retry after 1h0m0s)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				bottest.SleepUntil(day0.Add(30 * time.Minute))
				slot := day0.Add(time.Hour)
				h := bottest.New(t, bottest.OpenStore(t, t.TempDir()))
				title, cs := bottest.ExampleComments(t)
				src := &bottest.FakeSource{Title: title, Comments: cs[:6]}
				h.Sources["t"] = src
				var attempts []time.Duration
				rec := &bottest.Recorder{OnDeliver: func(ctx context.Context, n int, p bot.Post) (string, error) {
					if !p.Slot.Equal(slot) {
						return "later", nil
					}
					attempts = append(attempts, time.Since(slot))
					if err := tt.deliver(ctx, len(attempts)); err != nil {
						return "", err
					}
					return "ok", nil
				}}
				h.Dests["stdout"] = rec
				s := h.Service("r1", scheduler.Settings{PollInterval: 10 * time.Minute, SweepInterval: time.Hour, RunTimeout: 2 * time.Minute},
					[]scheduler.ThreadSpec{{Name: "huawei", Source: "t"}},
					[]scheduler.DigestSpec{{Name: "d", Thread: "huawei", Schedule: bottest.Schedule(t, "0 * * * *"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 1, CatchUp: true}})
				stop := bottest.Start(t, s)
				bottest.SleepUntil(slot.Add(30 * time.Minute))
				src.Add(cs[6:8]...)
				bottest.SleepUntil(slot.Add(90 * time.Minute))
				stop()

				if fmt.Sprint(attempts) != fmt.Sprint(tt.wantAttempts) {
					t.Errorf("attempts at %v after the slot, want %v", attempts, tt.wantAttempts)
				}
				runs, err := h.Store.Runs(t.Context(), "d", 0)
				if err != nil || len(runs) != 2 {
					t.Fatalf("runs = %+v, %v", runs, err)
				}
				first, second := runs[1], runs[0]
				if first.State != tt.wantState || !strings.Contains(first.Error, tt.wantReason) {
					t.Errorf("13:00 run = %s %q, want %s %q", first.State, first.Error, tt.wantState, tt.wantReason)
				}
				if tt.wantState == store.RunFailed {
					if !strings.Contains(h.Logs.String(), "digest run failed") {
						t.Errorf("the failure was not logged:\n%s", h.Logs)
					}
				}
				// The 14:00 digest covers the 2 comments added after 13:00,
				// and after a failure also the 6 the failed run did not post.
				posts := rec.Got()
				last := posts[len(posts)-1]
				want := 2
				if tt.wantState == store.RunFailed {
					want = 8
				}
				if second.State != store.RunPosted || last.Digest.Context.NewComments != want {
					t.Errorf("14:00 run %s with %d new comments, want posted with %d", second.State, last.Digest.Context.NewComments, want)
				}
			})
		})
	}
}

// TestRestartBetweenClaimAndPost: a replica claimed a slot and died before
// posting. Its claim holds until the lease expires; then the next replica
// takes the run over and posts it, once.
func TestRestartBetweenClaimAndPost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bottest.SleepUntil(day0)
		slot := day0 // 12:00, an hourly slot
		st := bottest.OpenStore(t, t.TempDir())
		h := bottest.New(t, st)
		title, cs := bottest.ExampleComments(t)
		h.Sources["t"] = &bottest.FakeSource{Title: title, Comments: cs[:6]}
		rec := &bottest.Recorder{}
		h.Dests["stdout"] = rec
		ctx := t.Context()
		if err := st.SaveThread(ctx, store.ThreadRecord{Name: "huawei", Source: "t"}); err != nil {
			t.Fatal(err)
		}
		key := store.RunKey{Digest: "d", Destination: "stdout", Slot: slot}
		if _, ok, err := st.ClaimRun(ctx, key, "huawei", "dead", 30*time.Second, slot); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		time.Sleep(time.Second)
		s := h.Service("r2", scheduler.Settings{Lease: 30 * time.Second, PollInterval: 10 * time.Minute},
			[]scheduler.ThreadSpec{{Name: "huawei", Source: "t"}},
			[]scheduler.DigestSpec{{Name: "d", Thread: "huawei", Schedule: bottest.Schedule(t, "0 * * * *"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 1, CatchUp: true}})
		stop := bottest.Start(t, s)
		bottest.SleepUntil(slot.Add(25 * time.Second))
		if n := len(rec.Got()); n != 0 {
			t.Fatalf("posted %d times while the dead replica's claim still held", n)
		}
		bottest.SleepUntil(slot.Add(2 * time.Minute))
		stop()
		if got := strings.Join(rec.Slots(), " "); got != "2026-03-01T12:00:00Z" {
			t.Fatalf("slots = %s, want the claimed slot once\n%s", got, h.Logs)
		}
		r, _, _ := st.LastRun(ctx, "d", "stdout")
		if r.State != store.RunPosted || r.Holder != "r2" || r.Attempts != 2 || r.CoveredTo == 0 {
			t.Errorf("run = %+v, want posted by r2 on its second claim", r)
		}
	})
}

// TestCrashAfterPosting: a replica marked a run posting and died, so the
// post may or may not have reached the channel. After the lease the run is
// marked uncertain and never posted again; its comments stay new and the
// next slot covers them.
func TestCrashAfterPosting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bottest.SleepUntil(day0)
		slot := day0
		st := bottest.OpenStore(t, t.TempDir())
		h := bottest.New(t, st)
		title, cs := bottest.ExampleComments(t)
		h.Sources["t"] = &bottest.FakeSource{Title: title, Comments: cs[:6]}
		rec := &bottest.Recorder{}
		h.Dests["stdout"] = rec
		ctx := t.Context()
		if err := st.SaveThread(ctx, store.ThreadRecord{Name: "huawei", Source: "t"}); err != nil {
			t.Fatal(err)
		}
		run, _, err := st.ClaimRun(ctx, store.RunKey{Digest: "d", Destination: "stdout", Slot: slot}, "huawei", "dead", 30*time.Second, slot)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.MarkPosting(ctx, run.ID, "dead", 30*time.Second, slot); err != nil {
			t.Fatal(err)
		}
		s := h.Service("r2", scheduler.Settings{Lease: 30 * time.Second, PollInterval: 10 * time.Minute},
			[]scheduler.ThreadSpec{{Name: "huawei", Source: "t"}},
			[]scheduler.DigestSpec{{Name: "d", Thread: "huawei", Schedule: bottest.Schedule(t, "0 * * * *"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 1, CatchUp: true}})
		stop := bottest.Start(t, s)
		bottest.SleepUntil(slot.Add(61 * time.Minute))
		stop()
		if got := strings.Join(rec.Slots(), " "); got != "2026-03-01T13:00:00Z" {
			t.Fatalf("slots = %s, want only 13:00\n%s", got, h.Logs)
		}
		if n := rec.Got()[0].Digest.Context.NewComments; n != 6 {
			t.Errorf("13:00 digest has %d new comments, want the 6 the uncertain run may not have posted", n)
		}
		runs, _ := st.Runs(ctx, "d", 0)
		if len(runs) != 2 || runs[1].State != store.RunUncertain {
			t.Errorf("runs = %+v, want the 12:00 run uncertain", runs)
		}
		if !strings.Contains(h.Logs.String(), "may or may not have been posted") {
			t.Errorf("the uncertain run was not logged")
		}
	})
}

// TestShutdownMidPost stops the service while a delivery is in flight: the
// post is allowed to finish within the grace and is recorded.
func TestShutdownMidPost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bottest.SleepUntil(day0.Add(59 * time.Minute))
		h := bottest.New(t, bottest.OpenStore(t, t.TempDir()))
		title, cs := bottest.ExampleComments(t)
		h.Sources["t"] = &bottest.FakeSource{Title: title, Comments: cs[:6]}
		rec := &bottest.Recorder{OnDeliver: func(ctx context.Context, n int, p bot.Post) (string, error) {
			time.Sleep(3 * time.Second) // a slow webhook
			return "ok", ctx.Err()
		}}
		h.Dests["stdout"] = rec
		s := h.Service("r1", scheduler.Settings{PollInterval: 10 * time.Minute, SweepInterval: time.Hour},
			[]scheduler.ThreadSpec{{Name: "huawei", Source: "t"}},
			[]scheduler.DigestSpec{{Name: "d", Thread: "huawei", Schedule: bottest.Schedule(t, "0 * * * *"), To: []addr.Addr{bottest.Addr(t, "stdout")}, MinNew: 1, CatchUp: true}})
		stop := bottest.Start(t, s)
		bottest.SleepUntil(day0.Add(60*time.Minute + time.Second)) // mid-post
		stop()
		r, ok, _ := h.Store.LastRun(t.Context(), "d", "stdout")
		if !ok || r.State != store.RunPosted || len(rec.Got()) != 1 {
			t.Errorf("run = %+v, posts %d; want the in-flight post completed", r, len(rec.Got()))
		}
	})
}
