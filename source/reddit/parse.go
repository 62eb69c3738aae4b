package reddit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/internal/jsonscan"
)

// Post is the part of a t3 (the post) that a digest uses.
type Post struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Permalink string `json:"permalink"`
}

// More is a `more` stub: ids of comments not in the listing.
type More struct {
	ID       string   `json:"id"`
	ParentID string   `json:"parent_id"`
	Count    int      `json:"count"`
	Children []string `json:"children"`
}

// t1 is the part of a comment's data that a digest uses.
type t1 struct {
	ID              string
	ParentID        string
	Author          string
	AuthorFullname  string
	AuthorFlairText *string
	Body            string
	BodyHTML        string
	CreatedUTC      float64
	Score           int
}

// maxDepth bounds how deep replies may nest in one answer. Reddit sends
// about ten levels and a "continue this thread" stub below them; an answer
// nesting more than this is not Reddit's, and is refused rather than read
// in part.
const maxDepth = 200

// ParseListing reads the answer to /comments/ID.json: an array of two
// listings, the post and its comment tree. Comments come parent first.
func ParseListing(body []byte) (Post, []threaddigest.Comment, []More, error) {
	a, err := newAnswer(body)
	if err != nil {
		return Post{}, nil, nil, fmt.Errorf("expected an array of two listings (post, comments): %v", err)
	}
	var ls []int
	switch i := a.ws(0); a.b[i] {
	case 'n': // null reads as no listings
	case '[':
		a.elements(i, func(v int) int {
			ls = append(ls, v)
			return a.end(v)
		})
	default:
		return Post{}, nil, nil, fmt.Errorf("expected an array of two listings (post, comments), found %s", a.what(i))
	}
	if len(ls) != 2 {
		return Post{}, nil, nil, fmt.Errorf("expected an array of two listings (post, comments), found %d", len(ls))
	}
	var post Post
	if _, err := a.listing(ls[0], func() { post = Post{} }, func(v int) (int, errs) { return a.post(v, &post) }); err != nil {
		return Post{}, nil, nil, fmt.Errorf("the post's listing: %v", err)
	}
	if post.ID == "" {
		return Post{}, nil, nil, fmt.Errorf("the first listing holds no post (kind t3 with an id)")
	}
	if _, err := a.listing(ls[1], a.resetTo(0, 0), func(v int) (int, errs) { return a.thing(v, 0) }); err != nil {
		return Post{}, nil, nil, fmt.Errorf("the comments' listing: %v", err)
	}
	return post, a.comments, a.mores, nil
}

// ParseMoreChildren reads the answer to /api/morechildren (api_type=json).
func ParseMoreChildren(body []byte) ([]threaddigest.Comment, []More, error) {
	a, err := newAnswer(body)
	if err != nil {
		return nil, nil, fmt.Errorf("morechildren: %v", err)
	}
	// {"json": {"errors": [...], "data": {"things": [...]}}}: the shape is
	// checked first, the things read last.
	var (
		hasJSON, hasData bool
		apiErrors        [][]any
		things           = -1
		shape            errs
	)
	top := a.ws(0)
	if a.b[top] != '{' && a.b[top] != 'n' {
		return nil, nil, fmt.Errorf("morechildren: expected an object {\"json\": …}, found %s", a.what(top))
	}
	a.object(top, func(key []byte, v int) int {
		if string(key) != "json" {
			return a.end(v)
		}
		hasJSON = a.b[v] == '{'
		if !hasJSON {
			hasData, apiErrors, things = false, nil, -1
			if a.b[v] != 'n' {
				shape.add(errs{shape: a.errAt(v, "\"json\" is %s, expected an object", a.what(v))})
				return a.end(v)
			}
		}
		return a.object(v, func(key []byte, w int) int {
			switch string(key) {
			case "errors":
				e := a.end(w)
				if err := json.Unmarshal(a.b[w:e], &apiErrors); err != nil {
					shape.add(errs{shape: a.errAt(w, "json.errors: %v", err)})
				}
				return e
			case "data":
				hasData = a.b[w] == '{'
				if !hasData {
					things = -1
					if a.b[w] != 'n' {
						shape.add(errs{shape: a.errAt(w, "json.data is %s, expected an object", a.what(w))})
						return a.end(w)
					}
				}
				return a.object(w, func(key []byte, x int) int {
					if string(key) != "things" {
						return a.end(x)
					}
					if things >= 0 {
						// Only the last things are read, but encoding/json
						// saw the shape of all.
						_, e := a.children(things, a.shape)
						shape.add(errs{shape: e.shape})
					}
					things = x
					return a.end(x)
				})
			}
			return a.end(w)
		})
	})
	switch {
	case shape.shape != nil:
		return nil, nil, fmt.Errorf("morechildren: %v", shape.shape)
	case !hasJSON:
		return nil, nil, fmt.Errorf("morechildren: no \"json\" object in the answer")
	case len(apiErrors) > 0:
		return nil, nil, fmt.Errorf("morechildren: Reddit answered errors %v", apiErrors)
	case !hasData:
		return nil, nil, fmt.Errorf("morechildren: no json.data.things in the answer")
	}
	if things >= 0 {
		if _, e := a.children(things, func(v int) (int, errs) { return a.thing(v, 0) }); e.first() != nil {
			return nil, nil, fmt.Errorf("morechildren: things: %v", e.first())
		}
	}
	return a.comments, a.mores, nil
}

