package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Metrics are the samples of a Prometheus text exposition, keyed by the
// series as written: name{label="value",…}.
type Metrics map[string]float64

// Scrape reads the metrics at url.
func Scrape(ctx context.Context, client *http.Client, url string) (Metrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("metrics at %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("metrics at %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics at %s: status %d", url, resp.StatusCode)
	}
	m, err := ParseMetrics(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("metrics at %s: %w", url, err)
	}
	return m, nil
}

// ParseMetrics reads the Prometheus text format (version 0.0.4): one sample
// per line, "series value [timestamp]", comments starting with #.
func ParseMetrics(r io.Reader) (Metrics, error) {
	m := Metrics{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		// Label values may hold spaces: the value follows the closing brace.
		cut := strings.LastIndexByte(s, '}')
		rest := s
		series := ""
		if cut >= 0 {
			series, rest = s[:cut+1], s[cut+1:]
		} else {
			var ok bool
			series, rest, ok = strings.Cut(s, " ")
			if !ok {
				return nil, fmt.Errorf("line %d: expected a series and a value, found %q", line, s)
			}
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return nil, fmt.Errorf("line %d: no value after %q", line, series)
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: value %q of %s is not a number", line, fields[0], series)
		}
		m[series] = v
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

// Sum adds up the samples of the metric called name whose labels include
// every label="value" pair given (none: all of them).
func (m Metrics) Sum(name string, labels ...string) float64 {
	var sum float64
	for series, v := range m {
		base, lbls, _ := strings.Cut(series, "{")
		if base != name {
			continue
		}
		ok := true
		for _, l := range labels {
			if !strings.Contains(","+strings.TrimSuffix(lbls, "}")+",", ","+l+",") {
				ok = false
				break
			}
		}
		if ok {
			sum += v
		}
	}
	return sum
}
