package bot

import "time"

// Clock tells the service the time it records in the store and compares
// leases and slots against. Timers (the cron trigger, poll intervals, retry
// backoff) use the runtime's timers, which testing/synctest fakes together
// with time.Now; tests outside a bubble pass a fixed or stepped Clock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real time.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }
