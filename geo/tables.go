package geo

// The hand-written tables below are our own facts about how people name
// places: nicknames, areas, short and own-language country names, newspaper
// abbreviations and phrases that name no place. The gazetteer supplies the
// places themselves.

// areaDef is a row of the nickname and area table. Phrases are separated by
// '|'; a leading "the" may be left out when typed.
type areaDef struct {
	phrases  string
	cc       string // "" for a region-only area
	admin1   string // display code, "" when the area spans states
	city     string // gazetteer name of the city it means, or ""
	usRegion string // Census region of a multi-state US area
	region   Region // region of a region-only area
	freeText bool   // recognised inside longer text, not only alone
}

func areaTable() []areaDef {
	return []areaDef{
		// New York
		{phrases: "nyc|ny ny|new york ny|big apple|the big apple|gotham|nyc metro|nyc area|new york metro|new york metro area|new york city area|the five boroughs|five boroughs", cc: "US", admin1: "NY", city: "New York City", freeText: true},
		{phrases: "upper west side|upper east side|lower east side|lower manhattan|upper manhattan|midtown manhattan|greenwich village|east village|west village|tribeca|harlem|the bronx|staten island", cc: "US", admin1: "NY", city: "New York City", freeText: true},
		{phrases: "long island|the hamptons|hamptons|westchester|westchester county|hudson valley|the hudson valley|catskills|the catskills|adirondacks|the adirondacks|finger lakes|the finger lakes|upstate|upstate ny|upstate new york|western ny|wny|cny|central ny|north country|southern tier|capital region ny|the empire state|empire state", cc: "US", admin1: "NY", freeText: true},
		// California
		{phrases: "sf|san fran|frisco|sf bay area|the city by the bay|sf bay", cc: "US", admin1: "CA", city: "San Francisco", freeText: true},
		{phrases: "bay area|the bay area|east bay|the east bay|silicon valley|north bay|south bay area|peninsula ca|wine country|napa valley|sonoma county|marin|marin county", cc: "US", admin1: "CA", freeText: true},
		{phrases: "la|los angeles area|greater los angeles|la area", cc: "US", admin1: "CA", city: "Los Angeles", freeText: true},
		{phrases: "socal|so cal|southern california|southern cal|so california|norcal|nor cal|northern california|central california|central valley|central coast ca|inland empire|the oc|orange county ca|lake tahoe|tahoe|the golden state|golden state", cc: "US", admin1: "CA", freeText: true},
		// Washington DC and around
		{phrases: "dc|washington dc|washington d c|dc metro|dc area|dc metro area|the beltway|inside the beltway", cc: "US", admin1: "DC", city: "Washington", freeText: true},
		{phrases: "dmv|the dmv|dc md va", cc: "US", usRegion: "South", freeText: true},
		{phrases: "mid atlantic|the mid atlantic|east coast|the east coast|eastern seaboard|the eastern seaboard|atlantic coast|sun belt|sunbelt|the sun belt|flyover country|flyover|flyover land|fly over country|flyover states|the lower 48|lower 48|the heartland|heartland|appalachia|the states|stateside", cc: "US", freeText: true},
		{phrases: "nova|northern virginia|tidewater|hampton roads|old dominion|the old dominion", cc: "US", admin1: "VA", freeText: true},
		// Other cities and metros
		{phrases: "chi|chi town|chitown|chiraq|the windy city|windy city|chicagoland|land of lincoln", cc: "US", admin1: "IL", city: "Chicago", freeText: true},
		{phrases: "beantown|greater boston|boston area|boston metro", cc: "US", admin1: "MA", city: "Boston", freeText: true},
		{phrases: "cape cod|the cape cod|marthas vineyard|nantucket|the berkshires|berkshires|western mass|western massachusetts|pioneer valley|the bay state|bay state", cc: "US", admin1: "MA", freeText: true},
		{phrases: "philly|phila", cc: "US", admin1: "PA", city: "Philadelphia", freeText: true},
		{phrases: "the burgh|steel city|the steel city", cc: "US", admin1: "PA", city: "Pittsburgh", freeText: true},
		{phrases: "lehigh valley|poconos|the poconos|keystone state|the keystone state", cc: "US", admin1: "PA", freeText: true},
		{phrases: "nola|big easy|the big easy", cc: "US", admin1: "LA", city: "New Orleans", freeText: true},
		{phrases: "vegas|sin city", cc: "US", admin1: "NV", city: "Las Vegas", freeText: true},
		{phrases: "music city|nashvegas", cc: "US", admin1: "TN", city: "Nashville", freeText: true},
		{phrases: "motor city|motown", cc: "US", admin1: "MI", city: "Detroit", freeText: true},
		{phrases: "upper peninsula|great lakes state", cc: "US", admin1: "MI", freeText: true},
		{phrases: "mile high city|the mile high city", cc: "US", admin1: "CO", city: "Denver", freeText: true},
		{phrases: "front range|the front range|centennial state", cc: "US", admin1: "CO", freeText: true},
		{phrases: "atl|hotlanta", cc: "US", admin1: "GA", city: "Atlanta", freeText: true},
		{phrases: "h town|htown|space city", cc: "US", admin1: "TX", city: "Houston", freeText: true},
		{phrases: "big d|dfw|dallas fort worth|metroplex|the metroplex|dfw metroplex", cc: "US", admin1: "TX", city: "Dallas", freeText: true},
		{phrases: "hill country|texas hill country|lone star state|the lone star state|third coast", cc: "US", admin1: "TX", freeText: true},
		{phrases: "emerald city", cc: "US", admin1: "WA", city: "Seattle", freeText: true},
		{phrases: "puget sound|evergreen state", cc: "US", admin1: "WA", freeText: true},
		{phrases: "stumptown|rose city", cc: "US", admin1: "OR", city: "Portland", freeText: true},
		{phrases: "beaver state", cc: "US", admin1: "OR", freeText: true},
		{phrases: "twin cities|the twin cities", cc: "US", admin1: "MN", city: "Minneapolis", freeText: true},
		{phrases: "kc|kc mo", cc: "US", admin1: "MO", city: "Kansas City"},
		{phrases: "okc", cc: "US", admin1: "OK", city: "Oklahoma City"},
		{phrases: "slc", cc: "US", admin1: "UT", city: "Salt Lake City"},
		{phrases: "stl", cc: "US", admin1: "MO", city: "St. Louis"},
		{phrases: "abq|burque", cc: "US", admin1: "NM", city: "Albuquerque"},
		{phrases: "jax", cc: "US", admin1: "FL", city: "Jacksonville"},
		{phrases: "cbus", cc: "US", admin1: "OH", city: "Columbus"},
		{phrases: "south florida|sofla|so flo|the keys|florida keys|space coast|the space coast|sunshine state|the sunshine state", cc: "US", admin1: "FL", freeText: true},
		{phrases: "jersey|jersey shore|the jersey shore|north jersey|south jersey|central jersey|garden state|the garden state", cc: "US", admin1: "NJ", freeText: true},
		{phrases: "research triangle|the triangle nc|outer banks|the outer banks|obx|tar heel state", cc: "US", admin1: "NC", freeText: true},
		{phrases: "lowcountry|low country|palmetto state", cc: "US", admin1: "SC", freeText: true},
		{phrases: "big island|oahu|maui|kauai|aloha state", cc: "US", admin1: "HI", freeText: true},
		// State nicknames
		{phrases: "volunteer state|the volunteer state", cc: "US", admin1: "TN", freeText: true},
		{phrases: "peach state", cc: "US", admin1: "GA", freeText: true},
		{phrases: "buckeye state", cc: "US", admin1: "OH", freeText: true},
		{phrases: "hoosier state", cc: "US", admin1: "IN", freeText: true},
		{phrases: "badger state", cc: "US", admin1: "WI", freeText: true},
		{phrases: "show me state", cc: "US", admin1: "MO", freeText: true},
		{phrases: "sooner state", cc: "US", admin1: "OK", freeText: true},
		{phrases: "grand canyon state", cc: "US", admin1: "AZ", freeText: true},
		{phrases: "silver state", cc: "US", admin1: "NV", freeText: true},
		{phrases: "beehive state", cc: "US", admin1: "UT", freeText: true},
		{phrases: "last frontier|the last frontier", cc: "US", admin1: "AK", freeText: true},
		{phrases: "big sky country|treasure state", cc: "US", admin1: "MT", freeText: true},
		{phrases: "gem state", cc: "US", admin1: "ID", freeText: true},
		{phrases: "cowboy state|equality state", cc: "US", admin1: "WY", freeText: true},
		{phrases: "cornhusker state", cc: "US", admin1: "NE", freeText: true},
		{phrases: "sunflower state", cc: "US", admin1: "KS", freeText: true},
		{phrases: "hawkeye state", cc: "US", admin1: "IA", freeText: true},
		{phrases: "north star state", cc: "US", admin1: "MN", freeText: true},
		{phrases: "peace garden state", cc: "US", admin1: "ND", freeText: true},
		{phrases: "mount rushmore state", cc: "US", admin1: "SD", freeText: true},
		{phrases: "natural state", cc: "US", admin1: "AR", freeText: true},
		{phrases: "pelican state", cc: "US", admin1: "LA", freeText: true},
		{phrases: "magnolia state", cc: "US", admin1: "MS", freeText: true},
		{phrases: "yellowhammer state", cc: "US", admin1: "AL", freeText: true},
		{phrases: "bluegrass state", cc: "US", admin1: "KY", freeText: true},
		{phrases: "mountain state", cc: "US", admin1: "WV", freeText: true},
		{phrases: "first state|diamond state", cc: "US", admin1: "DE", freeText: true},
		{phrases: "old line state", cc: "US", admin1: "MD", freeText: true},
		{phrases: "constitution state|nutmeg state", cc: "US", admin1: "CT", freeText: true},
		{phrases: "ocean state", cc: "US", admin1: "RI", freeText: true},
		{phrases: "green mountain state", cc: "US", admin1: "VT", freeText: true},
		{phrases: "granite state", cc: "US", admin1: "NH", freeText: true},
		{phrases: "pine tree state", cc: "US", admin1: "ME", freeText: true},
		{phrases: "land of enchantment", cc: "US", admin1: "NM", freeText: true},
		// US regions spanning states
		{phrases: "midwest|the midwest|mid west|midwest us|midwest usa|midwestern us|upper midwest|the upper midwest|rust belt|the rust belt|great plains|the great plains|corn belt", cc: "US", usRegion: "Midwest", freeText: true},
		{phrases: "new england|northeast|the northeast|north east us|northeast us|tri state|tristate|tri state area|tristate area|the tri state|the tristate", cc: "US", usRegion: "Northeast", freeText: true},
		{phrases: "the south|deep south|the deep south|dixie|the southeast|southeast us|bible belt|the bible belt|gulf coast|the gulf coast|dirty south", cc: "US", usRegion: "South", freeText: true},
		{phrases: "west coast|the west coast|left coast|best coast|pnw|pacific northwest|the pacific northwest|southwest us|the southwest|desert southwest|the desert southwest|american southwest|southwest|cascadia|inland northwest|the inland northwest|mountain west|the mountain west|rocky mountains|the rocky mountains|the rockies|rockies|wild west|the wild west", cc: "US", usRegion: "West", freeText: true},
		// Canada
		{phrases: "gta|greater toronto area|the 6ix|the six|hogtown|t dot|tdot", cc: "CA", admin1: "ON", city: "Toronto", freeText: true},
		{phrases: "golden horseshoe|the golden horseshoe|ottawa valley|the ottawa valley|cottage country", cc: "CA", admin1: "ON", freeText: true},
		{phrases: "lower mainland|the lower mainland|metro vancouver|greater vancouver|vancity|van city|raincouver", cc: "CA", admin1: "BC", city: "Vancouver", freeText: true},
		{phrases: "vancouver island|okanagan|the okanagan|sunshine coast bc", cc: "CA", admin1: "BC", freeText: true},
		{phrases: "cowtown", cc: "CA", admin1: "AB", city: "Calgary", freeText: true},
		{phrases: "la belle province|belle province", cc: "CA", admin1: "QC", freeText: true},
		{phrases: "great white north|maritimes|the maritimes|atlantic canada|the prairies|prairies|western canada|eastern canada|canadian prairies", cc: "CA", freeText: true},
		// The United Kingdom
		{phrases: "blighty|home counties|the home counties|the midlands|midlands|east midlands|west midlands|the cotswolds|cotswolds|lake district|the lake district|scottish highlands|the highlands|east anglia|west country|the west country|yorkshire|cornwall|devon|cumbria|lancashire|merseyside|greater manchester|greater london", cc: "GB", freeText: true},
		// World regions without a country
		{phrases: "europe|eu|the eu|european union|western europe|eastern europe|northern europe|southern europe|central europe|scandinavia|the balkans|balkans|benelux|nordic countries|the nordics", region: Europe, freeText: true},
		{phrases: "asia|southeast asia|south east asia|south asia|east asia|central asia|the far east|far east|asia pacific", region: Asia, freeText: true},
		{phrases: "africa|sub saharan africa|west africa|east africa|north africa|southern africa|central africa", region: Africa, freeText: true},
		{phrases: "middle east|the middle east|the levant|levant|persian gulf|arabian gulf|arabian peninsula", region: MiddleEast, freeText: true},
		{phrases: "latin america|south america|central america|the caribbean|caribbean|west indies|the west indies|latam", region: LatinAmerica, freeText: true},
		{phrases: "oceania|australasia|south pacific|the south pacific", region: Oceania, freeText: true},
	}
}

