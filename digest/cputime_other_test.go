//go:build !unix

package digest

import "time"

// cpuTime is unknown here; benchmarks then report a negative time.
func cpuTime() time.Duration { return -1 }
