package input

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
)

func read(t *testing.T, in string, opt Options) *Result {
	t.Helper()
	res, err := Read(strings.NewReader(in), "t.txt", opt)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return res
}

func problems(ps []Problem) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.Error()
	}
	return strings.Join(s, "\n")
}

func TestPage(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     []threaddigest.Comment
		title    string
		skipped  string
		warnings string
		date     time.Time
	}{
		{
			name:  "headers with and without locations",
			in:    "Huawei in Europe\n\nDec 27, 2019 · 3 comments\nAnna Schmidt (köln)\nThey should be banned.\nJ.R. O'Neil 3rd (Boulder, Co)\nNo, that is wrong.\nYvr fan\nFine by me.\n",
			title: "Huawei in Europe",
			date:  time.Date(2019, 12, 27, 0, 0, 0, 0, time.UTC),
			want: []threaddigest.Comment{
				{Author: "Anna Schmidt", Location: "köln", Body: "They should be banned."},
				{Author: "J.R. O'Neil 3rd", Location: "Boulder, Co", Body: "No, that is wrong."},
				{Author: "Yvr fan", Body: "Fine by me."},
			},
		},
		{
			name:  "blank lines between comments, CRLF, parentheses in the name",
			in:    "T\r\n\r\nJan 5, 2020 · 2 comments\r\nDr. Who (the doctor) (London, UK)\r\nTime will tell.\r\n\r\n\r\n(anonymous)\r\nHi.\r\n",
			title: "T",
			date:  time.Date(2020, 1, 5, 0, 0, 0, 0, time.UTC),
			want: []threaddigest.Comment{
				{Author: "Dr. Who (the doctor)", Location: "London, UK", Body: "Time will tell."},
				{Author: "(anonymous)", Body: "Hi."},
			},
		},
		{
			name:     "count differs from comments found",
			in:       "T\n\nDec 27, 2019 · 5 comments\nA (X)\nbody\n",
			title:    "T",
			date:     time.Date(2019, 12, 27, 0, 0, 0, 0, time.UTC),
			want:     []threaddigest.Comment{{Author: "A", Location: "X", Body: "body"}},
			warnings: "t.txt:3: count: the page states 5 comments but 1 were read",
		},
		{
			name:     "header with no body at the end and before a blank line",
			in:       "T\n\nDec 27, 2019 · 3 comments\nA (X)\n\nB\nreal body\nC (Y)\n",
			title:    "T",
			date:     time.Date(2019, 12, 27, 0, 0, 0, 0, time.UTC),
			want:     []threaddigest.Comment{{Author: "B", Body: "real body"}},
			skipped:  "t.txt:4: body: header \"A (X)\" has no body: expected the comment on the next line\nt.txt:8: body: header \"C (Y)\" has no body: expected the comment on the next line",
			warnings: "t.txt:3: count: the page states 3 comments but 1 were read",
		},
		{
			name:     "no count line",
			in:       "T\n\nA (X)\nbody\n",
			title:    "T",
			want:     []threaddigest.Comment{{Author: "A", Location: "X", Body: "body"}},
			warnings: "t.txt:3: count: expected a date and a comment count such as \"Dec 27, 2019 · 50 comments\"; read the line as the first comment's header",
		},
		{
			name:     "unreadable date",
			in:       "T\n\nyesterday · 1 comment\nA\nbody\n",
			title:    "T",
			want:     []threaddigest.Comment{{Author: "A", Body: "body"}},
			warnings: "t.txt:3: date: cannot read the date \"yesterday\": expected a date such as \"Dec 27, 2019\"",
		},
		{
			name:     "body split over two lines",
			in:       "T\n\nDec 27, 2019 · 1 comment\nA\nfirst line\n" + strings.Repeat("a long second line of the body ", 6) + "\nB\nok\n",
			title:    "T",
			date:     time.Date(2019, 12, 27, 0, 0, 0, 0, time.UTC),
			want:     []threaddigest.Comment{{Author: "A", Body: "first line"}, {Author: "B", Body: "ok"}},
			skipped:  "t.txt:6: author: expected a header \"Display Name (Location)\", found a line of 185 characters (is a body split over several lines?)",
			warnings: "t.txt:3: count: the page states 1 comments but 2 were read",
		},
		{
			name:     "invalid UTF-8 body",
			in:       "T\n\nDec 27, 2019 · 2 comments\nA\nbad \xff byte\nB\nok\n",
			title:    "T",
			date:     time.Date(2019, 12, 27, 0, 0, 0, 0, time.UTC),
			want:     []threaddigest.Comment{{Author: "B", Body: "ok"}},
			skipped:  "t.txt:5: body: invalid UTF-8: expected UTF-8 text",
			warnings: "t.txt:3: count: the page states 2 comments but 1 were read",
		},
		{
			// Bad bytes in a location cost only the location; in a name they
			// cost the comment.
			name:  "invalid UTF-8 location and name",
			in:    "T\n\nDec 27, 2019 · 3 comments\nAnna (K\xc3\xb6\xffln)\nfine\nB\xc0\xaf (Paris)\nlost\nCy\nok\n",
			title: "T",
			date:  time.Date(2019, 12, 27, 0, 0, 0, 0, time.UTC),
			want: []threaddigest.Comment{
				{Author: "Anna", Location: "Kö\uFFFDln", Body: "fine"},
				{Author: "Cy", Body: "ok"},
			},
			skipped: "t.txt:6: author: invalid UTF-8 in the header: expected UTF-8 text",
			warnings: `t.txt:4: location: invalid UTF-8: read with U+FFFD in place of the bad bytes
t.txt:3: count: the page states 3 comments but 2 were read`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := read(t, tt.in, Options{})
			if res.Format != Page {
				t.Fatalf("format %q, want page", res.Format)
			}
			if len(res.Threads) != 1 {
				t.Fatalf("%d threads, want 1", len(res.Threads))
			}
			th := res.Threads[0]
			if th.Title != tt.title {
				t.Errorf("title %q, want %q", th.Title, tt.title)
			}
			checkComments(t, th.Comments, tt.want)
			if got := problems(res.Skipped); got != tt.skipped {
				t.Errorf("skipped:\n%s\nwant:\n%s", got, tt.skipped)
			}
			if got := problems(res.Warnings); got != tt.warnings {
				t.Errorf("warnings:\n%s\nwant:\n%s", got, tt.warnings)
			}
			if !res.Date.Equal(tt.date) {
				t.Errorf("date %v, want %v", res.Date, tt.date)
			}
		})
	}
}