// countryForm lists short, old and own-language names of a country.
type countryForm struct {
	cc    string
	forms string
}

func countryForms() []countryForm {
	return []countryForm{
		{"US", "us|usa|america|united states|the us|the usa|the united states|amerika|merica|murica|estados unidos|etats unis|vereinigte staaten|stati uniti|eeuu|ee uu|united states of america|us of a|usofa|good ole usa"},
		{"GB", "uk|the uk|great britain|britain|england|scotland|wales|northern ireland|gb|cymru|united kingdom|the united kingdom|royaume uni|reino unido|vereinigtes konigreich|grossbritannien"},
		{"DE", "deutschland|germany|allemagne|alemania|germania|niemcy|duitsland|brd|tyskland|saksa"},
		{"ES", "espana|spain|espagne|spanien|spagna|espanya|hispania"},
		{"IT", "italia|italy|italie|italien"},
		{"FR", "france|frankreich|francia|frankrijk|la france"},
		{"SI", "slovenija|slovenia|slowenien"},
		{"NL", "nederland|holland|the netherlands|netherlands|pays bas|niederlande|paises bajos"},
		{"BE", "belgie|belgique|belgien|belgium|belgica|belgio"},
		{"AT", "osterreich|oesterreich|austria|autriche"},
		{"CH", "schweiz|suisse|svizzera|switzerland|helvetia|svizra"},
		{"CZ", "cesko|ceska republika|czechia|czech republic|tschechien"},
		{"SK", "slovensko|slovakia"},
		{"PL", "polska|poland|polen|pologne"},
		{"HU", "magyarorszag|hungary|ungarn"},
		{"HR", "hrvatska|croatia|kroatien"},
		{"RS", "srbija|serbia|serbien"},
		{"BA", "bosna i hercegovina|bosnia|bosnia and herzegovina|bih"},
		{"ME", "crna gora|montenegro"},
		{"MK", "north macedonia|macedonia|makedonija"},
		{"BG", "bulgaria|balgariya|bulgarien"},
		{"RO", "romania|rumanien|roumanie"},
		{"GR", "ellada|hellas|greece|grece|griechenland"},
		{"PT", "portugal"},
		{"IE", "eire|ireland|republic of ireland|the republic of ireland|irland|irlanda"},
		{"DK", "danmark|denmark|daenemark|danemark"},
		{"SE", "sverige|sweden|schweden|suede"},
		{"NO", "norge|noreg|norway|norwegen|norvege"},
		{"FI", "suomi|finland|finnland"},
		{"IS", "iceland"},
		{"EE", "eesti|estonia"},
		{"LV", "latvija|latvia"},
		{"LT", "lietuva|lithuania"},
		{"UA", "ukraina|ukraine|україна"},
		{"RU", "rossiya|rossiia|russia|russland|russie|россия|russian federation"},
		{"BY", "belarus|byelorussia|belorussia"},
		{"TR", "turkiye|turkey|turkei|turquie"},
		{"IL", "israel|yisrael|ישראל"},
		{"PS", "palestine|falastin"},
		{"AE", "uae|emirates|the emirates|united arab emirates"},
		{"SA", "ksa|saudi|saudi arabia"},
		{"IR", "iran|persia"},
		{"EG", "egypt|misr"},
		{"MA", "maroc|morocco"},
		{"ZA", "south africa|rsa|suid afrika|mzansi"},
		{"JP", "nippon|nihon|japan|日本"},
		{"CN", "zhongguo|china|prc|mainland china|中国"},
		{"TW", "taiwan|formosa"},
		{"KR", "south korea|korea|hanguk|republic of korea|한국|대한민국"},
		{"KP", "north korea"},
		{"IN", "bharat|india|hindustan"},
		{"PK", "pakistan"},
		{"VN", "vietnam|viet nam"},
		{"TH", "thailand|prathet thai"},
		{"PH", "pilipinas|philippines|the philippines"},
		{"ID", "indonesia"},
		{"MY", "malaysia"},
		{"SG", "singapore|singapura"},
		{"HK", "hong kong|hongkong|香港"},
		{"MO", "macau|macao"},
		{"MM", "myanmar|burma"},
		{"MX", "mexico|mejico"},
		{"BR", "brasil|brazil"},
		{"AR", "argentina"},
		{"PE", "peru"},
		{"CO", "colombia"},
		{"CL", "chile"},
		{"CA", "canada|kanada|the great white north"},
		{"AU", "australia|down under|straya"},
		{"NZ", "nz|new zealand|aotearoa"},
		{"CD", "drc|dr congo|democratic republic of the congo"},
		{"CI", "ivory coast|cote divoire"},
		{"CV", "cape verde"},
		{"CZ", "czech"},
		{"GE", "sakartvelo"},
		{"AM", "hayastan"},
		{"VA", "vatican|vatican city|the vatican"},
		{"TL", "east timor"},
		{"SZ", "swaziland|eswatini"},
		{"LA", "laos"},
		{"SY", "syria"},
		{"BO", "bolivia"},
		{"VE", "venezuela"},
		{"TZ", "tanzania"},
		{"MD", "moldova"},
		{"FM", "micronesia"},
	}
}

