package input

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

func readCSV(br *bufio.Reader, name string, opt Options, b *builder) error {
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return &Problem{File: name, Line: 1, Msg: "empty input: expected a CSV header row"}
	}
	if err != nil {
		return &Problem{File: name, Line: 1, Msg: fmt.Sprintf("cannot read the CSV header row: %v", csvErr(err))}
	}
	header = append([]string(nil), header...)
	for i, h := range header {
		if !utf8.ValidString(h) {
			return &Problem{File: name, Line: 1, Msg: fmt.Sprintf("invalid UTF-8 in column %d of the header row: expected UTF-8 text", i+1)}
		}
		header[i] = strings.TrimSpace(h)
	}
	cols, err := resolveColumns(header, opt.Map)
	if err != nil {
		return &Problem{File: name, Line: 1, Msg: err.Error()}
	}
	var rec []string
	get := func(field string) (string, bool, error) {
		i := cols[field]
		if i < 0 {
			return "", false, nil
		}
		if !utf8.ValidString(rec[i]) {
			return strings.ToValidUTF8(rec[i], replacement), true, errNotUTF8
		}
		return rec[i], true, nil
	}
	for {
		rec, err = r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				// FieldPos panics after an error: the place is in the error.
				line := pe.StartLine
				b.skip(line, "", "malformed CSV (%v): expected %d comma-separated fields, quoted with \" where they hold commas, quotes or newlines", pe.Err, len(header))
				if errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine+1 {
					// An unclosed quote ran to the end of the file.
					return nil
				}
				continue
			}
			return fmt.Errorf("%s: read: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			b.skip(line, "", "found %d fields: expected %d as in the header row", len(rec), len(header))
			continue
		}
		readRecord(b, line, get, true, csvID)
	}
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// resolveColumns finds each canonical field's column (-1 when absent) and
// checks that the fields a comment needs are there.
func resolveColumns(header []string, m map[string]string) (map[string]int, error) {
	find := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		for i, h := range header {
			if strings.EqualFold(h, name) {
				return i
			}
		}
		return -1
	}
	names := newFieldNames(m)
	cols := map[string]int{}
	var missingMapped []string
	for _, field := range Fields() {
		cols[field] = -1
		for _, name := range names.cands[field] {
			if i := find(name); i >= 0 {
				cols[field] = i
				break
			}
		}
		if mapped, ok := m[field]; ok && cols[field] < 0 {
			missingMapped = append(missingMapped, fmt.Sprintf("%s=%s", field, mapped))
		}
	}
	columns := "the header has: " + strings.Join(header, ", ")
	if len(missingMapped) > 0 {
		return nil, fmt.Errorf("the field mapping names columns that are not in the header (%s); %s", strings.Join(missingMapped, ", "), columns)
	}
	var missing []string
	if cols[FieldBody] < 0 {
		missing = append(missing, "body (a column body or commentBody, or mapped with body=COLUMN)")
	}
	if cols[FieldAuthor] < 0 && cols[FieldAuthorID] < 0 {
		missing = append(missing, "author (a column author or userDisplayName, or mapped with author=COLUMN)")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing columns: a comment needs %s; %s", strings.Join(missing, " and "), columns)
	}
	return cols, nil
}
