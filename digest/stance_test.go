package digest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/input"
)

// handReading is how a person reads each comment of an example thread toward
// its target: the stances a careful reader would accept, "|"-separated where
// the comment is genuinely mixed. Comments are named by id, or for the page
// file, which gives no ids, by their position on the page.
var handReading = map[string]map[string]string{
	"huawei-europe.txt": {
		"1": "against", "2": "favor", "3": "favor", "4": "favor|none", "5": "against",
		"6": "favor", "7": "none|against", "8": "favor", "9": "against", "10": "favor",
		"11": "favor", "12": "against", "13": "against", "14": "favor", "15": "against",
		"16": "against", "17": "none|favor", "18": "against", "19": "favor", "20": "against",
		"21": "favor", "22": "against", "23": "favor", "24": "none", "25": "none",
		"26": "against", "27": "favor|none", "28": "favor", "29": "against", "30": "none",
		"31": "favor|none", "32": "favor", "33": "favor", "34": "against", "35": "none|favor",
		"36": "against", "37": "none", "38": "against", "39": "favor", "40": "against",
		"41": "against|none", "42": "against", "43": "against", "44": "none|against", "45": "none",
		"46": "favor|none", "47": "none|against", "48": "none", "49": "against", "50": "favor",
		"51": "against", "52": "none|favor", "53": "none", "54": "against",
	},
	"fare-free-buses.jsonl": {
		"c1": "favor", "c2": "against", "c3": "favor", "c4": "against", "c5": "against|none",
		"c6": "favor", "c7": "favor", "c8": "against", "c9": "favor", "c10": "favor",
		"c11": "against", "c12": "against", "c13": "favor", "c14": "favor", "c15": "against",
		"c16": "favor",
	},
}

// exampleFloors are how many comments of each example read as a person
// reads them (handReading) when the floors were last raised; the stance
// search (TestTuneStance) keeps to them too.
var exampleFloors = map[string]int{"huawei-europe.txt": 36, "fare-free-buses.jsonl": 7}

// TestStanceOnExamples compares the digest's stances on the bundled examples
// with a careful reading. The floors are what the analysis reached when they
// were written: a change that reads the examples worse fails here.
func TestStanceOnExamples(t *testing.T) {
	// fare-free-buses.jsonl reached 8 with the k-means clusters, which
	// pulled c12, c15 and c16 to their sides; its commenters make no claim
	// two of them share in words, so it has no key point and no argument
	// pull (issue 13): the stance rewrite is to win them back from the
	// thread's camps.
	for name, want := range handReading {
		path := filepath.Join("..", "examples", name)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		res, err := input.Read(f, path, input.Options{})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		th := res.Threads[0]
		if res.Format == input.Page {
			// handReading names the page's comments by position; the
			// reading does not depend on the ids
			// (TestSameReadingWhateverTheIDs).
			for i := range th.Comments {
				th.Comments[i].ID = strconv.Itoa(i + 1)
			}
		}
		d := Analyze(th, Options{})
		agree := 0
		var wrong []string
		for _, c := range d.Comments {
			key := c.ID
			ok := false
			for _, s := range strings.Split(want[key], "|") {
				ok = ok || s == c.Stance
			}
			if ok {
				agree++
			} else {
				wrong = append(wrong, key+":"+c.Stance+"≠"+want[key])
			}
		}
		t.Logf("%s: %d of %d comments read as a person reads them; off: %s", name, agree, len(d.Comments), strings.Join(wrong, " "))
		if agree < exampleFloors[name] {
			t.Errorf("%s: %d of %d comments read as a person reads them, fewer than the %d reached before", name, agree, len(d.Comments), exampleFloors[name])
		}
	}
}

func TestStanceReadings(t *testing.T) {
	tests := []struct {
		name, title, target, body, want string
	}{
		{"reverser turns harm into good", "", "condoms", "Condoms prevent infections and reduce the risk of disease.", StanceFavor},
		{"reverser without an object", "", "Huawei", "Huawei is trusted. It ends with trust.", StanceFavor},
		{"keep them out", "", "Huawei", "Huawei cannot be trusted with the core. Keep them out of the network.", StanceAgainst},
		{"ripping it out costs", "", "Huawei", "Huawei gear is in every mast. Ripping it out will be a costly disaster.", StanceFavor},
		{"a bare ban judged badly", "Europe weighs a Huawei ban", "", "A ban would be a disaster for operators and a terrible waste.", StanceFavor},
		{"a ban described is no side", "Europe weighs a Huawei ban", "", "It is not a ban.", StanceNone},
		{"if-clause supposes", "", "Huawei", "If Huawei were a threat, we would know by now. Huawei is fine.", StanceFavor},
		{"better than the target", "", "Huawei", "Ericsson is far better and safer than Huawei.", StanceAgainst},
		{"the target better", "", "Huawei", "Huawei is far better and safer than Ericsson.", StanceFavor},
		{"against the target", "", "Huawei", "I am against Huawei.", StanceAgainst},
		{"off topic, not named", "", "Huawei", "The weather is terrible and the trains are awful.", StanceNone},
		{"a demand criticises, kind words or not", "", "Donald Trump", "Trump needs to learn about our political legal posture and would be better advised to adapt to world class honest truthful journalism.", StanceAgainst},
		{"a demand that grants", "", "Huawei", "Huawei should be allowed to bid like anyone else.", StanceFavor},
		{"what the article says is the article's", "", "Donald Trump", "I was intrigued by the odd suggestion in the article that Trump was celebrating his great victory. Trump is a disgrace.", StanceAgainst},
		{"too much of a good thing", "", "the MTA", "The MTA administrators were too cheap and too slow to modernise.", StanceAgainst},
		{"a climate claim: alarm is favor", "", "human-caused climate change", "Climate change is a catastrophic threat to our children.", StanceFavor},
		{"a climate claim: denial is against", "", "human-caused climate change", "Climate change is a hoax and a scam.", StanceAgainst},
		{"a climate claim: attacking its doubters is favor", "", "human-caused climate change", "The deniers and cranks have no science, only spin. Climate change is real.", StanceFavor},
		{"quoted words are someone else's", "", "Huawei", `They call Huawei "trusted, excellent and reliable" in the brochure. Huawei is dangerous.`, StanceAgainst},
	}
	for _, tt := range tests {
		th := threaddigest.Thread{Title: tt.title, Comments: []threaddigest.Comment{cm("1", "a", tt.body)}}
		// A thread about its title has more than one comment naming it.
		if tt.title != "" {
			th.Comments = append(th.Comments, cm("2", "b", "Huawei makes phones."), cm("3", "c", "Huawei builds masts."))
		}
		d := Analyze(th, Options{Target: tt.target})
		if got := d.Comments[0].Stance; got != tt.want {
			t.Errorf("%s: %q toward %q: stance %s, want %s", tt.name, tt.body, d.Target, got, tt.want)
		}
	}
}

