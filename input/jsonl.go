package input

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/internal/htmltext"
	"github.com/threaddigest/threaddigest/internal/jsonscan"
)

// fieldNames resolves canonical fields to the names a file uses: the
// mapped name when one is given, else the canonical name, else the NYT
// export's name.
type fieldNames struct {
	cands map[string][]string
}

func newFieldNames(m map[string]string) fieldNames {
	f := fieldNames{cands: map[string][]string{}}
	for _, field := range Fields() {
		if name, ok := m[field]; ok {
			f.cands[field] = []string{name}
			continue
		}
		f.cands[field] = []string{field}
		if nyt, ok := nytNames[field]; ok {
			f.cands[field] = append(f.cands[field], nyt)
		}
	}
	return f
}

// fieldIndex maps a key name to the canonical field it fills and its rank
// among that field's candidate names (0 wins over 1).
type fieldIndex struct {
	field int
	rank  int
}

func (f fieldNames) index() map[string]fieldIndex {
	idx := map[string]fieldIndex{}
	for i, field := range Fields() {
		for rank, name := range f.cands[field] {
			if _, taken := idx[name]; !taken {
				idx[name] = fieldIndex{i, rank}
			}
		}
	}
	return idx
}

// jsonRecord holds the canonical fields of one JSON object, as raw JSON.
type jsonRecord struct {
	raw  [11][]byte
	rank [11]int
	key  [11][]byte
}

func (r *jsonRecord) reset() {
	for i := range r.raw {
		r.raw[i], r.key[i], r.rank[i] = nil, nil, 1<<30
	}
}

func (r *jsonRecord) get(field string) (string, bool, error) {
	i := slicesIndex(field)
	raw := r.raw[i]
	if raw == nil {
		return "", false, nil
	}
	var notUTF8 error
	if !utf8.Valid(raw) {
		// Bad bytes can only be inside a string (json.Valid): replacing
		// them there leaves it a string, decoded as it would be otherwise.
		raw, notUTF8 = bytes.ToValidUTF8(raw, []byte(replacement)), errNotUTF8
	}
	s, err := jsonScalar(raw)
	if err != nil {
		return "", true, fmt.Errorf("key %q: %v", r.key[i], err)
	}
	return s, true, notUTF8
}

func slicesIndex(field string) int {
	for i, f := range Fields() {
		if f == field {
			return i
		}
	}
	return -1
}

// jsonScalar turns a JSON string, number, boolean or null into a string;
// numbers keep their written form, so ids like 580319078155468800 stay exact.
func jsonScalar(raw []byte) (string, error) {
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
		if bytes.IndexByte(raw, '\\') < 0 {
			return string(raw[1 : len(raw)-1]), nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		return "", nil
	case '{':
		return "", fmt.Errorf("expected a string or number, found an object")
	case '[':
		return "", fmt.Errorf("expected a string or number, found an array")
	}
	return string(raw), nil // number, true, false
}

