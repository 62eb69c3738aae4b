package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/geo"
	"github.com/threaddigest/threaddigest/input"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
	"github.com/threaddigest/threaddigest/render"
)

const schemaFile = "../../docs/digest.schema.json"

// schemas compiles docs/digest.schema.json twice: as published, which lets
// readers meet fields added under the same schema_version, and strict, with
// every object closed (additionalProperties false), so that a field the
// output gains without being described in the schema fails the tests here.
func schemas(t *testing.T) (published, strict *jsonschema.Schema) {
	t.Helper()
	raw, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	compile := func(doc any) *jsonschema.Schema {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource("digest.schema.json", doc); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile("digest.schema.json")
		if err != nil {
			t.Fatalf("%s does not compile: %v", schemaFile, err)
		}
		return s
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", schemaFile, err)
	}
	published = compile(doc)
	closed, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	closeObjects(closed)
	return published, compile(closed)
}

// closeObjects sets additionalProperties false on every schema object that
// lists properties and says nothing of others.
func closeObjects(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["properties"].(map[string]any); ok {
			if _, set := v["additionalProperties"]; !set {
				v["additionalProperties"] = false
			}
		}
		for _, child := range v {
			closeObjects(child)
		}
	case []any:
		for _, child := range v {
			closeObjects(child)
		}
	}
}

func validate(t *testing.T, s *jsonschema.Schema, name string, out []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("%s: the output is not JSON: %v", name, err)
	}
	return s.Validate(inst)
}

// checkOutput validates one `digest --format json` output against both
// variants of the schema.
func checkOutput(t *testing.T, published, strict *jsonschema.Schema, name string, out []byte) {
	t.Helper()
	if err := validate(t, strict, name, out); err != nil {
		t.Errorf("%s does not follow %s (closed objects: a new field must be described there):\n%v", name, schemaFile, err)
	}
	if err := validate(t, published, name, out); err != nil {
		t.Errorf("%s does not follow %s:\n%v", name, schemaFile, err)
	}
	var head struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(out, &head); err != nil || head.SchemaVersion == nil || *head.SchemaVersion != render.JSONSchemaVersion {
		t.Errorf("%s: schema_version is not %d", name, render.JSONSchemaVersion)
	}
}

func digestJSON(t *testing.T, args ...string) []byte {
	t.Helper()
	out, stderr, err := runCmd(t, "", append([]string{"digest", "--format", "json"}, args...)...)
	if err != nil {
		t.Fatalf("digest %v: %v\n%s", args, err, stderr)
	}
	return []byte(out)
}

// TestDigestJSONSchema validates real output of `digest --format json`: the
// bundled examples, a digest of new comments (which carries context), and,
// when ../shared/data is present, real threads from every data set that has
// comment text.
func TestDigestJSONSchema(t *testing.T) {
	published, strict := schemas(t)
	examples, err := filepath.Glob("../../examples/*")
	if err != nil || len(examples) == 0 {
		t.Fatalf("no bundled examples: %v", err)
	}
	for _, ex := range examples {
		checkOutput(t, published, strict, ex, digestJSON(t, ex))
	}
	checkOutput(t, published, strict, "a digest of new comments", newCommentsJSON(t))

	dir, err := shareddata.Find()
	if err != nil {
		t.Logf("real threads not checked: %v", err)
		return
	}
	type set struct {
		file    string
		mapping string
		threads int // how many of the file's threads to check; 0 for all
	}
	rumour := "id=tweet_id,parent_id=parent_id,author=user_screen_name,author_id=user_id,location=user_location,body=text,thread=thread_id,created_at=created_at"
	globe := "id=ID,parent_id=parentID,author=author,body=text,thread=article_id,created_at=timestamp,likes=posVotes,deleted=status"
	sets := []set{
		{file: "nyt-comments-kaggle-samples/CommentsMarch2018_sample.csv"},
		{file: "nyt-comments-kaggle-samples/CommentsMay2017_sample.csv"},
		{file: "rumoureval2017-twitter-threads/tweets.jsonl", mapping: rumour, threads: 8},
		{file: "globe-and-mail-comment-threads-sfu/old_comments.csv", mapping: globe, threads: 8},
	}
	labelled, _ := filepath.Glob(filepath.Join(dir, "threads-labelled", "*.jsonl"))
	for _, f := range labelled {
		rel, _ := filepath.Rel(dir, f)
		sets = append(sets, set{file: rel})
	}
	checked := 0
	for _, s := range sets {
		path := filepath.Join(dir, s.file)
		ids := threadIDs(t, path, s.mapping)
		if s.threads > 0 && len(ids) > s.threads {
			ids = ids[:s.threads]
		}
		for _, id := range ids {
			args := []string{path}
			if s.mapping != "" {
				args = append(args, "--map", s.mapping)
			}
			if id != "" {
				args = append(args, "--thread", id)
			}
			checkOutput(t, published, strict, fmt.Sprintf("%s thread %q", s.file, id), digestJSON(t, args...))
			checked++
		}
	}
	t.Logf("%d real threads follow the schema", checked)
}

