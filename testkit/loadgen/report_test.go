package loadgen

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestReplaceSection(t *testing.T) {
	sec := Heading + "\n\nnew figures\n"
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"empty document", "", sec},
		{"appended", "# Performance\n\n## Digest\n\ntable\n", "# Performance\n\n## Digest\n\ntable\n\n" + sec},
		{"appended after a missing newline", "# Performance", "# Performance\n\n" + sec},
		{"replaced at the end", "# P\n\n" + Heading + "\n\nold\nolder\n", "# P\n\n" + sec},
		{"replaced in the middle", "# P\n\n" + Heading + "\n\nold\n### sub\nx\n## Next\n\nkept\n", "# P\n\n" + sec + "\n## Next\n\nkept\n"},
		{"a heading in a code block is not the end", "# P\n\n" + Heading + "\n\n```\n## not a heading\n```\n# Top\n", "# P\n\n" + sec + "\n# Top\n"},
		{"a heading quoted in a code block is not the start", "```\n" + Heading + "\n```\n", "```\n" + Heading + "\n```\n\n" + sec},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ReplaceSection(tc.doc, Heading, sec); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestParseMetrics(t *testing.T) {
	in := `# HELP threaddigest_commands_total /thread commands answered.
# TYPE threaddigest_commands_total counter
threaddigest_commands_total{answered="cache",sub="stance"} 1500
threaddigest_commands_total{answered="full",sub="stance"} 2
threaddigest_commands_total{answered="cache",sub="help"} 1
threaddigest_comments_ingested_total{thread="a b"} 100000
threaddigest_analyses_total 3
go_gc_duration_seconds{quantile="0.5"} 1.5e-05 1700000000000
`
	m, err := ParseMetrics(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"threaddigest_commands_total", nil, 1503},
		{"threaddigest_commands_total", []string{`sub="stance"`}, 1502},
		{"threaddigest_commands_total", []string{`sub="stance"`, `answered="cache"`}, 1500},
		{"threaddigest_comments_ingested_total", nil, 100000},
		{"threaddigest_analyses_total", nil, 3},
		{"go_gc_duration_seconds", nil, 1.5e-05},
		{"threaddigest_missing", nil, 0},
	} {
		if got := m.Sum(tc.name, tc.labels...); got != tc.want {
			t.Errorf("Sum(%s, %v) = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	if _, err := ParseMetrics(strings.NewReader("x{a=\"b\"} notanumber\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad value: %v", err)
	}
}

func TestReportMarkdown(t *testing.T) {
	res := &Result{Sent: 4, Answered: 3, Deferred: 1, Latencies: []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 250 * time.Millisecond}}
	r := Report{Result: res, Options: Options{Rate: 50, Duration: 30 * time.Second}, Workload: "A thread.",
		Machine: Machine{CPUs: 2, GoVersion: "go1.26.8", OS: "linux", Arch: "amd64"}, Date: time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC),
		Command: "scripts/loadtest.sh", BudgetP99: 100 * time.Millisecond}
	md := r.Markdown()
	for _, want := range []string{Heading + "\n", "at 50 requests/s for 30s: 4 commands", "| 4 | 3 | 1 | 0 | 2.0 ms | 250 ms | 250 ms | 250 ms | **missed** |",
		"Machine: 2 CPUs, go1.26.8 linux/amd64. Measured 2026-11-25 14:00 UTC. Regenerate with `scripts/loadtest.sh`."} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if r.Met() {
		t.Error("p99 of 250 ms met a 100 ms budget")
	}
	res.Latencies = res.Latencies[:3]
	if !r.Met() {
		t.Error("p99 of 3 ms missed a 100 ms budget")
	}
	res.Errors = 1
	if r.Met() {
		t.Error("an error met the budget")
	}
}

func TestProcessReadings(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	// Burn some CPU so the reading cannot be zero by rounding.
	start := time.Now()
	x := 0
	for time.Since(start) < 50*time.Millisecond {
		x++
	}
	cpu, err := ProcessCPU(os.Getpid())
	if err != nil || cpu <= 0 {
		t.Errorf("ProcessCPU = %v, %v (after spinning %d times)", cpu, err, x)
	}
	rss, peak, err := ProcessMemory(os.Getpid())
	if err != nil || rss <= 0 || peak < rss {
		t.Errorf("ProcessMemory = %d, %d, %v", rss, peak, err)
	}
	if _, err := ProcessCPU(-1); err == nil {
		t.Error("ProcessCPU(-1) read something")
	}
}
