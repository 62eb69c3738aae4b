// Package threaddigest holds the domain types shared by every stage of the
// pipeline: a source or an input file produces Threads of Comments, the store
// keeps them, the digest package analyses them, and the bot delivers the result.
//
// The types here carry no behaviour beyond small helpers, so that every other
// package can depend on them without depending on each other.
package threaddigest

import (
	"time"

	"golang.org/x/text/unicode/norm"
)

// Comment is one comment of a thread, as its source gave it. Text fields are
// kept exactly as written by the commenter (after the source's own format has
// been decoded, e.g. HTML entities turned into characters), because the digest
// quotes them verbatim.
type Comment struct {
	// ID is unique within its thread. A comment whose source gives it no id
	// (the comment-page text format) gets one made from its author and text
	// (input.ContentID), which no insertion of other comments changes.
	ID string
	// ParentID is the ID of the comment this one explicitly replies to, or ""
	// when the source records no parent. Replies written as "@Name …" are
	// linked by the digest, not here.
	ParentID string
	// Author is the commenter's display name.
	Author string
	// AuthorID identifies the commenter when the source has a stable id
	// (user id, account name); "" otherwise. The digest counts commenters by
	// AuthorID when set and by Author otherwise.
	AuthorID string
	// Location is the commenter's free-text location ("Boulder, Co", "köln"),
	// or "" when none was given.
	Location string
	// Body is the comment text, plain text with line breaks as "\n".
	Body string
	// CreatedAt is when the comment was posted; the zero time when unknown.
	CreatedAt time.Time
	// Likes counts recommendations, up-votes or likes; 0 when unknown.
	Likes int
	// Deleted marks a comment deleted or removed at its source. It is kept so
	// that replies to it still have a parent, but it is not digested.
	Deleted bool
	// URL is the comment's permalink when its source has one (Reddit,
	// Hacker News, Discourse, Disqus, a JSON API mapping with url); ""
	// otherwise. Digests link their quotes to it.
	URL string
}

// CommenterKey is the key by which the digest counts distinct commenters:
// the AuthorID when the source has one, else the name in Unicode's canonical
// composition (NFC), so that a name typed with a precomposed "ë" and the
// same name typed as "e" and a combining diaeresis — identical on screen,
// the same text to Unicode — are one commenter. Names that differ in case,
// width or compatibility characters stay apart. See testkit/nasty.
func (c Comment) CommenterKey() string {
	if c.AuthorID != "" {
		return "id:" + c.AuthorID
	}
	return "name:" + norm.NFC.String(c.Author)
}

// Thread is a discussion: the comments under one article, post or topic.
type Thread struct {
	// ID names the thread within its source (an NYT articleID, a Reddit post
	// id); "" for a file that holds a single unnamed thread.
	ID string
	// Title is the title of the article or post, or "" when unknown.
	Title string
	// URL is where the thread lives, when known.
	URL string
	// Comments in the order the source gave them, which for files is the
	// order of the file.
	Comments []Comment
}
