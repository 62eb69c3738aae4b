package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/threaddigest/threaddigest/digest"
)

// JSON writes d as indented JSON in the shape of digest.Digest's JSON tags,
// which README documents field by field. Lists are always arrays, never null,
// so that readers need not tell "none" from "missing". Text is verbatim: JSON
// escaping keeps it inert, and "<", ">" and "&" are written as \u escapes so
// that the output is also safe to embed in HTML.
//
// The output is byte for byte what json.Encoder with SetIndent("", "  ")
// writes, but it is written field by field and comment by comment: a digest
// of a million comments is hundreds of megabytes of JSON, which encoding the
// whole value at once would hold in memory twice (compact, then indented).
func JSON(w io.Writer, d digest.Digest) error {
	d = withOuterArrays(d)
	jw := newJSONWriter(w)
	jw.raw("{")
	v := reflect.ValueOf(d)
	t := v.Type()
	first := true
	for i := 0; i < t.NumField(); i++ {
		name, omitEmpty, ok := jsonField(t.Field(i))
		if !ok || omitEmpty && isEmptyJSON(v.Field(i)) {
			continue
		}
		if !first {
			jw.raw(",")
		}
		first = false
		jw.raw("\n  ")
		jw.value(name, "")
		jw.raw(": ")
		if name == "comments" {
			jw.comments(d.Comments)
		} else {
			jw.value(v.Field(i).Interface(), "  ")
		}
	}
	if !first {
		jw.raw("\n")
	}
	jw.raw("}\n")
	if err := jw.flush(); err != nil {
		return fmt.Errorf("writing digest as JSON: %w", err)
	}
	return nil
}

// jsonWriter writes JSON values one at a time through a reused encoder, and
// keeps the first error.
type jsonWriter struct {
	w       *bufio.Writer
	scratch bytes.Buffer
	enc     map[string]*json.Encoder // by indentation prefix
	err     error
}

func newJSONWriter(w io.Writer) *jsonWriter {
	return &jsonWriter{w: bufio.NewWriterSize(w, 64<<10), enc: map[string]*json.Encoder{}}
}

func (jw *jsonWriter) raw(s string) {
	if jw.err == nil {
		_, jw.err = jw.w.WriteString(s)
	}
}

// value writes v indented as if it stood at the given prefix in the whole
// document (its first line is not prefixed).
func (jw *jsonWriter) value(v any, prefix string) {
	if jw.err != nil {
		return
	}
	enc, ok := jw.enc[prefix]
	if !ok {
		enc = json.NewEncoder(&jw.scratch)
		enc.SetIndent(prefix, "  ")
		jw.enc[prefix] = enc
	}
	jw.scratch.Reset()
	if jw.err = enc.Encode(v); jw.err != nil {
		return
	}
	_, jw.err = jw.w.Write(bytes.TrimSuffix(jw.scratch.Bytes(), []byte("\n")))
}

// comments writes the comments array, an entry at a time, with nil argument
// lists as empty arrays.
func (jw *jsonWriter) comments(cs []digest.CommentResult) {
	if len(cs) == 0 {
		jw.raw("[]")
		return
	}
	jw.raw("[")
	var c digest.CommentResult // one copy, reused: a copy per comment would be an allocation per comment
	for i := range cs {
		if i > 0 {
			jw.raw(",")
		}
		jw.raw("\n    ")
		c = cs[i]
		if c.Arguments == nil {
			c.Arguments = []int{}
		}
		jw.value(&c, "    ")
	}
	jw.raw("\n  ]")
}

func (jw *jsonWriter) flush() error {
	if jw.err != nil {
		return jw.err
	}
	return jw.w.Flush()
}

// jsonField returns the name a struct field has in encoding/json's output
// and whether it is omitted when empty; ok is false for fields encoding/json
// leaves out.
func jsonField(f reflect.StructField) (name string, omitEmpty, ok bool) {
	if !f.IsExported() {
		return "", false, false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	for _, o := range strings.Split(opts, ",") {
		if o == "omitempty" {
			omitEmpty = true
		}
	}
	return name, omitEmpty, true
}

// isEmptyJSON is encoding/json's test for omitempty.
func isEmptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// withArrays returns d as JSON writes it: every nil list replaced by an
// empty one. It copies what it changes and leaves the caller's digest alone.
func withArrays(d digest.Digest) digest.Digest {
	d = withOuterArrays(d)
	comments := make([]digest.CommentResult, len(d.Comments))
	copy(comments, d.Comments)
	for i := range comments {
		if comments[i].Arguments == nil {
			comments[i].Arguments = []int{}
		}
	}
	d.Comments = comments
	return d
}

// withOuterArrays is withArrays but for the comments' argument lists, which
// JSON fills as it writes each comment rather than copying every comment.
func withOuterArrays(d digest.Digest) digest.Digest {
	if d.Arguments == nil {
		d.Arguments = []digest.Argument{}
	} else {
		args := make([]digest.Argument, len(d.Arguments))
		copy(args, d.Arguments)
		for i := range args {
			if args[i].CommentIDs == nil {
				args[i].CommentIDs = []string{}
			}
		}
		d.Arguments = args
	}
	if d.Rebuttals == nil {
		d.Rebuttals = []digest.Rebuttal{}
	}
	if d.Regions == nil {
		d.Regions = []digest.Region{}
	}
	if d.Comments == nil {
		d.Comments = []digest.CommentResult{}
	}
	return d
}
