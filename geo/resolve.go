package geo

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/threaddigest/threaddigest/geo/internal/fold"
)

// Options configure a Resolver.
type Options struct {
	// Home is the ISO 3166-1 alpha-2 code of the country most readers are in.
	// Ambiguous names lean toward it: with "US", "Portland" is Portland, OR
	// and "Georgia" the state. "" means "US".
	Home string
	// CacheSize bounds how many distinct location strings a Resolver
	// remembers. 0 means DefaultCacheSize; a negative value disables the cache.
	CacheSize int
}

// DefaultCacheSize is the number of distinct location strings a Resolver
// remembers by default. An entry costs about 520 bytes (the string, its
// Place with its reason, and map overhead), so a full cache holds about
// 17 MB on top of the 6 MB gazetteer, however many comments a digest reads.
// Location strings follow a steep curve (the NYT sample's 4,432 fields hold
// 1,629 distinct strings), so the strings that repeat stay cached.
const DefaultCacheSize = 1 << 15

// MaxInput is how many bytes of a location string are read. Location fields
// are short; what lies beyond this is ignored, so hostile input costs no more
// than an ordinary string.
const MaxInput = 200

// Ranking constants. A city's weight is its population raised by how many
// languages name it (a world city against a namesake of the same size).
const (
	homeBoost  = 3.0       // a city in the home country counts three times its weight
	altPenalty = 0.1       // a city matched by an alternate name counts a tenth
	scanMinOne = 250_000.0 // a one-word city found inside text needs this score
	scanMinMul = 20_000.0  // and a city of several words this
	// primaryWins: a city matched by its own name with at least this score
	// beats cities that only carry the name as an alternate.
	primaryWins = 500_000.0
)

// Resolver reads free-text locations into places. It is safe for concurrent
// use, and deterministic: a string always resolves to the same Place.
type Resolver struct {
	g     *gazetteer
	home  int32 // country index, -1 when the home country is unknown
	cache *cache
	runs  sync.Pool // of *run: scratch space reused between strings
}

// ErrUnknownCountry is NewResolver's error for a home country that is not
// an ISO 3166-1 alpha-2 code of the gazetteer.
var ErrUnknownCountry = errors.New("not a country code: expected an ISO 3166-1 alpha-2 code such as US, CA or GB")

// NewResolver loads the embedded gazetteer.
func NewResolver(opt Options) (*Resolver, error) {
	home := strings.ToUpper(strings.TrimSpace(opt.Home))
	if home == "" {
		home = "US"
	}
	g, err := loadGazetteer()
	if err != nil {
		return nil, err
	}
	hi, ok := g.byCC[home]
	if !ok {
		return nil, fmt.Errorf("geo: home country %q: %w", opt.Home, ErrUnknownCountry)
	}
	r := &Resolver{g: g, home: hi}
	size := opt.CacheSize
	if size == 0 {
		size = DefaultCacheSize
	}
	if size > 0 {
		r.cache = newCache(size)
	}
	return r, nil
}

// Resolve reads one location string.
func (r *Resolver) Resolve(text string) Place {
	text = truncate(text, MaxInput)
	if r.cache != nil {
		if p, ok := r.cache.get(text); ok {
			return p
		}
	}
	p := r.resolve(text)
	if r.cache != nil {
		r.cache.put(text, p)
	}
	return p
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// res is a resolution before it becomes a Place.
type res struct {
	ok       bool
	nonPlace bool
	country  int32
	admin1   int32
	city     int32
	area     int32
	region   Region
	usRegion string
	conf     float64
	rule     string // which rule matched
	key      string // the folded words it matched
	note     string // extra words for the reason
}

func none() res { return res{country: -1, admin1: -1, city: -1, area: -1} }

func (r *Resolver) resolve(text string) Place {
	x, _ := r.runs.Get().(*run)
	if x == nil {
		x = &run{}
	}
	x.reset(r, clean(text))
	p := r.place(x.all())
	x.text, x.norm = "", ""
	r.runs.Put(x)
	return p
}

// clean removes what is not a place name but may look like one: HTML tags
// ("<br/>"), links and control characters.
func clean(s string) string {
	dirty := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '<' || c < ' ' || c == '/' && strings.Contains(s, ".") || c == ':' {
			dirty = true
			break
		}
	}
	if !dirty {
		return s
	}
	var b strings.Builder
	for _, w := range strings.Fields(s) {
		lw := strings.ToLower(w)
		if strings.Contains(lw, "://") || strings.HasPrefix(lw, "www.") || looksLikeDomain(lw) {
			b.WriteString(" | ")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	s = b.String()
	if strings.IndexByte(s, '<') >= 0 {
		b.Reset()
		for {
			i := strings.IndexByte(s, '<')
			if i < 0 {
				b.WriteString(s)
				break
			}
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				b.WriteString(s)
				break
			}
			b.WriteString(s[:i])
			b.WriteByte(' ')
			s = s[i+j+1:]
		}
		s = b.String()
	}
	return s
}

// looksLikeDomain reports words like "twitch.tv/someone" or "example.com".
func looksLikeDomain(w string) bool {
	dot := strings.IndexByte(w, '.')
	if dot <= 0 || dot == len(w)-1 {
		return false
	}
	if slash := strings.IndexByte(w, '/'); slash > dot {
		return true
	}
	for _, tld := range []string{".com", ".net", ".org", ".tv", ".io", ".ly", ".me", ".co.uk", ".edu", ".gov"} {
		if strings.HasSuffix(w, tld) {
			return true
		}
	}
	return false
}

// run holds the state of one resolution.
type run struct {
	text       string
	r          *Resolver
	g          *gazetteer
	toks       []fold.Token
	norm       string // the tokens' Norm joined by single spaces
	off        []int  // where token i starts in norm
	lowerInput bool   // no token has an upper-case letter
	upperInput bool   // every cased token is upper case
}

// reset prepares x to read s, keeping its slices' capacity.
func (x *run) reset(r *Resolver, s string) {
	x.r, x.g, x.text = r, r.g, s
	x.toks = fold.Tokenize(s, x.toks[:0])
	n := 0
	for _, t := range x.toks {
		n += len(t.Norm) + 1
	}
	var b strings.Builder
	b.Grow(n)
	if cap(x.off) < len(x.toks) {
		x.off = make([]int, len(x.toks))
	}
	x.off = x.off[:len(x.toks)]
	x.lowerInput, x.upperInput = true, true
	cased, long := 0, false
	for i, t := range x.toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		x.off[i] = b.Len()
		b.WriteString(t.Norm)
		if !t.Letters {
			continue
		}
		if len(t.Norm) >= 4 {
			long = true
		}
		switch t.Case {
		case fold.Lower:
			x.upperInput = false
			cased++
		case fold.Upper:
			x.lowerInput = false
			cased++
		case fold.Title, fold.Mixed:
			x.lowerInput = false
			x.upperInput = false
			cased++
		}
	}
	if cased < 2 || !long {
		// One word in capitals, or only short ones ("DC CO FL"), are
		// abbreviations, not shouting.
		x.upperInput = false
	}
	x.norm = b.String()
}

