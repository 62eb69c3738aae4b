package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/digest"
)

// TestJSONStreamsWhatEncoderWrites checks that JSON, which writes a digest a
// field and a comment at a time, writes exactly the bytes encoding/json
// writes for the whole value, for digests full, empty, with context and with
// every list nil.
func TestJSONStreamsWhatEncoderWrites(t *testing.T) {
	withContext := sample()
	withContext.Context = &digest.Context{NewComments: 3, NewCommenters: 3, TotalComments: 9, TotalCommenters: 7,
		ThreadStance: digest.Stance{Target: "Huawei", Favor: 1}, Lean: "the new comments lean <more> against & Huawei"}
	hostile := hostileDigest("<script>\"x\"</script> \u2028 & \x01 é")
	oneNilComment := digest.Digest{Comments: []digest.CommentResult{{ID: "1", Stance: "none"}}}
	for name, d := range map[string]digest.Digest{
		"sample":       sample(),
		"context":      withContext,
		"empty":        {},
		"hostile":      hostile,
		"nil lists":    oneNilComment,
		"big":          bigDigest(500),
		"bigger":       bigDigest(5000), // encoded on several goroutines
		"empty quotes": {Title: "t", Stance: digest.Stance{FavorQuote: &digest.Quote{}}},
	} {
		t.Run(name, func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			versioned := struct {
				SchemaVersion int `json:"schema_version"`
				digest.Digest
			}{JSONSchemaVersion, withArrays(d)}
			if err := enc.Encode(versioned); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := JSON(&got, d); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				g, w := got.String(), want.String()
				i := 0
				for i < len(g) && i < len(w) && g[i] == w[i] {
					i++
				}
				t.Errorf("output differs from encoding/json at byte %d:\n got …%q\nwant …%q", i, tail(g, i), tail(w, i))
			}
		})
	}
}

func tail(s string, i int) string {
	s = s[max(0, i-40):]
	if len(s) > 120 {
		s = s[:120]
	}
	return strings.ToValidUTF8(s, "?")
}

// failingWriter fails every write after the first n bytes.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errShortDisk
	}
	w.n -= len(p)
	return len(p), nil
}

var errShortDisk = errors.New("disk full")

func TestJSONReportsWriteError(t *testing.T) {
	err := JSON(&failingWriter{n: 1000}, bigDigest(2000))
	if !errors.Is(err, errShortDisk) || !strings.Contains(err.Error(), "writing digest as JSON") {
		t.Fatalf("got %v, want the write error", err)
	}
	err = JSON(&failingWriter{n: 1 << 20}, bigDigest(20000)) // fails mid-way through the comments
	if !errors.Is(err, errShortDisk) || !strings.Contains(err.Error(), "writing digest as JSON") {
		t.Fatalf("got %v, want the write error", err)
	}
}
