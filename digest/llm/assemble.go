package llm

import (
	"slices"
	"strings"

	"github.com/threaddigest/threaddigest/digest"
)

// assemble merges the model's labels into the offline analysis's (which keep
// the reply links and label what the model did not) and has digest.Assemble
// count and quote. A digest the model labelled none of is the offline
// digest, arguments and all.
func (r *run) assemble() digest.Digest {
	inScope := func(i int) bool {
		c := r.t.Comments[i]
		return !c.Deleted && (r.opt.New == nil || r.opt.New[c.ID])
	}
	eng := &digest.Engine{Name: digest.EngineLLM, Model: r.e.opt.Model}
	for i := range r.t.Comments {
		if !inScope(i) {
			continue
		}
		if _, ok := r.labels[i]; ok {
			eng.ModelComments++
		} else {
			eng.OfflineComments++
		}
	}
	rep := r.report()
	eng.Tokens, eng.Cost = rep.Tokens(), rep.Cost
	if eng.OfflineComments > 0 {
		eng.Reason = rep.Reason
		if eng.Reason == "" {
			eng.Reason = "the model gave no labels"
		}
	}
	if len(r.labels) == 0 {
		eng.Name = digest.EngineOffline
		d := digest.Analyze(r.t, r.opt)
		d.Engine = eng
		return d
	}
	l := r.base
	l.Target = r.set.target(r.target)
	l.Comments = slices.Clone(r.base.Comments)
	l.Arguments = make([]digest.LabelledArgument, len(r.set.Arguments))
	for k, a := range r.set.Arguments {
		l.Arguments[k] = digest.LabelledArgument{Label: a.Claim}
	}
	for i := range l.Comments {
		c := &l.Comments[i]
		c.Arguments = nil
		ml, ok := r.labels[i]
		if !ok {
			continue
		}
		body := r.t.Comments[i].Body
		c.Stance, c.StanceSpan = ml.Stance, spanOf(body, ml.StanceQuote)
		for _, a := range ml.Arguments {
			c.Arguments = append(c.Arguments, digest.ArgumentMark{Argument: r.set.index(a.Key), Span: spanOf(body, a.Quote)})
		}
		if c.ReplyTo >= 0 && ml.Relation != "" {
			c.Relation = ml.Relation
			c.RelationSpan = spanOf(body, ml.RelationQuote)
			c.ParentSpan = spanOf(r.t.Comments[c.ReplyTo].Body, ml.ParentQuote)
		}
	}
	d, err := digest.Assemble(r.t, l, r.opt)
	if err != nil {
		// Every label was checked before it got here: this is a bug, and
		// the reader still gets a digest, the offline one.
		r.e.log.Error("assembling the model's labels failed; the offline analysis labels the digest", "thread", r.thread, "err", err)
		d = digest.Analyze(r.t, r.opt)
		eng = &digest.Engine{Name: digest.EngineOffline, Model: r.e.opt.Model, OfflineComments: eng.ModelComments + eng.OfflineComments,
			Reason: "the model's labels could not be assembled", Tokens: eng.Tokens, Cost: eng.Cost}
	}
	d.Engine = eng
	return d
}

func spanOf(body, quote string) digest.TextSpan {
	sp, _ := digest.SpanOf(body, quote)
	return sp
}

// report sums up the run.
func (r *run) report() Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := Report{
		Requests:          int(r.requests.Load()),
		PromptTokens:      int(r.prompt.Load()),
		CompletionTokens:  int(r.completion.Load()),
		Estimate:          r.est,
		Dropped:           map[string]int{},
		ArgumentsProposed: r.proposed,
		ArgumentsAdded:    r.added,
	}
	for i, c := range r.t.Comments {
		if c.Deleted {
			continue
		}
		rep.Comments++
		switch _, ok := r.labels[i]; {
		case r.cached[i]:
			rep.Cached++
		case ok:
			rep.Labelled++
		default:
			rep.Offline++
		}
	}
	for k, n := range r.dropped {
		rep.Dropped[k] = n
	}
	rep.Cost = float64(rep.PromptTokens)*r.e.opt.InputPrice/1e6 + float64(rep.CompletionTokens)*r.e.opt.OutputPrice/1e6
	if rep.Offline > 0 {
		reasons := r.reasons
		if len(reasons) > 2 {
			reasons = reasons[:2]
		}
		rep.Reason = strings.Join(reasons, "; ")
	}
	return rep
}