// key is the folded text of tokens [i, j).
func (x *run) key(i, j int) string {
	return x.norm[x.off[i] : x.off[j-1]+len(x.toks[j-1].Norm)]
}

// crossesComma reports a comma or break between tokens of [i, j).
func (x *run) crossesComma(i, j int) bool {
	for k := i + 1; k < j; k++ {
		if x.toks[k].Sep >= fold.SepComma {
			return true
		}
	}
	return false
}

func (x *run) capitalised(i int) bool {
	c := x.toks[i].Case
	return c == fold.Title || c == fold.Upper || c == fold.Mixed || x.lowerInput
}

// all resolves the whole string: the first group naming a place wins.
func (x *run) all() res {
	if len(x.toks) == 0 {
		out := none()
		out.rule = "empty"
		return out
	}
	if out := x.coordinates(); out.ok {
		return out
	}
	groups := x.groups()
	firstNonPlace := none()
	// A name read exactly in a later group beats one found inside the text
	// of an earlier group ("Isle of Mojo / London").
	for _, freeText := range []bool{false, true} {
		for _, gr := range groups {
			out := x.group(gr[0], gr[1], len(groups) == 1, freeText)
			if out.ok {
				return out
			}
			if out.nonPlace && !firstNonPlace.nonPlace {
				firstNonPlace = out
			}
		}
	}
	if firstNonPlace.nonPlace {
		return firstNonPlace
	}
	return none()
}

// groups splits the tokens at breaks ("/", "|", "&", a sentence end).
func (x *run) groups() [][2]int {
	var out [][2]int
	start := 0
	for i := 1; i < len(x.toks); i++ {
		t := x.toks[i]
		brk := t.Sep == fold.SepBreak
		if !brk && t.Sep == fold.SepSpace && x.toks[i-1].Dot && x.sentenceEnd(i-1) && (t.Case == fold.Title || t.Case == fold.Upper) {
			brk = true
		}
		if brk {
			out = append(out, [2]int{start, i})
			start = i
		}
	}
	return append(out, [2]int{start, len(x.toks)})
}

// sentenceEnd reports whether the full stop after token i ends a sentence
// ("Illinois. Land of…") rather than an abbreviation ("St.", "Calif.").
func (x *run) sentenceEnd(i int) bool {
	w := x.toks[i].Norm
	if len(w) < 3 {
		return false
	}
	switch w {
	case "mts", "twp", "ste", "ave", "blvd", "rd", "ft", "mt", "st", "co", "jr", "sr", "dr":
		return false
	}
	abbrev := false
	x.g.each(w, func(k kind, _ int32) bool {
		if k == kAdmin1Abbrev || k == kAdmin1Code {
			abbrev = true
			return false
		}
		return true
	})
	return !abbrev
}

// group resolves one group of tokens [a, b). only says the group is the
// whole string; freeText allows finding a name inside longer text.
func (x *run) group(a, b int, only, freeText bool) res {
	// A ZIP code, alone or after a place ("Bronxville, NY 10708").
	zip := -1
	for b > a && !x.toks[b-1].Letters {
		if zip < 0 {
			zip = b - 1
		}
		b--
	}
	for a < b && (!x.toks[a].Letters || x.toks[a].Norm == "in" && b-a > 1) {
		a++
	}
	if a == b {
		if zip >= 0 {
			return x.zip(zip)
		}
		return none()
	}
	if x.isNonPlace(a, b) {
		out := none()
		out.nonPlace = true
		out.key = x.key(a, b)
		return out
	}
	if vagueLead(x.toks[a].Norm) {
		if !freeText {
			return none()
		}
		if out := x.scan(a+1, b); out.ok {
			return out
		}
		out := none()
		out.nonPlace = true
		out.key = x.key(a, b)
		return out
	}
	// "American in Berlin", "NYer living in London": the place lived in.
	for k := b - 2; k > a; k-- {
		if t := x.toks[k]; t.Norm == "in" && t.Case != fold.Upper && t.Sep == fold.SepSpace {
			if out := x.group(k+1, b, false, freeText); out.ok {
				return out
			}
			break
		}
	}
	// "Florida and North Carolina": the first one named.
	subs := x.splitList(a, b)
	if freeText {
		// The exact readings failed in the first pass: look inside the text.
		if len(subs) > 1 {
			for _, s := range subs {
				if out := x.group(s[0], s[1], false, true); out.ok {
					return out
				}
			}
			return none()
		}
		return x.scan(a, b)
	}
	if out := x.exactWhole(a, b, true); out.ok || out.nonPlace {
		return out
	}
	if only && b == a+1 && zip < 0 {
		if out := x.airport(a); out.ok {
			return out
		}
	}
	if len(subs) > 1 {
		for _, s := range subs {
			if out := x.group(s[0], s[1], false, false); out.ok {
				return out
			}
		}
		return none()
	}
	if out := x.qualified(a, b); out.ok {
		return out
	}
	if out := x.structured(a, b); out.ok {
		return out
	}
	if x.crossesComma(a, b) {
		for _, p := range x.parts(a, b) {
			if out := x.exactWhole(p[0], p[1], true); out.ok {
				return out
			}
			if out := x.qualified(p[0], p[1]); out.ok {
				return out
			}
		}
	}
	if out := x.fuzzy(a, b); out.ok {
		return out
	}
	return x.county(a, b)
}

