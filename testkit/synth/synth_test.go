package synth

import (
	"bytes"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

func TestGenerate(t *testing.T) {
	c, err := LoadCorpus(shareddata.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Camps) != campArticles {
		t.Fatalf("camps = %d, want %d", len(c.Camps), campArticles)
	}
	th := Generate(c, Options{Comments: 5000, Seed: 3})
	if len(th.Comments) != 5000 {
		t.Fatalf("comments = %d", len(th.Comments))
	}
	var replies, mentions int
	ids := map[string]bool{}
	for _, cm := range th.Comments {
		if ids[cm.ID] {
			t.Fatalf("duplicate id %s", cm.ID)
		}
		ids[cm.ID] = true
		if cm.ParentID != "" {
			if !ids[cm.ParentID] {
				t.Fatalf("comment %s replies to %s, which is not earlier", cm.ID, cm.ParentID)
			}
			replies++
			if strings.HasPrefix(cm.Body, "@") {
				mentions++
			}
		}
	}
	if share := float64(replies) / 5000; share < 0.35 || share > 0.45 {
		t.Errorf("reply share = %.2f, want about 0.4", share)
	}
	if share := float64(mentions) / float64(replies); share < 0.4 || share > 0.6 {
		t.Errorf("@Name share of replies = %.2f, want about 0.5", share)
	}

	again := Generate(c, Options{Comments: 5000, Seed: 3})
	var a, b bytes.Buffer
	if err := WriteJSONL(&a, th); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSONL(&b, again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same seed gave different threads")
	}
	var page bytes.Buffer
	if err := WritePage(&page, th); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(page.String(), "\n"); lines != 3+2*5000 {
		t.Errorf("page format has %d lines, want %d", lines, 3+2*5000)
	}
}