// threadIDs lists the threads of a data file.
func threadIDs(t *testing.T, path, mapping string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := input.ParseMap(mapping)
	if err != nil {
		t.Fatal(err)
	}
	res, err := input.Read(f, path, input.Options{Map: m})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, th := range res.Threads {
		ids = append(ids, th.ID)
	}
	return ids
}

// newCommentsJSON is the example thread digested as the service digests it
// after a slot: its last ten comments new, the rest context.
func newCommentsJSON(t *testing.T) []byte {
	t.Helper()
	f, err := os.Open(example)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := input.Read(f, example, input.Options{})
	if err != nil {
		t.Fatal(err)
	}
	th := res.Threads[0]
	fresh := make(map[string]bool)
	for _, c := range th.Comments[len(th.Comments)-10:] {
		fresh[c.ID] = true
	}
	loc, err := geo.NewResolver(geo.Options{Home: "US"})
	if err != nil {
		t.Fatal(err)
	}
	d := digest.Analyze(th, digest.Options{Locator: loc, New: fresh})
	if d.Context == nil {
		t.Fatal("a digest of new comments has no context")
	}
	var b bytes.Buffer
	if err := render.JSON(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The schema is not a formality: it refuses outputs that break the
// contract, and the strict variant refuses a field it does not describe.
func TestDigestJSONSchemaRefuses(t *testing.T) {
	published, strict := schemas(t)
	good := digestJSON(t, example)
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	first := func(m map[string]any, key string) map[string]any {
		return m[key].([]any)[0].(map[string]any)
	}
	bad := map[string][]byte{
		"count as a string":      edit(func(m map[string]any) { m["comment_count"] = "54" }),
		"negative count":         edit(func(m map[string]any) { m["commenter_count"] = -1 }),
		"no schema_version":      edit(func(m map[string]any) { delete(m, "schema_version") }),
		"another schema_version": edit(func(m map[string]any) { m["schema_version"] = 2 }),
		"arguments null":         edit(func(m map[string]any) { m["arguments"] = nil }),
		"share above 1":          edit(func(m map[string]any) { first(m, "arguments")["share"] = 1.5 }),
		"unknown stance":         edit(func(m map[string]any) { first(m, "comments")["stance"] = "maybe" }),
		"unknown region":         edit(func(m map[string]any) { first(m, "comments")["region"] = "Atlantis" }),
		"lower-case country":     edit(func(m map[string]any) { first(m, "comments")["country"] = "de" }),
		"quote without text": edit(func(m map[string]any) {
			delete(first(m, "arguments")["quote"].(map[string]any), "text")
		}),
		"span not a time": edit(func(m map[string]any) { m["span"] = map[string]any{"first": "yesterday", "last": "today"} }),
	}
	for name, out := range bad {
		if validate(t, published, name, out) == nil {
			t.Errorf("%s: the published schema accepts it", name)
		}
	}
	added := edit(func(m map[string]any) { m["unplaced_comments"] = 3 })
	if err := validate(t, published, "added field", added); err != nil {
		t.Errorf("the published schema refuses a new field, so readers could not meet one: %v", err)
	}
	if validate(t, strict, "added field", added) == nil {
		t.Error("the strict schema accepts a field it does not describe")
	}
	if !strings.Contains(string(good), `"schema_version": 1`) {
		t.Error("the output does not start with schema_version")
	}
}