func (x *run) isNonPlace(a, b int) bool {
	found := false
	x.g.each(x.key(a, b), func(k kind, _ int32) bool {
		found = k == kNonPlace
		return !found
	})
	return found
}

// parts splits [a, b) at commas.
func (x *run) parts(a, b int) [][2]int {
	var out [][2]int
	start := a
	for k := a + 1; k < b; k++ {
		if x.toks[k].Sep >= fold.SepComma {
			out = append(out, [2]int{start, k})
			start = k
		}
	}
	return append(out, [2]int{start, b})
}

// splitList splits [a, b) at list words ("and", "via") that are not part of
// a name ("Trinidad and Tobago", "Newfoundland and Labrador").
func (x *run) splitList(a, b int) [][2]int {
	var out [][2]int
	start := a
	for k := a + 1; k < b-1; k++ {
		if !listWord(x.toks[k].Norm) || x.insideName(k, a, b) {
			continue
		}
		if k > start {
			out = append(out, [2]int{start, k})
		}
		start = k + 1
	}
	if out == nil {
		return nil
	}
	return append(out, [2]int{start, b})
}

// insideName reports whether token k is inside a gazetteer name within [a, b).
func (x *run) insideName(k, a, b int) bool {
	for i := max(a, k-3); i < k; i++ {
		for j := k + 2; j <= min(b, i+6); j++ {
			if x.g.has(x.key(i, j)) {
				return true
			}
		}
	}
	return false
}

// stripQualifiers drops leading and trailing words that narrow a place
// without changing it ("Small-town", "Outside", "area", "County").
func (x *run) stripQualifiers(a, b int) (int, int) {
	for a < b && x.droppable(a, true) {
		a++
	}
	for b > a && x.droppable(b-1, false) {
		b--
	}
	return a, b
}

// pick gathers the meanings of one key.
type pick struct {
	nonPlace    bool
	area        int32
	homeAdmin1  int32
	homeAbbrev  bool
	country     int32
	countryCode int32 // by ISO code, which yields to US and Canadian codes
	naAdmin1    int32 // a US or Canadian state or province, not home
	city        int32
	cityScore   float64
	cityTotal   float64
	cityCount   int
	cityAlt     bool
	// primaryScore is the best score of a city matched by its own name.
	primaryScore float64
	otherAdmin1  int32
}

func newPick() pick {
	return pick{area: -1, homeAdmin1: -1, country: -1, countryCode: -1, naAdmin1: -1, city: -1, otherAdmin1: -1}
}

// cityScore ranks a city for a name: its weight, raised in the home country
// and lowered when only an alternate name matched.
func (x *run) cityScore(ci int32, alt bool) float64 {
	c := &x.g.cities[ci]
	s := c.weight
	if c.country == x.r.home {
		s *= homeBoost
	}
	if alt {
		s *= altPenalty
	}
	return s
}

func (x *run) isNA(country int32) bool {
	cc := x.g.countries[country].cc
	return cc == "US" || cc == "CA"
}

// exactWhole reads tokens [a, b) as one name. whole says the span is a whole
// group, where lower-case codes ("ca", "nj") are accepted.
func (x *run) exactWhole(a, b int, whole bool) res {
	if x.crossesComma(a, b) {
		return none()
	}
	if b == a+1 && (len(x.toks[a].Norm) < 2 || !x.toks[a].Letters) {
		return none()
	}
	key := x.key(a, b)
	p := x.collect(key, a, b, whole)
	if p.empty() && x.toks[a].Norm == "the" && b > a+1 {
		key = x.key(a+1, b)
		p = x.collect(key, a+1, b, whole)
		if b == a+2 {
			// "The Bay" is neither Bay, Philippines nor Bay, Somalia.
			p.city, p.otherAdmin1 = -1, -1
		}
	}
	out := none()
	out.key = key
	out.ok = true
	switch {
	case p.nonPlace:
		out.ok = false
		out.nonPlace = true
	case p.area >= 0:
		x.setArea(&out, p.area)
	case p.homeAdmin1 >= 0:
		x.setAdmin1(&out, p.homeAdmin1)
		if p.homeAbbrev {
			out.conf = 0.85
		}
	case p.country >= 0:
		x.setCountry(&out, p.country)
	case p.naAdmin1 >= 0:
		x.setAdmin1(&out, p.naAdmin1)
	case p.countryCode >= 0:
		x.setCountry(&out, p.countryCode)
		out.conf = 0.85
	case p.city >= 0:
		x.setCity(&out, p.city)
		out.rule = "city"
		share := p.cityScore / p.cityTotal
		out.conf = 0.5 + 0.4*share
		if p.cityCount > 1 {
			out.note = fmt.Sprintf("most prominent of %d so named", p.cityCount)
		}
		if p.cityAlt {
			out.rule = "city (other name)"
		}
	case p.otherAdmin1 >= 0:
		x.setAdmin1(&out, p.otherAdmin1)
	default:
		out.ok = false
	}
	return out
}

