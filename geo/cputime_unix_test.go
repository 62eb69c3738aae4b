//go:build unix

package geo

import (
	"syscall"
	"time"
)

// cpuTime is the processor time this process has used, user and system:
// on a busy machine it measures the work done better than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
