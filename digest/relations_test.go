package digest

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/digest/internal/relmodel"
)

// relationsOf runs the analysis up to the relation step.
func relationsOf(th threaddigest.Thread) *analysis {
	a := newAnalysis(th, Options{})
	a.tokenize()
	a.linkReplies()
	a.classifyRelations()
	return a
}

// TestReadCommentMatchesRead: what the digest hands the model from its
// token stream is what relgen trained on, read from the body.
func TestReadCommentMatchesRead(t *testing.T) {
	bodies := []string{
		"No, that is simply wrong. The cost is overstated!",
		"@Ann @Bo +1 — so true… Is it? Yes.",
		"Absolute, total nonsense.This comment could not be farther from the truth.The 1990 IPCC report uses the term.",
		"Mr. Cranston, e.g. the U.S. and Dr. Smith's work? 'Quoted.' (Aside!)",
		"Ünïcödé wörds, don’t can't Trump's «quotes» 2019 1.5 ½.",
		strings.Repeat("A long comment goes on and on. ", 60),
		"",
		"   \n\n  ",
		"🙂🙂 ?!",
	}
	var th threaddigest.Thread
	for i, b := range bodies {
		th.Comments = append(th.Comments, cm(string(rune('a'+i)), "x", b))
	}
	a := newAnalysis(th, Options{})
	a.tokenize()
	a.linkReplies()
	words := a.relWords()
	for i, b := range bodies {
		var got, want relmodel.Comment
		a.readComment(i, &got, words)
		want.Read(b)
		want.Lead = 0 // the digest sets the address itself
		if !slices.Equal(got.Words, want.Words) || !slices.Equal(got.Hashes, want.Hashes) || !slices.Equal(got.Kinds, want.Kinds) ||
			!slices.Equal(got.Ends, want.Ends) || !slices.Equal(got.Asks, want.Asks) || got.PlusOne != want.PlusOne {
			t.Errorf("%q:\n digest %+v\n  model %+v", b, got, want)
		}
	}
}

// flatBranch is a Globe and Mail style branch: every reply's parent id is
// the first comment, whoever it answers.
func flatBranch(replies ...threaddigest.Comment) threaddigest.Thread {
	th := threaddigest.Thread{Comments: []threaddigest.Comment{
		cm("1", "Geoffrey May", "Every academy of sciences agrees that the world is warming from human emissions."),
	}}
	for _, r := range replies {
		th.Comments = append(th.Comments, withParent(r, "1"))
	}
	return th
}

func TestSiblingAnswers(t *testing.T) {
	th := flatBranch(
		cm("2", "Lamont Cranston", "No, the climate has not warmed for 15 years. Your academies are wrong."),
		// Names the sibling it answers and agrees with him: against the
		// branch's first comment.
		cm("3", "shiftless2", "Lamont, you are right, well said."),
		// Names the sibling and pushes back on him: with the first comment.
		cm("4", "Bob Beal", "Mr. Cranston, that is simply wrong. The 1990 report said it plainly."),
		// Quotes the sibling.
		cm("5", "LPB", "'the climate has not warmed for 15 years' is false: it warmed 0.12 C."),
		// Answers the first comment itself.
		cm("6", "Eyes-Open", "Geoffrey, nonsense. Not one of them looked at the data."),
	)
	a := relationsOf(th)
	for _, tt := range []struct {
		i, answers int
		stated     int8
	}{
		{1, 0, relRebuttal},
		{2, 1, relRebuttal},
		{3, 1, relAgreement},
		{4, 1, relAgreement},
		{5, 0, relRebuttal},
	} {
		if got := a.answers[tt.i]; got != int32(tt.answers) {
			t.Errorf("comment %s answers %d, want %d", th.Comments[tt.i].ID, got, tt.answers)
		}
		if got := a.relation[tt.i]; got != tt.stated {
			t.Errorf("comment %s: relation to its stated parent %s, want %s (answer %v, stated %v)", th.Comments[tt.i].ID,
				relationName(got), relationName(tt.stated), a.answerProb[tt.i], a.relProb[tt.i])
		}
		if s := a.relProb[tt.i][0] + a.relProb[tt.i][1] + a.relProb[tt.i][2]; math.Abs(float64(s)-1) > 1e-5 {
			t.Errorf("comment %s: probabilities add up to %v", th.Comments[tt.i].ID, s)
		}
	}
}

