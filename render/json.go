package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"github.com/threaddigest/threaddigest/digest"
)

// JSONSchemaVersion is the "schema_version" JSON writes first. The schema is
// docs/digest.schema.json. The number changes only when a field is removed,
// renamed or changes its type or meaning; fields may be added under the same
// number, so readers should ignore fields they do not know.
const JSONSchemaVersion = 1

// JSON writes d as indented JSON: "schema_version" (JSONSchemaVersion), then
// the fields in the shape of digest.Digest's JSON tags, which README and
// docs/digest.schema.json document field by field. Lists are always arrays, never null,
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
	jw.raw("{\n  \"schema_version\": " + strconv.Itoa(JSONSchemaVersion))
	v := reflect.ValueOf(d)
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name, omitEmpty, ok := jsonField(t.Field(i))
		if !ok || omitEmpty && isEmptyJSON(v.Field(i)) {
			continue
		}
		jw.raw(",\n  ")
		jw.value(name, "")
		jw.raw(": ")
		if name == "comments" {
			jw.comments(d.Comments)
		} else {
			jw.value(v.Field(i).Interface(), "  ")
		}
	}
	jw.raw("\n}\n")
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
// lists as empty arrays. Long arrays are encoded a run of comments at a
// time on several goroutines and written in order: the same bytes, sooner.
func (jw *jsonWriter) comments(cs []digest.CommentResult) {
	if len(cs) == 0 {
		jw.raw("[]")
		return
	}
	jw.raw("[")
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	if len(cs) < 2*commentRun || workers == 1 {
		var buf bytes.Buffer
		jw.err = encodeComments(&buf, cs, 0)
		if jw.err == nil {
			_, jw.err = jw.w.Write(buf.Bytes())
		}
		jw.raw("\n  ]")
		return
	}
	// Run r is encoded by worker r % workers, which hands its runs over in
	// order through its own channel; two runs per worker are in flight at
	// most, so memory stays bounded whatever the number of comments.
	runs := (len(cs) + commentRun - 1) / commentRun
	done := make(chan struct{})
	defer close(done)
	out := make([]chan *bytes.Buffer, workers)
	free := make([]chan *bytes.Buffer, workers)
	errs := make([]error, workers)
	for w := range out {
		out[w] = make(chan *bytes.Buffer, 1)
		free[w] = make(chan *bytes.Buffer, 2)
		go func() {
			defer close(out[w])
			for r := w; r < runs; r += workers {
				var buf *bytes.Buffer
				select {
				case buf = <-free[w]:
					buf.Reset()
				default:
					buf = new(bytes.Buffer)
				}
				lo, hi := r*commentRun, min(len(cs), (r+1)*commentRun)
				if errs[w] = encodeComments(buf, cs[lo:hi], lo); errs[w] != nil {
					return
				}
				select {
				case out[w] <- buf:
				case <-done:
					return
				}
			}
		}()
	}
	for r := 0; r < runs && jw.err == nil; r++ {
		w := r % workers
		buf, ok := <-out[w]
		if !ok {
			jw.err = errs[w]
			break
		}
		_, jw.err = jw.w.Write(buf.Bytes())
		select {
		case free[w] <- buf:
		default:
		}
	}
	jw.raw("\n  ]")
}

// commentRun is the number of comments a goroutine encodes at a time.
const commentRun = 1024

// encodeComments writes the entries of cs, the first being entry first of
// the array, each after its separator and indentation.
func encodeComments(buf *bytes.Buffer, cs []digest.CommentResult, first int) error {
	var scratch bytes.Buffer
	enc := json.NewEncoder(&scratch)
	enc.SetIndent("    ", "  ")
	var c digest.CommentResult // one copy, reused: a copy per comment would be an allocation per comment
	for i := range cs {
		if first+i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n    ")
		c = cs[i]
		if c.Arguments == nil {
			c.Arguments = []int{}
		}
		scratch.Reset()
		if err := enc.Encode(&c); err != nil {
			return err
		}
		buf.Write(bytes.TrimSuffix(scratch.Bytes(), []byte("\n")))
	}
	return nil
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
