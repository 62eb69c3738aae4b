package geo

import (
	"cmp"
	_ "embed"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/threaddigest/threaddigest/geo/internal/fold"
)

//go:generate go run ./internal/gazgen -out gazetteer.tsv

// gazetteerData is the gazetteer written by internal/gazgen from GeoNames,
// ISO 3166, NYT state abbreviations and OpenFlights. It is plain text: at
// under 2 MB it fits the budget uncompressed and loads without inflating.
//
//go:embed gazetteer.tsv
var gazetteerData string

// kind says what a key names.
type kind uint8

const (
	kCountry      kind = iota // a country's name, short form or own-language name
	kCountryCode2             // ISO alpha-2
	kCountryCode3             // ISO alpha-3
	kAdmin1Name               // a state or province by name
	kAdmin1Code               // by postal or ISO 3166-2 code ("CO", "BC", "NSW")
	kAdmin1Abbrev             // by newspaper abbreviation ("Calif.", "Ont.")
	kCity                     // a city by its own name
	kCityAlt                  // a city by an alternate name
	kArea                     // a nickname or area from the hand-written table
	kNonPlace                 // a phrase that names no place ("Planet Earth")
)

// entry is one meaning of a key.
type entry struct {
	kind kind
	idx  int32
}

// span locates the entries of one key.
type span struct {
	start, n int32
}

type country struct {
	cc, cc3, name string
	region        Region
}

type admin1 struct {
	country  int32
	code     string // GeoNames admin1 code
	display  string // postal code for US and Canada, else the GeoNames code
	name     string
	usRegion string
}

type city struct {
	name     string
	country  int32
	admin1   int32 // -1 when GeoNames gives none we know
	weight   float64
	lat, lon float32 // NaN for cities under 50,000 people
}

// gazetteer is the loaded data: immutable once built, shared by lookups.
type gazetteer struct {
	countries []country
	admin1    []admin1
	cities    []city
	areas     []area
	airports  map[string]int32 // upper-case IATA code → city
	index     map[string]span
	entries   []entry
	byCC      map[string]int32
	admin1By  map[[2]string]int32 // {cc, GeoNames code}
	// Built on first use, since few strings need them: the cities of each
	// admin1 for misspelt names, with their first letters and lengths
	// (letter<<8 | length), and the located cities by latitude.
	lazy      sync.Once
	inAdmin1  [][]int32
	inAdmin1S [][]uint16
	fuzzy     []fuzzyTarget
	fuzzyBy   [256][]fuzzyTarget // fuzzy by first byte of the key
	located   []int32            // cities with coordinates; sorted by buildLazy
}

// admin1Cities lists the cities of admin1 ai with their signatures.
func (g *gazetteer) admin1Cities(ai int32) ([]int32, []uint16) {
	g.lazy.Do(g.buildLazy)
	return g.inAdmin1[ai], g.inAdmin1S[ai]
}

// locatedByLat lists the cities with coordinates by latitude.
func (g *gazetteer) locatedByLat() []int32 {
	g.lazy.Do(g.buildLazy)
	return g.located
}