// answer walks one answer from Reddit in a single pass. encoding/json can
// only read a tree whose `replies` is "" or a listing by decoding each
// level's subtree again (a json.RawMessage or an UnmarshalJSON per level),
// which costs depth times size: a 2 MB answer 199 levels deep took 4.4 s
// that way, and takes 31 ms this way (BenchmarkParseNested).
// So the answer is checked once with json.Valid and then walked by hand,
// finding where each value ends and decoding only the values a comment
// keeps, each with encoding/json so that they read exactly as it reads
// them (escapes, invalid UTF-8, case-insensitive keys, null, last key
// wins). Since the JSON is valid, the walk never stops at a problem: it
// notes it and goes on, and what a problem costs is decided where
// encoding/json would have decided it (a problem in the replies of a
// thing that turns out not to be a comment costs nothing).
type answer struct {
	b        []byte // valid JSON
	comments []threaddigest.Comment
	mores    []More
}

func newAnswer(body []byte) (*answer, error) {
	if !json.Valid(body) {
		var v json.RawMessage
		err := json.Unmarshal(body, &v) // to say what is wrong and where
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("malformed JSON at byte %d: %v", se.Offset, err)
		}
		return nil, fmt.Errorf("malformed JSON: %v", err)
	}
	return &answer{b: body}, nil
}

// errs are the problems found in a listing, of the two sorts the old
// decoding told apart: ones in its shape (a listing, its data, children,
// a thing or a kind of the wrong JSON type), which stand wherever they
// are, and ones in the things of its children, of which only the last
// "children" key counts.
type errs struct {
	shape, walk error
}

func (e *errs) add(o errs) {
	if e.shape == nil {
		e.shape = o.shape
	}
	if e.walk == nil {
		e.walk = o.walk
	}
}

func (e errs) first() error {
	if e.shape != nil {
		return e.shape
	}
	return e.walk
}

// errAt is an error about the value starting at b[i].
func (a *answer) errAt(i int, format string, args ...any) error {
	return fmt.Errorf(format+" (at byte %d)", append(args, i)...)
}