// admin1Abbrev lists abbreviations of states and provinces beyond the NYT
// style that the gazetteer carries.
type admin1Abbrev struct {
	cc, code string
	forms    string
}

func admin1Abbrevs() []admin1Abbrev {
	return []admin1Abbrev{
		{"US", "CA", "cal|calif|cali"},
		{"US", "PA", "penn|penna|pennsylvannia"},
		{"US", "MA", "mass|massachussetts|massachusets|commonwealth of massachusetts"},
		{"US", "CT", "conn|ct"},
		{"US", "WA", "wash|wash state|washington state"},
		{"US", "MI", "mich"},
		{"US", "MN", "minn"},
		{"US", "WI", "wisc|wis"},
		{"US", "TN", "tenn"},
		{"US", "FL", "fla|flor"},
		{"US", "OK", "okla"},
		{"US", "OR", "ore|oreg"},
		{"US", "AZ", "ariz"},
		{"US", "CO", "colo"},
		{"US", "NE", "nebr|neb"},
		{"US", "IN", "ind"},
		{"US", "IL", "ill|ills"},
		{"US", "TX", "tex"},
		{"US", "MS", "miss"},
		{"US", "NV", "nev"},
		{"US", "KS", "kan|kans"},
		{"US", "VT", "verm"},
		{"US", "VA", "virg|commonwealth of virginia"},
		{"US", "KY", "kent|commonwealth of kentucky"},
		{"US", "NY", "new york state|ny state|nys"},
		{"CA", "ON", "ont"},
		{"CA", "QC", "que|pq|quebec province|province of quebec"},
		{"CA", "AB", "alta|alb"},
		{"CA", "SK", "sask"},
		{"CA", "MB", "manit"},
		{"CA", "NL", "nfld|newfoundland|labrador"},
		{"CA", "PE", "pei"},
		{"CA", "BC", "brit col"},
	}
}

