// Package cputime measures the processor time this process has used, for
// benchmarks: on a machine shared with other work it measures the work done
// better than wall time does.
package cputime
