// Package input reads comment threads from files in the three formats
// threaddigest accepts: the comment-page text format, JSON Lines and CSV
// (including the New York Times comments export), detected from the content.
//
// Reading streams: a file is read record by record and only the comments are
// kept, so memory follows the size of the result, not of the file. Bad
// records do not stop the read: they are left out and listed in
// Result.Skipped with their file, line and reason. Read fails only when the
// input as a whole cannot be read (empty, binary, an unknown format, missing
// columns) or when not a single comment could be read.
package input

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/internal/htmltext"
)

// Format names an input format.
type Format string

// The input formats. Auto detects the format from the content.
const (
	Auto  Format = "auto"
	Page  Format = "page"
	JSONL Format = "jsonl"
	CSV   Format = "csv"
)

// ParseFormat reads a format name as given on the command line.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case "", Auto:
		return Auto, nil
	case Page, JSONL, CSV:
		return f, nil
	case "json", "ndjson":
		return JSONL, nil
	}
	return "", fmt.Errorf("unknown input format %q: expected auto, page, jsonl or csv", s)
}

// Options say how to read a file. The zero value detects the format and
// reads canonical (or NYT export) field names.
type Options struct {
	// Format is the file's format; "" or Auto detects it from the content.
	Format Format
	// Map maps canonical field names (see Fields) to the file's own column or
	// key names, for CSV and JSON Lines. Unmapped fields are looked up under
	// their canonical name, then under the NYT export's name.
	Map map[string]string
}

// Result is what a file held.
type Result struct {
	// Threads in order of first appearance. A page file, or a CSV or JSON
	// Lines file without a thread field, holds one thread with ID "".
	Threads []threaddigest.Thread
	// Skipped lists the records left out, each with its place and reason.
	Skipped []Problem
	// Warnings lists problems that did not cost a comment: a comment count
	// in a page file that differs from the comments found, an unreadable
	// optional field (time, likes) left empty, an unknown deleted marker,
	// an optional field of a record (location, title, ids) that was not
	// UTF-8 and is read in its valid form or left empty.
	Warnings []Problem
	// Format is the format the file was read as.
	Format Format
	// Date is the date on a page file's count line (zero when absent or
	// unreadable); StatedCount the comment count it states (-1 when absent).
	Date        time.Time
	StatedCount int
}

// Comments counts the comments of all threads.
func (r *Result) Comments() int {
	n := 0
	for _, t := range r.Threads {
		n += len(t.Comments)
	}
	return n
}

// Thread returns the thread with the given id. With id "" and a single
// thread it returns that thread. The error lists the ids that exist.
func (r *Result) Thread(id string) (threaddigest.Thread, error) {
	if id == "" && len(r.Threads) == 1 {
		return r.Threads[0], nil
	}
	for _, t := range r.Threads {
		if t.ID == id {
			return t, nil
		}
	}
	ids := make([]string, len(r.Threads))
	for i, t := range r.Threads {
		ids[i] = t.ID
	}
	if id == "" {
		return threaddigest.Thread{}, fmt.Errorf("the file holds %d threads; choose one with its id: %s", len(r.Threads), strings.Join(ids, ", "))
	}
	return threaddigest.Thread{}, fmt.Errorf("no thread %q in the file; its thread ids are: %s", id, strings.Join(ids, ", "))
}

// MapOnPageError is Read's error for a field mapping given for a page
// file: a page has no columns or keys to map, and silently ignoring the
// mapping would hide a mistake (the wrong file, or the wrong format).
type MapOnPageError struct{ File string }

func (e *MapOnPageError) Error() string {
	return e.File + ": is a page file, whose fields are fixed (title, date line, \"Name (Location)\" and body): a field mapping applies only to CSV and JSON Lines; leave it out, or set the input format if the file is CSV or JSON Lines"
}

// Problem is a place in a file and what is wrong there. Read's errors are
// *Problem too.
type Problem struct {
	File  string
	Line  int    // 1-based; 0 when the problem is not on one line
	Field string // canonical field name, or "" when not about one field
	Msg   string
}

// Error reads "file:line: field: msg", leaving out the parts that are empty.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(p.Line))
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Canonical field names.
const (
	FieldID        = "id"
	FieldParentID  = "parent_id"
	FieldAuthor    = "author"
	FieldAuthorID  = "author_id"
	FieldLocation  = "location"
	FieldBody      = "body"
	FieldCreatedAt = "created_at"
	FieldLikes     = "likes"
	FieldThread    = "thread"
	FieldTitle     = "title"
	FieldDeleted   = "deleted"
)

// Fields lists the canonical field names in the order they are documented.
func Fields() []string {
	return []string{FieldID, FieldParentID, FieldAuthor, FieldAuthorID, FieldLocation, FieldBody,
		FieldCreatedAt, FieldLikes, FieldThread, FieldTitle, FieldDeleted}
}