// nonPlaces are phrases typed in location fields that name no place. A
// string that is one of them reads as Unknown with zero confidence.
const nonPlaces = "earth|planet earth|the earth|mother earth|terra|world|the world|the whole world|worldwide|world wide|" +
	"around the world|all over the world|all over|global|globe|the globe|everywhere|anywhere|nowhere|somewhere|" +
	"elsewhere|here|there|right here|over here|over there|home|at home|my home|my house|my couch|my room|" +
	"the internet|internet|online|on line|the web|web|world wide web|the cloud|cloud|cyberspace|cyber space|" +
	"the matrix|matrix|metaverse|universe|the universe|the galaxy|galaxy|milky way|the milky way|space|outer space|" +
	"inner space|the moon|moon|mars|heaven|hell|purgatory|limbo|reality|real world|the real world|fantasy land|" +
	"neverland|never never land|narnia|middle earth|hogwarts|mordor|wonderland|atlantis|utopia|na|none|" +
	"null|nil|undefined|unknown|not applicable|not specified|not telling|private|secret|classified|redacted|" +
	"location|my location|your location|city|state|country|lastname|last name|firstname|first name|name|" +
	"test|behind you|in your head|your mind|my mind|in my head|on the road|the road|traveling|travelling|" +
	"on the move|in transit|in the air|in the clouds|the clouds|the sky|sky|the ocean|at sea|the mountains|" +
	"the woods|the city|the suburbs|the burbs|suburbia|small town|a small town|your moms house|" +
	"where i live|where i am|not here|far away|far far away|a galaxy far far away|in a galaxy far far away|" +
	"the void|void|nunya|none of your business|nobody|everybody|anybody|somebody|nothing|something|" +
	"the present|the future|the past|now|today|yesterday|tomorrow|free world|the free world|a free world|" +
	"the planet|planet|this planet|third rock from the sun|3rd rock from the sun|blue planet|a blue planet|" +
	"americas|the americas|north america|the west|the east|north|south|east|west|the north|the center|center|centre|the middle|middle|" +
	"in between|between|in the middle|the land of the free|land of the free"

