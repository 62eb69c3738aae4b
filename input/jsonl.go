package input

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	threaddigest "github.com/threaddigest/threaddigest"
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

// jsonRecord reads fields of one JSON object.
type jsonRecord struct {
	obj   map[string]json.RawMessage
	names fieldNames
}

// get returns the field's value as a string, whether it is present, and an
// error when its JSON value is neither a string, a number, a boolean nor null.
func (r jsonRecord) get(field string) (string, bool, error) {
	for _, key := range r.names.cands[field] {
		raw, ok := r.obj[key]
		if !ok {
			continue
		}
		s, err := jsonScalar(raw)
		if err != nil {
			return "", true, fmt.Errorf("key %q: %v", key, err)
		}
		return s, true, nil
	}
	return "", false, nil
}

// jsonScalar turns a JSON string, number, boolean or null into a string;
// numbers keep their written form, so ids like 580319078155468800 stay exact.
func jsonScalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
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

func readJSONL(br *bufio.Reader, name string, opt Options, b *builder) error {
	for field, key := range opt.Map {
		if key == "" {
			return &Problem{File: name, Field: field, Msg: "mapped to an empty key name"}
		}
	}
	names := newFieldNames(opt.Map)
	lr := &lineReader{br: br, name: name}
	for {
		line, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if p, ok := err.(*Problem); ok && p.Line > 0 {
				// An over-long line: skip it, then read on at the next line.
				b.res.Skipped = append(b.res.Skipped, *p)
				if err := discardLine(br); err != nil {
					return nil
				}
				continue
			}
			return err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !utf8.Valid(line) {
			b.skip(lr.line, "", "invalid UTF-8: expected a JSON object in UTF-8")
			continue
		}
		if line[0] != '{' {
			b.skip(lr.line, "", "expected a JSON object {…} on the line, found %q", truncate(string(line), 40))
			continue
		}
		rec := jsonRecord{names: names}
		if err := json.Unmarshal(line, &rec.obj); err != nil {
			b.skip(lr.line, "", "malformed JSON (%v): expected one JSON object per line", err)
			continue
		}
		readRecord(b, lr.line, rec.get)
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
// record has it, and an error when its value cannot be read as text.
type getter func(field string) (string, bool, error)

// readRecord turns one record of a CSV or JSON Lines file into a comment,
// a title, or a problem.
func readRecord(b *builder, line int, get getter) {
	var vals [11]string
	var has [11]bool
	for i, field := range Fields() {
		v, ok, err := get(field)
		if err != nil {
			b.skip(line, field, "%v", err)
			return
		}
		vals[i], has[i] = v, ok
	}
	id, parent, author, authorID, location, body, created, likes, thread, title, deleted :=
		vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6], vals[7], vals[8], vals[9], vals[10]
	thread = cleanID(thread)
	title = decodeLine(title)
	if !has[5] {
		if title != "" {
			b.setTitle(thread, title)
			return
		}
		b.skip(line, FieldBody, "no body: expected a comment with a body (or a first line giving the thread's title)")
		return
	}
	c := threaddigest.Comment{
		ID:       cleanID(id),
		ParentID: cleanParent(parent),
		Author:   decodeLine(author),
		AuthorID: cleanID(authorID),
		Location: decodeLine(location),
		Body:     decodeText(body),
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