// TestRelevance: a comment that never names a target the thread is not
// about takes no side, even with strong words; in a thread about the target
// it does.
func TestRelevance(t *testing.T) {
	body := "This is a terrible, dangerous idea."
	off := Analyze(threaddigest.Thread{Comments: []threaddigest.Comment{cm("1", "a", body)}}, Options{Target: "wind power"})
	if got := off.Comments[0].Stance; got != StanceNone {
		t.Errorf("target not named, thread not about it: stance %s, want none", got)
	}
	on := Analyze(threaddigest.Thread{Title: "This house would build more wind power", Comments: []threaddigest.Comment{cm("1", "a", body)}}, Options{Target: "wind power"})
	if got := on.Comments[0].Stance; got != StanceAgainst {
		t.Errorf("thread about the target: stance %s, want against", got)
	}
}

func TestTargetCompound(t *testing.T) {
	th := threaddigest.Thread{
		Title: "Council to vote on making city buses fare-free",
		Comments: []threaddigest.Comment{
			cm("1", "a", "Fare-free buses worked in Kansas City."),
			cm("2", "b", "Fare-free transit is cheap climate policy."),
			cm("3", "c", "Nothing is free; the fare money comes from taxes."),
			cm("4", "d", "The city buses are late."),
			cm("5", "e", "Fare-free rides help families."),
		},
	}
	if d := Analyze(th, Options{}); d.Target != "fare-free" {
		t.Errorf("target %q, want the headline's compound fare-free", d.Target)
	}
}

func TestRelationReadings(t *testing.T) {
	parent := "Flights grounded at Digne after the crash of an Airbus A320 this morning"
	tests := []struct {
		reply, want string
	}{
		// Passing the parent's words on, unopposed, endorses them.
		{"So sad. “@News: Flights grounded at Digne after the crash of an Airbus A320 this morning”", RelationAgreement},
		// Quoting to push back is still a rebuttal.
		{"\"Flights grounded at Digne after the crash of an Airbus A320\" is misleading: only two were.", RelationRebuttal},
		// Every handle the reply opens with is skipped before its opening is read.
		{"@News @Other No, that is not what the airport said.", RelationRebuttal},
		{"@News @Other Exactly.", RelationAgreement},
		{"@News Check your facts, the airport is open.", RelationRebuttal},
		// Going on with the parent is an extension; a bare fact with no
		// sign either way takes the comment-section prior (pushback).
		{"@News Also, the airport is near the town centre.", RelationExtension},
	}
	for _, tt := range tests {
		th := threaddigest.Thread{Comments: []threaddigest.Comment{
			cm("1", "News", parent),
			withParent(cm("2", "Bo", tt.reply), "1"),
		}}
		d := Analyze(th, Options{})
		if r := d.Comments[1].Relation; r == nil || *r != tt.want {
			got := "nil"
			if r != nil {
				got = *r
			}
			t.Errorf("%q: relation %s, want %s", tt.reply, got, tt.want)
		}
	}
}

// TestStanceQuotesTakeTheirSide: each side's quote is a sentence that
// itself takes that side, from a comment whose own words do.
func TestStanceQuotesTakeTheirSide(t *testing.T) {
	th := threaddigest.Thread{
		Title: "Europe weighs a Huawei ban",
		Comments: []threaddigest.Comment{
			cm("1", "a", "Huawei gear is excellent and reliable."),
			withParent(cm("2", "b", "No. I trust Ericsson more than Huawei, and Huawei is a security risk."), "1"),
			cm("3", "c", "Huawei is dangerous and untrustworthy."),
			withParent(cm("4", "d", "Exactly."), "3"),
		},
	}
	d := Analyze(th, Options{})
	fq, aq := d.Stance.FavorQuote, d.Stance.AgainstQuote
	if fq == nil || fq.CommentID != "1" || fq.Text != "Huawei gear is excellent and reliable." {
		t.Errorf("favor quote %+v, want comment 1's sentence", fq)
	}
	if aq == nil || aq.CommentID != "3" {
		t.Errorf("against quote %+v, want comment 3 (its own words are the clearest against)", aq)
	}
}
