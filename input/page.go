package input

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/internal/textutil"
)

// lineReader reads lines of any length up to maxLine, counting them.
type lineReader struct {
	br   *bufio.Reader
	name string
	line int
	buf  []byte
}

// next returns the next line without its line ending, or io.EOF. A line
// longer than maxLine is an error naming it.
func (lr *lineReader) next() ([]byte, error) {
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.br.ReadSlice('\n')
		lr.buf = append(lr.buf, chunk...)
		if len(lr.buf) > maxLine {
			lr.line++
			return nil, &Problem{File: lr.name, Line: lr.line, Msg: fmt.Sprintf("line longer than %d MiB: expected one record per line", maxLine>>20)}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(lr.buf) == 0 {
				return nil, io.EOF
			}
		} else if err != nil {
			return nil, fmt.Errorf("%s: read: %w", lr.name, err)
		}
		lr.line++
		return bytes.TrimRight(lr.buf, "\r\n"), nil
	}
}

// countLine matches a page file's third line: "Dec 27, 2019 · 50 comments".
var countLine = regexp.MustCompile(`(?i)^\s*(.*?)\s*(?:[·•|—–-]\s*)?([0-9][0-9,.]*)\s+comments?\s*$`)

// pageDateLayouts are the ways comment pages write a date.
var pageDateLayouts = []string{
	"Jan 2, 2006", "January 2, 2006", "Jan. 2, 2006", "2 Jan 2006", "2 January 2006",
	"Mon, Jan 2, 2006", "Monday, January 2, 2006", "2006-01-02", "Jan 2 2006", "January 2 2006",
}

func parsePageDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	s = strings.Replace(s, "Sept ", "Sep ", 1)
	s = strings.Replace(s, "Sept. ", "Sep. ", 1)
	for _, layout := range pageDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// maxHeader is the longest header line, in characters, read as a header. A
// longer line in a header's place is a body that ran over several lines.
const maxHeader = 150

// ParseHeader splits a comment-page header "Display Name (Location)" into
// the name and location. The location is the last parenthesised group at the
// end of the line (it may hold commas, non-ASCII letters and parentheses of
// its own); parentheses earlier in the line belong to the name, so
// "Dr. Who (the doctor) (London)" is "Dr. Who (the doctor)" from "London". A
// header that is only a parenthesised group is a name.
func ParseHeader(h string) (name, location string) {
	h = strings.TrimSpace(h)
	if !strings.HasSuffix(h, ")") {
		return h, ""
	}
	depth := 0
	for i := len(h) - 1; i >= 0; i-- {
		switch h[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				name = strings.TrimSpace(h[:i])
				if name == "" {
					return h, ""
				}
				return name, strings.TrimSpace(h[i+1 : len(h)-1])
			}
		}
	}
	return h, "" // unbalanced: all of it is the name
}

func readPage(br *bufio.Reader, name string, b *builder) error {
	lr := &lineReader{br: br, name: name}
	title, err := lr.next()
	if err == io.EOF {
		return &Problem{File: name, Line: 1, Msg: "empty input: expected a title line"}
	}
	if err != nil {
		return err
	}
	if !utf8.Valid(title) {
		return &Problem{File: name, Line: 1, Field: FieldTitle, Msg: "invalid UTF-8: expected the article title as UTF-8 text"}
	}
	if len(bytes.TrimSpace(title)) == 0 {
		return &Problem{File: name, Line: 1, Field: FieldTitle, Msg: "empty: expected the article title on line 1"}
	}
	b.setTitle("", string(bytes.TrimSpace(title)))
	second, err := lr.next()
	if err == io.EOF {
		return &Problem{File: name, Line: 2, Msg: "input ends after the title: expected an empty line, then \"date · N comments\", then comments"}
	}
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(second)) != 0 {
		return &Problem{File: name, Line: 2, Msg: "expected an empty line after the title"}
	}
	// Line 3: the date and count. A file without it starts its comments here.
	var pendingHeader []byte
	pendingLine := 0
	third, err := lr.next()
	if err == io.EOF {
		return &Problem{File: name, Line: 3, Msg: "input ends after the title: expected \"date · N comments\", then comments"}
	}
	if err != nil {
		return err
	}
	if m := countLine.FindSubmatch(third); m != nil && utf8.Valid(third) {
		n, err := strconv.Atoi(strings.NewReplacer(",", "", ".", "").Replace(string(m[2])))
		if err == nil {
			b.res.StatedCount = n
		}
		if len(m[1]) > 0 {
			if d, ok := parsePageDate(string(m[1])); ok {
				b.res.Date = d
			} else {
				b.warn(3, "date", "cannot read the date %q: expected a date such as \"Dec 27, 2019\"", m[1])
			}
		}
	} else {
		b.warn(3, "count", "expected a date and a comment count such as \"Dec 27, 2019 · 50 comments\"; read the line as the first comment's header")
		pendingHeader = append([]byte(nil), third...)
		pendingLine = 3
	}
	b.thread("")
	for {
		var header []byte
		hline := 0
		if pendingHeader != nil {
			header, hline, pendingHeader = pendingHeader, pendingLine, nil
		} else {
			line, err := lr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			header = append([]byte(nil), line...)
			hline = lr.line
		}
		badLocation := false
		if !utf8.Valid(header) {
			// Bad bytes in the location cost only the location.
			if name, location := ParseHeader(string(header)); utf8.ValidString(name) {
				badLocation = !utf8.ValidString(location)
			}
		}
		if !utf8.Valid(header) && !badLocation {
			b.skip(hline, FieldAuthor, "invalid UTF-8 in the header: expected UTF-8 text")
			// Its body, if any, goes with it.
			if _, err := lr.next(); err != nil && err != io.EOF {
				return err
			}
			continue
		}
		if n := utf8.RuneCount(bytes.TrimSpace(header)); n > maxHeader {
			b.skip(hline, FieldAuthor, "expected a header \"Display Name (Location)\", found a line of %d characters (is a body split over several lines?)", n)
			continue
		}
		body, err := lr.next()
		if err == io.EOF || (err == nil && len(bytes.TrimSpace(body)) == 0) {
			b.skip(hline, FieldBody, "header %q has no body: expected the comment on the next line", truncate(string(header), 60))
			continue
		}
		if err != nil {
			return err
		}
		if !utf8.Valid(body) {
			b.skip(lr.line, FieldBody, "invalid UTF-8: expected UTF-8 text")
			continue
		}
		author, location := ParseHeader(string(header))
		if badLocation {
			b.warn(hline, FieldLocation, "invalid UTF-8: read with U+FFFD in place of the bad bytes")
			location = strings.ToValidUTF8(location, replacement)
		}
		// A page gives no ids: add gives the comment its content id.
		b.add(hline, "", threaddigest.Comment{
			Author:   author,
			Location: location,
			Body:     strings.TrimSpace(string(body)),
		})
	}
	if n := len(b.threads[0].Comments); b.res.StatedCount >= 0 && n != b.res.StatedCount {
		b.warn(3, "count", "the page states %d comments but %d were read", b.res.StatedCount, n)
	}
	return nil
}

// truncate cuts s to n characters for a message.
func truncate(s string, n int) string {
	if head := textutil.FirstRunes(s, n); len(head) < len(s) {
		return head + "…"
	}
	return s
}
