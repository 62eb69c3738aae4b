package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/input"
	"github.com/threaddigest/threaddigest/testkit/golden"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
)

// Several test files of this package may want an -update flag; whichever
// registers it first owns it, and every golden helper reads it by name.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files from the current output")
	}
}

func updatingGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

const example = "../../examples/huawei-europe.txt"

// runCmd runs threaddigest in-process with the given standard input.
func runCmd(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = Run(context.Background(), args, Env{
		Getenv: func(string) string { return "" },
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errOut,
	})
	return out.String(), errOut.String(), err
}

// status is the exit status the process would end with.
func status(err error) int { return exitCode(err, io.Discard) }

func TestDigestGolden(t *testing.T) {
	for _, tc := range []struct{ format, file string }{
		{"text", "huawei-europe.txt"},
		{"markdown", "huawei-europe.md"},
		{"json", "huawei-europe.json"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			out, stderr, err := runCmd(t, "", "digest", "--format", tc.format, example)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if stderr != "" {
				t.Errorf("the example reads with warnings:\n%s", stderr)
			}
			golden.Check(t, filepath.Join("testdata", "golden", tc.file), []byte(out), updatingGolden())
		})
	}
}

// TestDigestExample checks what the example thread is written to show: its
// counts, its @Name replies (and the @ signs that are not replies), its
// messy locations and a split of opinion.
func TestDigestExample(t *testing.T) {
	out, stderr, err := runCmd(t, "", "digest", "--format", "json", example)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	thread := readFileThread(t, example, "", "")
	d := checkDigestJSON(t, []byte(out), thread, nil)
	if d.CommentCount != 54 || d.CommenterCount != 49 {
		t.Errorf("%d comments by %d commenters, want 54 by 49", d.CommentCount, d.CommenterCount)
	}
	if d.Title != "Europe weighs whether to shut Huawei out of its 5G networks" {
		t.Errorf("title %q", d.Title)
	}
	if !strings.EqualFold(d.Target, "Huawei") {
		t.Errorf("target %q, want Huawei found from the title", d.Target)
	}
	// A page gives no ids: its comments are named here by their position
	// on the page, which the digest reports.
	byID := map[string]digest.CommentResult{}
	position := map[string]string{}
	for _, c := range d.Comments {
		byID[strconv.Itoa(c.Position)] = c
		position[c.ID] = strconv.Itoa(c.Position)
	}
	replies := []struct{ id, to string }{
		{"5", "4"},   // @J.R. Martin: a name with dots
		{"10", "9"},  // @mike_77: digits and an underscore
		{"21", "20"}, // @Björn Åkesson: non-ASCII
		{"19", "18"}, // @Ben Hargreaves
		{"39", "19"}, // @Kathy O'Neil: the latest earlier comment by that name
		{"41", "40"}, // @Mark That's a bit lazy: "Mark", not "Mark T."
		{"42", "41"}, // @Mark T. Agree: the longest name wins
		{"49", "14"}, // @Lucy Chen, from a commenter with no location
		{"51", "50"}, // @Raj Patel: the latest of Raj Patel's comments
	}
	for _, r := range replies {
		c := byID[r.id]
		if c.ReplyTo == nil || position[*c.ReplyTo] != r.to {
			t.Errorf("comment %s replies to %v (#%s), want #%s", r.id, deref(c.ReplyTo), position[deref(c.ReplyTo)], r.to)
		}
	}
	for _, id := range []string{"1", "26", "30", "48"} { // 26 has "@ 10am", 30 an e-mail address
		if c := byID[id]; c.ReplyTo != nil {
			t.Errorf("comment %s is not a reply, got reply_to %s", id, *c.ReplyTo)
		}
	}
	places := []struct {
		id, country, admin1 string
		region              geo.Region
	}{
		{"2", "US", "CO", geo.US},      // Boulder, Co
		{"4", "US", "OR", geo.US},      // Portland,OR
		{"9", "US", "NY", geo.US},      // NYC
		{"7", "CA", "AB", geo.Canada},  // Edmonton AB
		{"11", "CA", "ON", geo.Canada}, // Small-town Ontario
		{"14", "CA", "BC", geo.Canada}, // Yvr
		{"5", "DE", "", geo.Europe},    // köln
		{"8", "FR", "", geo.Europe},    // Lyon, France
		{"10", "DE", "", geo.Europe},   // München
		{"13", "JP", "", geo.Asia},     // Osaka, Japan
		{"23", "NZ", "", geo.Oceania},  // Auckland NZ
		{"49", "", "", geo.Unknown},    // no location
		{"30", "", "", geo.Unknown},    // my couch
	}
	for _, p := range places {
		c := byID[p.id]
		if c.Country != p.country || c.Region != p.region || (p.admin1 != "" && c.Admin1 != p.admin1) {
			t.Errorf("comment %s at %q read as %s/%s/%s, want %s/%s/%s", p.id, c.Location,
				c.Country, c.Admin1, c.Region, p.country, p.admin1, p.region)
		}
	}
	if d.Stance.Favor == 0 || d.Stance.Against == 0 {
		t.Errorf("stance %+v: the example is written with both sides", d.Stance)
	}
	if len(d.Arguments) < 2 {
		t.Errorf("%d arguments, want the thread's several", len(d.Arguments))
	}
	if len(d.Rebuttals) == 0 {
		t.Error("no rebuttals, the example has several")
	}
	if len(d.Regions) < 5 {
		t.Errorf("%d regions, want US, Canada, Europe, Asia, Oceania and more", len(d.Regions))
	}
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

func TestDigestFormats(t *testing.T) {
	page, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  []string // substrings of standard output
	}{
		{"text is the default", "", []string{"digest", example},
			[]string{"Europe weighs whether to shut Huawei", "54 comments by 49 commenters", "ARGUMENTS", "REBUTTALS", "STANCE TOWARD HUAWEI", "REGIONS", "█"}},
		{"markdown", "", []string{"digest", "--format", "markdown", example},
			[]string{"# Europe weighs whether to shut Huawei", "## Dominant arguments", "## Notable rebuttals", "## Stance toward Huawei", "## Regions"}},
		{"md is markdown", "", []string{"digest", "--format=md", example}, []string{"## Dominant arguments"}},
		{"json", "", []string{"digest", "--format", "json", example}, []string{`"comment_count": 54`}},
		{"flags after the file", "", []string{"digest", example, "--format", "json"}, []string{`"comment_count": 54`}},
		{"stdin", string(page), []string{"digest", "--format", "json", "-"}, []string{`"comment_count": 54`}},
		{"stdin with the format forced", string(page), []string{"digest", "--input-format", "page", "--format", "json", "-"}, []string{`"commenter_count": 49`}},
		{"jsonl with parent ids", "", []string{"digest", "--format", "json", "../../examples/fare-free-buses.jsonl"},
			[]string{`"comment_count": 16`, `"title": "Council to vote on making city buses fare-free from next spring"`, `"reply_to": "c2"`}},
		{"a given target", "", []string{"digest", "--format", "json", "--target", "Ericsson", example}, []string{`"target": "Ericsson"`}},
		{"caps", "", []string{"digest", "--max-arguments", "1", "--max-rebuttals", "1", "--format", "json", example}, []string{`"id": 1,`}},
		{"after --", "", []string{"digest", "--format", "json", "--", example}, []string{`"comment_count": 54`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, err := runCmd(t, tc.stdin, tc.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestDigestCaps(t *testing.T) {
	out, _, err := runCmd(t, "", "digest", "--max-arguments", "1", "--max-rebuttals", "1", "--format", "json", example)
	if err != nil {
		t.Fatal(err)
	}
	var d digest.Digest
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Arguments) > 1 || len(d.Rebuttals) > 1 {
		t.Errorf("%d arguments and %d rebuttals, want at most 1 of each", len(d.Arguments), len(d.Rebuttals))
	}
}

func TestDigestTextWidth(t *testing.T) {
	for _, width := range []string{"60", "80", "100"} {
		out, _, err := runCmd(t, "", "digest", "--width", width, example)
		if err != nil {
			t.Fatal(err)
		}
		limit := 0
		fmt.Sscan(width, &limit)
		for i, line := range strings.Split(out, "\n") {
			if n := len([]rune(line)); n > limit {
				t.Errorf("--width %s: line %d has %d characters: %s", width, i+1, n, line)
			}
		}
	}
}

func TestDigestHelp(t *testing.T) {
	help, _, err := runCmd(t, "", "digest", "--help")
	if err != nil {
		t.Fatalf("--help: %v", err)
	}
	for _, fl := range []string{"--format", "--target", "--input-format", "--map", "--thread", "--home", "--max-arguments", "--max-rebuttals", "--width", "FILE", "Exit status"} {
		if !strings.Contains(help, fl) {
			t.Errorf("digest --help does not explain %s:\n%s", fl, help)
		}
	}
	out, _, err := runCmd(t, "", "--help")
	if err != nil || !strings.Contains(out, "digest") {
		t.Errorf("threaddigest --help does not list digest (err %v):\n%s", err, out)
	}
}

func TestDigestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"digest"}, "no FILE"},
		{"two files", []string{"digest", example, example}, "one FILE at a time"},
		{"unknown format", []string{"digest", "--format", "html", example}, `--format "html"`},
		{"unknown input format", []string{"digest", "--input-format", "xml", example}, "--input-format"},
		{"bad map", []string{"digest", "--map", "body", example}, "--map"},
		{"unknown map field", []string{"digest", "--map", "colour=c", example}, "unknown field"},
		{"unknown flag", []string{"digest", "--colour", example}, "colour"},
		{"bad home", []string{"digest", "--home", "Canada", example}, "--home"},
		{"negative cap", []string{"digest", "--max-arguments", "-1", example}, "--max-arguments"},
		{"not a number", []string{"digest", "--width", "wide", example}, "width"},
		{"empty thread id", []string{"digest", "--thread", "", example}, "--thread"},
		{"thread in a one-thread file", []string{"digest", "--thread", "42", example}, "single thread"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCmd(t, "", tc.args...)
			if status(err) != 2 {
				t.Fatalf("exit status %d (err %v), want 2", status(err), err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// writeFile writes content to a file in a fresh directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDigestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		args                []string
		want                string // the place, after the file name
		what                string // words of what was expected
	}{
		{"empty", "empty.txt", "", nil, "", "empty"},
		{"only white space", "blank.txt", "\n\n  \n", nil, "", "empty"},
		{"binary", "photo.txt", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", nil, ":", "binary"},
		{"invalid utf-8 title", "latin1.txt", "Caf\xe9 prices\n\nDec 27, 2019 · 1 comments\nAnna (Lyon)\nToo dear.\n", nil, ":1:", "UTF-8"},
		{"header with no body", "nobody.txt", "Title\n\nDec 27, 2019 · 1 comments\nAnna (Lyon)\n", nil, ":4:", "no body"},
		{"csv without the needed columns", "nocols.csv", "name,text\nAnna,hello\n", nil, ":1:", "body"},
		{"malformed json line", "bad.jsonl", "{\"id\": \"1\", \"author\": \"A\", \"body\": \"hi\"\n", nil, ":1:", "JSON"},
		{"missing file", "", "", nil, "", "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "no-such-file.txt")
			if tc.file != "" {
				path = writeFile(t, tc.file, tc.content)
			}
			_, _, err := runCmd(t, "", append([]string{"digest", path}, tc.args...)...)
			if status(err) != 1 {
				t.Fatalf("exit status %d (err %v), want 1", status(err), err)
			}
			msg := err.Error()
			if !strings.Contains(msg, path+tc.want) {
				t.Errorf("error %q does not name %s%s", msg, path, tc.want)
			}
			if !strings.Contains(strings.ToLower(msg), strings.ToLower(tc.what)) {
				t.Errorf("error %q does not say %q", msg, tc.what)
			}
		})
	}
}

func TestDigestStdinErrorsNameStdin(t *testing.T) {
	_, _, err := runCmd(t, "", "digest", "-")
	if status(err) != 1 || !strings.Contains(err.Error(), "stdin") {
		t.Errorf("empty stdin: err %v, want an error naming stdin", err)
	}
}

// A file with some bad records is digested from the good ones, and a warning
// counts and locates the rest.
func TestDigestSkipsBadRecordsWithWarning(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		comments            int
		skipped             string   // the count in the warning
		places              []string // line numbers the warning names
	}{
		{"jsonl", "part.jsonl", `{"title": "Bus fares"}
{"id": "1", "author": "Ann", "body": "Make the buses free."}
{"id": "2", "author": "Bo", "body": "Nothing is free.
{"id": "3", "author": "Cy", "body": "Fares are a tiny part of the budget."}
not json at all
{"id": "5", "author": "Di", "parent_id": "3", "body": "Show me the city's numbers."}
`, 3, "skipped 2 records", []string{":3:", ":5:"}},
		{"page", "part.txt", "Bus fares\n\nMar 4, 2024 · 3 comments\n\nAnn (Tucson)\nMake the buses free.\n\nBo (Phoenix)\n\nCy (Tucson)\nFares are a tiny part of the budget.\n", 2, "skipped 1 record", []string{":8:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.file, tc.content)
			out, stderr, err := runCmd(t, "", "digest", "--format", "json", path)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			var d digest.Digest
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Fatal(err)
			}
			if d.CommentCount != tc.comments {
				t.Errorf("%d comments digested, want %d", d.CommentCount, tc.comments)
			}
			if !strings.Contains(stderr, "warning") || !strings.Contains(stderr, tc.skipped) {
				t.Errorf("stderr does not warn %q:\n%s", tc.skipped, stderr)
			}
			for _, p := range tc.places {
				if !strings.Contains(stderr, path+p) {
					t.Errorf("stderr does not locate %s%s:\n%s", path, p, stderr)
				}
			}
		})
	}
}

func TestDigestSeveralThreads(t *testing.T) {
	csv := "commentID,parentID,userDisplayName,userLocation,commentBody,createDate,articleID\n" +
		"1,0,Ann,\"Boulder, Co\",Free buses work.,1520029445,art-a\n" +
		"2,1,Bo,Edmonton AB,No they do not.,1520029500,art-a\n" +
		"3,0,Cy,köln,A different article.,1520029600,art-b\n"
	path := writeFile(t, "two.csv", csv)
	_, _, err := runCmd(t, "", "digest", path)
	if status(err) != 2 {
		t.Fatalf("exit status %d (err %v), want 2", status(err), err)
	}
	for _, want := range []string{"2 threads", "--thread", "art-a (2 comments)", "art-b (1 comment)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	out, stderr, err := runCmd(t, "", "digest", "--thread", "art-b", "--format", "json", path)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	d := checkDigestJSON(t, []byte(out), readFileThread(t, path, "", "art-b"), nil)
	if d.CommentCount != 1 || d.ThreadID != "art-b" {
		t.Errorf("thread %q with %d comments, want art-b with 1", d.ThreadID, d.CommentCount)
	}
	_, _, err = runCmd(t, "", "digest", "--thread", "art-c", path)
	if status(err) != 2 || !strings.Contains(err.Error(), `no thread "art-c"`) || !strings.Contains(err.Error(), "art-a") {
		t.Errorf("unknown thread: exit %d, err %v; want 2 and the ids listed", status(err), err)
	}
}

// The exact --map strings README gives for the real sets.
const (
	rumourEvalMap = "id=tweet_id,parent_id=parent_id,author=user_screen_name,author_id=user_id,location=user_location,body=text,thread=thread_id,created_at=created_at"
	globeMap      = "id=ID,parent_id=parentID,author=author,body=text,thread=article_id,created_at=timestamp,likes=posVotes,deleted=status"
)

// TestDigestRealThreads digests every thread of the NYT, RumourEval and Globe
// and Mail sets with --format json and checks the output against the input:
// every field present, every quote verbatim, every count exact.
func TestDigestRealThreads(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the real threads in -short mode")
	}
	// Each thread goes through the command's own flags, analysis and JSON
	// writer with one location resolver shared (loading the gazetteer for
	// each of 370 threads would only test patience); every tenth thread also
	// runs whole through Run, from the file with --thread or, for the
	// RumourEval tweets, piped in on its own as a user would with grep, and
	// must come out the same.
	for _, set := range []struct {
		path    []string
		mapping string
		stdin   bool
	}{
		{[]string{"nyt-comments-kaggle-samples", "CommentsMay2017_sample.csv"}, "", false},
		{[]string{"nyt-comments-kaggle-samples", "CommentsMarch2018_sample.csv"}, "", false},
		{[]string{"globe-and-mail-comment-threads-sfu", "old_comments.csv"}, globeMap, false},
		{[]string{"rumoureval2017-twitter-threads", "tweets.jsonl"}, rumourEvalMap, true},
	} {
		t.Run(set.path[len(set.path)-1], func(t *testing.T) {
			path := shareddata.Path(t, set.path...)
			res := readFile(t, path, set.mapping)
			args := []string{"--format", "json"}
			if set.mapping != "" {
				args = append(args, "--map", set.mapping)
			}
			f, err := parseDigestFlags(append(args, path), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			resolver, err := geo.NewResolver(geo.Options{Home: f.home})
			if err != nil {
				t.Fatal(err)
			}
			tally := &admin1Tally{}
			defer tally.report(t)
			var lines map[string]string
			if set.stdin {
				lines = linesByThread(t, path)
			}
			for i, th := range res.Threads {
				var out bytes.Buffer
				if err := writeDigest(&out, digest.Analyze(th, digestOptions(f, resolver)), f); err != nil {
					t.Fatal(err)
				}
				checkDigestJSON(t, out.Bytes(), th, tally)
				if i%10 != 0 {
					continue
				}
				runArgs := append([]string{"digest", "--thread", th.ID}, args...)
				stdin := ""
				if set.stdin {
					runArgs, stdin = append([]string{"digest"}, append(args, "-")...), lines[th.ID]
				} else {
					runArgs = append(runArgs, path)
				}
				viaRun, stderr, err := runCmd(t, stdin, runArgs...)
				if err != nil {
					t.Fatalf("thread %s: %v\n%s", th.ID, err, stderr)
				}
				if stderr != "" {
					t.Errorf("thread %s: warnings:\n%s", th.ID, stderr)
				}
				if viaRun != out.String() {
					t.Errorf("thread %s: the digest through Run differs from the same digest with a shared resolver", th.ID)
				}
			}
			t.Logf("%d threads digested and checked", len(res.Threads))
		})
	}
	t.Run("CommentsApril2017_metadata_only_sample.csv", func(t *testing.T) {
		// No comment text: the command must say so, naming the file and line.
		path := shareddata.Path(t, "nyt-comments-kaggle-samples", "CommentsApril2017_metadata_only_sample.csv")
		_, _, err := runCmd(t, "", "digest", path)
		if status(err) != 1 || !strings.Contains(err.Error(), path+":1:") || !strings.Contains(err.Error(), "body") {
			t.Errorf("exit %d, err %v; want 1 and the missing body column on line 1", status(err), err)
		}
	})
}

func readFile(t *testing.T, path, mapping string) *input.Result {
	t.Helper()
	m, err := input.ParseMap(mapping)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := input.Read(f, path, input.Options{Map: m})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func readFileThread(t *testing.T, path, mapping, id string) threaddigest.Thread {
	t.Helper()
	th, err := readFile(t, path, mapping).Thread(id)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// linesByThread splits a RumourEval JSON Lines file into one string of lines
// per thread id.
func linesByThread(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]*strings.Builder{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var rec struct {
			ThreadID string `json:"thread_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		b := out[rec.ThreadID]
		if b == nil {
			b = &strings.Builder{}
			out[rec.ThreadID] = b
		}
		b.Write(sc.Bytes())
		b.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	m := make(map[string]string, len(out))
	for k, b := range out {
		m[k] = b.String()
	}
	return m
}

// The JSON fields issue 2 requires, by object.
var requiredFields = map[string][]string{
	"digest":   {"title", "target", "comment_count", "commenter_count", "arguments", "rebuttals", "stance", "regions", "comments"},
	"argument": {"id", "label", "statement", "commenters", "share", "comment_ids", "quote"},
	"quote":    {"comment_id", "author", "text"},
	"rebuttal": {"comment_id", "reply_to", "score", "excerpt", "parent_excerpt"},
	"stance":   {"target", "favor", "against", "none"},
	"region":   {"region", "commenters", "favor", "against", "none", "top_argument"},
	"comment":  {"id", "author", "location", "country", "admin1", "region", "reply_to", "relation", "stance", "arguments"},
}

func hasFields(t *testing.T, where, kind string, v any) {
	t.Helper()
	obj, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s: %s is %T, want an object", where, kind, v)
		return
	}
	for _, k := range requiredFields[kind] {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s: %s lacks the field %q", where, kind, k)
		}
	}
}

func list(t *testing.T, where string, v any) []any {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Errorf("%s is %T, want an array", where, v)
	}
	return l
}

// checkDigestJSON checks the JSON output of digest against the thread it
// digested and returns it decoded: every required field present, every
// quote and excerpt a verbatim substring of its comment, every count equal
// to a recount from the comments.
//
// A nil tally reports admin1 problems at once; a set of threads passes one
// tally and reports them together.
func checkDigestJSON(t *testing.T, out []byte, th threaddigest.Thread, tally *admin1Tally) digest.Digest {
	t.Helper()
	if tally == nil {
		tally = &admin1Tally{}
		defer tally.report(t)
	}
	where := "thread " + th.ID
	var raw map[string]any
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("%s: output is not JSON: %v", where, err)
	}
	hasFields(t, where, "digest", raw)
	for i, a := range list(t, where+": arguments", raw["arguments"]) {
		hasFields(t, fmt.Sprintf("%s: arguments[%d]", where, i), "argument", a)
		if m, ok := a.(map[string]any); ok {
			hasFields(t, fmt.Sprintf("%s: arguments[%d].quote", where, i), "quote", m["quote"])
			list(t, fmt.Sprintf("%s: arguments[%d].comment_ids", where, i), m["comment_ids"])
		}
	}
	for i, r := range list(t, where+": rebuttals", raw["rebuttals"]) {
		hasFields(t, fmt.Sprintf("%s: rebuttals[%d]", where, i), "rebuttal", r)
	}
	hasFields(t, where, "stance", raw["stance"])
	for i, r := range list(t, where+": regions", raw["regions"]) {
		hasFields(t, fmt.Sprintf("%s: regions[%d]", where, i), "region", r)
	}
	for i, c := range list(t, where+": comments", raw["comments"]) {
		hasFields(t, fmt.Sprintf("%s: comments[%d]", where, i), "comment", c)
		if m, ok := c.(map[string]any); ok {
			list(t, fmt.Sprintf("%s: comments[%d].arguments", where, i), m["arguments"])
		}
	}

	var d digest.Digest
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	checkDigest(t, where, d, th, tally)
	return d
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// admin1Tally counts comments whose admin1 is not the two-letter US state or
// Canadian province code issue 2 asks for, so that one wrong rule is
// reported once rather than once per comment.
type admin1Tally struct {
	comments int
	threads  map[string]bool
	first    string
}

func (a *admin1Tally) add(where string, c digest.CommentResult) {
	if a.comments == 0 {
		a.first = fmt.Sprintf("%s: comment %s at %q has admin1 %q in country %q", where, c.ID, c.Location, c.Admin1, c.Country)
	}
	if a.threads == nil {
		a.threads = map[string]bool{}
	}
	a.comments++
	a.threads[where] = true
}

func (a *admin1Tally) report(t *testing.T) {
	t.Helper()
	if a.comments > 0 {
		t.Errorf("%d comments in %d threads have an admin1 that is not a two-letter US state or Canadian province code "+
			"(issue 2: \"two-letter state or province code for US and Canada, else \"\"\"); the first: %s", a.comments, len(a.threads), a.first)
	}
}

func checkDigest(t *testing.T, where string, d digest.Digest, th threaddigest.Thread, tally *admin1Tally) {
	t.Helper()
	errorf := func(format string, a ...any) {
		t.Helper()
		t.Errorf(where+": "+format, a...)
	}
	input := map[string]threaddigest.Comment{} // every input comment, deleted ones too
	var live []threaddigest.Comment
	commenters := map[string]bool{}
	for _, c := range th.Comments {
		input[c.ID] = c
		if !c.Deleted {
			live = append(live, c)
			commenters[c.CommenterKey()] = true
		}
	}
	verbatim := func(what, id, text string) {
		t.Helper()
		c, ok := input[id]
		switch {
		case !ok:
			errorf("%s: comment %q is not in the thread", what, id)
		case text == "":
			errorf("%s: empty", what)
		case !strings.Contains(c.Body, text):
			errorf("%s %q is not verbatim from comment %s: %q", what, text, id, c.Body)
		}
	}

	// Header.
	if d.ThreadID != th.ID || d.Title != th.Title {
		errorf("thread %q titled %q, want %q titled %q", d.ThreadID, d.Title, th.ID, th.Title)
	}
	if d.CommentCount != len(live) || len(d.Comments) != len(live) {
		errorf("comment_count %d and %d comments, want %d (deleted excluded)", d.CommentCount, len(d.Comments), len(live))
	}
	if d.CommenterCount != len(commenters) {
		errorf("commenter_count %d, want %d", d.CommenterCount, len(commenters))
	}

	// Comments, in input order.
	result := map[string]digest.CommentResult{}
	stances := map[string]int{}
	for i, c := range d.Comments {
		result[c.ID] = c
		if i < len(live) && (c.ID != live[i].ID || c.Author != live[i].Author || c.Location != live[i].Location) {
			errorf("comments[%d] is %s by %q at %q, want %s by %q at %q", i, c.ID, c.Author, c.Location, live[i].ID, live[i].Author, live[i].Location)
		}
		stances[c.Stance]++
		switch c.Stance {
		case digest.StanceFavor, digest.StanceAgainst, digest.StanceNone:
		default:
			errorf("comment %s: stance %q", c.ID, c.Stance)
		}
		if !slices.Contains(geo.Regions(), c.Region) {
			errorf("comment %s: region %q", c.ID, c.Region)
		}
		if c.Country != "" && !countryCode.MatchString(c.Country) {
			errorf("comment %s: country %q is not ISO 3166-1 alpha-2", c.ID, c.Country)
		}
		if c.Admin1 != "" && (!countryCode.MatchString(c.Admin1) || (c.Country != "US" && c.Country != "CA")) {
			tally.add(where, c)
		}
		if (c.ReplyTo == nil) != (c.Relation == nil) {
			errorf("comment %s: reply_to %v with relation %v: a reply has a relation, a top-level comment none", c.ID, deref(c.ReplyTo), deref(c.Relation))
		}
		if c.ReplyTo != nil {
			if _, ok := input[*c.ReplyTo]; !ok || *c.ReplyTo == c.ID {
				errorf("comment %s: reply_to %q is not another comment of the thread", c.ID, *c.ReplyTo)
			}
			// An explicit parent inside the thread wins; one outside it
			// (a tweet not collected) leaves the text to speak.
			if p := input[c.ID].ParentID; p != "" && input[p].ID != "" && p != *c.ReplyTo {
				errorf("comment %s: reply_to %q, but its explicit parent is %q", c.ID, *c.ReplyTo, p)
			}
		}
		if c.Relation != nil {
			switch *c.Relation {
			case digest.RelationRebuttal, digest.RelationAgreement, digest.RelationExtension:
			default:
				errorf("comment %s: relation %q", c.ID, *c.Relation)
			}
		}
	}

	// Arguments.
	argOf := map[string][]int{}
	for i, a := range d.Arguments {
		if a.ID != i+1 {
			errorf("arguments[%d] has id %d, want %d", i, a.ID, i+1)
		}
		if i > 0 && a.Commenters > d.Arguments[i-1].Commenters {
			errorf("argument %d (%d commenters) ranks below argument %d (%d)", a.ID, a.Commenters, d.Arguments[i-1].ID, d.Arguments[i-1].Commenters)
		}
		if strings.TrimSpace(a.Label) == "" {
			errorf("argument %d has no label", a.ID)
		}
		verbatim(fmt.Sprintf("argument %d statement", a.ID), a.Quote.CommentID, a.Statement)
		verbatim(fmt.Sprintf("argument %d quote", a.ID), a.Quote.CommentID, a.Quote.Text)
		if c, ok := input[a.Quote.CommentID]; ok && c.Author != a.Quote.Author {
			errorf("argument %d quote by %q, but comment %s is by %q", a.ID, a.Quote.Author, c.ID, c.Author)
		}
		if !slices.Contains(a.CommentIDs, a.Quote.CommentID) {
			errorf("argument %d quotes comment %s, which is not among its comments", a.ID, a.Quote.CommentID)
		}
		who := map[string]bool{}
		for _, id := range a.CommentIDs {
			c, ok := result[id]
			if !ok {
				errorf("argument %d: comment %q is not among the digested comments", a.ID, id)
				continue
			}
			_ = c
			who[input[id].CommenterKey()] = true
			argOf[id] = append(argOf[id], a.ID)
		}
		if a.Commenters != len(who) {
			errorf("argument %d counts %d commenters, its comments have %d", a.ID, a.Commenters, len(who))
		}
		// Shares are rounded to 4 decimal places (README, "Output").
		if want := float64(a.Commenters) / float64(d.CommenterCount); math.Abs(a.Share-want) > 0.00005+1e-12 {
			errorf("argument %d share %v, want %d/%d", a.ID, a.Share, a.Commenters, d.CommenterCount)
		}
	}
	for _, c := range d.Comments {
		got := slices.Clone(c.Arguments)
		slices.Sort(got)
		want := argOf[c.ID]
		slices.Sort(want)
		if !slices.Equal(got, want) {
			errorf("comment %s lists arguments %v, the arguments list it under %v", c.ID, got, want)
		}
	}

	// Rebuttals.
	for i, r := range d.Rebuttals {
		c, ok := result[r.CommentID]
		if !ok {
			errorf("rebuttals[%d]: comment %q is not among the digested comments", i, r.CommentID)
			continue
		}
		if c.ReplyTo == nil || *c.ReplyTo != r.ReplyTo {
			errorf("rebuttals[%d]: %s answers %s, but the comment replies to %s", i, r.CommentID, r.ReplyTo, deref(c.ReplyTo))
		}
		if c.Relation == nil || *c.Relation != digest.RelationRebuttal {
			errorf("rebuttals[%d]: comment %s has relation %s, want rebuttal", i, r.CommentID, deref(c.Relation))
		}
		verbatim(fmt.Sprintf("rebuttals[%d] excerpt", i), r.CommentID, r.Excerpt)
		verbatim(fmt.Sprintf("rebuttals[%d] parent_excerpt", i), r.ReplyTo, r.ParentExcerpt)
		if i > 0 && r.Score > d.Rebuttals[i-1].Score {
			errorf("rebuttals[%d] scores %v, above the one before it (%v)", i, r.Score, d.Rebuttals[i-1].Score)
		}
	}

	// Stance.
	s := d.Stance
	if s.Target != d.Target {
		errorf("stance.target %q, target %q", s.Target, d.Target)
	}
	if s.Favor != stances["favor"] || s.Against != stances["against"] || s.None != stances["none"] || s.Total() != d.CommentCount {
		errorf("stance %d/%d/%d, the comments say %d/%d/%d of %d", s.Favor, s.Against, s.None,
			stances["favor"], stances["against"], stances["none"], d.CommentCount)
	}
	for _, side := range []struct {
		name string
		q    *digest.Quote
		n    int
	}{{"favor", s.FavorQuote, s.Favor}, {"against", s.AgainstQuote, s.Against}} {
		if side.q == nil {
			if side.n > 0 {
				errorf("%d comments are %s but there is no %s_quote", side.n, side.name, side.name)
			}
			continue
		}
		verbatim(side.name+"_quote", side.q.CommentID, side.q.Text)
		if c := result[side.q.CommentID]; c.Stance != side.name {
			errorf("%s_quote is from comment %s, whose stance is %q", side.name, side.q.CommentID, c.Stance)
		}
	}

	// Regions.
	total := 0
	last := -1
	for _, r := range d.Regions {
		idx := slices.Index(geo.Regions(), r.Region)
		if idx < 0 || idx <= last {
			errorf("region %q out of geo.Regions() order or repeated", r.Region)
		}
		last = idx
		total += r.Commenters
		if r.Commenters <= 0 || r.Favor+r.Against+r.None != r.Commenters {
			errorf("region %s: %d commenters, %d/%d/%d by stance", r.Region, r.Commenters, r.Favor, r.Against, r.None)
		}
		if r.TopArgument != nil && (*r.TopArgument < 1 || *r.TopArgument > len(d.Arguments)) {
			errorf("region %s: top_argument %d is not a reported argument", r.Region, *r.TopArgument)
		}
	}
	if total != d.CommenterCount {
		errorf("regions hold %d commenters, commenter_count is %d", total, d.CommenterCount)
	}

	// Span.
	var first, lastT = th.Comments[0].CreatedAt, th.Comments[0].CreatedAt
	timed := false
	for _, c := range live {
		if c.CreatedAt.IsZero() {
			continue
		}
		if !timed || c.CreatedAt.Before(first) {
			first = c.CreatedAt
		}
		if !timed || c.CreatedAt.After(lastT) {
			lastT = c.CreatedAt
		}
		timed = true
	}
	switch {
	case timed && d.Span == nil:
		errorf("no span, the comments have times")
	case timed && (!d.Span.First.Equal(first) || !d.Span.Last.Equal(lastT)):
		errorf("span %v–%v, the comments run %v–%v", d.Span.First, d.Span.Last, first, lastT)
	case !timed && d.Span != nil:
		errorf("span %v, the comments have no times", d.Span)
	}
}

// TestStatusOfErrors pins the exit statuses: wrapped usage errors still exit 2.
func TestStatusOfErrors(t *testing.T) {
	if status(nil) != 0 || status(errors.New("x")) != 1 || status(fmt.Errorf("wrapped: %w", usagef("u"))) != 2 {
		t.Error("exit statuses are not 0, 1, 2")
	}
}

// --home reaches the location resolver: an ambiguous name leans toward it.
func TestDigestHome(t *testing.T) {
	page := "Peaches\n\nJun 1, 2024 · 2 comments\n\nAnn (Georgia)\nBest peaches anywhere.\n\nBo (Boulder, Co)\nColorado peaches are better.\n"
	for _, tc := range []struct {
		home, country string
		region        geo.Region
	}{
		{"", "US", geo.US},
		{"US", "US", geo.US},
		{"gb", "GE", geo.Asia},
	} {
		args := []string{"digest", "--format", "json", "-"}
		if tc.home != "" {
			args = append(args, "--home", tc.home)
		}
		out, stderr, err := runCmd(t, page, args...)
		if err != nil {
			t.Fatalf("--home %q: %v\n%s", tc.home, err, stderr)
		}
		var d digest.Digest
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatal(err)
		}
		if c := d.Comments[0]; c.Country != tc.country || c.Region != tc.region {
			t.Errorf("--home %q: Georgia read as %s in %s, want %s in %s", tc.home, c.Country, c.Region, tc.country, tc.region)
		}
		if c := d.Comments[1]; c.Country != "US" || c.Admin1 != "CO" {
			t.Errorf("--home %q: Boulder, Co read as %s/%s, want US/CO", tc.home, c.Country, c.Admin1)
		}
	}
}

// The same input gives the same bytes, run after run.
func TestDigestDeterministic(t *testing.T) {
	files := [][]string{{"digest", "--format", "json", example}}
	if dir, err := shareddata.Find(); err == nil {
		globe := filepath.Join(dir, "globe-and-mail-comment-threads-sfu", "old_comments.csv")
		if _, err := os.Stat(globe); err == nil {
			// The set's largest thread.
			res := readFile(t, globe, globeMap)
			biggest := res.Threads[0]
			for _, th := range res.Threads {
				if len(th.Comments) > len(biggest.Comments) {
					biggest = th
				}
			}
			files = append(files, []string{"digest", "--format", "json", "--map", globeMap, "--thread", biggest.ID, globe})
		}
	}
	for _, args := range files {
		first, _, err := runCmd(t, "", args...)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			again, _, err := runCmd(t, "", args...)
			if err != nil {
				t.Fatal(err)
			}
			if again != first {
				t.Fatalf("%v: two runs give different output", args)
			}
		}
	}
}