// vagueLeads open phrases that name no place unless a place follows
// ("Somewhere sane" but "Somewhere in Ohio").
func vagueLead(w string) bool {
	switch w {
	case "somewhere", "anywhere", "everywhere", "nowhere", "elsewhere", "wherever", "anyplace", "someplace":
		return true
	}
	return false
}

// Qualifiers narrow a place without changing which it is: "Small-town
// Ontario", "Outside Boston", "Northwest Georgia", "Seattle area".
func leadingQualifier(w string) bool {
	switch w {
	case "small", "town", "rural", "outside", "near", "nr", "suburban", "suburbs", "suburb", "greater",
		"metro", "downtown", "north", "south", "east", "west", "northern", "southern", "eastern", "western",
		"central", "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern",
		"southeastern", "southwestern", "upstate", "downstate", "coastal", "mid", "upper", "lower", "inland",
		"the", "in", "from", "of", "just", "living", "live", "based", "sunny", "beautiful", "lovely",
		"rainy", "snowy", "gorgeous", "scenic", "historic", "old", "city", "state", "commonwealth",
		"province", "republic", "kingdom", "heart", "middle", "deep", "far", "outskirts", "somewhere", "proud",
		"born", "raised", "currently", "formerly", "originally", "now", "sw", "nw", "ne", "se", "wild",
		"around", "by", "at", "close", "to", "area", "part", "corner", "edge":
		return true
	}
	return false
}