// primaryIn reports whether a city of the best alternate match's country
// bears the name as its own: then that city is meant ("Westport" is not a
// neighbourhood of Kansas City).
func (p *pick) primaryIn(x *run, key string) bool {
	want := x.g.cities[p.city].country
	found := false
	x.g.each(key, func(k kind, idx int32) bool {
		found = k == kCity && x.g.cities[idx].country == want
		return !found
	})
	return found
}

func (p *pick) empty() bool {
	return !p.nonPlace && p.area < 0 && p.homeAdmin1 < 0 && p.country < 0 && p.countryCode < 0 && p.naAdmin1 < 0 && p.city < 0 && p.otherAdmin1 < 0
}

// collect sorts the meanings of key (tokens [a, b)) into a pick.
func (x *run) collect(key string, a, b int, whole bool) pick {
	p := newPick()
	t := x.toks[a]
	single := b == a+1
	short := single && len(t.Norm) < 4
	upper := t.Case == fold.Upper && !x.upperInput
	x.g.each(key, func(k kind, idx int32) bool {
		switch k {
		case kNonPlace:
			p.nonPlace = true
		case kArea:
			if !short || whole || upper {
				p.area = idx
			}
		case kCountry:
			if (!short || whole || upper) && p.country < 0 {
				p.country = idx
			}
		case kCountryCode2:
			if upper && !codeWord(t.Norm) {
				p.countryCode = idx
			}
		case kCountryCode3:
			if upper {
				p.countryCode = idx
			}
		case kAdmin1Name, kAdmin1Code, kAdmin1Abbrev:
			a1 := &x.g.admin1[idx]
			na := x.isNA(a1.country)
			switch k {
			case kAdmin1Code:
				if na && !(whole || upper) || !na && !(upper && len(t.Norm) >= 3) {
					return true
				}
			case kAdmin1Abbrev:
				if !(whole || t.Dot || t.Case == fold.Title || upper) {
					return true
				}
			}
			switch {
			case a1.country == x.r.home:
				if p.homeAdmin1 < 0 || k == kAdmin1Name {
					p.homeAdmin1 = idx
					p.homeAbbrev = k == kAdmin1Abbrev
				}
			case na:
				if p.naAdmin1 < 0 {
					p.naAdmin1 = idx
				}
			default:
				if k == kAdmin1Name && !x.allQualifiers(a, b) && (p.otherAdmin1 < 0 || x.g.countries[a1.country].cc < x.g.countries[x.g.admin1[p.otherAdmin1].country].cc) {
					p.otherAdmin1 = idx
				}
			}
		case kCity, kCityAlt:
			alt := k == kCityAlt
			s := x.cityScore(idx, alt)
			p.cityTotal += s
			p.cityCount++
			if !alt && s > p.primaryScore {
				p.primaryScore = s
			}
			if s > p.cityScore || s == p.cityScore && idx < p.city {
				p.city, p.cityScore, p.cityAlt = idx, s, alt
			}
		}
		return true
	})
	if p.countryCode >= 0 && p.countryCode == x.r.home && p.country < 0 {
		// The home country's own code means it ("CA" for Canadian readers).
		p.country = p.countryCode
	}
	if p.cityAlt && (p.primaryScore >= primaryWins || p.primaryIn(x, key)) {
		// A sizeable place of this very name beats a city known by it only
		// as another name ("Victoria" is Victoria, BC, not Hong Kong).
		p.city, p.cityScore, p.cityAlt = -1, 0, false
		x.g.each(key, func(k kind, idx int32) bool {
			if s := x.cityScore(idx, false); k == kCity && (s > p.cityScore || s == p.cityScore && idx < p.city) {
				p.city, p.cityScore = idx, s
			}
			return true
		})
	}
	return p
}

func (x *run) setArea(out *res, ai int32) {
	ar := &x.g.areas[ai]
	out.ok = true
	out.area = ai
	out.country = ar.country
	out.admin1 = ar.admin1
	out.city = ar.city
	out.region = ar.region
	out.usRegion = ar.usRegion
	out.rule = "nickname"
	out.conf = 0.85
	if ar.country < 0 {
		out.rule = "region"
		out.conf = 0.6
	} else if ar.city < 0 && ar.admin1 < 0 {
		out.rule = "area"
		out.conf = 0.7
	}
}

func (x *run) setAdmin1(out *res, ai int32) {
	out.ok = true
	out.admin1 = ai
	out.country = x.g.admin1[ai].country
	out.rule = "admin1"
	out.conf = 0.95
}

func (x *run) setCountry(out *res, ci int32) {
	out.ok = true
	out.country = ci
	out.rule = "country"
	out.conf = 0.95
}

func (x *run) setCity(out *res, ci int32) {
	c := &x.g.cities[ci]
	out.ok = true
	out.city = ci
	out.country = c.country
	out.admin1 = c.admin1
	out.rule = "city"
	out.conf = 0.9
}

// airport reads a lone three-letter token as an IATA code ("YVR", "dfw").
func (x *run) airport(i int) res {
	t := x.toks[i]
	if len(t.Norm) != 3 || t.End-t.Start != 3 || t.Case != fold.Upper && commonWord(t.Norm) {
		return none()
	}
	code := strings.ToUpper(t.Norm)
	ci, ok := x.g.airports[code]
	if !ok {
		return none()
	}
	out := none()
	x.setCity(&out, ci)
	out.rule = "airport"
	out.key = t.Norm
	out.conf = 0.75
	return out
}