// nytNames are the New York Times comments export's names for the canonical
// fields, looked up when the canonical name is absent.
var nytNames = map[string]string{
	FieldID:        "commentID",
	FieldParentID:  "parentID",
	FieldAuthor:    "userDisplayName",
	FieldAuthorID:  "userID",
	FieldLocation:  "userLocation",
	FieldBody:      "commentBody",
	FieldCreatedAt: "createDate",
	FieldLikes:     "recommendations",
	FieldThread:    "articleID",
}

// ParseMap reads a field mapping written "id=tweet_id,body=text": canonical
// field, "=", the file's name for it, separated by commas.
func ParseMap(s string) (map[string]string, error) {
	m := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		field, name, ok := strings.Cut(part, "=")
		field, name = strings.TrimSpace(field), strings.TrimSpace(name)
		if !ok || field == "" || name == "" {
			return nil, fmt.Errorf("field mapping %q: expected FIELD=NAME, e.g. body=text", part)
		}
		if !slices.Contains(Fields(), field) {
			return nil, fmt.Errorf("field mapping %q: unknown field %q; fields are %s", part, field, strings.Join(Fields(), ", "))
		}
		if _, dup := m[field]; dup {
			return nil, fmt.Errorf("field mapping %q: field %q is mapped twice", part, field)
		}
		m[field] = name
	}
	return m, nil
}

// maxLine caps one line of a page or JSON Lines file.
const maxLine = 16 << 20

// sniffSize is how much of the input is looked at to detect the format and
// binary data.
const sniffSize = 64 << 10

// Read reads the threads in r. name is used in messages ("-" reads as
// "stdin").
func Read(r io.Reader, name string, opt Options) (*Result, error) {
	if name == "-" || name == "" {
		name = "stdin"
	}
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("%s: read: %w", name, err)
	}
	// A UTF-8 byte order mark is not content.
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		head = head[3:]
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, &Problem{File: name, Msg: "empty input: expected a thread in page, JSON Lines or CSV format"}
	}
	if i := bytes.IndexByte(head, 0); i >= 0 {
		return nil, &Problem{File: name, Line: 1 + bytes.Count(head[:i], []byte("\n")),
			Msg: "binary data (a NUL byte): expected UTF-8 text in page, JSON Lines or CSV format"}
	}
	format := opt.Format
	if format == "" || format == Auto {
		format, err = detect(head, name, opt)
		if err != nil {
			return nil, err
		}
	}
	if format == Page && len(opt.Map) > 0 {
		return nil, &MapOnPageError{File: name}
	}
	res := &Result{Format: format, StatedCount: -1}
	b := newBuilder(name, res)
	switch format {
	case Page:
		err = readPage(br, name, b)
	case JSONL:
		err = readJSONL(br, name, opt, b)
	case CSV:
		err = readCSV(br, name, opt, b)
	default:
		return nil, fmt.Errorf("unknown input format %q: expected auto, page, jsonl or csv", format)
	}
	if err != nil {
		return nil, err
	}
	res.Threads = b.threads
	for i := range res.Threads {
		// Appending doubled the slices; up to half of each would be held
		// empty for as long as the result lives.
		if cs := res.Threads[i].Comments; cap(cs)-len(cs) > len(cs)/8 {
			res.Threads[i].Comments = slices.Clone(cs)
		}
	}
	if res.Comments() == 0 {
		p := &Problem{File: name, Msg: fmt.Sprintf("no comments read (as %s)", formatName(format))}
		if len(res.Skipped) > 0 {
			p.Msg += fmt.Sprintf(": all %d records were skipped; the first: %s", len(res.Skipped), res.Skipped[0].Error())
		}
		return nil, p
	}
	return res, nil
}

func formatName(f Format) string {
	switch f {
	case Page:
		return "page format"
	case JSONL:
		return "JSON Lines"
	case CSV:
		return "CSV"
	}
	return string(f)
}

// detect tells the format from the first bytes: JSON Lines start with "{",
// a page file has an empty second line under its title, a CSV file has a
// header row with the needed columns.
func detect(head []byte, name string, opt Options) (Format, error) {
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return JSONL, nil
	}
	lines := bytes.SplitN(head, []byte("\n"), 4)
	if len(lines) >= 3 && len(bytes.TrimSpace(lines[1])) == 0 && len(bytes.TrimSpace(lines[0])) > 0 {
		return Page, nil
	}
	first := lines[0]
	if bytes.Contains(first, []byte(",")) {
		return CSV, nil
	}
	if !utf8.Valid(first) {
		return "", &Problem{File: name, Line: 1, Msg: "invalid UTF-8: expected UTF-8 text in page, JSON Lines or CSV format"}
	}
	return "", &Problem{File: name, Line: 1, Msg: "cannot tell the format: expected a JSON object per line, " +
		"a CSV header row, or a page (title, empty line, \"date · N comments\"); set the input format to say which"}
}

