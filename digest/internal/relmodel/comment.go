// Package relmodel is the reply-relation model: how a reply relates to the
// comment it answers (rebuttal, agreement or extension), read from the words
// of both by a multinomial logistic regression over hashed features. The
// digest runs it on every reply; relgen trains it from labelled comment
// pairs and writes the weights the digest embeds. Both read comments through
// this package, so that the model sees at run time exactly what it was
// trained on.
package relmodel

import (
	"strings"

	"github.com/threaddigest/threaddigest/internal/textproc"
)

// The classes, in the order of every probability vector.
const (
	Rebuttal = iota
	Agreement
	Extension
	Classes
)

// ClassNames names the classes for reports.
var ClassNames = [Classes]string{"rebuttal", "agreement", "extension"}

// MaxWords is how many words of a comment the model reads: replies make
// their point early, and the bound keeps a long comment from costing more
// than a short one.
const MaxWords = 120

// Comment is what the model reads of one comment: its first MaxWords words,
// lower-cased as textproc.Words gives them, sentence by sentence.
type Comment struct {
	Words []string
	// Hashes[k] is HashWord(Words[k]); Kinds[k] is KindOf(Words[k]). The
	// digest fills them from its vocabulary, which knows both.
	Hashes []uint64
	Kinds  []Kind
	// Ends[k] is the end (exclusive) in Words of sentence k.
	Ends []int32
	// Asks[k] reports whether sentence k is a question.
	Asks []bool
	// Lead is how many words at the start address someone by name ("@Ann",
	// "Lamont,"): they say who is answered, not how, and are read as one
	// address feature.
	Lead int
	// PlusOne reports that the body opens with "+1" (which has no word
	// but the number).
	PlusOne bool
	// Relays reports that the reply passes the parent on as a retweet
	// does ("“@News: Flights grounded …”"); the caller, who knows the
	// parent's author, sets it.
	Relays bool
}

// Reset empties c, keeping its storage.
func (c *Comment) Reset() {
	*c = Comment{Words: c.Words[:0], Hashes: c.Hashes[:0], Kinds: c.Kinds[:0], Ends: c.Ends[:0], Asks: c.Asks[:0]}
}

// Add appends a word with its hash and kind, and reports whether the
// comment has room for more.
func (c *Comment) Add(w string, hash uint64, kind Kind) bool {
	if len(c.Words) < MaxWords {
		c.Words = append(c.Words, w)
		c.Hashes = append(c.Hashes, hash)
		c.Kinds = append(c.Kinds, kind)
	}
	return len(c.Words) < MaxWords
}

// Full reports whether the comment holds MaxWords words.
func (c *Comment) Full() bool { return len(c.Words) >= MaxWords }

// EndSentence closes the sentence made of the words added since the last
// one; asks says whether it is a question.
func (c *Comment) EndSentence(asks bool) {
	if len(c.Ends) > 0 && int(c.Ends[len(c.Ends)-1]) == len(c.Words) || len(c.Words) == 0 {
		return // no words: no sentence
	}
	c.Ends = append(c.Ends, int32(len(c.Words)))
	c.Asks = append(c.Asks, asks)
}

// Read fills c from a comment body, as the digest reads it: sentences by
// textproc.AppendSentences, words by textproc.Words, the first MaxWords.
func (c *Comment) Read(body string) {
	c.Reset()
	for _, sp := range textproc.AppendSentences(nil, body) {
		if c.Full() {
			break
		}
		s := body[sp.Start:sp.End]
		textproc.Words(s, func(lower []byte, _ textproc.Word) {
			w := string(lower)
			c.Add(w, HashWord(w), KindOf(w))
		})
		c.EndSentence(Asks(s))
	}
	c.Lead = LeadingHandles(body)
	c.PlusOne = OpensPlusOne(body)
}

// LeadingHandles counts the words of the "@handle" run a body opens with
// ("@cnnbrk @DamoSpin …"): one handle, one field.
func LeadingHandles(body string) int {
	n := 0
	for _, f := range strings.Fields(body) {
		if !strings.HasPrefix(f, "@") {
			break
		}
		textproc.Words(f, func([]byte, textproc.Word) { n++ })
	}
	return n
}

// OpensPlusOne reports whether a body opens with "+1", after any "@handle"
// run.
func OpensPlusOne(body string) bool {
	for {
		body = strings.TrimLeft(body, " \t\r\n")
		if !strings.HasPrefix(body, "@") {
			break
		}
		i := strings.IndexAny(body, " \t\r\n")
		if i < 0 {
			return false
		}
		body = body[i:]
	}
	return strings.HasPrefix(body, "+1") && (len(body) == 2 || body[2] < '0' || body[2] > '9')
}

// Asks reports whether a sentence is a question: it ends with '?', closing
// quotes, brackets and '!' aside.
func Asks(sentence string) bool {
	for e := len(sentence) - 1; e >= 0; e-- {
		switch sentence[e] {
		case '?':
			return true
		case '"', '\'', ')', ' ', '!':
			continue
		}
		return false
	}
	return false
}

// Kind says what the features need to know of a word.
type Kind uint8

const (
	// Content: the word says what a comment is about (IsContent).
	Content Kind = 1 << iota
	// Negator: it negates what follows (textproc.IsNegator).
	Negator
	// You: it speaks to the reader ("you", "your").
	You
	// Contrast: it turns ("but", "however").
	Contrast
	// MarkStart: it starts a phrase of pushback or of agreement that the
	// features look for anywhere in a sentence.
	MarkStart
)

// KindOf returns the kind of a lower-case word. The digest calls it once
// per word of its vocabulary.
func KindOf(w string) Kind {
	var k Kind
	if IsContent(w) {
		k |= Content
	}
	if textproc.IsNegator(w) {
		k |= Negator
	}
	if secondPerson[w] {
		k |= You
	}
	if contrastWords[w] {
		k |= Contrast
	}
	if rebuttalMarks[w] != nil || agreementMarks[w] != nil {
		k |= MarkStart
	}
	return k
}

// IsContent reports whether a word says what a comment is about, as the
// digest's vocabulary tells content words: not a function word, not a
// number, more than one letter.
func IsContent(w string) bool {
	if len(w) < 2 || textproc.IsStopWord(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return true
		}
	}
	return false
}

// HashWord is the hash the features start from (64-bit FNV-1a).
func HashWord(w string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint64(w[i])) * 1099511628211
	}
	return h
}
