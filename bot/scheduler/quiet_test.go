package scheduler_test

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threaddigest/threaddigest/bot/internal/bottest"
	"github.com/threaddigest/threaddigest/bot/scheduler"
)

// A thread with no comment added or changed for QuietAfter is no longer
// polled, and the log and /thread list say so; a new follow of its source
// wakes it, and it is polled again.
func TestQuietThreadIsNoLongerPolled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bottest.SleepUntil(day0)
		h := bottest.New(t, bottest.OpenStore(t, t.TempDir()))
		title, cs := bottest.ExampleComments(t)
		src := &bottest.FakeSource{Title: title, Comments: cs[:5]}
		h.Sources["hn:77"] = src
		h.Dests["slack:C1"] = &bottest.Recorder{}
		s := h.Service("r1", scheduler.Settings{PollInterval: 10 * time.Minute, SweepInterval: time.Hour, QuietAfter: 48 * time.Hour},
			[]scheduler.ThreadSpec{{Name: "hn-77", Source: "hn:77"}}, nil)
		c := s.Commands()
		stop := bottest.Start(t, s)
		defer stop()
		synctest.Wait()
		if resp := c.Answer(t.Context(), req("C1", "follow hn:77")); resp.Thread != "hn-77" {
			t.Fatalf("follow = %+v", resp)
		}

		// Active for a day: comments keep coming and are stored.
		bottest.SleepUntil(day0.Add(24 * time.Hour))
		src.Add(cs[5:8]...)
		bottest.SleepUntil(day0.Add(25 * time.Hour))
		if got := len(h.Comments(t, "hn-77")); got != 8 {
			t.Fatalf("%d comments stored, want 8", got)
		}
		// Quiet since the poll that stored them (day0+24h): two days later the
		// polls stop.
		bottest.SleepUntil(day0.Add(25*time.Hour + 48*time.Hour + 20*time.Minute))
		fetches := src.Count()
		src.Add(cs[8:10]...)
		bottest.SleepUntil(day0.Add(5 * 24 * time.Hour))
		if n := src.Count(); n != fetches {
			t.Errorf("a quiet thread was fetched %d more times", n-fetches)
		}
		if got := len(h.Comments(t, "hn-77")); got != 8 {
			t.Errorf("%d comments stored while quiet, want still 8", got)
		}
		if logs := h.Logs.String(); strings.Count(logs, "thread quiet: no comment added or changed") != 1 || !strings.Contains(logs, "threaddigest resume hn-77") {
			t.Errorf("the log does not say once that the thread went quiet:\n%s", logs)
		}
		list := c.Answer(t.Context(), req("C1", "list"))
		if !strings.Contains(list.Text, "quiet since 2026-03-02 12:00 UTC: no new comment for 2d, no longer polled") {
			t.Errorf("list = %q", list.Text)
		}

		// Following it again wakes it: the comments added meanwhile arrive.
		if resp := c.Answer(t.Context(), req("C1", "follow hn:77 0 7 * * *")); resp.Thread != "hn-77" {
			t.Fatalf("second follow = %+v", resp)
		}
		bottest.SleepUntil(day0.Add(5*24*time.Hour + 30*time.Minute))
		if got := len(h.Comments(t, "hn-77")); got != 10 {
			t.Errorf("%d comments after waking, want 10", got)
		}
		if !strings.Contains(h.Logs.String(), "thread active again") {
			t.Error("the log does not say the thread is polled again")
		}
		if list := c.Answer(t.Context(), req("C1", "list")); strings.Contains(list.Text, "quiet since") {
			t.Errorf("list after waking = %q", list.Text)
		}
	})
}
