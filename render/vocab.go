package render

import "github.com/threaddigest/threaddigest/digest"

// The stance vocabulary every rendering shares — text, Markdown, Slack,
// Discord and the chart — so that a reader meets the same words wherever a
// digest is shown: the stances are named as the digest names them (favor,
// against, none) in every table and legend, and a side's quote is headed by
// SideLabel.

// SideLabel heads the quote of a side: "In favor", "Against"; "No side"
// for none.
func SideLabel(stance string) string {
	switch stance {
	case digest.StanceFavor:
		return "In favor"
	case digest.StanceAgainst:
		return "Against"
	}
	return "No side"
}
