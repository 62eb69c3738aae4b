package scheduler

import (
	"context"
	"time"

	"github.com/threaddigest/threaddigest/bot/addr"
)

// RunSlot runs one slot of a digest to one destination, as the cron job
// does, for the benchmarks of a scheduled run.
func RunSlot(s *Service, ctx context.Context, d DigestSpec, to addr.Addr, slot time.Time) {
	s.runSlot(ctx, d, to, slot, "")
}
