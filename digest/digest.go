// Package digest analyses a comment thread: comments in, a Digest out.
//
// The analysis is pure and deterministic: no I/O, no package-level state, no
// clock, no unseeded randomness. The same thread and options give the same
// Digest, byte for byte once rendered. Everything the analysis needs from the
// outside world (where a location is) comes in through Options.
//
// The Digest type is also the JSON output of `threaddigest digest --format
// json`, so its field names and meanings are a public contract (see README).
package digest

import (
	"fmt"
	"time"

	"github.com/threaddigest/threaddigest/geo"
)

// Locator reads a free-text location into a place. *geo.Resolver satisfies it.
type Locator interface {
	Resolve(location string) geo.Place
}

// Options tune an analysis. The zero value is valid.
type Options struct {
	// Target is the subject toward which stance is measured. "" means: find it
	// from the thread (the subject of the title, recurring in the comments).
	Target string
	// Locator reads commenter locations. nil reads every location as Unknown.
	Locator Locator
	// MaxArguments caps the arguments reported; 0 means the default.
	MaxArguments int
	// MaxRebuttals caps the rebuttals reported; 0 means the default.
	MaxRebuttals int
	// New, when non-nil, restricts the digest to the comments whose IDs it
	// holds: arguments, rebuttals, stance, regions and comments then describe
	// only the new comments, while the whole thread is still analysed for
	// context (reply links, argument clusters) and summarised in Context.
	New map[string]bool
}

// Stance values of a comment toward the target.
const (
	StanceFavor   = "favor"
	StanceAgainst = "against"
	StanceNone    = "none"
)

// Relation values of a reply toward its parent.
const (
	RelationRebuttal  = "rebuttal"
	RelationAgreement = "agreement"
	RelationExtension = "extension"
)

// Digest is what a thread is saying.
type Digest struct {
	// ThreadID is the thread's id within its source, "" when it has none.
	ThreadID string `json:"thread_id"`
	// Title of the article or post; "" when unknown.
	Title string `json:"title"`
	// Target is the subject stance is measured toward; "" when none was given
	// and none could be found.
	Target string `json:"target"`
	// CommentCount counts the digested comments (deleted ones excluded).
	CommentCount int `json:"comment_count"`
	// CommenterCount counts their distinct commenters.
	CommenterCount int `json:"commenter_count"`
	// Span is the time of the first and last digested comment; nil when the
	// input carries no times.
	Span *Span `json:"span"`
	// Arguments are the dominant arguments, most widely held first.
	Arguments []Argument `json:"arguments"`
	// Rebuttals are the notable reply exchanges in which a commenter pushes
	// back on another, most notable first.
	Rebuttals []Rebuttal `json:"rebuttals"`
	// Stance toward Target, counted by comment.
	Stance Stance `json:"stance"`
	// Regions split the commenters by where they are, in geo.Regions() order,
	// regions without commenters left out; Unknown is always kept when it has
	// commenters.
	Regions []Region `json:"regions"`
	// Comments has one entry per digested comment, in input order.
	Comments []CommentResult `json:"comments"`
	// Context is set when Options.New restricted the digest to new comments:
	// it places them in the whole thread.
	Context *Context `json:"context,omitempty"`
	// Engine says which engine labelled the comments when another engine
	// than the offline analysis was asked to (digest/llm); nil otherwise.
	Engine *Engine `json:"engine,omitempty"`
}

// Engine says which engine labelled a digest's comments. Every rendering
// shows its Footer, so that readers know what produced what they read.
type Engine struct {
	// Name is EngineLLM when a language model labelled comments of the
	// digest, EngineOffline when it was asked to and none did.
	Name string `json:"name"`
	// Model is the language model that was asked.
	Model string `json:"model"`
	// ModelComments counts the digest's comments the model labelled;
	// OfflineComments those the offline analysis labelled in its place.
	ModelComments   int `json:"model_comments"`
	OfflineComments int `json:"offline_comments"`
	// Reason says why the offline analysis labelled comments; "" when it
	// labelled none.
	Reason string `json:"reason"`
	// Tokens counts the tokens the model was sent and wrote for this
	// digest (labels read from the cache cost none); Cost is their price
	// in US dollars at the configured rates, 0 when none are configured.
	Tokens int     `json:"tokens"`
	Cost   float64 `json:"cost_usd"`
}

// Engine names.
const (
	EngineLLM     = "llm"
	EngineOffline = "offline"
)

