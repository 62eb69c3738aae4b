package render

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/threaddigest/threaddigest/digest"
)

// JSON writes d as indented JSON in the shape of digest.Digest's JSON tags,
// which README documents field by field. Lists are always arrays, never null,
// so that readers need not tell "none" from "missing". Text is verbatim: JSON
// escaping keeps it inert, and "<", ">" and "&" are written as \u escapes so
// that the output is also safe to embed in HTML.
func JSON(w io.Writer, d digest.Digest) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(withArrays(d)); err != nil {
		return fmt.Errorf("writing digest as JSON: %w", err)
	}
	return nil
}

// withArrays returns d with every nil list replaced by an empty one. It copies
// what it changes and leaves the caller's digest alone.
func withArrays(d digest.Digest) digest.Digest {
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
	} else {
		comments := make([]digest.CommentResult, len(d.Comments))
		copy(comments, d.Comments)
		for i := range comments {
			if comments[i].Arguments == nil {
				comments[i].Arguments = []int{}
			}
		}
		d.Comments = comments
	}
	return d
}