// zip reads a US ZIP code when the home country is the US.
func (x *run) zip(i int) res {
	t := x.toks[i].Norm
	if len(t) != 5 || x.g.countries[x.r.home].cc != "US" {
		return none()
	}
	n := 0
	for _, c := range t[:3] {
		n = n*10 + int(c-'0')
	}
	st := zipState(n)
	if st == "" {
		return none()
	}
	ai := x.g.admin1ByDisplay(x.r.home, st)
	if ai < 0 {
		return none()
	}
	out := none()
	x.setAdmin1(&out, ai)
	out.rule = "zip code"
	out.key = t
	out.conf = 0.7
	return out
}

// unit is one reading of a container written after a locality: a country or
// a state ("…, Canada", "… CO").
type unit struct {
	start   int
	country int32
	admin1  int32
	strong  bool // accepted even when the locality before it is unknown
	home    bool
}

// units lists the container readings of spans ending at end and starting
// at or after min, in a group starting at a.
func (x *run) units(a, min, end int, fn func(u unit)) {
	for n := 1; n <= 4 && end-n >= min; n++ {
		s := end - n
		if x.crossesComma(s, end) {
			break
		}
		t := x.toks[s]
		if !t.Letters || len(t.Norm) < 2 && n == 1 {
			continue
		}
		comma := t.Sep == fold.SepComma
		upper := t.Case == fold.Upper && !x.upperInput
		title := t.Case == fold.Title
		short := n == 1 && len(t.Norm) < 4
		x.g.each(x.key(s, end), func(k kind, idx int32) bool {
			u := unit{start: s, country: -1, admin1: -1}
			switch k {
			case kCountry:
				u.country = idx
				u.strong = !short || comma || upper
				if short && !u.strong && !x.lowerInput {
					return true
				}
			case kCountryCode2:
				if !(comma || upper && !codeWord(t.Norm)) {
					return true
				}
				u.country = idx
				u.strong = comma && upper
			case kCountryCode3:
				if !upper && !comma {
					return true
				}
				u.country = idx
				u.strong = upper
			case kAdmin1Name, kAdmin1Code, kAdmin1Abbrev:
				a1 := &x.g.admin1[idx]
				na := x.isNA(a1.country)
				u.admin1 = idx
				u.country = a1.country
				switch {
				case k == kAdmin1Name:
					u.strong = na || comma
				case na:
					u.strong = comma || t.Dot || x.nameLike(a, s) && (t.Case == fold.Upper || title || end == len(x.toks))
				default:
					// Other countries' codes ("BC" is also Banská Bystrica)
					// count only where the locality is found in them.
					u.strong = false
				}
			default:
				return true
			}
			u.home = u.country == x.r.home
			fn(u)
			return true
		})
	}
}

// structured reads "locality, container" forms: "Boulder, Co", "Paris TX",
// "Tel Aviv, IL", "Ottawa, Ontario, Canada", "Perth WA".
func (x *run) structured(a, b int) res {
	best := none()
	bestRank := 0.0
	consider := func(r0 int, ci, ai int32, strong, home bool, depth int) {
		rank := 0.0
		out := none()
		if r0 == a {
			if depth < 2 {
				return
			}
			rank = 2
			if ai >= 0 {
				x.setAdmin1(&out, ai)
				out.rule = "admin1+country"
			} else {
				x.setCountry(&out, ci)
			}
			out.conf = 0.9
		} else {
			loc := x.locality(a, r0, ci, ai)
			switch {
			case loc.ok:
				rank = 3
				out = loc
				if out.city >= 0 {
					out.rule = "city+country"
					if ai >= 0 {
						out.rule = "city+admin1"
					}
					out.conf = 0.95
					if loc.rule != "city" {
						out.rule += " (misspelt)"
						out.conf = 0.6
					}
				}
			case strong && !x.codeList(a, r0) && !x.listedElsewhere(a, r0, ci, ai):
				rank = 1
				if ai >= 0 {
					x.setAdmin1(&out, ai)
				} else {
					x.setCountry(&out, ci)
				}
				out.note = "locality not in gazetteer: " + x.key(a, r0)
				out.conf = 0.7
			default:
				return
			}
		}
		if home {
			rank += 0.2
		}
		if strong {
			rank += 0.1
		}
		rank += 0.05 * float64(depth)
		if rank > bestRank {
			best, bestRank = out, rank
			best.key = x.key(a, b)
		}
	}
	x.units(a, a+1, b, func(u1 unit) {
		consider(u1.start, u1.country, u1.admin1, u1.strong, u1.home, 1)
		x.units(a, a, u1.start, func(u2 unit) {
			switch {
			case u1.admin1 >= 0 && u2.admin1 < 0 && u2.country == u1.country:
				// "United Kingdom, Scotland"
				consider(u2.start, u1.country, u1.admin1, u1.strong || u2.strong, u1.home, 2)
			case u1.admin1 < 0 && u2.admin1 >= 0 && u2.country == u1.country:
				consider(u2.start, u1.country, u2.admin1, u1.strong || u2.strong, u1.home, 2)
			}
		})
	})
	return best
}

// locality reads tokens [a, b) as a place inside country ci and admin1 ai
// (-1: any).
func (x *run) locality(a, b int, ci, ai int32) res {
	if x.crossesComma(a, b) {
		ps := x.parts(a, b)
		for i := len(ps) - 1; i >= 0; i-- {
			if out := x.locality(ps[i][0], ps[i][1], ci, ai); out.ok {
				return out
			}
		}
		return none()
	}
	if out := x.localityExact(a, b, ci, ai); out.ok {
		return out
	}
	if a2, b2 := x.stripQualifiers(a, b); a2 < b2 && (a2 != a || b2 != b) {
		if out := x.localityExact(a2, b2, ci, ai); out.ok {
			return out
		}
	}
	if ai >= 0 {
		if ci := x.fuzzyCity(a, b, ai); ci >= 0 {
			out := none()
			x.setCity(&out, ci)
			out.rule = "misspelt city"
			out.key = x.key(a, b)
			out.conf = 0.6
			return out
		}
	}
	return none()
}