// what names the kind of the value at b[i] for messages.
func (a *answer) what(i int) string {
	switch a.b[i] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// resetTo returns a function that drops what was read after the given
// counts of comments and stubs: of repeated keys only the last counts.
func (a *answer) resetTo(comments, mores int) func() {
	return func() { a.comments, a.mores = a.comments[:comments], a.mores[:mores] }
}

// listing reads a Listing object at b[i] ({"kind": "Listing", "data":
// {"children": […]}}), calling reset at each "children" key and each for
// every child. null is an empty listing.
func (a *answer) listing(i int, reset func(), each func(v int) (int, errs)) (int, error) {
	if a.b[i] != '{' && a.b[i] != 'n' {
		return a.end(i), a.errAt(i, "expected a listing (an object), found %s", a.what(i))
	}
	var e errs
	end := a.object(i, func(key []byte, v int) int {
		if string(key) != "data" {
			return a.end(v)
		}
		if a.b[v] != '{' && a.b[v] != 'n' {
			e.add(errs{shape: a.errAt(v, "the listing's data is %s, expected an object", a.what(v))})
			return a.end(v)
		}
		return a.object(v, func(key []byte, w int) int {
			if string(key) != "children" {
				return a.end(w)
			}
			reset()
			e.walk = nil
			end, ce := a.children(w, each)
			e.add(ce)
			return end
		})
	})
	return end, e.first()
}

// children reads an array of things at b[i]; null is none.
func (a *answer) children(i int, each func(v int) (int, errs)) (int, errs) {
	if a.b[i] != '[' && a.b[i] != 'n' {
		return a.end(i), errs{shape: a.errAt(i, "children is %s, expected an array", a.what(i))}
	}
	var e errs
	end := a.elements(i, func(v int) int {
		end, te := each(v)
		e.add(te)
		return end
	})
	return end, e
}

// shape checks what the old decoding checked of a thing it did not read:
// that it is an object (or null) whose kind is a string.
func (a *answer) shape(i int) (int, errs) {
	if a.b[i] != '{' && a.b[i] != 'n' {
		return a.end(i), errs{shape: a.errAt(i, "expected a thing (an object with kind and data), found %s", a.what(i))}
	}
	var e errs
	end := a.object(i, func(key []byte, v int) int {
		end := a.end(v)
		if string(key) == "kind" {
			var kind string
			if err := a.leaf(v, end, &kind); err != nil {
				e.add(errs{shape: a.errAt(v, "kind: %v", err)})
			}
		}
		return end
	})
	return end, e
}

// post reads one thing of the first listing into p when it is the post.
func (a *answer) post(i int, p *Post) (int, errs) {
	if a.b[i] != '{' && a.b[i] != 'n' {
		return a.end(i), errs{shape: a.errAt(i, "expected a thing (an object with kind and data), found %s", a.what(i))}
	}
	var (
		kind          string
		e             errs
		data, dataEnd = -1, -1
	)
	end := a.object(i, func(key []byte, v int) int {
		end := a.end(v)
		switch string(key) {
		case "kind":
			if err := a.leaf(v, end, &kind); err != nil {
				e.add(errs{shape: a.errAt(v, "kind: %v", err)})
			}
		case "data":
			data, dataEnd = v, end
		}
		return end
	})
	if kind == "t3" {
		if data < 0 {
			e.add(errs{walk: a.errAt(i, "post: the thing has no data")})
		} else if err := json.Unmarshal(a.b[data:dataEnd], p); err != nil {
			e.add(errs{walk: a.errAt(data, "post: %v", err)})
		}
	}
	return end, e
}

// node is one thing's data. Its kind may come after it (JSON objects are
// unordered, and a proxy may sort keys), so until then it is read as both
// a comment and a `more` stub, and the problems of its fields are kept
// until the kind says which fields matter.
type node struct {
	c        t1
	count    int
	children []string
	errs     []fieldError
	replies  error // the first problem in its replies
}

type fieldError struct {
	field string // "" for the data as a whole
	err   error
}

// problem returns the first error of the fields that matter to a kind.
func (n *node) problem(fields ...string) error {
	for _, fe := range n.errs {
		if fe.field == "" {
			return fe.err
		}
		for _, f := range fields {
			if fe.field == f {
				return fmt.Errorf("%s: %v", fe.field, fe.err)
			}
		}
	}
	return nil
}

var (
	t1Fields   = []string{"id", "parent_id", "author", "author_fullname", "author_flair_text", "body", "body_html", "created_utc", "score"}
	moreFields = []string{"id", "parent_id", "count", "children"}
)

// repliesError is a problem somewhere below a comment, named by the
// comment whose replies hold it.
type repliesError struct {
	parent string
	err    error
}

func (e *repliesError) Error() string { return fmt.Sprintf("replies of %s: %v", e.parent, e.err) }

// thing reads a comment, a `more` stub or anything else Reddit lists, at
// depth levels of replies below the top. A comment takes its place before
// its replies, which are read (as part of its data) before the rest of it.
func (a *answer) thing(i, depth int) (int, errs) {
	if a.b[i] != '{' {
		return a.shape(i)
	}
	if depth > maxDepth {
		end, e := a.shape(i)
		e.add(errs{walk: a.errAt(i, "replies nested more than %d deep: Reddit sends about 10 levels in one answer", maxDepth)})
		return end, e
	}
	slot, mores := len(a.comments), len(a.mores)
	a.comments = append(a.comments, threaddigest.Comment{})
	var (
		kind     string
		kindSeen bool
		e        errs
		n        node
		data     = -1
	)
	end := a.object(i, func(key []byte, v int) int {
		switch string(key) {
		case "kind":
			end := a.end(v)
			if err := a.leaf(v, end, &kind); err != nil {
				e.add(errs{shape: a.errAt(v, "kind: %v", err)})
			}
			kindSeen = true
			return end
		case "data":
			a.resetTo(slot+1, mores)()
			n, data = node{}, v
			if !kindSeen {
				return a.data(v, depth, "", slot, mores, &n)
			}
			if kind == "t1" || kind == "more" {
				return a.data(v, depth, kind, slot, mores, &n)
			}
		}
		return a.end(v)
	})
	switch kind {
	case "t1":
		var err error
		switch {
		case data < 0:
			err = a.errAt(i, "a comment (kind t1) has no data")
		case n.problem(t1Fields...) != nil:
			err = a.errAt(data, "comment: %v", n.problem(t1Fields...))
		case n.c.ID == "":
			err = a.errAt(data, "a comment (kind t1) has no id")
		case n.replies != nil:
			err = n.replies
			if _, ok := err.(*repliesError); !ok {
				err = &repliesError{n.c.ID, err}
			}
		}
		if err != nil {
			a.resetTo(slot, mores)()
			e.add(errs{walk: err})
			break
		}
		a.comments[slot] = comment(n.c)
	case "more":
		a.resetTo(slot, mores)()
		if data < 0 {
			e.add(errs{walk: a.errAt(i, "a more stub has no data")})
			break
		}
		if err := n.problem(moreFields...); err != nil {
			e.add(errs{walk: a.errAt(data, "more: %v", err)})
			break
		}
		m := More{ID: n.c.ID, ParentID: n.c.ParentID, Count: n.count, Children: n.children}
		// A stub with no children is a "continue this thread" link: its
		// comments come with the parent's own page, not morechildren.
		if len(m.Children) > 0 || strings.HasPrefix(m.ParentID, "t1_") {
			a.mores = append(a.mores, m)
		}
	default:
		a.resetTo(slot, mores)()
	}
	return end, e
}

// data reads a thing's data at b[i] into n, as kind ("t1", "more", or ""
// when not yet known). The comment's slot and the stubs before it are
// where its replies start.
func (a *answer) data(i, depth int, kind string, slot, mores int, n *node) int {
	switch a.b[i] {
	case 'n':
		return i + len("null")
	case '{':
	default:
		n.errs = append(n.errs, fieldError{"", fmt.Errorf("data is %s, expected an object", a.what(i))})
		return a.end(i)
	}
	asComment, asMore := kind != "more", kind != "t1"
	return a.object(i, func(key []byte, v int) int {
		switch string(key) {
		case "id":
			return a.field(v, "id", &n.c.ID, n)
		case "parent_id":
			return a.field(v, "parent_id", &n.c.ParentID, n)
		case "replies":
			if !asComment {
				break
			}
			a.resetTo(slot+1, mores)()
			n.replies = nil
			if a.b[v] != '{' {
				break // "" when there are none
			}
			end, err := a.listing(v, a.resetTo(slot+1, mores), func(w int) (int, errs) { return a.thing(w, depth+1) })
			n.replies = err
			return end
		case "author":
			if asComment {
				return a.field(v, "author", &n.c.Author, n)
			}
		case "author_fullname":
			if asComment {
				return a.field(v, "author_fullname", &n.c.AuthorFullname, n)
			}
		case "author_flair_text":
			if asComment {
				return a.field(v, "author_flair_text", &n.c.AuthorFlairText, n)
			}
		case "body":
			if asComment {
				return a.field(v, "body", &n.c.Body, n)
			}
		case "body_html":
			if asComment {
				return a.field(v, "body_html", &n.c.BodyHTML, n)
			}
		case "created_utc":
			if asComment {
				return a.field(v, "created_utc", &n.c.CreatedUTC, n)
			}
		case "score":
			if asComment {
				return a.field(v, "score", &n.c.Score, n)
			}
		case "count":
			if asMore {
				return a.field(v, "count", &n.count, n)
			}
		case "children":
			if asMore {
				return a.field(v, "children", &n.children, n)
			}
		}
		return a.end(v)
	})
}

// field decodes the value at b[i] into dst, keeping a type error on n.
func (a *answer) field(i int, name string, dst any, n *node) int {
	e := a.end(i)
	if err := a.leaf(i, e, dst); err != nil {
		n.errs = append(n.errs, fieldError{name, err})
	}
	return e
}

// leaf decodes b[i:e] into dst as encoding/json does. The values most
// often read (plain strings, strings with simple escapes, numbers that fit)
// are decoded here; the rest, and every error, are left to encoding/json.
func (a *answer) leaf(i, e int, dst any) error {
	raw := a.b[i:e]
	switch dst := dst.(type) {
	case *string:
		if raw[0] == '"' {
			if s, ok := unquote(raw[1 : len(raw)-1]); ok {
				*dst = s
				return nil
			}
		}
	case *int:
		if n, err := strconv.ParseInt(string(raw), 10, 0); err == nil {
			*dst = int(n)
			return nil
		}
	case *float64:
		if raw[0] != 'n' {
			if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
				*dst = f
				return nil
			}
		}
	}
	return json.Unmarshal(raw, dst)
}