// TestSelfReplyDefends: an author who rebuts the sibling that rebutted
// their comment defends it, which is agreement with it; one who thanks
// or asks a sibling goes on with their own point.
func TestSelfReplyDefends(t *testing.T) {
	th := flatBranch(
		cm("2", "Lamont Cranston", "No, the climate has not warmed for 15 years. Your academies are wrong."),
		cm("3", "Geoffrey May", "Lamont, that is simply wrong. The satellites show the warming plainly."),
		cm("4", "Bob Beal", "Thanks for the link."),
		cm("5", "Geoffrey May", "Bob, thank you, well said."),
	)
	a := relationsOf(th)
	if a.answers[2] != 1 || a.relation[2] != relAgreement {
		t.Errorf("self-reply rebutting the sibling that rebutted: answers %d, %s (answer %v, stated %v), want agreement through 1",
			a.answers[2], relationName(a.relation[2]), a.answerProb[2], a.relProb[2])
	}
	if a.answers[4] != 3 || a.relation[4] != relExtension || a.relProb[4][probRebuttal] != 0 {
		t.Errorf("self-reply thanking a sibling: answers %d, %s (stated %v), want an extension through 3",
			a.answers[4], relationName(a.relation[4]), a.relProb[4])
	}
}

func TestCommonWordsNameNobody(t *testing.T) {
	th := flatBranch(
		cm("2", "AB Right Winger", "The models all failed. Warming stopped."),
		cm("3", "Mark Shore", "Right. Because of course every model failed the same way."),
		cm("4", "The", "The data says otherwise."),
	)
	a := relationsOf(th)
	if a.answers[2] != 0 || a.answers[3] != 0 {
		t.Errorf("answers %v: a common word named a commenter", a.answers)
	}
}

func TestSelfRepliesAndMissingParents(t *testing.T) {
	th := flatBranch(
		cm("2", "GreenerTory", "Canada's share is tiny, so what? Murders are 0.13% of the world's too."),
		// A reply under one's own comment: an extension, though it answers
		// a sibling, whose relation it records.
		cm("3", "Geoffrey May", "GreenerTory, you are right, and more: the oceans are warming too."),
		cm("4", "Geoffrey May", "And the glaciers are melting as well."),
	)
	th.Comments = append(th.Comments,
		// The parent id names a comment the input does not hold.
		withParent(cm("5", "Flyingbass", "Oh the lovely straw man. Nobody said that, and you know it."), "gone"),
		// A comment that names itself as parent is top-level.
		withParent(cm("6", "Walrus", "Top."), "6"),
	)
	a := relationsOf(th)
	if a.relation[2] != relExtension || a.relation[3] != relExtension {
		t.Errorf("self-replies: %s, %s, want extension", relationName(a.relation[2]), relationName(a.relation[3]))
	}
	if a.answers[2] != 1 || a.answers[3] != 0 {
		t.Errorf("self-replies answer %d and %d, want the sibling 1 and the parent 0", a.answers[2], a.answers[3])
	}
	if pr := a.relProb[2]; pr[probRebuttal] != 0 || pr[probExtension] <= pr[probAgreement] {
		t.Errorf("self-reply probabilities %v: an author never rebuts their own comment, and one who agrees with a sibling goes on with their point", pr)
	}
	if pr := a.relProb[3]; pr != [3]float32{probExtension: 1} {
		t.Errorf("self-reply to the parent itself: probabilities %v, want extension", pr)
	}
	if a.answerProb[2][probAgreement] < a.answerProb[2][probRebuttal] {
		t.Errorf("self-reply 3 agrees with the sibling it answers; probabilities %v", a.answerProb[2])
	}
	if a.relation[4] != relRebuttal || a.answers[4] != -1 {
		t.Errorf("reply to a missing parent: %s answering %d, want a rebuttal answering nothing in the input", relationName(a.relation[4]), a.answers[4])
	}
	if a.relation[5] != relNone {
		t.Errorf("a comment that is its own parent has relation %s", relationName(a.relation[5]))
	}
	d := Analyze(th, Options{})
	if rt := d.Comments[4].ReplyTo; rt == nil || *rt != "gone" || d.Comments[4].Relation == nil {
		t.Errorf("JSON of the reply to a missing parent: reply_to %v relation %v, want \"gone\" and a relation", rt, d.Comments[4].Relation)
	}
	for _, r := range d.Rebuttals {
		if r.CommentID == "5" {
			t.Error("a reply to a missing parent listed as a rebuttal with no parent to quote")
		}
	}
}

func TestComposition(t *testing.T) {
	r, ag, ex := [3]float64{probRebuttal: 1}, [3]float64{probAgreement: 1}, [3]float64{probExtension: 1}
	for _, tt := range []struct {
		x, y, want [3]float64
	}{
		{r, r, ag}, // rebutting a rebuttal agrees with the parent
		{ag, r, r}, // agreeing with a rebuttal rebuts it
		{r, ag, r},
		{ag, ag, ag},
		{ex, r, r}, // going on with a rebuttal rebuts
		{r, ex, r},
		{ex, ex, ex},
	} {
		if got := compose(tt.x, tt.y); got != tt.want {
			t.Errorf("compose(%v, %v) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
	}
	half := compose([3]float64{0.5, 0.5, 0}, [3]float64{0.2, 0.3, 0.5})
	if s := half[0] + half[1] + half[2]; math.Abs(s-1) > 1e-12 {
		t.Errorf("composed probabilities add up to %v", s)
	}
}