func (x *run) localityExact(a, b int, ci, ai int32) res {
	if b == a+1 && (len(x.toks[a].Norm) < 2 || !x.toks[a].Letters) {
		return none()
	}
	key := x.key(a, b)
	city, area, adm, ctry := int32(-1), int32(-1), int32(-1), int32(-1)
	var cityScore float64
	try := func(key string) {
		x.g.each(key, func(k kind, idx int32) bool {
			switch k {
			case kCity, kCityAlt:
				c := &x.g.cities[idx]
				if ci >= 0 && c.country != ci || ai >= 0 && c.admin1 != ai {
					return true
				}
				if s := x.cityScore(idx, k == kCityAlt); s > cityScore {
					city, cityScore = idx, s
				}
			case kArea:
				ar := &x.g.areas[idx]
				if (ci < 0 || ar.country == ci) && (ai < 0 || ar.admin1 == ai) && ar.country >= 0 {
					area = idx
				}
			case kAdmin1Name, kAdmin1Code, kAdmin1Abbrev:
				a1 := &x.g.admin1[idx]
				if (ci < 0 || a1.country == ci) && (ai < 0 || idx == ai) {
					adm = idx
				}
			case kCountry, kCountryCode2, kCountryCode3:
				if idx == ci {
					ctry = idx
				}
			}
			return true
		})
	}
	try(key)
	if city < 0 && area < 0 && adm < 0 && ctry < 0 && x.toks[a].Norm == "the" && b > a+1 {
		try(x.key(a+1, b))
	}
	out := none()
	out.key = key
	switch {
	case city >= 0:
		x.setCity(&out, city)
	case area >= 0:
		x.setArea(&out, area)
	case adm >= 0:
		x.setAdmin1(&out, adm)
	case ctry >= 0:
		x.setCountry(&out, ctry)
	}
	return out
}

// scan finds the first strong place name inside free text ("Enjoying
// Florida Sunshine", "meestal Gent").
func (x *run) scan(a, b int) res {
	// Other countries' provinces, which are often also words ("East End",
	// "Delta"), count only when nothing else is named.
	fallback := none()
	for i := a; i < b; i++ {
		t := x.toks[i]
		if !t.Letters || len(t.Norm) < 2 {
			continue
		}
		end := i + 1
		for end < b && end-i < 5 && x.toks[end].Sep < fold.SepComma {
			end++
		}
		for j := end; j > i; j-- {
			out, foreign, nonPlace := x.scanKey(x.key(i, j), i, j)
			if nonPlace && j > i+1 {
				break
			}
			if !out.ok {
				continue
			}
			if foreign {
				if !fallback.ok {
					fallback = out
				}
				continue
			}
			// A container may follow: "St. Louis MO is home base".
			for k := min(b, j+4); k > j; k-- {
				if x.crossesComma(j, k) && x.toks[j].Sep != fold.SepComma {
					continue
				}
				if s := x.structured(i, k); s.ok && s.city >= 0 {
					out = s
					break
				}
			}
			out.rule = "in text: " + out.rule
			out.conf = 0.5
			return out
		}
	}
	if fallback.ok {
		fallback.rule = "in text: " + fallback.rule
		fallback.conf = 0.4
	}
	return fallback
}

// scanKey reads key (tokens [i, j)) inside free text. foreign reports a
// match that is only another country's province; nonPlace a phrase that
// names no place.
func (x *run) scanKey(key string, i, j int) (out res, foreign, nonPlace bool) {
	t := x.toks[i]
	single := j == i+1
	if single && commonWord(t.Norm) {
		return none(), false, false
	}
	upper := t.Case == fold.Upper && !x.upperInput
	capital := x.capitalised(i)
	shortOK := len(key) >= 4 || upper
	// Priority: areas, home states, countries, US and Canadian states,
	// cities, then other countries' provinces.
	area, home, ctry, na, city, other := int32(-1), int32(-1), int32(-1), int32(-1), int32(-1), int32(-1)
	var cityScore float64
	x.g.each(key, func(k kind, idx int32) bool {
		switch k {
		case kNonPlace:
			nonPlace = true
		case kArea:
			if x.g.areas[idx].freeText && shortOK {
				area = idx
			}
		case kCountry:
			if shortOK {
				ctry = idx
			}
		case kAdmin1Name, kAdmin1Code, kAdmin1Abbrev:
			a1 := &x.g.admin1[idx]
			isNA := x.isNA(a1.country)
			ok := false
			switch {
			case k == kAdmin1Code:
				ok = isNA && upper && !codeWord(t.Norm)
			case k == kAdmin1Abbrev:
				ok = (t.Dot || t.Hash) && (t.Case == fold.Title || upper)
			case isNA:
				ok = len(key) >= 4
			default:
				ok = (t.Case == fold.Title || upper) && len(key) >= 5 && !x.allQualifiers(i, j)
			}
			switch {
			case !ok:
			case a1.country == x.r.home:
				home = idx
			case isNA:
				na = idx
			default:
				other = idx
			}
		case kCity, kCityAlt:
			if !capital {
				return true
			}
			alt := k == kCityAlt
			s := x.cityScore(idx, alt)
			min := scanMinOne
			switch {
			case !single:
				min = scanMinMul
			case alt:
				min = scanMinOne * 10
			}
			if s >= min && s > cityScore {
				city, cityScore = idx, s
			}
		}
		return true
	})
	out = none()
	out.key = key
	switch {
	case area >= 0:
		x.setArea(&out, area)
	case home >= 0:
		x.setAdmin1(&out, home)
	case ctry >= 0:
		x.setCountry(&out, ctry)
	case na >= 0:
		x.setAdmin1(&out, na)
	case city >= 0:
		x.setCity(&out, city)
	case other >= 0:
		x.setAdmin1(&out, other)
		foreign = true
	}
	return out, foreign, nonPlace
}