func trailingQualifier(w string) bool {
	switch w {
	case "area", "region", "metro", "metropolitan", "suburbs", "suburb", "burbs", "county", "twp",
		"township", "city", "state", "province", "proper", "environs", "vicinity", "town", "village",
		"borough", "parish", "district", "valley", "mts", "mountains", "watershed", "coast", "shore",
		"countryside", "outskirts", "now", "native", "resident", "based", "born", "local", "here":
		return true
	}
	return false
}

// stopWord reports function words that do not occur in place names, so a
// run of words holding one is a sentence, not a town ("come at me").
func stopWord(w string) bool {
	switch w {
	case "i", "im", "me", "my", "you", "your", "we", "our", "us", "he", "she", "it", "its", "they",
		"at", "in", "on", "of", "to", "for", "with", "by", "from", "into", "is", "am", "are", "was",
		"be", "a", "an", "not", "no", "yes", "love", "hate", "come", "go", "get", "this", "that",
		"what", "where", "who", "why", "how", "here", "there", "just", "very", "so", "too", "all":
		return true
	}
	return false
}

// listWord reports the words that join two places in a list ("Florida and
// North Carolina", "NJ via London").
func listWord(w string) bool {
	switch w {
	case "and", "or", "via", "then", "also", "formerly", "originally", "but", "plus", "depuis", "et", "und":
		return true
	}
	return false
}