func (g *gazetteer) buildLazy() {
	// One flat array each, cut into per-admin1 slices.
	count := make([]int32, len(g.admin1)+1)
	for _, c := range g.cities {
		if c.admin1 >= 0 && c.name != "" {
			count[c.admin1+1]++
		}
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	flat := make([]int32, count[len(count)-1])
	sigs := make([]uint16, len(flat))
	next := append([]int32(nil), count[:len(g.admin1)]...)
	for i, c := range g.cities {
		if c.admin1 >= 0 && c.name != "" {
			k := next[c.admin1]
			flat[k] = int32(i)
			sigs[k] = uint16(c.name[0]|0x20)<<8 | uint16(min(len(c.name), 255))
			next[c.admin1]++
		}
	}
	g.inAdmin1 = make([][]int32, len(g.admin1))
	g.inAdmin1S = make([][]uint16, len(g.admin1))
	for ai := range g.admin1 {
		g.inAdmin1[ai] = flat[count[ai]:count[ai+1]:count[ai+1]]
		g.inAdmin1S[ai] = sigs[count[ai]:count[ai+1]:count[ai+1]]
	}
	slices.SortFunc(g.located, func(a, b int32) int {
		return cmp.Compare(g.cities[a].lat, g.cities[b].lat)
	})
}

// fuzzyTargets lists the names a misspelling starting with b may mean.
func (g *gazetteer) fuzzyTargets(b byte) []fuzzyTarget { return g.fuzzyBy[b] }

// addTarget notes a key a misspelling may be matched against.
func (g *gazetteer) addTarget(key string, k kind, idx int32) {
	if len(key) >= 5 && (k == kCountry || k == kAdmin1Name && g.isNA(g.admin1[idx].country)) {
		g.fuzzy = append(g.fuzzy, fuzzyTarget{key: key, kind: k, idx: idx})
	}
}

func (g *gazetteer) isNA(ci int32) bool {
	cc := g.countries[ci].cc
	return cc == "US" || cc == "CA"
}

// each calls fn for every meaning of key until fn returns false.
func (g *gazetteer) each(key string, fn func(k kind, idx int32) bool) {
	sp, ok := g.index[key]
	if !ok {
		return
	}
	for _, e := range g.entries[sp.start : sp.start+sp.n] {
		if !fn(e.kind, e.idx) {
			return
		}
	}
}

func (g *gazetteer) has(key string) bool {
	_, ok := g.index[key]
	return ok
}

// loadGazetteer reads the embedded data and adds the hand-written tables.
func loadGazetteer() (*gazetteer, error) {
	data := gazetteerData
	g := &gazetteer{}
	line := 0
	for len(data) > 0 {
		var l string
		l, data, _ = strings.Cut(data, "\n")
		line++
		if l == "" || l[0] == '#' {
			continue
		}
		if g.index == nil && l[0] != 'N' {
			return nil, fmt.Errorf("geo: embedded gazetteer line %d: want the counts record first", line)
		}
		if err := g.parseLine(l); err != nil {
			return nil, fmt.Errorf("geo: embedded gazetteer line %d: %w", line, err)
		}
	}
	if err := g.addTables(); err != nil {
		return nil, err
	}
	g.buildFuzzy()
	return g, nil
}

// fields splits a line into exactly n tab-separated fields.
func fields(l string, n int, dst []string) ([]string, error) {
	dst = dst[:0]
	for i := 0; i < n-1; i++ {
		f, rest, ok := strings.Cut(l, "\t")
		if !ok {
			return nil, fmt.Errorf("want %d fields, got %d", n, i+1)
		}
		dst = append(dst, f)
		l = rest
	}
	return append(dst, l), nil
}

// eachKey calls fn for every '|'-separated key in s.
func eachKey(s string, fn func(string)) {
	for s != "" {
		var k string
		k, s, _ = strings.Cut(s, "|")
		fn(k)
	}
}

func (g *gazetteer) parseLine(l string) error {
	var buf [7]string
	switch l[0] {
	case 'N':
		f, err := fields(l, 7, buf[:])
		if err != nil {
			return err
		}
		var n [6]int
		for i := range n {
			if n[i], err = strconv.Atoi(f[i+1]); err != nil || n[i] < 0 || n[i] > 1<<24 {
				return fmt.Errorf("count %q", f[i+1])
			}
		}
		// The hand-written tables add a few thousand keys.
		const extra = 4096
		g.countries = make([]country, 0, n[0])
		g.byCC = make(map[string]int32, n[0])
		g.admin1 = make([]admin1, 0, n[1])
		g.admin1By = make(map[[2]string]int32, n[1])
		g.cities = make([]city, 0, n[2])
		g.airports = make(map[string]int32, n[3])
		g.index = make(map[string]span, n[4]+extra)
		g.entries = make([]entry, 0, n[5]+2*extra)
		return nil
	case 'C':
		f, err := fields(l, 6, buf[:])
		if err != nil {
			return err
		}
		g.byCC[f[1]] = int32(len(g.countries))
		g.countries = append(g.countries, country{cc: f[1], cc3: f[2], name: f[5], region: regionOf(f[1], f[3])})
	case 'A':
		f, err := fields(l, 5, buf[:])
		if err != nil {
			return err
		}
		ci, ok := g.byCC[f[1]]
		if !ok {
			return fmt.Errorf("admin1 %s.%s: unknown country", f[1], f[2])
		}
		a := admin1{country: ci, code: f[2], display: f[3], name: f[4]}
		if f[1] == "US" {
			a.usRegion = censusRegion(f[3])
		}
		g.admin1By[[2]string{f[1], f[2]}] = int32(len(g.admin1))
		g.admin1 = append(g.admin1, a)
	case 'P':
		f, err := fields(l, 7, buf[:])
		if err != nil {
			return err
		}
		ci, ok := g.byCC[f[2]]
		if !ok {
			return fmt.Errorf("city %s: unknown country %q", f[1], f[2])
		}
		w, err := strconv.ParseInt(f[4], 10, 64)
		if err != nil {
			return fmt.Errorf("city %s: weight %q", f[1], f[4])
		}
		ai, ok := g.admin1By[[2]string{f[2], f[3]}]
		if !ok {
			ai = -1
		}
		c := city{name: f[1], country: ci, admin1: ai, weight: float64(w), lat: float32(math.NaN()), lon: float32(math.NaN())}
		if f[5] != "" {
			lat, err1 := strconv.ParseFloat(f[5], 32)
			lon, err2 := strconv.ParseFloat(f[6], 32)
			if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
				return fmt.Errorf("city %s: coordinates %q, %q", f[1], f[5], f[6])
			}
			c.lat, c.lon = float32(lat), float32(lon)
			g.located = append(g.located, int32(len(g.cities)))
		}
		g.cities = append(g.cities, c)
	case 'I':
		f, err := fields(l, 3, buf[:])
		if err != nil {
			return err
		}
		c, err := strconv.Atoi(f[2])
		if err != nil || c < 0 || c >= len(g.cities) {
			return fmt.Errorf("airport %s: city index %q", f[1], f[2])
		}
		g.airports[f[1]] = int32(c)
	case 'K':
		f, err := fields(l, 3, buf[:])
		if err != nil {
			return err
		}
		start := int32(len(g.entries))
		for ps := f[2]; ps != ""; {
			var p string
			p, ps, _ = strings.Cut(ps, ",")
			e, err := g.posting(p)
			if err != nil {
				return fmt.Errorf("key %q: %w", f[1], err)
			}
			g.entries = append(g.entries, e)
			g.addTarget(f[1], e.kind, e.idx)
		}
		g.index[f[1]] = span{start: start, n: int32(len(g.entries)) - start}
	default:
		return fmt.Errorf("unknown record type %q", l[:1])
	}
	return nil
}

