package digest

import "slices"

// argumentCluster is one argument: a key point and the comments that make
// it.
type argumentCluster struct {
	label      string  // the key point, verbatim: a clause of the statement
	statement  int32   // the sentence that states it
	comments   []int32 // the comments that make it, ascending
	units      []int32 // units[j]: the sentence of comments[j] that states it best
	commenters int     // distinct commenters in the whole thread
}

// clusterArguments finds the arguments (see keyPoints).
func (a *analysis) clusterArguments() { a.keyPoints() }

// mainArgumentOfComments returns for each comment the argument it plainly
// makes and states most fully, or -1 (also for a comment that makes
// arguments only in other words: weaker evidence of its side).
func (a *analysis) mainArgumentOfComments() []int32 {
	out := make([]int32, a.n)
	for i := range out {
		out[i] = -1
		if a.plainArg[i] {
			out[i] = a.commentArgs[i][0]
		}
	}
	return out
}

// subjectStems are the stems of the target and the title: the thread's own
// subject, present everywhere and so separating nothing.
func (a *analysis) subjectStems() map[int32]bool {
	subject := map[int32]bool{}
	for _, s := range a.target.stems {
		subject[s] = true
	}
	for _, w := range a.readPhrase(a.t.Title) {
		if w.stem >= 0 {
			subject[w.stem] = true
		}
	}
	return subject
}

// statement is the sentence that states argument k: the key point's own,
// also in a digest of new comments where an earlier comment made it first
// (a member's sentence sharing the key point's words may still say
// something else, and a quote must state its argument).
func (a *analysis) statement(k int, _ []bool) (comment, start, end int) {
	st := a.sents[a.args[k].statement]
	return int(st.comment), int(st.start), int(st.end)
}

// sentenceStating is the sentence of comment i that states argument k best;
// i must make k.
func (a *analysis) sentenceStating(k, i int) int32 {
	c := &a.args[k]
	j, _ := slices.BinarySearch(c.comments, int32(i))
	return c.units[j]
}

// maxStatementRunes is the longest passage another engine's labels are
// quoted with (see labelEvidence).
const maxStatementRunes = 300

// SharesNote is the line a rendering prints under a list of arguments whose
// shares add up past 100% (a commenter may make several of them), or "".
func SharesNote(args []Argument, commenters int) string {
	sum := 0
	for _, a := range args {
		sum += a.Commenters
	}
	if sum <= commenters {
		return ""
	}
	return "Shares add up to more than 100%: a commenter may make several arguments."
}
