package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/config"
	"github.com/threaddigest/threaddigest/digest"
	"github.com/threaddigest/threaddigest/digest/llm"
)

// engineFlags choose the engine of a one-off digest or evaluation.
type engineFlags struct {
	engine string
	url    string
	model  string
	budget int
}

const engineUsage = `  --engine offline|llm
        offline (default): the built-in analysis. llm: a language model on an
        OpenAI-compatible endpoint labels the comments (README, "A language
        model as the engine"); counts and quotes stay threaddigest's, and
        comments it cannot label are labelled offline, as the footer says.
        The key, if the server needs one, comes from OPENAI_API_KEY
  --llm-url URL
        the endpoint's base URL, e.g. http://localhost:11434/v1 (Ollama) or
        https://api.openai.com/v1
  --llm-model NAME
        the model as the server names it, e.g. llama3.1:8b or gpt-4o-mini
  --llm-budget N
        the most tokens the digest may spend (default 200000; 0: no cap); a
        digest that would need more is labelled offline and says so
`

func (f *engineFlags) register(fs interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
}) {
	fs.StringVar(&f.engine, "engine", config.EngineOffline, "offline or llm")
	fs.StringVar(&f.url, "llm-url", "", "the language model endpoint's base URL")
	fs.StringVar(&f.model, "llm-model", "", "the language model's name")
	fs.IntVar(&f.budget, "llm-budget", config.DefaultLLMTokenBudget, "the most tokens one digest may spend")
}

// check reports a usage error in the flags of command cmd.
func (f *engineFlags) check(cmd string) error {
	switch f.engine {
	case config.EngineOffline:
		if f.url != "" || f.model != "" {
			return usagef("%s: --llm-url and --llm-model need --engine llm", cmd)
		}
	case config.EngineLLM:
		if f.url == "" || f.model == "" {
			return usagef("%s: --engine llm needs --llm-url URL and --llm-model NAME (e.g. --llm-url http://localhost:11434/v1 --llm-model llama3.1:8b)", cmd)
		}
		if u, err := url.Parse(f.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("%s: --llm-url %q: expected an http(s) URL such as http://localhost:11434/v1", cmd, f.url)
		}
	default:
		return usagef("%s: --engine %q: expected offline or llm", cmd, f.engine)
	}
	if f.budget < 0 {
		return usagef("%s: --llm-budget %d: expected 0 (no cap) or more", cmd, f.budget)
	}
	return nil
}

// newEngine makes the language-model engine the flags ask for, nil for the
// offline analysis. Its failures are logged to stderr; the key comes from
// OPENAI_API_KEY and is never printed.
func (f *engineFlags) newEngine(env Env) (*llm.Engine, error) {
	if f.engine != config.EngineLLM {
		return nil, nil
	}
	retries := config.DefaultLLMRetries
	return llm.New(llm.Options{
		BaseURL:     f.url,
		Model:       f.model,
		APIKey:      env.Getenv("OPENAI_API_KEY"),
		Timeout:     config.DefaultLLMTimeout,
		Retries:     retries,
		TokenBudget: f.budget,
		Logger:      slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
}

// analyzeWith digests a thread with the engine (nil: offline), and for the
// language model says on stderr what the digest cost.
func analyzeWith(ctx context.Context, e *llm.Engine, t threaddigest.Thread, opt digest.Options, stderr io.Writer) digest.Digest {
	if e == nil {
		return digest.Analyze(t, opt)
	}
	d, rep := e.Digest(ctx, "", t, opt)
	fmt.Fprintf(stderr, "threaddigest: language model %s: %d comments labelled, %d by the offline analysis; %d requests, %d tokens (%d sent, %d written)",
		e.Model(), rep.Labelled+rep.Cached, rep.Offline, rep.Requests, rep.Tokens(), rep.PromptTokens, rep.CompletionTokens)
	if n := sumDropped(rep.Dropped); n > 0 {
		fmt.Fprintf(stderr, "; %d parts of its answers discarded (%s)", n, dropList(rep.Dropped))
	}
	fmt.Fprintln(stderr)
	return d
}

func sumDropped(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func dropList(m map[string]int) string {
	s := ""
	for _, k := range []string{"not_verbatim", "unknown_comment", "unknown_argument", "unknown_key", "bad_value", "duplicate"} {
		if m[k] > 0 {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%s %d", k, m[k])
		}
	}
	return s
}