// scanObject calls fn with each top-level key and raw value of obj, which
// must be a valid JSON object (json.Valid). It decodes nothing: the values
// the record needs are decoded later, the rest never are.
func scanObject(obj []byte, fn func(key, val []byte)) {
	i := jsonscan.Space(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	i++
	for {
		i = jsonscan.Space(obj, i)
		if i >= len(obj) || obj[i] == '}' {
			return
		}
		if obj[i] == ',' {
			i++
			continue
		}
		kEnd := jsonscan.StringEnd(obj, i)
		key := obj[i:kEnd]
		i = jsonscan.Space(obj, kEnd)
		i = jsonscan.Space(obj, i+1) // past ':'
		vEnd := jsonscan.ValueEnd(obj, i)
		fn(key, obj[i:vEnd])
		i = vEnd
	}
}

func readJSONL(br *bufio.Reader, name string, opt Options, b *builder) error {
	for field, key := range opt.Map {
		if key == "" {
			return &Problem{File: name, Field: field, Msg: "mapped to an empty key name"}
		}
	}
	index := newFieldNames(opt.Map).index()
	var rec jsonRecord
	collect := func(key, val []byte) {
		k := key[1 : len(key)-1]
		if bytes.IndexByte(k, '\\') >= 0 {
			var s string
			if json.Unmarshal(key, &s) != nil {
				return
			}
			k = []byte(s)
		}
		fi, ok := index[string(k)]
		if !ok || fi.rank > rec.rank[fi.field] {
			return
		}
		rec.raw[fi.field], rec.key[fi.field], rec.rank[fi.field] = val, k, fi.rank
	}
	// One goroutine reads the lines and checks that each is a JSON object;
	// this one takes the records apart, in order. Checking is a third of
	// the work, and on a second core it costs no time.
	batches := make(chan *jsonBatch, 2)
	free := make(chan *jsonBatch, 4)
	go checkJSONLines(&lineReader{br: br, name: name}, br, batches, free)
	for batch := range batches {
		for _, l := range batch.lines {
			switch {
			case l.fatal != nil:
				// The reader stopped after this line.
				for range batches {
				}
				return l.fatal
			case l.problem != nil:
				b.res.Skipped = append(b.res.Skipped, *l.problem)
			case l.skip != "":
				b.skip(l.line, "", "%s", l.skip)
			default:
				rec.reset()
				scanObject(batch.text[l.start:l.end], collect)
				readRecord(b, l.line, rec.get, false, jsonID)
			}
		}
		select {
		case free <- batch:
		default:
		}
	}
	return nil
}

// jsonBatch is a run of lines of a JSON Lines file, checked: the objects'
// text is copied into one buffer, reused once the batch is read.
type jsonBatch struct {
	text  []byte
	lines []checkedLine
}

// checkedLine is one non-blank line: an object at text[start:end], or why it
// is skipped, or the error that ends the file.
type checkedLine struct {
	line       int
	start, end int
	skip       string
	problem    *Problem
	fatal      error
}

// jsonBatchText is the text a batch holds before it is handed on.
const jsonBatchText = 256 << 10

// checkJSONLines reads every line, checks it is a JSON object and
// sends the lines on in batches, closing batches at the end of the input or
// after an error that ends it.
func checkJSONLines(lr *lineReader, br *bufio.Reader, batches chan<- *jsonBatch, free <-chan *jsonBatch) {
	defer close(batches)
	var batch *jsonBatch
	next := func() {
		select {
		case batch = <-free:
			batch.text, batch.lines = batch.text[:0], batch.lines[:0]
		default:
			batch = &jsonBatch{text: make([]byte, 0, jsonBatchText)}
		}
	}
	next()
	send := func() {
		if len(batch.lines) > 0 {
			batches <- batch
			next()
		}
	}
	defer send()
	for {
		line, err := lr.next()
		if err == io.EOF {
			return
		}
		if err != nil {
			if p, ok := err.(*Problem); ok && p.Line > 0 {
				// An over-long line: skip it, then read on at the next line.
				batch.lines = append(batch.lines, checkedLine{line: p.Line, problem: p})
				if err := discardLine(br); err != nil {
					return
				}
				continue
			}
			batch.lines = append(batch.lines, checkedLine{fatal: err})
			return
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		l := checkedLine{line: lr.line}
		// Bytes that are not UTF-8 are looked at field by field, when the
		// record is read: they cost a comment only in its body or author.
		switch {
		case line[0] != '{':
			l.skip = fmt.Sprintf("expected a JSON object {…} on the line, found %q", truncate(string(line), 40))
		case !json.Valid(line):
			var v any
			err := json.Unmarshal(line, &v) // only to say what is wrong
			l.skip = fmt.Sprintf("malformed JSON (%v): expected one JSON object per line", err)
		default:
			l.start = len(batch.text)
			batch.text = append(batch.text, line...)
			l.end = len(batch.text)
		}
		batch.lines = append(batch.lines, l)
		if len(batch.text) >= jsonBatchText || len(batch.lines) >= 4096 {
			send()
		}
	}
}

// discardLine skips the rest of the current line.
func discardLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			continue
		}
		return err
	}
}

// getter returns one canonical field of a record: its value, whether the
// record has it, and an error when its value cannot be read as text. The
// error is errNotUTF8 when the value was not UTF-8; the value is then its
// valid form.
type getter func(field string) (string, bool, error)