// unquote decodes the inside of a JSON string that is valid UTF-8 and has
// no \u escapes; ok is false for any other, which encoding/json decodes.
func unquote(in []byte) (string, bool) {
	if !utf8.Valid(in) {
		return "", false
	}
	esc := bytes.IndexByte(in, '\\')
	if esc < 0 {
		return string(in), true
	}
	out := make([]byte, 0, len(in))
	for esc >= 0 {
		out = append(out, in[:esc]...)
		if esc+1 >= len(in) {
			return "", false
		}
		switch in[esc+1] {
		case '"', '\\', '/':
			out = append(out, in[esc+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		default: // \u
			return "", false
		}
		in = in[esc+2:]
		esc = bytes.IndexByte(in, '\\')
	}
	return string(append(out, in...)), true
}

// object calls each with every member of the object (or null) at b[i]:
// the key, folded as encoding/json matches keys to fields, and where its
// value starts; each returns where the value ends. object returns where
// the object ends.
func (a *answer) object(i int, each func(key []byte, v int) int) int {
	b := a.b
	if b[i] == 'n' {
		return i + len("null")
	}
	for i = a.ws(i + 1); b[i] != '}'; i = a.ws(i) {
		if b[i] == ',' {
			i = a.ws(i + 1)
		}
		k := a.strEnd(i)
		v := a.ws(a.ws(k) + 1) // past the colon
		i = each(foldKey(b[i+1:k-1]), v)
	}
	return i + 1
}

// elements calls each with where every element of the array (or null) at
// b[i] starts; each returns where the element ends.
func (a *answer) elements(i int, each func(v int) int) int {
	b := a.b
	if b[i] == 'n' {
		return i + len("null")
	}
	for i = a.ws(i + 1); b[i] != ']'; i = a.ws(i) {
		if b[i] == ',' {
			i = a.ws(i + 1)
		}
		i = each(i)
	}
	return i + 1
}

// foldKey returns a key as it is compared with the (lower-case ASCII)
// names read here: unescaped and folded as encoding/json folds names, so
// that "Kind" or "\u006bind" reads as "kind" there too. Most keys are
// lower-case ASCII already and come back as they are.
func foldKey(raw []byte) []byte {
	plain := true
	for _, c := range raw {
		if c >= utf8.RuneSelf || c == '\\' || 'A' <= c && c <= 'Z' {
			plain = false
			break
		}
	}
	if plain {
		return raw
	}
	if bytes.IndexByte(raw, '\\') >= 0 {
		var s string
		if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s) == nil {
			raw = []byte(s)
		}
	}
	out := make([]byte, 0, len(raw))
	for len(raw) > 0 {
		r, size := utf8.DecodeRune(raw)
		raw = raw[size:]
		r = unicode.ToUpper(unicode.ToLower(r)) // encoding/json's fold
		if r < utf8.RuneSelf {
			r = unicode.ToLower(r)
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

func (a *answer) ws(i int) int { return jsonscan.Space(a.b, i) }

// strEnd returns where the string starting at b[i] == '"' ends.
func (a *answer) strEnd(i int) int { return jsonscan.StringEnd(a.b, i) }

// end returns where the value starting at b[i] ends.
func (a *answer) end(i int) int { return jsonscan.ValueEnd(a.b, i) }