// posting decodes one meaning of a key: a kind letter and a record number.
func (g *gazetteer) posting(p string) (entry, error) {
	if len(p) < 2 {
		return entry{}, fmt.Errorf("posting %q", p)
	}
	n, err := strconv.Atoi(p[1:])
	if err != nil || n < 0 {
		return entry{}, fmt.Errorf("posting %q", p)
	}
	var k kind
	limit := len(g.countries)
	switch p[0] {
	case 'n':
		k = kCountry
	case '2':
		k = kCountryCode2
	case '3':
		k = kCountryCode3
	case 'a', 'd', 'b':
		k, limit = kAdmin1Name, len(g.admin1)
		if p[0] == 'd' {
			k = kAdmin1Code
		} else if p[0] == 'b' {
			k = kAdmin1Abbrev
		}
	case 'c':
		k, limit = kCity, len(g.cities)
	case 'l':
		k, limit = kCityAlt, len(g.cities)
	default:
		return entry{}, fmt.Errorf("posting %q: unknown kind", p)
	}
	if n >= limit {
		return entry{}, fmt.Errorf("posting %q: no such record", p)
	}
	return entry{kind: k, idx: int32(n)}, nil
}

// area is an entry of the hand-written table of nicknames and areas.
type area struct {
	country  int32  // -1 for a region-only area ("Europe")
	admin1   int32  // -1 when the area spans states
	city     int32  // -1 when the area is not one city
	region   Region // for region-only areas
	usRegion string // for US areas spanning several states in one Census region
	freeText bool   // may be found inside longer text ("flyover")
}

