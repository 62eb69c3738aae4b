package input

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkResult holds what must be true of any read, whatever the input.
func checkResult(t *testing.T, in []byte, format Format) {
	res, err := Read(bytes.NewReader(in), "fuzz", Options{Format: format})
	if err != nil {
		if !strings.HasPrefix(err.Error(), "fuzz") && !strings.HasPrefix(err.Error(), "unknown input format") {
			t.Fatalf("error does not name the file: %v", err)
		}
		return
	}
	if res.Comments() == 0 {
		t.Fatalf("no error but no comments")
	}
	for _, th := range res.Threads {
		seen := map[string]bool{}
		for _, c := range th.Comments {
			if c.ID == "" {
				t.Fatalf("comment without id: %+v", c)
			}
			if seen[c.ID] {
				t.Fatalf("thread %q: duplicate id %q", th.ID, c.ID)
			}
			seen[c.ID] = true
			for _, s := range []string{c.ID, c.ParentID, c.Author, c.AuthorID, c.Location, c.Body} {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8 in %+v", c)
				}
			}
			if !c.Deleted && strings.TrimSpace(c.Body) == "" {
				t.Fatalf("empty body kept: %+v", c)
			}
		}
	}
	for _, p := range append(res.Skipped, res.Warnings...) {
		if p.File != "fuzz" || p.Msg == "" {
			t.Fatalf("problem without place or message: %+v", p)
		}
	}
}

func FuzzReadPage(f *testing.F) {
	for _, s := range []string{
		"Huawei in Europe\n\nDec 27, 2019 · 3 comments\nAnna Schmidt (köln)\nThey should be banned.\nJ.R. O'Neil (Boulder, Co)\nNo.\nYvr fan\nFine.\n",
		"T\r\n\r\nJan 5, 2020 · 2 comments\r\nDr. Who (the doctor) (London)\r\nx\r\n\r\n(anon)\r\ny\r\n",
		"T\n\nDec 27, 2019 · 1 comment\nA (X)\n",
		"T\n\nA ((((\nbody\n",
		"T\n\nyesterday · 1 comment\n\xffA\nb\xfe\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkResult(t, in, Page) })
}

func FuzzReadJSONL(f *testing.F) {
	for _, s := range []string{
		`{"title": "T"}` + "\n" + `{"id": "1", "author": "A", "body": "x", "created_at": "2019-12-27T14:05:00Z", "likes": 3}` + "\n" + `{"id": 2, "parent_id": 1, "author": "B", "body": "y &amp; z"}`,
		`{"id": "1", "author": "A", "body": "x"}` + "\n" + `{"id": "1", "author": "B", "body": "dup"}`,
		`{"id": "1", "author": "A", "body": {"x": 1}}` + "\n{trunc",
		`{"id": "1", "author": "", "body": "", "deleted": true, "thread": 5}`,
		`{"commentID": 1.0, "userDisplayName": "A", "commentBody": "<br/>x", "createDate": 1e12}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkResult(t, in, JSONL) })
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"commentID,parentID,userDisplayName,userLocation,commentBody,recommendations,createDate,articleID\n1,0,A,\"Boulder, Co\",<br/>x,1,1577455500,a\n2,1,B,köln,\"y, \"\"z\"\"\",0,1577455500,a\n",
		"author,body\nA,\"unclosed\nB,x\n",
		"id,author,body\n1,A,x\n1,B,y\n,C,z\n",
		"id,author,body,deleted\n1,A,,removed\n2,B,x,maybe\n",
		"body\nx\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkResult(t, in, CSV) })
}

func FuzzReadAuto(f *testing.F) {
	f.Add([]byte("T\n\nDec 27, 2019 · 1 comment\nA\nb\n"))
	f.Add([]byte(`{"author": "A", "body": "x"}`))
	f.Add([]byte("author,body\nA,x\n"))
	f.Fuzz(func(t *testing.T, in []byte) { checkResult(t, in, Auto) })
}
