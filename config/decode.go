package config

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/threaddigest/threaddigest/internal/duration"
)

// How a file is read, so that one run reports every problem in the file's
// own terms. The document is parsed into plain values first (only a syntax
// error stops there: past it nothing can be read). Each value is then
// checked against the key it sets: an unknown key is named with the known
// key it most resembles, a value of the wrong kind says what was expected
// in the file's words ("expected a whole number, found the string
// \"lots\""), a duration without a unit is refused rather than read as
// nanoseconds. The bad values are left out and the rest is decoded, so
// that the checks after decoding report their problems too.

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// decode fills c from data, returning every problem of kind and key.
func (c *Config) decode(data []byte, getenv func(string) string) Problems {
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, _ := de.Position()
			return Problems{{File: c.File, Line: line, Msg: strings.TrimPrefix(de.Error(), "toml: ") +
				": the file is not valid TOML here, so nothing after it could be read (see https://toml.io)"}}
		}
		return Problems{{File: c.File, Msg: err.Error()}}
	}
	var ps Problems
	c.checkTable(raw, reflect.TypeFor[Config](), "", getenv, &ps)
	clean, err := toml.Marshal(raw)
	if err == nil {
		err = toml.NewDecoder(bytes.NewReader(clean)).DisallowUnknownFields().Decode(c)
	}
	if err != nil {
		// The checks let through only what decodes; say so if not.
		ps = append(ps, Problem{File: c.File, Msg: "reading the checked values failed: " + err.Error()})
	}
	return ps
}

// checkTable checks the keys of a table against the struct type t,
// removing those that are wrong and adding their problems.
func (c *Config) checkTable(table map[string]any, t reflect.Type, path string, getenv func(string) string, ps *Problems) {
	fields := map[string]reflect.Type{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if name := tomlName(t.Field(i)); name != "" {
			fields[name] = t.Field(i).Type
			names = append(names, name)
		}
	}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kp := join(path, k)
		ft, ok := fields[k]
		if !ok {
			msg := "unknown key"
			if near := nearest(k, names); near != "" {
				msg += fmt.Sprintf(": did you mean %s?", near)
			} else {
				msg += fmt.Sprintf(" (misspelt, or in the wrong table?); %s takes %s", tableName(path), strings.Join(names, ", "))
			}
			c.add(ps, kp, "%s", msg)
			delete(table, k)
			continue
		}
		v, ok := c.checkValue(table[k], ft, kp, getenv, ps)
		if !ok {
			delete(table, k)
			continue
		}
		table[k] = v
	}
}

// tableName names the table at path for a message.
func tableName(path string) string {
	if path == "" {
		return "the file's top level"
	}
	return "[" + stripIndexes(path) + "]"
}

// add records a problem about key.
func (c *Config) add(ps *Problems, key, format string, a ...any) {
	*ps = append(*ps, c.Problem(key, format, a...))
}

// checkValue checks v, the value of key path, against t. It returns the
// value to decode (strings with ${VAR} expanded) and whether it is good.
func (c *Config) checkValue(v any, t reflect.Type, path string, getenv func(string) string, ps *Problems) (any, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, isString := v.(string); isString && strings.Contains(s, "$") {
		out, err := expandString(s, getenv)
		if err != nil {
			c.add(ps, path, "%v", err)
			return nil, false
		}
		v = out
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		s, isString := v.(string)
		if !isString {
			if isDuration(t) {
				if _, isNumber := v.(int64); isNumber {
					c.add(ps, path, "%v has no unit: expected a duration such as \"30s\", \"5m\", \"1h\" or \"30d\" (a bare number would be read as nanoseconds)", v)
					return nil, false
				}
				c.add(ps, path, "expected a duration such as \"30s\", \"5m\" or \"1h\" (in quotes), found %s", describe(v))
				return nil, false
			}
			c.add(ps, path, "expected text in quotes, found %s", describe(v))
			return nil, false
		}
		if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			c.add(ps, path, "%v", err)
			return nil, false
		}
		return s, true
	}
	switch t.Kind() {
	case reflect.String:
		if _, ok := v.(string); !ok {
			c.add(ps, path, "expected text in quotes, found %s", describe(v))
			return nil, false
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			c.add(ps, path, "expected true or false (no quotes), found %s", describe(v))
			return nil, false
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		if _, ok := v.(int64); !ok {
			c.add(ps, path, "expected a whole number (no quotes), found %s", describe(v))
			return nil, false
		}
	case reflect.Float64, reflect.Float32:
		switch v.(type) {
		case int64, float64:
		default:
			c.add(ps, path, "expected a number (no quotes), found %s", describe(v))
			return nil, false
		}
	case reflect.Struct:
		table, ok := v.(map[string]any)
		if !ok {
			c.add(ps, path, "expected a table ([%s] or %s = { … }), found %s", stripIndexes(path), lastKey(path), describe(v))
			return nil, false
		}
		c.checkTable(table, t, path, getenv, ps)
		return table, true
	case reflect.Map:
		table, ok := v.(map[string]any)
		if !ok {
			c.add(ps, path, "expected a table of %s, found %s", kindOf(t.Elem()), describe(v))
			return nil, false
		}
		for k, e := range table {
			ev, ok := c.checkValue(e, t.Elem(), join(path, k), getenv, ps)
			if !ok {
				delete(table, k)
				continue
			}
			table[k] = ev
		}
		return table, true
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			if t.Elem().Kind() == reflect.Struct {
				c.add(ps, path, "expected [[%s]] tables, found %s", stripIndexes(path), describe(v))
			} else {
				c.add(ps, path, "expected a list such as [\"a\", \"b\"], found %s", describe(v))
			}
			return nil, false
		}
		kept := list[:0]
		for i, e := range list {
			ev, ok := c.checkValue(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i+1), getenv, ps)
			if ok {
				kept = append(kept, ev)
			} else if t.Elem().Kind() == reflect.Struct {
				// Keep the entry's place, so that later entries keep
				// their numbers.
				kept = append(kept, map[string]any{})
			}
		}
		return kept, true
	}
	return v, true
}

// isDuration reports whether t is the configuration's duration type.
func isDuration(t reflect.Type) bool { return t == reflect.TypeFor[duration.Duration]() }

func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// kindOf names what a value of type t is written as.
func kindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text values"
	case reflect.Struct:
		return "tables"
	}
	return t.Kind().String() + " values"
}

// describe says what a parsed TOML value is, in the file's words.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the text %q", x)
	case int64:
		return fmt.Sprintf("the number %d", x)
	case float64:
		return fmt.Sprintf("the number %v", x)
	case bool:
		return fmt.Sprintf("%v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	case time.Time, toml.LocalDate, toml.LocalDateTime, toml.LocalTime:
		return fmt.Sprintf("the date or time %v", x)
	}
	return fmt.Sprintf("%v", v)
}

// nearest returns the name among names that key most likely misspells
// (at most two edits, or one a prefix of the other), or "".
func nearest(key string, names []string) string {
	best, bestD := "", 3
	lk := strings.ToLower(strings.ReplaceAll(key, "-", "_"))
	for _, n := range names {
		if lk == n {
			return n
		}
		d := editDistance(lk, n)
		if d < bestD || (d == bestD && best != "" && n < best) {
			best, bestD = n, d
		}
	}
	if best == "" {
		for _, n := range names {
			if len(lk) >= 4 && (strings.HasPrefix(n, lk) || strings.HasPrefix(lk, n)) {
				return n
			}
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (with adjacent
// transpositions) between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