// Footer is the line every rendering shows about the engine, e.g.
// "Labels: language model llama3.1 (54 comments); counts and quotes by
// threaddigest.".
func (e *Engine) Footer() string {
	if e == nil {
		return ""
	}
	model := e.Model
	if model == "" {
		model = "(unnamed)"
	}
	reason := e.Reason
	if reason == "" {
		reason = "no reason given"
	}
	switch {
	case e.ModelComments == 0:
		return fmt.Sprintf("Labels: the offline analysis; language model %s not used (%s).", model, reason)
	case e.OfflineComments == 0:
		return fmt.Sprintf("Labels: language model %s (%s); counts and quotes by threaddigest.", model, plural(e.ModelComments, "comment"))
	}
	return fmt.Sprintf("Labels: language model %s for %s, the offline analysis for %d (%s; their arguments are not counted); counts and quotes by threaddigest.",
		model, plural(e.ModelComments, "comment"), e.OfflineComments, reason)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Span is a time range.
type Span struct {
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// Argument is one position argued in the thread.
type Argument struct {
	// ID is stable within one Digest: 1 for the most widely held, and so on.
	ID int `json:"id"`
	// Label is the argument as a short claim (its key point), verbatim: a
	// sentence or a self-contained clause of one comment, a substring of
	// Statement.
	Label string `json:"label"`
	// Statement is the sentence of that comment that states the claim,
	// verbatim.
	Statement string `json:"statement"`
	// Commenters counts the distinct commenters who make the argument.
	Commenters int `json:"commenters"`
	// Share is Commenters / Digest.CommenterCount.
	Share float64 `json:"share"`
	// CommentIDs lists the comments that make it, in input order. A comment
	// may make several arguments, so shares may add up past 1.
	CommentIDs []string `json:"comment_ids"`
	// Quote is the comment Statement is taken from.
	Quote Quote `json:"quote"`
}

// Quote is verbatim text from one comment. Text is always a substring of the
// comment's Body, byte for byte.
type Quote struct {
	CommentID string `json:"comment_id"`
	Author    string `json:"author"`
	Text      string `json:"text"`
	// Position and URL say where to find the comment (see Ref).
	Position int    `json:"position"`
	URL      string `json:"url"`
}

// Rebuttal is a reply that pushes back on its parent.
type Rebuttal struct {
	// CommentID is the reply; ReplyTo the comment it answers.
	CommentID    string `json:"comment_id"`
	Author       string `json:"author"`
	ReplyTo      string `json:"reply_to"`
	ParentAuthor string `json:"parent_author"`
	// Score ranks rebuttals: higher is more notable. Its scale is not a
	// contract, only its order.
	Score float64 `json:"score"`
	// Excerpt and ParentExcerpt are short verbatim substrings of the two
	// comments' bodies.
	Excerpt       string `json:"excerpt"`
	ParentExcerpt string `json:"parent_excerpt"`
	// Position and URL say where to find the reply, ParentPosition and
	// ParentURL the comment it answers (see Ref).
	Position       int    `json:"position"`
	URL            string `json:"url"`
	ParentPosition int    `json:"parent_position"`
	ParentURL      string `json:"parent_url"`
}

// Stance counts comments by their stance toward the target.
type Stance struct {
	Target  string `json:"target"`
	Favor   int    `json:"favor"`
	Against int    `json:"against"`
	None    int    `json:"none"`
	// FavorQuote and AgainstQuote are one short verbatim quote for each side
	// (a sentence of the clearest comment taking it); nil when no comment
	// takes that side.
	FavorQuote   *Quote `json:"favor_quote"`
	AgainstQuote *Quote `json:"against_quote"`
}

// Total is Favor + Against + None.
func (s Stance) Total() int { return s.Favor + s.Against + s.None }

// Region is one row of the regional split. Counts are of commenters: each
// commenter has one place (their most frequent resolvable location) and one
// stance (the majority of their comments' favor/against stances; none on a tie
// or when they take no side).
type Region struct {
	Region     geo.Region `json:"region"`
	Commenters int        `json:"commenters"`
	Favor      int        `json:"favor"`
	Against    int        `json:"against"`
	None       int        `json:"none"`
	// TopArgument is the ID of the argument made by most commenters of the
	// region, or nil when they make none of the reported arguments.
	TopArgument *int `json:"top_argument"`
}

// CommentResult is what the digest made of one comment.
type CommentResult struct {
	ID string `json:"id"`
	// Position and URL say where to find the comment (see Ref).
	Position int        `json:"position"`
	URL      string     `json:"url"`
	Author   string     `json:"author"`
	Location string     `json:"location"`
	Country  string     `json:"country"`
	Admin1   string     `json:"admin1"`
	Region   geo.Region `json:"region"`
	// ReplyTo is the ID of the comment this one answers, from an explicit
	// parent id (kept when the thread does not hold that comment), an
	// "@Name" opening, or a top-level comment's "Name:" opening; nil for a
	// top-level comment.
	ReplyTo *string `json:"reply_to"`
	// Relation of a reply to its parent: rebuttal, agreement or extension
	// (a reply under its author's own comment is an extension); nil for a
	// top-level comment.
	Relation *string `json:"relation"`
	// Stance toward the digest's target: favor, against or none.
	Stance string `json:"stance"`
	// Arguments lists the IDs of the reported arguments the comment makes.
	Arguments []int `json:"arguments"`
}

// Context places a digest of new comments in the whole thread.
type Context struct {
	// NewComments and NewCommenters repeat the digest's own counts.
	NewComments   int `json:"new_comments"`
	NewCommenters int `json:"new_commenters"`
	// TotalComments and TotalCommenters count the whole thread.
	TotalComments   int `json:"total_comments"`
	TotalCommenters int `json:"total_commenters"`
	// ThreadStance is the stance of the whole thread, for comparison with the
	// digest's own Stance.
	ThreadStance Stance `json:"thread_stance"`
	// Lean says in words how the new comments differ from the thread so far,
	// e.g. "the new comments lean more against Huawei than the thread so far".
	Lean string `json:"lean"`
}