// allQualifiers reports whether every token of [i, j) is a qualifier word
// ("South East" names a region of Botswana, but here it qualifies).
func (x *run) allQualifiers(i, j int) bool {
	for k := i; k < j; k++ {
		if w := x.toks[k].Norm; !leadingQualifier(w) && !trailingQualifier(w) {
			return false
		}
	}
	return true
}

// fuzzy reads a misspelt state, province or country ("Texass",
// "Masachusetts"), alone or ending the group.
func (x *run) fuzzy(a, b int) res {
	if x.crossesComma(a, b) {
		a = x.parts(a, b)[len(x.parts(a, b))-1][0]
	}
	for s := a; s < b && s >= b-2; s++ {
		key := x.key(s, b)
		if len(key) < 5 {
			continue
		}
		best, bestKind := int32(-1), kind(0)
		for _, f := range x.g.fuzzyTargets(key[0]) {
			if closeEnough(key, f.key) {
				best, bestKind = f.idx, f.kind
				break
			}
		}
		if best < 0 {
			continue
		}
		out := none()
		if bestKind == kCountry {
			x.setCountry(&out, best)
		} else {
			x.setAdmin1(&out, best)
		}
		out.rule = "misspelt " + out.rule
		out.key = key
		out.conf = 0.4
		return out
	}
	return none()
}

// fuzzyCity finds a city of admin1 ai whose name is one typo from [a, b).
func (x *run) fuzzyCity(a, b int, ai int32) int32 {
	key := x.key(a, b)
	if len(key) < 5 {
		return -1
	}
	var buf [64]byte
	cities, sigs := x.g.admin1Cities(ai)
	for i, ci := range cities {
		sig := sigs[i]
		if byte(sig>>8) != key[0] {
			continue
		}
		if n := int(sig & 0xff); n < len(key)-2 || n > len(key)+3 {
			continue
		}
		if low, ok := asciiLower(x.g.cities[ci].name, buf[:0]); ok && closeEnough(key, string(low)) {
			return ci
		}
	}
	return -1
}

// asciiLower lower-cases an ASCII name into buf, spaces for hyphens; ok is
// false for names with other characters, which are not matched by spelling.
func asciiLower(name string, buf []byte) ([]byte, bool) {
	if len(name) > cap(buf) {
		return nil, false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'A' <= c && c <= 'Z':
			buf = append(buf, c+'a'-'A')
		case 'a' <= c && c <= 'z', c == ' ':
			buf = append(buf, c)
		case c == '-':
			buf = append(buf, ' ')
		case c == '.' || c == '\'':
		default:
			return nil, false
		}
	}
	return buf, true
}

// place turns a resolution into the Place callers see.
func (r *Resolver) place(out res) Place {
	g := r.g
	if !out.ok {
		p := Place{Region: Unknown, Reason: "no place found"}
		switch {
		case out.nonPlace:
			p.Reason = `non-place "` + out.key + `"`
		case out.rule == "empty":
			p.Reason = "no words"
		}
		return p
	}
	p := Place{Region: Unknown, Confidence: round2(out.conf)}
	if out.city >= 0 && out.admin1 < 0 {
		out.admin1 = g.cities[out.city].admin1
	}
	if out.country >= 0 {
		c := &g.countries[out.country]
		p.Country = c.cc
		p.Region = c.region
	} else if out.region != "" {
		p.Region = out.region
	}
	if out.admin1 >= 0 {
		a := &g.admin1[out.admin1]
		p.Admin1 = a.display
		p.USRegion = a.usRegion
	}
	if p.Country == "US" && p.USRegion == "" {
		p.USRegion = out.usRegion
	}
	if p.Country != "US" {
		p.USRegion = ""
	}
	if out.city >= 0 {
		p.City = g.cities[out.city].name
	}
	var what strings.Builder
	parts := make([]string, 0, 4)
	if p.City != "" {
		parts = append(parts, p.City)
	}
	if out.admin1 >= 0 {
		if p.City != "" {
			parts = append(parts, g.admin1[out.admin1].display)
		} else {
			parts = append(parts, g.admin1[out.admin1].name)
		}
	}
	if p.Country != "" {
		if p.City == "" && out.admin1 < 0 {
			parts = append(parts, g.countries[out.country].name)
		} else {
			parts = append(parts, p.Country)
		}
	}
	if out.admin1 < 0 && p.USRegion != "" {
		parts = append(parts, p.USRegion)
	}
	what.WriteString(strings.Join(parts, ", "))
	if what.Len() == 0 {
		what.WriteString(string(p.Region))
	}
	// Keys are folded words: no quotes or backslashes to escape.
	p.Reason = out.rule + ` "` + out.key + `": ` + what.String()
	if out.note != "" {
		p.Reason += " (" + out.note + ")"
	}
	return p
}

func round2(f float64) float64 {
	return float64(int(f*100+0.5)) / 100
}

// nameLike reports whether tokens [a, b) could be a place name: a few words,
// none of them a common word or qualifier ("stormville" but not "come at").
func (x *run) nameLike(a, b int) bool {
	if b <= a || b-a > 3 {
		return false
	}
	for i := a; i < b; i++ {
		w := x.toks[i].Norm
		if stopWord(w) || listWord(w) || !x.toks[i].Letters {
			return false
		}
	}
	return true
}

