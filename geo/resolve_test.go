package geo

import (
	"strings"
	"sync"
	"testing"
)

func newTestResolver(t testing.TB, opt Options) *Resolver {
	t.Helper()
	r, err := NewResolver(opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestResolveForms covers every form issue 3 lists. want is
// "COUNTRY/ADMIN1/REGION" and, when a city is expected, "/City".
func TestResolveForms(t *testing.T) {
	r := newTestResolver(t, Options{})
	tests := []struct {
		form, in, want string
	}{
		// City, ST in its spellings.
		{"City, ST", "Boulder, Co", "US/CO/US/Boulder"},
		{"City ST", "Edmonton AB", "CA/AB/Canada/Edmonton"},
		{"city,st", "Portland,OR", "US/OR/US/Portland"},
		{"city,st", "Scottsdale,AZ", "US/AZ/US/Scottsdale"},
		{"lower case", "dallas tx", "US/TX/US/Dallas"},
		{"upper case", "NEW YORK, NY", "US/NY/US/New York City"},
		{"City, State", "Wichita, Kansas", "US/KS/US/Wichita"},
		{"City State", "Nashville Tennessee", "US/TN/US/Nashville"},
		{"City, Province", "Sherbrooke, Quebec", "CA/QC/Canada/Sherbrooke"},
		{"City, Province", "Montréal, Québec", "CA/QC/Canada/Montréal"},
		{"City, Country", "Lyon, France", "FR/84/Europe/Lyon"},
		{"City, Country", "Tbilisi, Georgia", "GE/51/Asia/Tbilisi"},
		{"City, ST, Country", "Ottawa, Ontario, Canada", "CA/ON/Canada/Ottawa"},
		{"City, ST ZIP", "Bronxville, NY 10708", "US/NY/US"},
		{"unknown town, ST", "Hillsborough,  NJ", "US/NJ/US"},
		{"no diacritics", "Montreal, QC", "CA/QC/Canada/Montréal"},
		{"diacritics", "Poznań, Polska", "PL/86/Europe/Poznań"},
		{"newspaper abbreviation", "San Jose, Calif.", "US/CA/US/San Jose"},
		{"newspaper abbreviation", "Portsmouth, N.H.", "US/NH/US/Portsmouth"},
		{"newspaper abbreviation", "Milford, Conn.", "US/CT/US/Milford"},
		{"newspaper abbreviation alone", "Mass.", "US/MA/US"},
		{"dotted code", "N.Y.", "US/NY/US"},
		{"Tel Aviv, IL is Israel", "Tel Aviv, IL", "IL/05/Middle East/Tel Aviv"},
		{"WA after Perth", "Perth WA", "AU/08/Oceania/Perth"},
		{"city that is a state name", "Delaware, OH", "US/OH/US/Delaware"},
		// States, provinces and countries alone.
		{"state name", "Texas", "US/TX/US"},
		{"state code", "NJ", "US/NJ/US"},
		{"state code lower case", "ca", "US/CA/US"},
		{"state short form", "Cal", "US/CA/US"},
		{"province name", "British Columbia", "CA/BC/Canada"},
		{"province code", "BC, Canada", "CA/BC/Canada"},
		{"country short form", "UK", "GB//Europe"},
		{"country dotted", "U.S.A.", "US//US"},
		{"country old name", "Holland", "NL//Europe"},
		{"country own language", "Deutschland", "DE//Europe"},
		{"country own language", "España", "ES//Europe"},
		{"country own language", "Italia", "IT//Europe"},
		{"country own language", "slovenija", "SI//Europe"},
		{"country code", "NZ", "NZ//Oceania"},
		{"city own language", "München", "DE/02/Europe/Munich"},
		{"city own language", "Wien", "AT/09/Europe/Vienna"},
		{"city own language", "Köln", "DE/07/Europe/Köln"},
		{"city own language lower case", "köln", "DE/07/Europe/Köln"},
		{"city own language", "Bruxelles", "BE/BRU/Europe/Brussels"},
		{"city own language", "Praha", "CZ/52/Europe/Prague"},
		// Nicknames and areas.
		{"nickname", "NYC", "US/NY/US/New York City"},
		{"nickname", "SF", "US/CA/US/San Francisco"},
		{"nickname", "LA", "US/CA/US/Los Angeles"},
		{"nickname", "DC", "US/DC/US/Washington"},
		{"area", "the DMV", "US//US"},
		{"area", "Bay Area", "US/CA/US"},
		{"area", "PNW", "US//US"},
		{"area", "Upstate NY", "US/NY/US"},
		{"area", "Midwest", "US//US"},
		{"area", "Midwest US", "US//US"},
		{"area", "West Coast", "US//US"},
		{"area", "New England", "US//US"},
		{"area", "Tri-State", "US//US"},
		{"area", "SoCal", "US/CA/US"},
		{"area", "Asia", "//Asia"},
		{"area", "Europe", "//Europe"},
		// Airport codes alone.
		{"airport", "YVR", "CA/BC/Canada/Vancouver"},
		{"airport lower case", "dfw", "US/TX/US/Dallas"},
		{"airport title case", "Yvr", "CA/BC/Canada/Vancouver"},
		{"airport", "ORD", "US/IL/US/Chicago"},
		{"airport", "pdx", "US/OR/US/Portland"},
		// Expatriate and compound forms.
		{"expatriate", "American in Berlin", "DE/16/Europe/Berlin"},
		{"via", "NJ via London", "US/NJ/US"},
		{"ampersand", "NYC & Paris", "US/NY/US/New York City"},
		{"slash", "Toronto/Kingston/Edmonton", "CA/ON/Canada/Toronto"},
		{"and", "Florida And North Carolina", "US/FL/US"},
		{"leading Small-town", "Small-town Ontario", "CA/ON/Canada"},
		{"leading Rural", "Rural Ontario", "CA/ON/Canada"},
		{"leading Outside", "Outside Boston", "US/MA/US/Boston"},
		{"leading Near", "Near Seattle", "US/WA/US/Seattle"},
		{"directional", "northwest Georgia", "US/GA/US"},
		{"directional", "Western North Carolina", "US/NC/US"},
		{"trailing area", "Seattle area", "US/WA/US/Seattle"},
		{"hashtag", "National HQ in #AnnArbor #Mich", "US/MI/US/Ann Arbor"},
		{"free text", "Enjoying  Florida Sunshine", "US/FL/US"},
		{"free text", "St. Louis MO is home base", "US/MO/US/St. Louis"},
		{"misspelt state", "Texass", "US/TX/US"},
		{"misspelt state", "Leicester Masachusetts", "US/MA/US"},
		{"ZIP code", "27514", "US/NC/US"},
		{"coordinates", "ÜT: 45.50516,-73.574402", "CA/QC/Canada/Montréal"},
		{"coordinates", "34.0095,-118.4209", "US/CA/US/Santa Monica"},
		{"coordinates at sea", "0.00,-30.00", "//Unknown"},
		// Ambiguity: population and the home-country prior.
		{"prior", "Portland", "US/OR/US/Portland"},
		{"prior", "Cambridge", "US/MA/US/Cambridge"},
		{"prior", "Georgia", "US/GA/US"},
		{"prior", "Paris", "FR/11/Europe/Paris"},
		{"prior", "Paris, TX", "US/TX/US/Paris"},
		{"prominence", "London", "GB/ENG/Europe/London"},
		{"prominence", "London, ON", "CA/ON/Canada/London"},
		{"prominence", "Vancouver", "CA/BC/Canada/Vancouver"},
		{"prominence", "Victoria", "CA/BC/Canada/Victoria"},
		{"prominence", "Melbourne", "AU/07/Oceania/Melbourne"},
		{"prior", "Kansas City", "US/MO/US/Kansas City"},
		// Non-places.
		{"non-place", "Earth", "//Unknown"},
		{"non-place", "Here", "//Unknown"},
		{"non-place", "The Internet", "//Unknown"},
		{"non-place", "Somewhere sane", "//Unknown"},
		{"non-place", "Planet Earth", "//Unknown"},
		{"non-place", "<br/>", "//Unknown"},
		{"non-place", "@someone", "//Unknown"},
		{"non-place", "Come at me", "//Unknown"},
		{"non-place", "no, thanks!", "//Unknown"},
		{"non-place", "B", "//Unknown"},
		{"non-place", "The Americas", "//Unknown"},
		{"non-place", "", "//Unknown"},
		{"non-place", "Isle of Mojo / London", "GB/ENG/Europe/London"},
		{"joke naming a place", "Don't mess with Texas", "US/TX/US"},
	}
	for _, tt := range tests {
		t.Run(tt.form+"/"+tt.in, func(t *testing.T) {
			p := r.Resolve(tt.in)
			got := p.Country + "/" + p.Admin1 + "/" + string(p.Region)
			if strings.Count(tt.want, "/") == 3 {
				got += "/" + p.City
			}
			if got != tt.want {
				t.Errorf("Resolve(%q) = %s, want %s (%s)", tt.in, got, tt.want, p.Reason)
			}
			checkPlace(t, tt.in, p)
		})
	}
}

// checkPlace checks what must hold for every Place.
func checkPlace(t *testing.T, in string, p Place) {
	t.Helper()
	valid := false
	for _, r := range Regions() {
		if p.Region == r {
			valid = true
		}
	}
	if !valid {
		t.Errorf("Resolve(%q).Region = %q, not one of the nine", in, p.Region)
	}
	if p.Country != "" && (len(p.Country) != 2 || p.Country[0] < 'A' || p.Country[0] > 'Z' || p.Country[1] < 'A' || p.Country[1] > 'Z') {
		t.Errorf("Resolve(%q).Country = %q, want \"\" or two upper-case letters", in, p.Country)
	}
	if p.Region == Unknown && p.Country == "" && p.Confidence != 0 {
		t.Errorf("Resolve(%q) is Unknown with confidence %v, want 0", in, p.Confidence)
	}
	if p.Region != Unknown && (p.Confidence <= 0 || p.Confidence > 1) {
		t.Errorf("Resolve(%q).Confidence = %v, want in (0, 1]", in, p.Confidence)
	}
	if p.Reason == "" {
		t.Errorf("Resolve(%q).Reason is empty", in)
	}
	if p.USRegion != "" && p.Country != "US" {
		t.Errorf("Resolve(%q).USRegion = %q for country %q", in, p.USRegion, p.Country)
	}
	if strings.ContainsAny(p.Reason, "<>@\n\r`*_|[]") {
		t.Errorf("Resolve(%q).Reason = %q carries markup characters", in, p.Reason)
	}
}

func TestUSRegion(t *testing.T) {
	r := newTestResolver(t, Options{})
	for in, want := range map[string]string{
		"Boulder, Co": "West", "Brooklyn": "Northeast", "Chicago": "Midwest", "Atlanta": "South",
		"Midwest": "Midwest", "New England": "Northeast", "West Coast": "West", "the South": "South",
		"the DMV": "South", "East Coast": "", "USA": "", "Toronto": "",
	} {
		if got := r.Resolve(in).USRegion; got != want {
			t.Errorf("Resolve(%q).USRegion = %q, want %q", in, got, want)
		}
	}
}

// TestHome checks that the home-country prior is an option, not a constant.
func TestHome(t *testing.T) {
	us := newTestResolver(t, Options{})
	gb := newTestResolver(t, Options{Home: "gb"})
	ca := newTestResolver(t, Options{Home: "CA"})
	cases := []struct {
		r    *Resolver
		in   string
		want string
	}{
		{us, "Georgia", "US"},
		{gb, "Georgia", "GE"},
		{ca, "Georgia", "GE"},
		{us, "Cambridge", "US"},
		{gb, "Cambridge", "GB"},
		{us, "Birmingham, AL", "US"},
		{ca, "GA", "US"},
		{ca, "ON", "CA"},
		{ca, "CA", "CA"},
		{us, "FR", "FR"},
		{gb, "Birmingham", "GB"},
	}
	for _, c := range cases {
		if got := c.r.Resolve(c.in).Country; got != c.want {
			t.Errorf("home %s: Resolve(%q).Country = %q, want %q", c.r.g.countries[c.r.home].cc, c.in, got, c.want)
		}
	}
	if _, err := NewResolver(Options{Home: "XX"}); err == nil || !strings.Contains(err.Error(), "XX") {
		t.Errorf("NewResolver(Home: XX) error = %v, want one naming XX", err)
	}
}

// TestDeterministicAndCached checks that the cache changes nothing and that
// concurrent use gives the same answers.
func TestDeterministicAndCached(t *testing.T) {
	inputs := []string{"Boulder, Co", "köln", "Yvr", "Portland", "NYC & Paris", "Somewhere sane", "Tbilisi, Georgia"}
	plain := newTestResolver(t, Options{CacheSize: -1})
	cached := newTestResolver(t, Options{CacheSize: 4})
	want := make([]Place, len(inputs))
	for i, in := range inputs {
		want[i] = plain.Resolve(in)
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 200; k++ {
				for i, in := range inputs {
					if got := cached.Resolve(in); got != want[i] {
						t.Errorf("Resolve(%q) = %+v, want %+v", in, got, want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	n := 0
	for i := range cached.cache.shards {
		s := &cached.cache.shards[i]
		n += len(s.cur) + len(s.old)
	}
	if n > 4+2*cacheShards {
		t.Errorf("cache of size 4 holds %d entries", n)
	}
}

// TestHostileInput checks that long and odd strings cost no more than short
// ones and never panic.
func TestHostileInput(t *testing.T) {
	r := newTestResolver(t, Options{})
	long := strings.Repeat("Boulder, Co / ", 100000)
	if p := r.Resolve(long); p.City != "Boulder" {
		t.Errorf("a 1.4 MB string naming Boulder first: got %+v", p)
	}
	for _, in := range []string{"\x00\xff\xfe", strings.Repeat("a", MaxInput*4), strings.Repeat("N.", 500), "<<<>>>", "#####", strings.Repeat(", ", 300)} {
		checkPlace(t, in, r.Resolve(in))
	}
}
