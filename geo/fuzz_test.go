package geo

import (
	"sync"
	"testing"
)

func FuzzResolve(f *testing.F) {
	for _, s := range builtinMix {
		f.Add(s)
	}
	for _, s := range []string{"", " ", ",", "N.", "#", "@", "<br/>", "\x00", "\xff", "a/b/c/d", "in in in", "and and",
		"Perth WA", "Tel Aviv, IL", "DUBAI DUBAI", "Texass", "the", "The", "the the", "county", "x County",
		"Москва", "東京", "#AnnArbor #Mich", "St. Louis MO is home base", "10708", "1234567890"} {
		f.Add(s)
	}
	var once sync.Once
	var r *Resolver
	f.Fuzz(func(t *testing.T, in string) {
		once.Do(func() { r = newTestResolver(t, Options{CacheSize: -1}) })
		checkPlace(t, in, r.Resolve(in))
	})
}
