package digest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/input"
)

// handReading is how a person reads each comment of an example thread toward
// its target: the stances a careful reader would accept, "|"-separated where
// the comment is genuinely mixed.
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

// TestStanceOnExamples compares the digest's stances on the bundled examples
// with a careful reading. The floors are what the analysis reached when they
// were written: a change that reads the examples worse fails here.
func TestStanceOnExamples(t *testing.T) {
	floors := map[string]int{"huawei-europe.txt": 31, "fare-free-buses.jsonl": 7}
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
		d := Analyze(res.Threads[0], Options{})
		agree := 0
		var wrong []string
		for _, c := range d.Comments {
			ok := false
			for _, s := range strings.Split(want[c.ID], "|") {
				ok = ok || s == c.Stance
			}
			if ok {
				agree++
			} else {
				wrong = append(wrong, c.ID+":"+c.Stance+"≠"+want[c.ID])
			}
		}
		t.Logf("%s: %d of %d comments read as a person reads them; off: %s", name, agree, len(d.Comments), strings.Join(wrong, " "))
		if agree < floors[name] {
			t.Errorf("%s: %d of %d comments read as a person reads them, fewer than the %d reached before", name, agree, len(d.Comments), floors[name])
		}
	}
}