// codeWord reports two-letter ISO codes that are also English words: they
// are read as a country only after a comma ("Tel Aviv, IL").
func codeWord(w string) bool {
	switch w {
	case "it", "is", "no", "be", "to", "am", "at", "by", "my", "so", "as", "go", "do", "ai", "tv", "fm",
		"pm", "ad", "pt", "mu", "in", "or", "me", "hi", "ok", "id", "us", "al", "an", "ma", "pa", "la", "de", "mt", "co":
		return true
	}
	return false
}

// commonWord reports English words that are the names or codes of some place
// but, typed in a sentence or alone as three letters, mean the word.
func commonWord(w string) bool {
	switch w {
	case "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was", "one",
		"our", "out", "day", "get", "has", "him", "his", "how", "man", "new", "now", "old", "see", "two", "way",
		"who", "boy", "did", "its", "let", "put", "say", "she", "too", "use", "ask", "big", "bit", "bus", "buy",
		"car", "cat", "cry", "cup", "cut", "dad", "dog", "dry", "ear", "eat", "egg", "end", "eye", "far", "fat",
		"few", "fit", "fly", "fun", "god", "got", "gun", "guy", "hat", "hit", "hot", "ice", "ill", "jam", "job",
		"joy", "key", "kid", "law", "lay", "leg", "lie", "lip", "lot", "low", "mad", "map", "may", "men", "mix",
		"mom", "mud", "net", "nor", "nut", "odd", "off", "oil", "pan", "pay", "pen", "pet", "pie", "pig", "pin",
		"pit", "pop", "pot", "raw", "red", "rid", "row", "run", "sad", "sat", "sea", "set", "sir", "sit", "six",
		"sky", "son", "sun", "tax", "tea", "ten", "tie", "tin", "tip", "toe", "top", "toy", "try", "van", "war",
		"wet", "win", "yes", "yet", "zoo", "bed", "bad", "art", "age", "aim", "air", "arm", "bag", "ban", "bar",
		"bat", "bay", "bee", "bet", "bid", "bin", "bow", "box", "bug", "cab", "cap", "cow", "dam", "den", "dew",
		"dig", "dim", "dip", "doc", "due", "dug", "dye", "elf", "elk", "elm", "fan", "fax", "fee", "fig", "fin",
		"fix", "fog", "fox", "fry", "fur", "gap", "gas", "gel", "gem", "gym", "ham", "hen", "hip", "hog", "hop",
		"hug", "hum", "hut", "ink", "inn", "ion", "ivy", "jar", "jaw", "jet", "jog", "kit", "lab", "lad", "lap",
		"led", "lid", "log", "mat", "mob", "mop", "mug", "nap", "nod", "oak", "oar", "oat", "opt", "orb", "owl",
		"own", "pad", "pal", "paw", "pea", "peg", "pub", "pun", "pup", "rag", "ram", "rat", "ray", "rib", "rim",
		"rob", "rod", "rot", "rub", "rug", "rum", "rye", "sap", "saw", "sew", "shy", "sin", "sip", "ski", "sly",
		"sob", "sow", "soy", "spa", "spy", "sub", "sum", "tab", "tag", "tan", "tap", "tar", "ton", "tow", "tub",
		"tug", "urn", "vet", "vow", "wag", "wax", "web", "wig", "wit", "wok", "won", "yak", "yam", "yap", "yaw",
		"zip", "lol", "omg", "wtf", "idk", "hmm", "meh", "aha", "hey", "huh", "yay", "nah", "yep", "why", "what",
		"where", "home", "here", "nope", "none", "nice", "love", "hope", "free", "good", "great", "best", "fine",
		"cool", "life", "land", "well", "help", "live", "real", "true", "sane", "safe", "lost", "wind", "snow",
		"rain", "fire", "gold", "blue", "star", "moon", "hill", "city", "town", "park", "lake", "bath", "sale",
		"deal", "hove", "mobile", "reading", "orange", "hell", "heaven", "hard", "rock", "place", "planet",
		"world", "space", "earth", "paradise", "unity", "victory", "liberty", "union", "independence",
		"friendship", "harmony", "mission", "wall", "main", "street", "front", "left", "right", "back", "side",
		"down", "belly", "beast", "dream", "dreams", "flow", "zone", "twilight", "bottom", "inner", "outer",
		"backwoods", "closet", "global", "reality", "democrat", "republican", "flagship", "corruption", "sunshine",
		"scene", "curve", "ahead", "achievement", "fortress", "secret", "mountain", "galaxy", "pigeons", "swamp",
		"border", "hemisphere", "wells", "beach", "hail", "police":
		return true
	}
	return false
}

