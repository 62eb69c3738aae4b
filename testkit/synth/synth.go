// Package synth makes realistic synthetic threads of any size for benchmarks
// and the performance runs: sentences recombined from real comment threads,
// a realistic share of replies and "@Name" replies, a realistic mix of
// commenter locations, and several camps of opinion.
//
// The corpus comes from ../shared/data (real threads are not ours to ship);
// generation is deterministic for a given corpus, size and seed.
package synth

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
)

// Corpus is the material threads are made from.
type Corpus struct {
	// Camps holds, per camp of opinion, the sentences its comments draw on.
	// A camp is the comments of one real article, so its sentences share
	// vocabulary the way a real camp's arguments do.
	Camps [][]string
	// Locations are real location strings, repeated as often as they occur,
	// so that drawing uniformly reproduces the real mix.
	Locations []string
	// Names are real-looking display names to draw commenters from.
	Names []string
}

// campArticles is how many of the busiest real articles become camps.
const campArticles = 6

var (
	sentenceEnd = regexp.MustCompile(`([.!?])\s+`)
	htmlBreak   = regexp.MustCompile(`(?i)<br\s*/?>`)
	htmlTag     = regexp.MustCompile(`<[^>]*>`)
)

// LoadCorpus reads the corpus from the shared data folder: comment text from
// the Globe and Mail and NYT samples, locations and names from the NYT
// April 2017 sample.
func LoadCorpus(dataDir string) (Corpus, error) {
	byArticle := map[string][]string{}
	add := func(article, body string) {
		body = htmlTag.ReplaceAllString(htmlBreak.ReplaceAllString(body, "\n"), "")
		body = html.UnescapeString(body)
		for _, s := range splitSentences(body) {
			if n := len(strings.Fields(s)); n >= 5 && n <= 60 {
				byArticle[article] = append(byArticle[article], s)
			}
		}
	}
	gm := filepath.Join(dataDir, "globe-and-mail-comment-threads-sfu", "old_comments.csv")
	if err := eachCSV(gm, func(row map[string]string) { add("gm:"+row["article_id"], row["text"]) }); err != nil {
		return Corpus{}, err
	}
	for _, f := range []string{"CommentsMay2017_sample.csv", "CommentsMarch2018_sample.csv"} {
		p := filepath.Join(dataDir, "nyt-comments-kaggle-samples", f)
		if err := eachCSV(p, func(row map[string]string) { add("nyt:"+row["articleID"], row["commentBody"]) }); err != nil {
			return Corpus{}, err
		}
	}
	articles := make([]string, 0, len(byArticle))
	for a := range byArticle {
		articles = append(articles, a)
	}
	sort.Slice(articles, func(i, j int) bool {
		if len(byArticle[articles[i]]) != len(byArticle[articles[j]]) {
			return len(byArticle[articles[i]]) > len(byArticle[articles[j]])
		}
		return articles[i] < articles[j]
	})
	var c Corpus
	for _, a := range articles[:min(campArticles, len(articles))] {
		c.Camps = append(c.Camps, byArticle[a])
	}
	seenName := map[string]bool{}
	meta := filepath.Join(dataDir, "nyt-comments-kaggle-samples", "CommentsApril2017_metadata_only_sample.csv")
	if err := eachCSV(meta, func(row map[string]string) {
		if loc := strings.TrimSpace(row["userLocation"]); loc != "" && loc != "<br/>" {
			c.Locations = append(c.Locations, loc)
		}
		if name := strings.TrimSpace(row["userDisplayName"]); name != "" && !seenName[name] {
			seenName[name] = true
			c.Names = append(c.Names, name)
		}
	}); err != nil {
		return Corpus{}, err
	}
	if len(c.Camps) == 0 || len(c.Locations) == 0 || len(c.Names) == 0 {
		return Corpus{}, fmt.Errorf("synth: corpus in %s is empty (camps %d, locations %d, names %d)", dataDir, len(c.Camps), len(c.Locations), len(c.Names))
	}
	return c, nil
}

func splitSentences(text string) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		marked := sentenceEnd.ReplaceAllString(strings.TrimSpace(para), "$1\x00")
		for _, s := range strings.Split(marked, "\x00") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func eachCSV(path string, fn func(map[string]string)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("synth: %s: header: %w", path, err)
	}
	row := make(map[string]string, len(header))
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("synth: %s: record %d: %w", path, line, err)
		}
		clear(row)
		for i, h := range header {
			if i < len(rec) {
				row[h] = rec[i]
			}
		}
		fn(row)
	}
}

// Options shape a generated thread.
type Options struct {
	// Comments is the number of comments to generate.
	Comments int
	// Seed makes the thread reproducible; the same corpus, size and seed give
	// the same thread.
	Seed uint64
	// ReplyShare is the share of comments that reply to an earlier one
	// (default 0.4, between the NYT's and the Globe and Mail's shares).
	ReplyShare float64
	// MentionShare is the share of replies that open with "@Name" (default
	// 0.5); the rest carry only a parent id.
	MentionShare float64
	// Title is the thread title (default names the size).
	Title string
}