// errNotUTF8 says a field's value was not UTF-8 and comes in its valid
// form: each run of bad bytes replaced by U+FFFD.
var errNotUTF8 = errors.New("invalid UTF-8")

const replacement = "\uFFFD"

// readRecord turns one record of a CSV or JSON Lines file into a comment,
// a title, or a problem. With own set, the strings kept are copied: a CSV
// row's fields share one string with the whole row, unused columns
// included, which would otherwise live as long as the comment. readID reads
// the format's ids (id, parent_id, author_id, thread): csvID or jsonID.
func readRecord(b *builder, line int, get getter, own bool, readID func(string) string) {
	var vals [11]string
	var has, notUTF8 [11]bool
	for i, field := range Fields() {
		v, ok, err := get(field)
		if errors.Is(err, errNotUTF8) {
			switch field {
			case FieldBody, FieldAuthor:
				b.skip(line, field, "invalid UTF-8: expected UTF-8 text")
				return
			case FieldAuthorID, FieldCreatedAt, FieldLikes, FieldDeleted:
				v = "" // see warnUTF8
			}
			notUTF8[i], err = true, nil
		}
		if err != nil {
			b.skip(line, field, "%v", err)
			return
		}
		vals[i], has[i] = v, ok
	}
	// An optional field that was not UTF-8 costs only itself. An account
	// id is left out rather than repaired: two ids differing only in their
	// bad bytes would read as one and merge two commenters. A time, a like
	// count or a deleted marker is unreadable like any other bad value.
	// The rest keep U+FFFD where the bad bytes were; the same bytes give
	// the same text, so a parent id still finds its comment.
	warnUTF8 := func(i int) {
		if !notUTF8[i] {
			return
		}
		switch field := Fields()[i]; field {
		case FieldAuthorID:
			b.warn(line, field, "invalid UTF-8: left empty; the commenter is told apart by name")
		case FieldCreatedAt:
			b.warn(line, field, "invalid UTF-8: left empty")
		case FieldLikes:
			b.warn(line, field, "invalid UTF-8: read as 0")
		case FieldDeleted:
			b.warn(line, field, "invalid UTF-8: read as not deleted")
		default:
			b.warn(line, field, "invalid UTF-8: read with U+FFFD in place of the bad bytes")
		}
	}
	id, parent, author, authorID, location, body, created, likes, thread, title, deleted :=
		vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6], vals[7], vals[8], vals[9], vals[10]
	thread = readID(thread)
	title = decodeLine(title)
	if !has[5] {
		if title != "" {
			warnUTF8(slicesIndex(FieldThread))
			warnUTF8(slicesIndex(FieldTitle))
			b.setTitle(thread, title)
			return
		}
		b.skip(line, FieldBody, "no body: expected a comment with a body (or a first line giving the thread's title)")
		return
	}
	if own {
		id, parent, authorID = strings.Clone(id), strings.Clone(parent), strings.Clone(authorID)
		author, location = strings.Clone(author), strings.Clone(location)
		if !htmltext.LooksLikeHTML(body) {
			body = strings.Clone(body)
		}
	}
	c := threaddigest.Comment{
		ID:       readID(id),
		ParentID: parentID(readID(parent)),
		Author:   decodeLine(author),
		AuthorID: readID(authorID),
		Location: decodeLine(location),
		Body:     decodeText(body),
	}
	for i := range notUTF8 {
		warnUTF8(i)
	}
	if has[10] {
		d, err := parseDeleted(deleted)
		if err != nil {
			b.warn(line, FieldDeleted, "%v; read as not deleted", err)
		}
		c.Deleted = d
	}
	if t, err := parseTime(created); err != nil {
		b.warn(line, FieldCreatedAt, "%v; left empty", err)
	} else {
		c.CreatedAt = t
	}
	if n, err := parseLikes(likes); err != nil {
		b.warn(line, FieldLikes, "%v; read as 0", err)
	} else {
		c.Likes = n
	}
	if strings.ContainsRune(c.ID, '\n') {
		b.skip(line, FieldID, "id %q spans lines: expected a single-line id", truncate(c.ID, 40))
		return
	}
	b.setTitle(thread, title)
	b.add(line, thread, c)
}
