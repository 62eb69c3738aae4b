//go:build !unix

package geo

import "time"

// cpuTime is unknown here; benchmarks then report -1.
func cpuTime() time.Duration { return -1 }