// county reads "<Name> County" as American usage when the name itself is
// not in the gazetteer ("Clark County").
func (x *run) county(a, b int) res {
	if b-a < 2 || b-a > 4 || x.toks[b-1].Norm != "county" || !x.nameLike(a, b-1) || x.crossesComma(a, b) {
		return none()
	}
	us, ok := x.g.byCC["US"]
	if !ok {
		return none()
	}
	out := none()
	x.setCountry(&out, us)
	out.rule = "US county"
	out.key = x.key(a, b)
	out.conf = 0.4
	return out
}

// qualified drops qualifier words one at a time, from the front and then the
// back, and reads what remains as a name: "Western North Carolina" is North
// Carolina, not Carolina, Puerto Rico.
func (x *run) qualified(a, b int) res {
	if x.crossesComma(a, b) {
		return none()
	}
	try := func(i, j int) res {
		if i >= j || i == a && j == b {
			return none()
		}
		out := x.exactWhole(i, j, true)
		if !out.ok || j == i+1 && out.city >= 0 && out.area < 0 && commonWord(x.toks[i].Norm) {
			return none()
		}
		out.conf *= 0.95
		out.note = "qualified"
		return out
	}
	i := a
	for ; i < b && x.droppable(i, true); i++ {
		if out := try(i+1, b); out.ok {
			return out
		}
	}
	for j := b; j > i && x.droppable(j-1, false); j-- {
		if out := try(i, j-1); out.ok {
			return out
		}
	}
	return none()
}

func (x *run) droppable(i int, leading bool) bool {
	t := x.toks[i]
	if !t.Letters || len(t.Norm) == 1 {
		return true
	}
	if leading {
		return leadingQualifier(t.Norm)
	}
	return trailingQualifier(t.Norm)
}

// codeList reports whether tokens [a, b) are all upper-case two-letter
// codes: then "DC CO FL" is a list whose first entry is meant, not FL.
func (x *run) codeList(a, b int) bool {
	if b-a < 2 {
		return false
	}
	for i := a; i < b; i++ {
		if t := x.toks[i]; len(t.Norm) != 2 || t.Case != fold.Upper {
			return false
		}
	}
	return true
}

// listedElsewhere reports whether the locality [a, b) before a container
// outside the US, Canada and the home country lists another place rather
// than one inside it: "Canberra, Sydney, Singapore" and "Ithaca, Tel Aviv"
// do, "Kent, England" and "Surrey, UK" do not (a locality the gazetteer
// lacks, before a country, stays in that country). Inside the US and Canada
// the container is trusted, since small towns share names with bigger places
// ("Lebanon, NH", "Holland Ohio").
func (x *run) listedElsewhere(a, b int, ci, ai int32) bool {
	if ci < 0 || ci == x.r.home || x.isNA(ci) {
		return false
	}
	parts := x.parts(a, b)
	if ai < 0 && len(parts) < 2 {
		return false
	}
	out := x.exactWhole(parts[0][0], parts[0][1], true)
	return out.ok && out.country != ci
}

// coordinates reads a latitude and longitude ("ÜT: 45.50516,-73.574402", as
// Twitter clients wrote them) as the nearest city of 50,000 people or more,
// when one lies within 100 km.
func (x *run) coordinates() res {
	lat, lon, ok := latLon(x.text)
	if !ok {
		return none()
	}
	const maxKm = 100
	best, bestD := int32(-1), math.Inf(1)
	cosLat := math.Cos(lat * math.Pi / 180)
	// A degree of latitude is 111 km: only cities within one can be nearer
	// than maxKm.
	loc := x.g.locatedByLat()
	from, _ := slices.BinarySearchFunc(loc, float32(lat-1), func(ci int32, t float32) int {
		return cmp.Compare(x.g.cities[ci].lat, t)
	})
	for _, ci := range loc[from:] {
		c := &x.g.cities[ci]
		if float64(c.lat) > lat+1 {
			break
		}
		dy := (float64(c.lat) - lat) * 111.2
		dlon := math.Abs(float64(c.lon) - lon)
		if dlon > 180 {
			dlon = 360 - dlon
		}
		dx := dlon * 111.2 * cosLat
		if d := dx*dx + dy*dy; d < bestD {
			best, bestD = ci, d
		}
	}
	if best < 0 || bestD > maxKm*maxKm {
		return none()
	}
	out := none()
	x.setCity(&out, best)
	out.rule = "coordinates"
	out.key = strconv.FormatFloat(lat, 'f', 2, 64) + "," + strconv.FormatFloat(lon, 'f', 2, 64)
	out.note = fmt.Sprintf("%.0f km away", math.Sqrt(bestD))
	out.conf = 0.8
	return out
}

// latLon finds exactly two decimal numbers with a fractional part of two or
// more digits, a valid latitude then longitude.
func latLon(s string) (lat, lon float64, ok bool) {
	if strings.IndexByte(s, '.') < 0 {
		return 0, 0, false
	}
	var nums [3]float64
	n := 0
	for i := 0; i < len(s) && n < 3; {
		j := i
		if s[j] == '-' || s[j] == '+' {
			j++
		}
		k := j
		for k < len(s) && '0' <= s[k] && s[k] <= '9' {
			k++
		}
		if k == j || k > j+3 || k >= len(s) || s[k] != '.' {
			i = max(k, i+1)
			continue
		}
		m := k + 1
		for m < len(s) && '0' <= s[m] && s[m] <= '9' {
			m++
		}
		if m-k-1 < 2 {
			i = m
			continue
		}
		v, err := strconv.ParseFloat(s[i:m], 64)
		if err != nil {
			return 0, 0, false
		}
		nums[n] = v
		n++
		i = m
	}
	if n != 2 || math.Abs(nums[0]) > 90 || math.Abs(nums[1]) > 180 {
		return 0, 0, false
	}
	return nums[0], nums[1], true
}