// builder gathers comments into threads, enforcing what every format shares:
// ids unique within a thread, a body, an author.
type builder struct {
	name    string
	res     *Result
	threads []threaddigest.Thread
	index   map[string]int    // thread id -> position in threads
	seen    []map[string]int  // per thread: comment id -> line first seen
	titles  map[string]string // titles given before the thread's first comment
	repeats []map[[8]byte]int // per thread: content hash -> comments seen with it
	scratch []byte            // contentHash's buffer
}

func newBuilder(name string, res *Result) *builder {
	return &builder{name: name, res: res, index: map[string]int{}, titles: map[string]string{}}
}

func (b *builder) skip(line int, field, format string, a ...any) {
	b.res.Skipped = append(b.res.Skipped, Problem{File: b.name, Line: line, Field: field, Msg: fmt.Sprintf(format, a...)})
}

func (b *builder) warn(line int, field, format string, a ...any) {
	b.res.Warnings = append(b.res.Warnings, Problem{File: b.name, Line: line, Field: field, Msg: fmt.Sprintf(format, a...)})
}

func (b *builder) thread(id string) int {
	if i, ok := b.index[id]; ok {
		return i
	}
	i := len(b.threads)
	b.index[id] = i
	b.threads = append(b.threads, threaddigest.Thread{ID: id, Title: b.titles[id]})
	b.seen = append(b.seen, map[string]int{})
	b.repeats = append(b.repeats, map[[8]byte]int{})
	return i
}

// setTitle records a thread's title; the first non-empty one wins.
func (b *builder) setTitle(threadID, title string) {
	if title == "" {
		return
	}
	if i, ok := b.index[threadID]; ok {
		if b.threads[i].Title == "" {
			b.threads[i].Title = title
		}
		return
	}
	if _, ok := b.titles[threadID]; !ok {
		b.titles[threadID] = title
	}
}

// add checks and adds one comment read at line. A comment without an id
// gets its content id (ContentID), so that it keeps it wherever comments
// are later inserted around it.
func (b *builder) add(line int, threadID string, c threaddigest.Comment) {
	if !c.Deleted && strings.TrimSpace(c.Body) == "" {
		b.skip(line, FieldBody, "empty comment body: an empty comment says nothing")
		return
	}
	if !c.Deleted && strings.TrimSpace(c.Author) == "" && c.AuthorID == "" {
		b.skip(line, FieldAuthor, "no author: expected a display name or an author id")
		return
	}
	ti := b.thread(threadID)
	if c.ID == "" {
		h := contentHash(c, &b.scratch)
		b.repeats[ti][h]++
		c.ID = contentID(h, b.repeats[ti][h])
	}
	if first, dup := b.seen[ti][c.ID]; dup {
		b.skip(line, FieldID, "duplicate comment id %q in thread %q (first on line %d); the first is kept", c.ID, threadID, first)
		return
	}
	if c.ParentID == c.ID {
		b.warn(line, FieldParentID, "comment %q names itself as its parent; read as no parent", c.ID)
		c.ParentID = ""
	}
	b.seen[ti][c.ID] = line
	b.threads[ti].Comments = append(b.threads[ti].Comments, c)
}

// ContentID is the id of a comment whose source gives it none (a page file,
// a JSON Lines or CSV record without an id): 16 hexadecimal digits of a
// SHA-256 of who wrote it (CommenterKey) and its body, then "-2", "-3", …
// for the second, third comment of that author with that very text, counted
// from the top of the file. It depends on nothing else, so a comment keeps
// its id wherever new comments are inserted (comment pages list the newest
// first) and the service stores it once: a digest of new comments names
// exactly those added. An edit is a new text, so a new comment, and the
// old text is gone from the file (the service marks it deleted).
func ContentID(c threaddigest.Comment, occurrence int) string {
	var scratch []byte
	return contentID(contentHash(c, &scratch), occurrence)
}

// contentHash is the hash ContentID is made from, computed in scratch (kept
// between calls, so that reading a file allocates no buffer per comment):
// CommenterKey, a NUL byte, the body.
func contentHash(c threaddigest.Comment, scratch *[]byte) [8]byte {
	buf := (*scratch)[:0]
	if c.AuthorID != "" {
		buf = append(append(buf, "id:"...), c.AuthorID...)
	} else {
		buf = append(buf, "name:"...)
		if norm.NFC.IsNormalString(c.Author) { // most names: no copy to make
			buf = append(buf, c.Author...)
		} else {
			buf = norm.NFC.AppendString(buf, c.Author)
		}
	}
	buf = append(append(buf, 0), c.Body...)
	*scratch = buf
	sum := sha256.Sum256(buf)
	return [8]byte(sum[:8])
}

