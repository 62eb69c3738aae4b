package digest

import (
	"testing"

	"github.com/threaddigest/threaddigest"
)

// cm builds a comment; ids are given explicitly so tests read clearly.
func cm(id, author, body string) threaddigest.Comment {
	return threaddigest.Comment{ID: id, Author: author, Body: body}
}

func withParent(c threaddigest.Comment, parent string) threaddigest.Comment {
	c.ParentID = parent
	return c
}

func TestReplyLinks(t *testing.T) {
	tests := []struct {
		name     string
		comments []threaddigest.Comment
		want     map[string]string // comment id -> parent id; absent: no parent
	}{
		{
			// Answering from the top of the page, by name: "HJK cites:",
			// "alberta guy writes", "Ann, …".
			name: "a top-level comment opening with an earlier commenter's name answers them",
			comments: []threaddigest.Comment{
				cm("a", "HJK", "The models fail."),
				cm("b", "alberta guy", "Arctic ice increased 60% this year."),
				cm("c", "Walrus Jr.", "HJK cites: a graph. Do you know what you are looking at?"),
				cm("d", "Mark", "Alberta Guy writes '60%'. Now that's funny."),
				cm("e", "Bo", "Mark, the graph is fine."),
				cm("f", "HJK", "HJK: my own name links nothing."),
			},
			want: map[string]string{"c": "a", "d": "b", "e": "d"},
		},
		{
			name: "a name that is a common word, or not followed by a colon, a comma or a citing word, links nothing",
			comments: []threaddigest.Comment{
				cm("a", "One", "First."),
				cm("b", "A", "Second."),
				cm("c", "Ann", "Third."),
				cm("d", "Bo", "One thing: a couple of decades ago it was fine."),
				cm("e", "Cy", "A, B and C are options."),
				cm("f", "Di", "Ann Arbor is lovely."),
			},
			want: map[string]string{},
		},
		{
			name: "explicit parent id",
			comments: []threaddigest.Comment{
				cm("a", "Ann", "Top."),
				withParent(cm("b", "Bo", "Reply."), "a"),
			},
			want: map[string]string{"b": "a"},
		},
		{
			// A parent id the input does not hold (deleted upstream, not
			// fetched): an "@Name" in the text links the reply, else it
			// stays a reply to that id.
			name: "explicit parent that is not in the thread falls back to the text",
			comments: []threaddigest.Comment{
				cm("a", "Ann", "Top."),
				withParent(cm("b", "Bo", "@Ann yes."), "zzz"),
				withParent(cm("c", "Cy", "Orphan."), "zzz"),
			},
			want: map[string]string{"b": "a", "c": "zzz"},
		},
		{
			name: "a comment is never its own parent",
			comments: []threaddigest.Comment{
				withParent(cm("a", "Ann", "Top."), "a"),
			},
			want: map[string]string{},
		},
		{
			name: "@Name resolves to the latest earlier comment by that name",
			comments: []threaddigest.Comment{
				cm("1", "Ann", "First."),
				cm("2", "Bo", "Second."),
				cm("3", "Ann", "Third."),
				cm("4", "Cy", "@Ann that is wrong."),
				cm("5", "Ann", "Later, after the reply."),
			},
			want: map[string]string{"4": "3"},
		},
		{
			name: "longest name wins",
			comments: []threaddigest.Comment{
				cm("1", "Anna", "One."),
				cm("2", "Anna Maria", "Two."),
				cm("3", "Bo", "@Anna Maria you are right."),
				cm("4", "Cy", "@Anna you too."),
			},
			want: map[string]string{"3": "2", "4": "1"},
		},
		{
			name: "names with dots, digits and apostrophes, then punctuation",
			comments: []threaddigest.Comment{
				cm("1", "J.R. Martin", "One."),
				cm("2", "mike_77", "Two."),
				cm("3", "Kathy O'Neil", "Three."),
				cm("4", "Bo", "@J.R. Martin, no."),
				cm("5", "Cy", "@mike_77: sure."),
				cm("6", "Di", "@Kathy O'Neil— indeed."),
			},
			want: map[string]string{"4": "1", "5": "2", "6": "3"},
		},
		{
			name: "NFKC and case folding",
			comments: []threaddigest.Comment{
				cm("1", "Sabine Müller", "One."),
				cm("2", "JOHN", "Two."),
				cm("3", "Bo", "@sabine MÜLLER agreed."),
				cm("4", "Cy", "＠ｊｏｈｎ fullwidth."),
				cm("5", "Di", "@Sabine Mu\u0308ller decomposed."),
			},
			want: map[string]string{"3": "1", "4": "2", "5": "1"},
		},
		{
			name: "not replies: space after @, e-mail, @ inside, @everyone, a longer word, an unknown name",
			comments: []threaddigest.Comment{
				cm("1", "Bob", "One."),
				cm("2", "everyone", "A commenter unluckily named."),
				cm("3", "Cy", "@ 5pm we meet."),
				cm("4", "Di", "Mail bob@example.com for the data."),
				cm("5", "Ed", "I told @Bob already."),
				cm("6", "Fay", "@everyone read this."),
				cm("7", "Gus", "@Bobby are you there?"),
				cm("8", "Hal", "@Nobody knows."),
				cm("9", "Ivy", "@"),
			},
			want: map[string]string{},
		},
		{
			name: "a mention of oneself is no reply",
			comments: []threaddigest.Comment{
				cm("1", "Bob", "One."),
				cm("2", "Bob", "@Bob correcting myself."),
			},
			want: map[string]string{},
		},
		{
			name: "only earlier comments count",
			comments: []threaddigest.Comment{
				cm("1", "Bo", "@Zed who?"),
				cm("2", "Zed", "Me."),
			},
			want: map[string]string{},
		},
		{
			name: "a leading run of mentions: the first known name",
			comments: []threaddigest.Comment{
				cm("1", "BBCBreaking", "News."),
				cm("2", "someone", "@unknown_person @BBCBreaking is this true?"),
			},
			want: map[string]string{"2": "1"},
		},
		{
			name: "within a two-person exchange, the comment addressed to the replier",
			comments: []threaddigest.Comment{
				cm("1", "ann", "News."),
				cm("2", "cy", "Comment."),
				cm("3", "bo", "@ann source?"),
				cm("4", "ann", "@bo here is the source"),
				cm("5", "ann", "@cy thanks"),
				cm("6", "bo", "@ann that link is broken"),
				cm("7", "di", "@ann what news?"),
			},
			want: map[string]string{"3": "1", "4": "3", "5": "2", "6": "4", "7": "5"},
		},
		{
			name: "a reply to a deleted comment keeps its parent",
			comments: []threaddigest.Comment{
				{ID: "1", Author: "Ann", Body: "[deleted]", Deleted: true},
				withParent(cm("2", "Bo", "I disagree."), "1"),
			},
			want: map[string]string{"2": "1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Analyze(threaddigest.Thread{Comments: tt.comments}, Options{})
			got := map[string]string{}
			for _, c := range d.Comments {
				if c.ReplyTo != nil {
					got[c.ID] = *c.ReplyTo
					if c.Relation == nil {
						t.Errorf("comment %s replies but has no relation", c.ID)
					}
				} else if c.Relation != nil {
					t.Errorf("comment %s has a relation but no parent", c.ID)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("links = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("comment %s: reply_to = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
}
