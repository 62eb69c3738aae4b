// Command kpgen builds the background word weights of key point analysis
// (digest/stemdf.tsv) from the comment and argument sets in the shared data
// folder. It runs only when a developer runs `go generate ./digest/...`; the
// digest reads nothing but the file this writes.
//
// The background is every text of: IBM ArgKP (arguments and key points), IBM
// Claim Stance (claims), VAST (NYT "Room for Debate" comments), the Globe
// and Mail SFU comments and the NYT comment samples, less the threads of
// threads-labelled (they measure the digest), and the subreddit-agreement
// comments. Each distinct text is one document.
//
// Output: UTF-8 lines, tab-separated. The first is "N" and the number of
// documents; then one line per stem used in at least minDocs documents, in
// stem order: the stem (textproc.Stem of a lower-cased content word) and the
// number of documents using it.
package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/threaddigest/threaddigest/internal/htmltext"
	"github.com/threaddigest/threaddigest/internal/textproc"
)

// minDocs is the fewest documents a stem is listed for: rarer stems are
// weighed as unseen ones.
const minDocs = 3

// excludedArticles are the articles of threads-labelled, kept out of the
// background so that nothing of the measure is learned.
var excludedArticles = map[string]bool{
	"5906b3297c459f24986dd004": true, // nyt-subway
	"5a9752a2410cf7000162e8ba": true, // nyt-trump-judge
	"14590691":                 true, // gam-climate-jobs
	"14588647":                 true, // gam-china-climate
}

// source is one CSV file of the background and the columns holding text.
type source struct {
	path    []string
	columns []string
	article string // column of the article id, "" when none
	html    bool
}

var sources = []source{
	{path: []string{"ibm-argkp-kpa2021", "kpm_data", "arguments_train.csv"}, columns: []string{"argument"}},
	{path: []string{"ibm-argkp-kpa2021", "kpm_data", "arguments_dev.csv"}, columns: []string{"argument"}},
	{path: []string{"ibm-argkp-kpa2021", "test_data", "arguments_test.csv"}, columns: []string{"argument"}},
	{path: []string{"ibm-argkp-kpa2021", "kpm_data", "key_points_train.csv"}, columns: []string{"key_point"}},
	{path: []string{"ibm-argkp-kpa2021", "kpm_data", "key_points_dev.csv"}, columns: []string{"key_point"}},
	{path: []string{"ibm-argkp-kpa2021", "test_data", "key_points_test.csv"}, columns: []string{"key_point"}},
	{path: []string{"ibm-claim-stance", "claim_stance_dataset_v1.cleaned.csv"}, columns: []string{"claims.claimCorrectedText"}},
	{path: []string{"vast-zero-shot-stance", "vast_dev.csv"}, columns: []string{"Tweet"}},
	{path: []string{"vast-zero-shot-stance", "vast_test.csv"}, columns: []string{"Tweet"}},
	{path: []string{"globe-and-mail-comment-threads-sfu", "old_comments.csv"}, columns: []string{"text"}, article: "article_id", html: true},
	{path: []string{"nyt-comments-kaggle-samples", "CommentsMay2017_sample.csv"}, columns: []string{"commentBody"}, article: "articleID", html: true},
	{path: []string{"nyt-comments-kaggle-samples", "CommentsMarch2018_sample.csv"}, columns: []string{"commentBody"}, article: "articleID", html: true},
	{path: []string{"subreddit-agreement", "SubReddit-CovidVaccine.csv"}, columns: []string{"quote_text", "response_text"}},
	{path: []string{"subreddit-agreement", "SubReddit-MaskMandate.csv"}, columns: []string{"quote_text", "response_text"}},
}

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kpgen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("kpgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultDataDir(), "shared data folder (holds ibm-argkp-kpa2021/, vast-zero-shot-stance/, ...)")
	out := fs.String("out", "stemdf.tsv", "file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	docs, df, err := build(*data)
	if err != nil {
		return err
	}
	tmp := *out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	n := write(w, docs, df)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "kpgen: %d documents, %d stems written to %s\n", docs, n, *out)
	return nil
}

func defaultDataDir() string {
	if d := os.Getenv("THREADDIGEST_SHARED_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "..", "shared", "data")
}

// build counts, over every distinct text of the sources, the documents using
// each stem.
func build(data string) (docs int, df map[string]int, err error) {
	df = map[string]int{}
	seenText := map[string]bool{}
	stems := map[string]string{}
	for _, src := range sources {
		path := filepath.Join(append([]string{data}, src.path...)...)
		err := readCSV(path, src, func(text string) {
			if src.html && htmltext.LooksLikeHTML(text) {
				text = htmltext.Text(text, htmltext.Options{})
			}
			text = strings.TrimSpace(text)
			if text == "" || seenText[text] {
				return
			}
			seenText[text] = true
			docs++
			used := map[string]bool{}
			textproc.Words(text, func(lower []byte, _ textproc.Word) {
				w := string(lower)
				if len(w) < 2 || textproc.IsStopWord(w) || isNumber(w) {
					return
				}
				st, ok := stems[w]
				if !ok {
					st = textproc.Stem(w)
					stems[w] = st
				}
				used[st] = true
			})
			for st := range used {
				df[st]++
			}
		})
		if err != nil {
			return 0, nil, err
		}
	}
	if docs == 0 {
		return 0, nil, errors.New("no documents read under " + data)
	}
	return docs, df, nil
}

func isNumber(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// readCSV calls fn with the text of each wanted column of each row.
func readCSV(path string, src source, fn func(string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: reading the header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	var idx []int
	for _, c := range src.columns {
		i, ok := col[c]
		if !ok {
			return fmt.Errorf("%s: no column %q (the header has %s)", path, c, strings.Join(header, ", "))
		}
		idx = append(idx, i)
	}
	art := -1
	if src.article != "" {
		i, ok := col[src.article]
		if !ok {
			return fmt.Errorf("%s: no column %q", path, src.article)
		}
		art = i
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if art >= 0 && (art >= len(rec) || excludedArticles[rec[art]]) {
			continue
		}
		for _, i := range idx {
			if i < len(rec) {
				fn(rec[i])
			}
		}
	}
}

// write writes the table and returns the number of stems listed.
func write(w io.Writer, docs int, df map[string]int) int {
	keys := make([]string, 0, len(df))
	for st, n := range df {
		if n >= minDocs {
			keys = append(keys, st)
		}
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "N\t%d\n", docs)
	for _, st := range keys {
		fmt.Fprintf(w, "%s\t%d\n", st, df[st])
	}
	return len(keys)
}