func (g *gazetteer) addTables() error {
	hand := map[string][]entry{}
	var order []string
	add := func(key string, k kind, idx int32) {
		if key == "" {
			return
		}
		if _, ok := hand[key]; !ok {
			order = append(order, key)
		}
		hand[key] = append(hand[key], entry{kind: k, idx: idx})
	}
	for _, d := range areaTable() {
		a := area{country: -1, admin1: -1, city: -1, region: d.region, usRegion: d.usRegion, freeText: d.freeText}
		first, _, _ := strings.Cut(d.phrases, "|")
		if d.cc != "" {
			ci, ok := g.byCC[d.cc]
			if !ok {
				return fmt.Errorf("geo: area %q: unknown country %s", first, d.cc)
			}
			a.country = ci
			a.region = g.countries[ci].region
		}
		if d.admin1 != "" {
			ai := g.admin1ByDisplay(a.country, d.admin1)
			if ai < 0 {
				return fmt.Errorf("geo: area %q: unknown admin1 %s-%s", first, d.cc, d.admin1)
			}
			a.admin1 = ai
			if a.usRegion == "" {
				a.usRegion = g.admin1[ai].usRegion
			}
		}
		if d.city != "" {
			a.city = g.findCity(d.city, a.country, a.admin1)
			if a.city < 0 {
				return fmt.Errorf("geo: area %q: city %q not in the gazetteer", first, d.city)
			}
		}
		i := int32(len(g.areas))
		g.areas = append(g.areas, a)
		eachKey(d.phrases, func(p string) { add(fold.Key(p), kArea, i) })
	}
	for _, d := range countryForms() {
		ci, ok := g.byCC[d.cc]
		if !ok {
			return fmt.Errorf("geo: country form %q: unknown country %s", d.forms, d.cc)
		}
		eachKey(d.forms, func(p string) { add(fold.Key(p), kCountry, ci) })
	}
	for _, d := range admin1Abbrevs() {
		ci := g.byCC[d.cc]
		ai := g.admin1ByDisplay(ci, d.code)
		if ai < 0 {
			return fmt.Errorf("geo: abbreviation %q: unknown admin1 %s-%s", d.forms, d.cc, d.code)
		}
		eachKey(d.forms, func(p string) { add(fold.Key(p), kAdmin1Abbrev, ai) })
	}
	for i, p := range strings.Split(nonPlaces, "|") {
		add(fold.Key(p), kNonPlace, int32(i))
	}
	// Merge into the index: a key the data already has keeps its meanings,
	// moved to the end of the entries with the table's added after them.
	for _, key := range order {
		es := hand[key]
		start := int32(len(g.entries))
		if sp, ok := g.index[key]; ok {
			g.entries = append(g.entries, g.entries[sp.start:sp.start+sp.n]...)
		}
		g.entries = append(g.entries, es...)
		g.index[key] = span{start: start, n: int32(len(g.entries)) - start}
		for _, e := range es {
			g.addTarget(key, e.kind, e.idx)
		}
	}
	return nil
}

func (g *gazetteer) admin1ByDisplay(ci int32, code string) int32 {
	for i := range g.admin1 {
		if g.admin1[i].country == ci && g.admin1[i].display == code {
			return int32(i)
		}
	}
	return -1
}

// findCity finds a city by name within a country and admin1 (-1: any).
func (g *gazetteer) findCity(name string, ci, ai int32) int32 {
	found := int32(-1)
	g.each(fold.Key(name), func(k kind, idx int32) bool {
		if k != kCity {
			return true
		}
		c := g.cities[idx]
		if ci >= 0 && c.country != ci || ai >= 0 && c.admin1 != ai {
			return true
		}
		if found < 0 || c.weight > g.cities[found].weight {
			found = idx
		}
		return true
	})
	return found
}

// buildFuzzy sorts the names misspellings are matched against into a fixed
// order, US states and Canadian provinces first, and drops repeats.
func (g *gazetteer) buildFuzzy() {
	sort.Slice(g.fuzzy, func(i, j int) bool {
		if g.fuzzy[i].kind != g.fuzzy[j].kind {
			return g.fuzzy[i].kind > g.fuzzy[j].kind
		}
		if g.fuzzy[i].key != g.fuzzy[j].key {
			return g.fuzzy[i].key < g.fuzzy[j].key
		}
		return g.fuzzy[i].idx < g.fuzzy[j].idx
	})
	out := g.fuzzy[:0]
	for i, f := range g.fuzzy {
		if i > 0 && f.key == g.fuzzy[i-1].key {
			continue
		}
		out = append(out, f)
	}
	g.fuzzy = out
	for _, f := range g.fuzzy {
		g.fuzzyBy[f.key[0]] = append(g.fuzzyBy[f.key[0]], f)
	}
}
