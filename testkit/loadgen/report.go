package loadgen

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Machine describes the computer a run was made on.
type Machine struct {
	CPUs     int
	CPUModel string
	// MemoryBytes is the total memory; 0 when unknown.
	MemoryBytes int64
	GoVersion   string
	OS, Arch    string
}

// ThisMachine reads the machine's description (CPU model and memory from
// /proc on Linux; left empty elsewhere).
func ThisMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if v, ok := procField("/proc/cpuinfo", "model name"); ok {
		m.CPUModel = strings.Join(strings.Fields(v), " ")
	}
	if v, ok := procField("/proc/meminfo", "MemTotal"); ok {
		m.MemoryBytes = kB(v)
	}
	return m
}

func (m Machine) String() string {
	s := fmt.Sprintf("%d CPUs", m.CPUs)
	if m.CPUModel != "" {
		s += " (" + m.CPUModel + ")"
	}
	if m.MemoryBytes > 0 {
		s += fmt.Sprintf(", %.1f GiB memory", float64(m.MemoryBytes)/(1<<30))
	}
	return s + fmt.Sprintf(", %s %s/%s", m.GoVersion, m.OS, m.Arch)
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// kB reads "1234 kB" as bytes; 0 when unreadable.
func kB(v string) int64 {
	n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
	if err != nil {
		return 0
	}
	return n << 10
}

// ProcessMemory reads a process's resident memory now and at its peak
// (VmRSS and VmHWM of /proc/PID/status), in bytes.
func ProcessMemory(pid int) (rss, peak int64, err error) {
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	v, ok := procField(path, "VmHWM")
	if !ok {
		return 0, 0, fmt.Errorf("no VmHWM in %s", path)
	}
	peak = kB(v)
	if v, ok := procField(path, "VmRSS"); ok {
		rss = kB(v)
	}
	// The kernel updates the high-water mark lazily, so it can read a page
	// or two below the resident size it has just been passed: the peak is
	// at least what is resident now.
	return rss, max(peak, rss), nil
}

// Report is what the documentation says about a run.
type Report struct {
	Result  *Result
	Options Options
	// Workload describes the thread the commands ask about.
	Workload string
	// Ready says how the service got ready (comments stored, cache warm).
	Ready string
	// Server says what the service reported of the run (commands from the
	// cache, analyses, memory).
	Server  string
	Machine Machine
	Date    time.Time
	// Command regenerates the report.
	Command string
	// BudgetP99 is the latency budget of the 99th percentile.
	BudgetP99 time.Duration
}

// Met reports whether the run kept within the budget: no errors, and the
// 99th percentile within BudgetP99.
func (r Report) Met() bool {
	res := r.Result
	return res.Errors == 0 && res.Sent > 0 && res.Percentile(99) <= r.BudgetP99
}

// Heading is the heading of the section Markdown writes.
const Heading = "## Slash commands under load"

// Markdown writes the report as the section of docs/performance.md.
func (r Report) Markdown() string {
	res := r.Result
	var b strings.Builder
	b.WriteString(Heading + "\n\n")
	fmt.Fprintf(&b, "`/thread stance`, signed as Slack signs it (HMAC-SHA256 over `v0:TS:BODY`), sent to `threaddigest serve` over\n"+
		"loopback at %s requests/s for %s: %d commands, open loop (each command's latency counts from when it was due, so a\n"+
		"slow answer cannot delay the next command). %s\n\n",
		strconv.FormatFloat(r.Options.Rate, 'f', -1, 64), r.Options.Duration, res.Sent, r.Workload)
	b.WriteString("| commands | answered in the acknowledgement | answered at response_url | errors | p50 | p90 | p99 | max | budget: p99 ≤ " + ms(r.BudgetP99) + ", no errors |\n")
	b.WriteString("|--:|--:|--:|--:|--:|--:|--:|--:|:--|\n")
	verdict := "met"
	if !r.Met() {
		verdict = "**missed**"
	}
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %s | %s | %s | %s | %s |\n\n", res.Sent, res.Answered, res.Deferred, res.Errors,
		ms(res.Percentile(50)), ms(res.Percentile(90)), ms(res.Percentile(99)), ms(res.Max()), verdict)
	if len(res.ErrorSamples) > 0 {
		b.WriteString("First errors:\n\n")
		for _, e := range res.ErrorSamples {
			b.WriteString("- `" + strings.ReplaceAll(e, "`", "'") + "`\n")
		}
		b.WriteString("\n")
	}
	if r.Ready != "" {
		b.WriteString(r.Ready + "\n")
	}
	if r.Server != "" {
		b.WriteString(r.Server + "\n")
	}
	fmt.Fprintf(&b, "The load generator itself was at most %s late sending a command.\n\n", ms(res.MaxLag))
	fmt.Fprintf(&b, "Machine: %s. Measured %s. Regenerate with `%s`.\n", r.Machine, r.Date.UTC().Format("2006-01-02 15:04 UTC"), r.Command)
	return b.String()
}

// ms formats a duration in milliseconds, to a tenth below 100 ms.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v < 100 {
		return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
}

// ReplaceSection returns doc with the section that starts at the line
// heading (up to the next heading of the same or a higher level, or the end)
// replaced by section; the section is appended when doc has none.
func ReplaceSection(doc, heading, section string) string {
	level := len(heading) - len(strings.TrimLeft(heading, "#"))
	lines := strings.SplitAfter(doc, "\n")
	start, end := -1, len(lines)
	fence := false
	for i, l := range lines {
		t := strings.TrimRight(l, "\n")
		if strings.HasPrefix(t, "```") {
			fence = !fence
			continue
		}
		if fence {
			continue
		}
		if start < 0 {
			if t == heading {
				start = i
			}
			continue
		}
		if n := len(t) - len(strings.TrimLeft(t, "#")); n > 0 && n <= level && strings.HasPrefix(t[n:], " ") {
			end = i
			break
		}
	}
	section = strings.TrimRight(section, "\n") + "\n"
	if start < 0 {
		if doc != "" && !strings.HasSuffix(doc, "\n") {
			doc += "\n"
		}
		if doc != "" {
			doc += "\n"
		}
		return doc + section
	}
	if end < len(lines) {
		section += "\n"
	}
	return strings.Join(lines[:start], "") + section + strings.Join(lines[end:], "")
}

// ProcessCPU reads the CPU time a process has used so far, user and system
// (/proc/PID/stat, in clock ticks of 1/100 s).
func ProcessCPU(pid int) (time.Duration, error) {
	path := "/proc/" + strconv.Itoa(pid) + "/stat"
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name is in parentheses and may hold spaces: fields are
	// counted after the last ')'. utime and stime are fields 14 and 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("%s: no command name", path)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: %d fields after the command name, expected at least 13", path, len(f))
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: CPU time %q is not a number", path, v)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// CPUPressure reads the machine's cumulative CPU pressure (Linux PSI,
// /proc/pressure/cpu "some"): the total time during which at least one
// runnable task waited for a CPU. ok is false where PSI is unavailable.
func CPUPressure() (total time.Duration, ok bool) {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "some ") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if v, found := strings.CutPrefix(f, "total="); found {
				us, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return 0, false
				}
				return time.Duration(us) * time.Microsecond, true
			}
		}
	}
	return 0, false
}

// LoadAverage reads the machine's one-minute load average; "" when unknown.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