// Generate makes a thread of opt.Comments comments from the corpus.
func Generate(c Corpus, opt Options) threaddigest.Thread {
	if opt.ReplyShare == 0 {
		opt.ReplyShare = 0.4
	}
	if opt.MentionShare == 0 {
		opt.MentionShare = 0.5
	}
	if opt.Title == "" {
		opt.Title = fmt.Sprintf("Synthetic thread of %d comments", opt.Comments)
	}
	rng := rand.New(rand.NewPCG(opt.Seed, uint64(opt.Comments)))

	// About one commenter for every three comments, with a long tail: a few
	// commenters write many comments, many write one, as in real threads.
	commenters := max(1, opt.Comments/3)
	type person struct{ name, location string }
	people := make([]person, commenters)
	for i := range people {
		name := c.Names[i%len(c.Names)]
		if i >= len(c.Names) {
			name = fmt.Sprintf("%s %d", name, i/len(c.Names)+1)
		}
		loc := ""
		if rng.Float64() >= 0.1 { // about one commenter in ten leaves it blank
			loc = c.Locations[rng.IntN(len(c.Locations))]
		}
		people[i] = person{name, loc}
	}

	// Camps are not equally popular: weights fall off so the digest has a
	// clear order of prevalence to recover.
	campWeights := make([]float64, len(c.Camps))
	var total float64
	for i := range campWeights {
		campWeights[i] = 1 / math.Pow(float64(i+1), 0.8)
		total += campWeights[i]
	}
	pickCamp := func() int {
		x := rng.Float64() * total
		for i, w := range campWeights {
			if x < w {
				return i
			}
			x -= w
		}
		return len(campWeights) - 1
	}

	t := threaddigest.Thread{ID: fmt.Sprintf("synth-%d", opt.Comments), Title: opt.Title}
	t.Comments = make([]threaddigest.Comment, 0, opt.Comments)
	camps := make([]int, 0, opt.Comments)
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	at := start
	var sb strings.Builder
	for i := 0; i < opt.Comments; i++ {
		// Squaring a uniform draw favours the first commenters without
		// letting one of them dominate (the busiest writes about 0.5%).
		u := rng.Float64()
		p := people[int(u*u*float64(commenters))]
		camp := pickCamp()
		cm := threaddigest.Comment{
			ID:       strconv.Itoa(i + 1),
			Author:   p.name,
			Location: p.location,
			Likes:    int(rng.ExpFloat64() * 4),
		}
		sb.Reset()
		if i > 0 && rng.Float64() < opt.ReplyShare {
			// Replies go mostly to recent comments; half of them come from
			// another camp, which is how rebuttals arise.
			back := int(rng.ExpFloat64() * 20)
			parent := max(0, i-1-back)
			if rng.Float64() < 0.5 {
				camp = camps[parent]
			}
			cm.ParentID = t.Comments[parent].ID
			if rng.Float64() < opt.MentionShare {
				sb.WriteString("@" + t.Comments[parent].Author + " ")
			}
		}
		sentences := c.Camps[camp]
		for k, n := 0, 1+rng.IntN(4); k < n; k++ {
			if k > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(sentences[rng.IntN(len(sentences))])
		}
		cm.Body = sb.String()
		at = at.Add(time.Duration(rng.ExpFloat64()*90) * time.Second)
		cm.CreatedAt = at
		t.Comments = append(t.Comments, cm)
		camps = append(camps, camp)
	}
	return t
}

// WriteJSONL writes t in the JSON Lines input format: a title line, then one
// comment per line with its parent id.
func WriteJSONL(w io.Writer, t threaddigest.Thread) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(map[string]string{"title": t.Title}); err != nil {
		return err
	}
	type line struct {
		ID        string `json:"id"`
		ParentID  string `json:"parent_id,omitempty"`
		Author    string `json:"author"`
		Location  string `json:"location,omitempty"`
		Body      string `json:"body"`
		CreatedAt string `json:"created_at,omitempty"`
		Likes     int    `json:"likes"`
	}
	for _, c := range t.Comments {
		l := line{ID: c.ID, ParentID: c.ParentID, Author: c.Author, Location: c.Location, Body: c.Body, Likes: c.Likes}
		if !c.CreatedAt.IsZero() {
			l.CreatedAt = c.CreatedAt.Format(time.RFC3339)
		}
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WritePage writes t in the comment-page text format. That format has no
// parent ids: only replies that open with "@Name" stay replies.
func WritePage(w io.Writer, t threaddigest.Thread) error {
	bw := bufio.NewWriter(w)
	date := "Jan 5, 2026"
	if len(t.Comments) > 0 && !t.Comments[0].CreatedAt.IsZero() {
		date = t.Comments[0].CreatedAt.Format("Jan 2, 2006")
	}
	fmt.Fprintf(bw, "%s\n\n%s · %d comments\n", oneLine(t.Title), date, len(t.Comments))
	for _, c := range t.Comments {
		// A parenthesis in a name would read as the start of a location.
		header := strings.NewReplacer("(", "", ")", "").Replace(oneLine(c.Author))
		if c.Location != "" {
			header += " (" + oneLine(c.Location) + ")"
		}
		fmt.Fprintf(bw, "%s\n%s\n", header, oneLine(c.Body))
	}
	return bw.Flush()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