// contentID writes a content hash and occurrence as ContentID does.
func contentID(h [8]byte, occurrence int) string {
	var b [16 + 1 + 20]byte
	out := hex.AppendEncode(b[:0], h[:])
	if occurrence > 1 {
		out = strconv.AppendInt(append(out, '-'), int64(occurrence), 10)
	}
	return string(out)
}

// csvID reads an id of a CSV file: as written, except that a whole number
// written as a float ("22022598.0"), as spreadsheet and pandas exports
// write the ids of a column with a blank, loses its ".0". CSV has no
// numbers, only text, so "1.0" and "1" in one file are the same id there
// (the second is left out as a duplicate, and listed).
func csvID(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ".0") {
		if _, err := strconv.ParseUint(s[:len(s)-2], 10, 64); err == nil {
			return s[:len(s)-2]
		}
	}
	return s
}

// jsonID reads an id of a JSON Lines file exactly as written, string or
// number: 1.0 stays "1.0", a different id from 1, and 580319078155468800
// stays exact.
func jsonID(s string) string { return strings.TrimSpace(s) }

// parentID reads a parent id: "", "0" and "null" mean no parent.
func parentID(s string) string {
	if s == "0" || s == "null" || s == "None" {
		return ""
	}
	return s
}

// decodeText turns a field that holds HTML (NYT bodies, entity-escaped
// tweets) into plain text; plain text is kept as written.
func decodeText(s string) string {
	if !htmltext.LooksLikeHTML(s) {
		return s
	}
	return htmltext.Text(s, htmltext.Options{PreserveSpace: true})
}

// decodeLine is decodeText for one-line fields (names, locations).
func decodeLine(s string) string {
	s = strings.TrimSpace(decodeText(s))
	if strings.ContainsAny(s, "\n\r") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
}

// Layouts for times beside RFC 3339 and Unix numbers.
var timeLayouts = []string{
	time.RFC3339Nano,
	time.RubyDate, // Twitter: "Tue Mar 24 10:43:44 +0000 2015"
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02",
	time.RFC1123Z,
	time.RFC1123,
}

// parseTime reads a time: RFC 3339, Twitter's layout, a few common
// variants, or Unix seconds or milliseconds (numbers or numeric strings;
// a value of 1e11 or more is read as milliseconds, since as seconds it would
// lie beyond the year 5000).
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if looksNumeric(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f >= 1e16 {
				return time.Time{}, fmt.Errorf("time %q is out of range", s)
			}
			if f >= 1e11 {
				ms := int64(f)
				return time.UnixMilli(ms).UTC(), nil
			}
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
		}
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read time %q: expected RFC 3339 (2019-12-27T14:05:00Z), Unix seconds or milliseconds, or Twitter's \"Tue Mar 24 10:43:44 +0000 2015\"", s)
}

// looksNumeric reports whether s could be a number, sparing ParseFloat's
// error (an allocation) on the dates most time fields hold.
func looksNumeric(s string) bool {
	return s != "" && (s[0] >= '0' && s[0] <= '9' || s[0] == '-' || s[0] == '+' || s[0] == '.' || s[0] == 'N' || s[0] == 'I' || s[0] == 'n' || s[0] == 'i') &&
		!strings.ContainsAny(s, ":T ")
}

// parseLikes reads a like count: an integer, or a float with no fraction as
// spreadsheet exports write them ("2.0"); "" is 0.
func parseLikes(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return int(f), nil
	}
	return 0, fmt.Errorf("cannot read likes %q: expected a whole number", s)
}

// parseDeleted reads a deleted marker: a boolean, or a status word.
func parseDeleted(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "false", "no", "n", "published", "approved", "active", "visible", "live", "ok":
		return false, nil
	case "1", "true", "yes", "y", "deleted", "removed", "rejected", "spam", "hidden", "moderated":
		return true, nil
	}
	return false, fmt.Errorf("cannot read deleted marker %q: expected true/false or a status such as published, deleted, removed, rejected", s)
}

// sortedKeys lists a map's keys in order, for messages that must not vary.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ParseTime reads a time as the input formats do: RFC 3339, Twitter's
// layout, "2006-01-02 15:04:05", or Unix seconds or milliseconds. "" is the
// zero time. Live sources with configurable fields read times with it too.
func ParseTime(s string) (time.Time, error) { return parseTime(s) }

// ParseLikes reads a like count as the input formats do.
func ParseLikes(s string) (int, error) { return parseLikes(s) }

// ParseDeleted reads a deleted marker as the input formats do: a boolean or
// a status word.
func ParseDeleted(s string) (bool, error) { return parseDeleted(s) }