// regionOf maps a country and its GeoNames continent to a region.
func regionOf(cc, continent string) Region {
	switch cc {
	case "US":
		return US
	case "CA":
		return Canada
	case "AE", "BH", "IL", "IQ", "IR", "JO", "KW", "LB", "OM", "PS", "QA", "SA", "SY", "TR", "YE":
		return MiddleEast
	case "GL", "PM", "CY":
		return Europe
	}
	switch continent {
	case "EU":
		return Europe
	case "AS":
		return Asia
	case "AF":
		return Africa
	case "OC":
		return Oceania
	case "SA", "NA":
		return LatinAmerica
	}
	return Unknown
}

// censusRegion is the US Census Bureau region of a state, by postal code.
func censusRegion(st string) string {
	switch st {
	case "CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA":
		return "Northeast"
	case "IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD":
		return "Midwest"
	case "DE", "DC", "FL", "GA", "MD", "NC", "SC", "VA", "WV", "AL", "KY", "MS", "TN", "AR", "LA", "OK", "TX":
		return "South"
	case "AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA":
		return "West"
	}
	return ""
}

// zipState maps the first three digits of a US ZIP code to its state (USPS
// prefix ranges; military and territory prefixes give "").
func zipState(prefix int) string {
	ranges := [...]struct {
		lo, hi int
		st     string
	}{
		{5, 5, "NY"}, {10, 27, "MA"}, {28, 29, "RI"}, {30, 38, "NH"}, {39, 49, "ME"}, {50, 54, "VT"},
		{55, 55, "MA"}, {56, 59, "VT"}, {60, 69, "CT"}, {70, 89, "NJ"}, {100, 149, "NY"}, {150, 196, "PA"},
		{197, 199, "DE"}, {200, 200, "DC"}, {201, 201, "VA"}, {202, 205, "DC"}, {206, 219, "MD"},
		{220, 246, "VA"}, {247, 268, "WV"}, {270, 289, "NC"}, {290, 299, "SC"}, {300, 319, "GA"},
		{320, 339, "FL"}, {341, 349, "FL"}, {350, 369, "AL"}, {370, 385, "TN"}, {386, 397, "MS"},
		{398, 399, "GA"}, {400, 427, "KY"}, {430, 459, "OH"}, {460, 479, "IN"}, {480, 499, "MI"},
		{500, 528, "IA"}, {530, 549, "WI"}, {550, 567, "MN"}, {569, 569, "DC"}, {570, 577, "SD"},
		{580, 588, "ND"}, {590, 599, "MT"}, {600, 629, "IL"}, {630, 658, "MO"}, {660, 679, "KS"},
		{680, 693, "NE"}, {700, 714, "LA"}, {716, 729, "AR"}, {730, 732, "OK"}, {733, 733, "TX"},
		{734, 749, "OK"}, {750, 799, "TX"}, {800, 816, "CO"}, {820, 831, "WY"}, {832, 838, "ID"},
		{840, 847, "UT"}, {850, 865, "AZ"}, {870, 884, "NM"}, {885, 885, "TX"}, {889, 898, "NV"},
		{900, 961, "CA"}, {967, 968, "HI"}, {970, 979, "OR"}, {980, 994, "WA"}, {995, 999, "AK"},
	}
	for _, r := range ranges {
		if r.lo <= prefix && prefix <= r.hi {
			return r.st
		}
	}
	return ""
}