// checkComments compares comments; a wanted comment without an ID must
// have its content id (TestContentID pins what that is).
func checkComments(t *testing.T, got, want []threaddigest.Comment) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d comments, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if want[i].ID == "" {
			want[i].ID = ContentID(want[i], 1)
		}
		if got[i] != want[i] {
			t.Errorf("comment %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestParseHeader(t *testing.T) {
	tests := []struct{ in, name, loc string }{
		{"Anna (köln)", "Anna", "köln"},
		{"Anna", "Anna", ""},
		{"Mary O'Brien (Boulder, Co)", "Mary O'Brien", "Boulder, Co"},
		{"Dr. Who (the doctor) (London)", "Dr. Who (the doctor)", "London"},
		{"X (Springfield (IL))", "X", "Springfield (IL)"},
		{"(anonymous)", "(anonymous)", ""},
		{"broken (paren", "broken (paren", ""},
		{"broken) (Paris)", "broken)", "Paris"},
		{"Ann ()", "Ann", ""},
		{"  Zoë 42  (Small-town Ontario) ", "Zoë 42", "Small-town Ontario"},
	}
	for _, tt := range tests {
		name, loc := ParseHeader(tt.in)
		if name != tt.name || loc != tt.loc {
			t.Errorf("ParseHeader(%q) = %q, %q; want %q, %q", tt.in, name, loc, tt.name, tt.loc)
		}
	}
}

func TestJSONL(t *testing.T) {
	ts := time.Date(2019, 12, 27, 14, 5, 0, 0, time.UTC)
	tests := []struct {
		name     string
		in       string
		mapping  string
		threads  []threaddigest.Thread
		skipped  string
		warnings string
	}{
		{
			name: "canonical with title line",
			in: `{"title": "Huawei in Europe"}
{"id": "c1", "author": "Anna", "location": "köln", "body": "Ban them.", "created_at": "2019-12-27T14:05:00Z", "likes": 3}
{"id": 2, "parent_id": "c1", "author": "Bob", "body": "No.\nNever.", "likes": null}
`,
			threads: []threaddigest.Thread{{Title: "Huawei in Europe", Comments: []threaddigest.Comment{
				{ID: "c1", Author: "Anna", Location: "köln", Body: "Ban them.", CreatedAt: ts, Likes: 3},
				{ID: "2", ParentID: "c1", Author: "Bob", Body: "No.\nNever."},
			}}},
		},
		{
			// Ids are kept as written: 1.0 is not 1, so neither is a
			// duplicate of the other; "1.0" written as a string is the
			// same text as 1.0, a duplicate, left out and listed.
			name: "numeric ids kept as written",
			in: `{"id": 1.0, "author": "A", "body": "first"}
{"id": 1, "author": "B", "body": "second"}
{"id": "1.0", "author": "C", "body": "third, a string", "parent_id": 1.0}
{"id": 3, "author": "D", "body": "fourth", "parent_id": 1, "author_id": 7.0}
`,
			threads: []threaddigest.Thread{{Comments: []threaddigest.Comment{
				{ID: "1.0", Author: "A", Body: "first"},
				{ID: "1", Author: "B", Body: "second"},
				{ID: "3", ParentID: "1", Author: "D", AuthorID: "7.0", Body: "fourth"},
			}}},
			skipped: `t.txt:3: id: duplicate comment id "1.0" in thread "" (first on line 1); the first is kept`,
		},
		{
			name:    "mapped twitter fields, several threads",
			mapping: "id=tweet_id,parent_id=in_reply,author=screen_name,author_id=uid,body=text,thread=thread_id,created_at=created_at",
			in: `{"tweet_id": "10", "in_reply": "", "screen_name": "a", "uid": 7, "text": "claim &amp; more", "thread_id": "10", "created_at": "Fri Dec 27 14:05:00 +0000 2019"}
{"tweet_id": "20", "in_reply": "", "screen_name": "b", "uid": 8, "text": "other", "thread_id": "20", "created_at": 1577455500}
{"tweet_id": "11", "in_reply": "10", "screen_name": "b", "uid": 8, "text": "reply", "thread_id": "10", "created_at": "1577455500000"}
`,
			threads: []threaddigest.Thread{
				{ID: "10", Comments: []threaddigest.Comment{
					{ID: "10", Author: "a", AuthorID: "7", Body: "claim & more", CreatedAt: ts},
					{ID: "11", ParentID: "10", Author: "b", AuthorID: "8", Body: "reply", CreatedAt: ts},
				}},
				{ID: "20", Comments: []threaddigest.Comment{{ID: "20", Author: "b", AuthorID: "8", Body: "other", CreatedAt: ts}}},
			},
		},
		{
			name: "bad lines are skipped, good kept",
			in: `{"id": "1", "author": "A", "body": "good"}
{"id": "2", "author": "A", "body": "trunc
[1, 2]

{"id": "3", "author": "A", "body": ""}
{"id": "1", "author": "B", "body": "dup"}
{"id": "4", "author": "", "body": "who?"}
{"id": "5", "author": "A", "body": {"x": 1}}
` + "{\"id\": \"6\", \"author\": \"A\", \"body\": \"bad \xff\"}\n" + `{"id": "7", "author": "A"}
{"id": "8", "author": "A", "body": "time", "created_at": "last week", "likes": "many"}
`,
			threads: []threaddigest.Thread{{Comments: []threaddigest.Comment{
				{ID: "1", Author: "A", Body: "good"},
				{ID: "8", Author: "A", Body: "time"},
			}}},
			skipped: `t.txt:2: malformed JSON (unexpected end of JSON input): expected one JSON object per line
t.txt:3: expected a JSON object {…} on the line, found "[1, 2]"
t.txt:5: body: empty comment body: an empty comment says nothing
t.txt:6: id: duplicate comment id "1" in thread "" (first on line 1); the first is kept
t.txt:7: author: no author: expected a display name or an author id
t.txt:8: body: key "body": expected a string or number, found an object
t.txt:9: body: invalid UTF-8: expected UTF-8 text
t.txt:10: body: no body: expected a comment with a body (or a first line giving the thread's title)`,
			warnings: `t.txt:11: created_at: cannot read time "last week": expected RFC 3339 (2019-12-27T14:05:00Z), Unix seconds or milliseconds, or Twitter's "Tue Mar 24 10:43:44 +0000 2015"; left empty
t.txt:11: likes: cannot read likes "many": expected a whole number; read as 0`,
		},
		{
			// Bad bytes cost a comment only in its body or author; elsewhere
			// the field is repaired (U+FFFD, the same bytes giving the same
			// text) or, for an account id and unreadable values, left empty.
			name: "invalid UTF-8 in one field",
			in: "{\"title\": \"Bad \xff title\", \"thread\": \"t\xfe\"}\n" +
				"{\"id\": \"c\xff1\", \"author\": \"A\", \"author_id\": \"u\xff\", \"location\": \"Paris \\\"\xe2\x82\\\"\", \"body\": \"kept\", \"thread\": \"t\xfe\"}\n" +
				"{\"id\": \"c2\", \"parent_id\": \"c\xff1\", \"author\": \"B\", \"body\": \"reply\", \"created_at\": \"2019\xff\", \"likes\": \"3\xff\", \"deleted\": \"no\xff\", \"thread\": \"t\xfe\"}\n" +
				"{\"id\": \"c3\", \"author\": \"C\xff\", \"body\": \"lost\", \"location\": \"\xff\"}\n" +
				"{\"id\": \"c4\", \"author\": \"D\", \"body\": \"fine\", \"unused \xff\": \"\xff\"}\n",
			threads: []threaddigest.Thread{
				{ID: "t\uFFFD", Title: "Bad \uFFFD title", Comments: []threaddigest.Comment{
					{ID: "c\uFFFD1", Author: "A", Location: "Paris \"\uFFFD\"", Body: "kept"},
					{ID: "c2", ParentID: "c\uFFFD1", Author: "B", Body: "reply"},
				}},
				{Comments: []threaddigest.Comment{{ID: "c4", Author: "D", Body: "fine"}}},
			},
			skipped: "t.txt:4: author: invalid UTF-8: expected UTF-8 text",
			warnings: `t.txt:1: thread: invalid UTF-8: read with U+FFFD in place of the bad bytes
t.txt:1: title: invalid UTF-8: read with U+FFFD in place of the bad bytes
t.txt:2: id: invalid UTF-8: read with U+FFFD in place of the bad bytes
t.txt:2: author_id: invalid UTF-8: left empty; the commenter is told apart by name
t.txt:2: location: invalid UTF-8: read with U+FFFD in place of the bad bytes
t.txt:2: thread: invalid UTF-8: read with U+FFFD in place of the bad bytes
t.txt:3: parent_id: invalid UTF-8: read with U+FFFD in place of the bad bytes
t.txt:3: created_at: invalid UTF-8: left empty
t.txt:3: likes: invalid UTF-8: read as 0
t.txt:3: thread: invalid UTF-8: read with U+FFFD in place of the bad bytes
t.txt:3: deleted: invalid UTF-8: read as not deleted`,
		},
		{
			name: "deleted marker keeps the comment, marked",
			in: `{"id": "1", "author": "A", "body": "x", "deleted": false}
{"id": "2", "author": "", "body": "", "deleted": "removed"}
`,
			threads: []threaddigest.Thread{{Comments: []threaddigest.Comment{
				{ID: "1", Author: "A", Body: "x"},
				{ID: "2", Deleted: true},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMap(tt.mapping)
			if err != nil {
				t.Fatal(err)
			}
			res := read(t, tt.in, Options{Map: m})
			if res.Format != JSONL {
				t.Fatalf("format %q", res.Format)
			}
			checkThreads(t, res.Threads, tt.threads)
			if got := problems(res.Skipped); got != tt.skipped {
				t.Errorf("skipped:\n%s\nwant:\n%s", got, tt.skipped)
			}
			if got := problems(res.Warnings); got != tt.warnings {
				t.Errorf("warnings:\n%s\nwant:\n%s", got, tt.warnings)
			}
		})
	}
}

func checkThreads(t *testing.T, got, want []threaddigest.Thread) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d threads, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Title != want[i].Title {
			t.Errorf("thread %d: id %q title %q, want %q %q", i, got[i].ID, got[i].Title, want[i].ID, want[i].Title)
		}
		checkComments(t, got[i].Comments, want[i].Comments)
	}
}

func TestCSV(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		mapping  string
		threads  []threaddigest.Thread
		skipped  string
		warnings string
	}{
		{
			name: "nyt export columns, two articles, html bodies",
			in: "commentID,parentID,userDisplayName,userID,userLocation,commentBody,recommendations,createDate,articleID,picURL\n" +
				"101,0,Anna,55,\"Boulder, Co\",\"<br/>Gold &amp; coal.<br/><br/>Next.\",10,1577455500,art1,x\n" +
				"102.0,101.0,Bob,56,<br/>,\"No, \"\"never\"\".\",2.0,1577455500.0,art1,x\n" +
				"201,0,Cy,57,Yvr,Elsewhere,0,1577455500,art2,x\n",
			threads: []threaddigest.Thread{
				{ID: "art1", Comments: []threaddigest.Comment{
					{ID: "101", Author: "Anna", AuthorID: "55", Location: "Boulder, Co", Body: "Gold & coal.\n\nNext.", Likes: 10, CreatedAt: time.Unix(1577455500, 0).UTC()},
					{ID: "102", ParentID: "101", Author: "Bob", AuthorID: "56", Body: "No, \"never\".", Likes: 2, CreatedAt: time.Unix(1577455500, 0).UTC()},
				}},
				{ID: "art2", Comments: []threaddigest.Comment{
					{ID: "201", Author: "Cy", AuthorID: "57", Location: "Yvr", Body: "Elsewhere", CreatedAt: time.Unix(1577455500, 0).UTC()},
				}},
			},
		},
		{
			name:    "mapped globe columns with deleted status and ms times",
			mapping: "id=ID,parent_id=parentID,author=author,body=text,thread=article_id,created_at=timestamp,likes=posVotes,deleted=status",
			in: "ID,parentID,text,author,article_id,timestamp,posVotes,status\n" +
				"a1,,\"Multi\nline\",Sheep #5491,9,1380087105710,,published\n" +
				"a2,a1,This comment has been deleted,[removed],9,1380087105710,0,rejected\n",
			threads: []threaddigest.Thread{{ID: "9", Comments: []threaddigest.Comment{
				{ID: "a1", Author: "Sheep #5491", Body: "Multi\nline", CreatedAt: time.UnixMilli(1380087105710).UTC()},
				{ID: "a2", ParentID: "a1", Author: "[removed]", Body: "This comment has been deleted", CreatedAt: time.UnixMilli(1380087105710).UTC(), Deleted: true},
			}}},
		},
		{
			name: "canonical columns without ids get content ids; bad rows skipped",
			in: "author,body,title\n" +
				"A,first,The title\n" +
				"B,second,\n" +
				"C,\"bad \"quote\n" +
				"D,too,many,fields\n" +
				"E,\n" +
				"F,bad \xff\n" +
				"G,last,\n",
			threads: []threaddigest.Thread{{Title: "The title", Comments: []threaddigest.Comment{
				{Author: "A", Body: "first"},
				{Author: "B", Body: "second"},
				{Author: "G", Body: "last"},
			}}},
			skipped: `t.txt:4: malformed CSV (extraneous or missing " in quoted-field): expected 3 comma-separated fields, quoted with " where they hold commas, quotes or newlines
t.txt:5: found 4 fields: expected 3 as in the header row
t.txt:6: found 2 fields: expected 3 as in the header row
t.txt:7: found 2 fields: expected 3 as in the header row`,
		},
		{
			name: "invalid UTF-8 in one field",
			in: "id,parent_id,author,author_id,location,body,likes\n" +
				"1,,Anna,a\xff,Boulder Co,\"Free buses, \xff\xfe yes\",3\n" +
				"2,,Ben,b,K\xc3\xb6\xffln,Fine.,2\xff\n" +
				"3,2\xff,C\xff,c,,Lost.,\n" +
				"4,,Dee,d,\"Paris \xe2\x82\",Kept.,1\n",
			threads: []threaddigest.Thread{{Comments: []threaddigest.Comment{
				{ID: "2", Author: "Ben", AuthorID: "b", Location: "Kö\uFFFDln", Body: "Fine."},
				{ID: "4", Author: "Dee", AuthorID: "d", Location: "Paris \uFFFD", Body: "Kept.", Likes: 1},
			}}},
			skipped: `t.txt:2: body: invalid UTF-8: expected UTF-8 text
t.txt:4: author: invalid UTF-8: expected UTF-8 text`,
			warnings: `t.txt:3: location: invalid UTF-8: read with U+FFFD in place of the bad bytes
t.txt:3: likes: invalid UTF-8: read as 0
t.txt:5: location: invalid UTF-8: read with U+FFFD in place of the bad bytes`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMap(tt.mapping)
			if err != nil {
				t.Fatal(err)
			}
			res := read(t, tt.in, Options{Map: m})
			if res.Format != CSV {
				t.Fatalf("format %q", res.Format)
			}
			checkThreads(t, res.Threads, tt.threads)
			if got := problems(res.Skipped); got != tt.skipped {
				t.Errorf("skipped:\n%s\nwant:\n%s", got, tt.skipped)
			}
			if got := problems(res.Warnings); got != tt.warnings {
				t.Errorf("warnings:\n%s\nwant:\n%s", got, tt.warnings)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opt  Options
		want string
	}{
		{"empty", "", Options{}, "t.txt: empty input: expected a thread in page, JSON Lines or CSV format"},
		{"only space", " \n\n\t\n", Options{}, "t.txt: empty input: expected a thread in page, JSON Lines or CSV format"},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", Options{}, "t.txt:3: binary data (a NUL byte): expected UTF-8 text in page, JSON Lines or CSV format"},
		{"unknown", "just some words\nmore words\n", Options{}, "t.txt:1: cannot tell the format"},
		{"invalid utf8 first line", "\xff\xfe words\nmore\n", Options{}, "t.txt:1: invalid UTF-8"},
		{"csv missing columns", "name,text\nA,b\n", Options{}, "t.txt:1: missing columns: a comment needs body (a column body or commentBody, or mapped with body=COLUMN) and author (a column author or userDisplayName, or mapped with author=COLUMN); the header has: name, text"},
		{"csv mapped column absent", "name,text\nA,b\n", Options{Map: map[string]string{"author": "name", "body": "txt"}}, "t.txt:1: the field mapping names columns that are not in the header (body=txt); the header has: name, text"},
		{"csv header only", "author,body\n", Options{}, "t.txt: no comments read (as CSV)"},
		{"jsonl all bad", "{\"id\": 1}\n{bad\n", Options{}, "t.txt: no comments read (as JSON Lines): all 2 records were skipped; the first: t.txt:1: body: no body"},
		{"page title only", "Title\n\nDec 27, 2019 · 0 comments\n", Options{}, "t.txt: no comments read (as page format)"},
		{"page header without body", "Title\n\nDec 27, 2019 · 1 comment\nAnna (köln)\n", Options{}, "the first: t.txt:4: body: header \"Anna (köln)\" has no body"},
		{"page forced, no blank line", "Title\nnot blank\n", Options{Format: Page}, "t.txt:2: expected an empty line after the title"},
		{"page ends after title", "Title\n", Options{Format: Page}, "t.txt:2: input ends after the title"},
		{"page bad title utf8", "Ti\xfftle\n\nx\n", Options{}, "t.txt:1: title: invalid UTF-8"},
		{"unknown format", "x", Options{Format: "xml"}, "unknown input format \"xml\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in), "t.txt", tt.opt)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestStdinName(t *testing.T) {
	_, err := Read(strings.NewReader(""), "-", Options{})
	var p *Problem
	if !errors.As(err, &p) || p.File != "stdin" {
		t.Fatalf("err = %v, want a *Problem naming stdin", err)
	}
}

func TestParseMap(t *testing.T) {
	m, err := ParseMap(" id=tweet_id, body=text ,author=user_screen_name")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(m) != "map[author:user_screen_name body:text id:tweet_id]" {
		t.Errorf("got %v", m)
	}
	for in, want := range map[string]string{
		"id":        `field mapping "id": expected FIELD=NAME`,
		"id=":       `field mapping "id=": expected FIELD=NAME`,
		"text=body": `unknown field "text"; fields are id, parent_id`,
		"id=a,id=b": `field "id" is mapped twice`,
		"=x":        `expected FIELD=NAME`,
	} {
		if _, err := ParseMap(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMap(%q) error %v, want %q", in, err, want)
		}
	}
}

func TestResultThread(t *testing.T) {
	res := read(t, "id,author,body,thread\n1,A,x,t1\n2,B,y,t2\n", Options{})
	if _, err := res.Thread(""); err == nil || !strings.Contains(err.Error(), "t1, t2") {
		t.Errorf("Thread(\"\") err = %v, want the list of ids", err)
	}
	if th, err := res.Thread("t2"); err != nil || th.Comments[0].Body != "y" {
		t.Errorf("Thread(t2) = %+v, %v", th, err)
	}
	if _, err := res.Thread("t3"); err == nil || !strings.Contains(err.Error(), `no thread "t3"`) {
		t.Errorf("Thread(t3) err = %v", err)
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2015, 3, 24, 10, 43, 44, 0, time.UTC)
	for _, in := range []string{"2015-03-24T10:43:44Z", "2015-03-24T11:43:44+01:00", "Tue Mar 24 10:43:44 +0000 2015", "1427193824", "1427193824000", "1427193824.0", "2015-03-24 10:43:44"} {
		got, err := parseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"soon", "-5", "NaN", "1e300"} {
		if _, err := parseTime(in); err == nil {
			t.Errorf("parseTime(%q): no error", in)
		}
	}
}

// TestContentID pins the id of a comment without one (computed with
// sha256sum: printf 'name:Anna\0They should be banned.') and checks that it
// survives what comment pages do: a new comment inserted at the top or in
// the middle, a location changed; repeats of one text by one author are
// told apart by their order.
func TestContentID(t *testing.T) {
	if got := ContentID(threaddigest.Comment{Author: "Anna", Location: "köln", Body: "They should be banned."}, 1); got != "426daac79ca6ff0c" {
		t.Errorf("ContentID = %q, want 426daac79ca6ff0c", got)
	}
	if got := ContentID(threaddigest.Comment{Author: "Anna", AuthorID: "u1", Body: "+1"}, 2); got != "2b60058e1100a708-2" {
		t.Errorf("ContentID by author id, second = %q, want 2b60058e1100a708-2", got)
	}
	page := func(blocks ...string) map[string]string {
		res := read(t, "T\n\nDec 27, 2019 · 1 comment\n"+strings.Join(blocks, "\n")+"\n", Options{})
		ids := map[string]string{}
		for i, c := range res.Threads[0].Comments {
			key := fmt.Sprintf("%s|%s", c.Author, c.Body)
			for n := 2; ids[key] != ""; n++ {
				key = fmt.Sprintf("%s|%s|%d", c.Author, c.Body, n)
			}
			if c.ID == "" {
				t.Fatalf("comment %d has no id", i)
			}
			ids[key] = c.ID
		}
		return ids
	}
	before := page("Anna (köln)\nBan them.", "Ben\n+1", "Cy (Paris)\nNo.", "Ben\n+1")
	after := page("Dee\nNewest.", "Anna (Köln, DE)\nBan them.", "Ben\n+1", "Eve\nMiddle.", "Cy (Paris)\nNo.", "Ben\n+1")
	if len(before) != 4 || len(after) != 6 {
		t.Fatalf("ids: %v / %v", before, after)
	}
	for key, id := range before {
		if after[key] != id {
			t.Errorf("%s: id %s became %s after inserting comments", key, id, after[key])
		}
	}
	if before["Ben|+1"] == before["Ben|+1|2"] {
		t.Errorf("a repeated comment shares its id: %v", before)
	}
	seen := map[string]bool{}
	for _, id := range after {
		if seen[id] {
			t.Errorf("id %s given twice: %v", id, after)
		}
		seen[id] = true
	}
}

func TestMapOnPageRefused(t *testing.T) {
	m, _ := ParseMap("body=text")
	_, err := Read(strings.NewReader("T\n\nDec 27, 2019 · 1 comment\nAnna\nHi.\n"), "page.txt", Options{Map: m})
	var e *MapOnPageError
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "page.txt: is a page file") || !strings.Contains(err.Error(), "applies only to CSV and JSON Lines") {
		t.Errorf("err = %v, want the mapping refused for a page file", err)
	}
}
