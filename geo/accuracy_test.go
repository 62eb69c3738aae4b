package geo

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

// TestAccuracy measures the resolver on the hand-labelled locations in
// ../shared/data/locations-dev and fails below the bars of issue 3.
func TestAccuracy(t *testing.T) {
	path := shareddata.Path(t, "locations-dev", "labels.tsv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewResolver(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var rows, country, region, admin1, admin1Rows int
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue
		}
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) < 4 {
			t.Fatalf("%s:%d: want at least 4 tab-separated fields, got %d", path, line, len(fs))
		}
		loc, wantCountry, wantAdmin1, wantRegion := fs[0], fs[1], fs[2], Region(fs[3])
		p := r.Resolve(loc)
		rows++
		ok := true
		if p.Country == wantCountry {
			country++
		} else {
			ok = false
		}
		if p.Region == wantRegion {
			region++
		} else {
			ok = false
		}
		if wantAdmin1 != "" {
			admin1Rows++
			if p.Admin1 == wantAdmin1 {
				admin1++
			} else {
				ok = false
			}
		}
		if !ok && testing.Verbose() {
			t.Logf("%-40q want %s/%s/%s got %s/%s/%s  %s", loc, wantCountry, wantAdmin1, wantRegion, p.Country, p.Admin1, p.Region, p.Reason)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rows == 0 {
		t.Fatalf("%s: no rows", path)
	}
	pct := func(n, d int) float64 { return 100 * float64(n) / float64(d) }
	t.Logf("locations-dev: %d rows: region %.1f%% (%d), country %.1f%% (%d), admin1 %.1f%% (%d of %d labelled)",
		rows, pct(region, rows), region, pct(country, rows), country, pct(admin1, admin1Rows), admin1, admin1Rows)
	if pct(region, rows) < 97 {
		t.Errorf("region accuracy %.1f%% < 97%%", pct(region, rows))
	}
	if pct(country, rows) < 95 {
		t.Errorf("country accuracy %.1f%% < 95%%", pct(country, rows))
	}
	if pct(admin1, admin1Rows) < 92 {
		t.Errorf("admin1 accuracy %.1f%% < 92%%", pct(admin1, admin1Rows))
	}
}
