package eval

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// evalRegions reads every location of locations-dev with the locator and
// compares region, country and admin1 with the hand labels; the baseline
// answers the most frequent label for each.
func evalRegions(dir string, opt Options, t *Table) error {
	path := join(dir, "locations-dev", "labels.tsv")
	if !exists(path) {
		t.absent(path)
		return nil
	}
	if opt.Locator == nil {
		t.Notes = append(t.Notes, "regions: not measured, no location resolver was given")
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	region, country, admin1 := confusion{}, confusion{}, confusion{}
	for line := 1; sc.Scan(); line++ {
		if line == 1 {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 {
			return fmt.Errorf("%s:%d: %d columns, expected at least 4 (location, country, admin1, region)", path, line, len(cols))
		}
		p := opt.Locator.Resolve(cols[0])
		region.add(cols[3], string(p.Region))
		country.add(cols[1], p.Country)
		admin1.add(cols[2], p.Admin1)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for _, m := range []struct {
		name string
		c    confusion
	}{{"region accuracy", region}, {"country accuracy", country}, {"admin1 accuracy", admin1}} {
		maj, base := m.c.majority()
		if maj == "" {
			maj = `""`
		}
		t.Rows = append(t.Rows, Row{"regions", "locations-dev", m.name, f3(m.c.accuracy()), fmt.Sprintf("%s (always %s)", f3(base.accuracy()), maj), m.c.total()})
	}
	return nil
}
