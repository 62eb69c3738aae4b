// Package geo reads the free-text locations commenters type ("Boulder, Co",
// "köln", "Yvr", "Small-town Ontario") into places and world regions, offline,
// from a gazetteer embedded in the binary.
package geo

// Region is the world region a place belongs to. The set is fixed: a digest's
// regional split always uses these names.
type Region string

// The regions, in the order digests list them.
const (
	US           Region = "US"
	Canada       Region = "Canada"
	LatinAmerica Region = "Latin America"
	Europe       Region = "Europe"
	MiddleEast   Region = "Middle East"
	Africa       Region = "Africa"
	Asia         Region = "Asia"
	Oceania      Region = "Oceania"
	Unknown      Region = "Unknown"
)

// Regions lists every region in display order.
func Regions() []Region {
	return []Region{US, Canada, LatinAmerica, Europe, MiddleEast, Africa, Asia, Oceania, Unknown}
}

// Place is what a location string was read as.
type Place struct {
	// Country is the ISO 3166-1 alpha-2 code, or "" when no country can be read.
	Country string `json:"country"`
	// Admin1 is the state or province: the two-letter postal code for the US
	// and Canada ("CO", "AB"), the GeoNames admin1 code elsewhere, or "".
	Admin1 string `json:"admin1"`
	// City is the city named in the string, in its gazetteer spelling, or "".
	City string `json:"city"`
	// Region is the world region; Unknown when nothing could be read.
	Region Region `json:"region"`
	// USRegion is the US Census region (Northeast, Midwest, South, West) for
	// US places with a known state, else "".
	USRegion string `json:"us_region"`
	// Confidence is 0 for Unknown and up to 1 for an exact, unambiguous match.
	Confidence float64 `json:"confidence"`
	// Reason names the rule or gazetteer entry that matched, for people tuning
	// their data ("city+admin1: Boulder, CO", "airport: YVR", "non-place").
	Reason string `json:"reason"`
}
