package config

import (
	"net/url"
	"time"
)

// Analysis chooses the engine that labels comments.
type Analysis struct {
	// Engine is "offline" (the default: the built-in analysis, no network)
	// or "llm" (a language model on an OpenAI-compatible endpoint, see
	// [llm]; the offline analysis stays the fallback).
	Engine string `toml:"engine"`
}

// Engine names of [analysis] engine.
const (
	EngineOffline = "offline"
	EngineLLM     = "llm"
)

// LLM configures the language-model engine (digest/llm). It speaks the
// OpenAI Chat Completions API, which hosted services and local servers
// (Ollama, llama.cpp's server, vLLM) offer alike.
type LLM struct {
	// BaseURL is the API's base, ending before /chat/completions:
	// "https://api.openai.com/v1", "http://localhost:11434/v1" (Ollama).
	BaseURL string `toml:"base_url"`
	// Model names the model as the server knows it.
	Model string `toml:"model"`
	// APIKey is sent as a bearer token; "" sends none, which local servers
	// accept. Default: the environment's OPENAI_API_KEY.
	APIKey string `toml:"api_key" secret:"true"`
	// Timeout bounds one request (each retry has its own). Default 2m.
	Timeout Duration `toml:"timeout"`
	// DigestTimeout bounds the model's work on one digest; comments it has
	// not labelled by then are labelled offline. Default 10m.
	DigestTimeout Duration `toml:"digest_timeout"`
	// Retries is how often a request that timed out, was rate-limited (429,
	// after its Retry-After) or failed on the server (5xx) is tried again.
	// Default 2.
	Retries *int `toml:"retries"`
	// Concurrency is how many requests are in flight at once. Default 2.
	Concurrency int `toml:"concurrency"`
	// BatchSize is how many comments one labelling request carries.
	// Default 20.
	BatchSize int `toml:"batch_size"`
	// TokenBudget caps the tokens one digest may spend; a digest whose
	// estimate exceeds it is labelled offline and says so. 0: no cap.
	// Default 200,000.
	TokenBudget *int `toml:"token_budget"`
	// StructuredOutput is how the answer's shape is asked for: "auto"
	// (a JSON schema, and plain JSON when the server refuses one),
	// "json_schema", "json_object" or "none" (instructions only). Answers
	// are parsed strictly whichever it is. Default auto.
	StructuredOutput string `toml:"structured_output"`
	// InputPrice and OutputPrice are US dollars per million tokens sent and
	// written, for the cost reported in logs and /metrics. Default 0.
	InputPrice  float64 `toml:"input_price"`
	OutputPrice float64 `toml:"output_price"`
}

// Defaults of [llm].
const (
	DefaultLLMTimeout       = 2 * time.Minute
	DefaultLLMDigestTimeout = 10 * time.Minute
	DefaultLLMRetries       = 2
	DefaultLLMConcurrency   = 2
	DefaultLLMBatchSize     = 20
	DefaultLLMTokenBudget   = 200_000
)

// StructuredOutput values.
var structuredOutputs = []string{"auto", "json_schema", "json_object", "none"}

func (c *Config) applyLLMDefaults(getenv func(string) string) {
	if c.Analysis.Engine == "" {
		c.Analysis.Engine = EngineOffline
	}
	l := &c.LLM
	if l.APIKey == "" {
		l.APIKey = getenv("OPENAI_API_KEY")
	}
	if l.Timeout == 0 {
		l.Timeout = Duration(DefaultLLMTimeout)
	}
	if l.DigestTimeout == 0 {
		l.DigestTimeout = Duration(DefaultLLMDigestTimeout)
	}
	if l.Retries == nil {
		n := DefaultLLMRetries
		l.Retries = &n
	}
	if l.Concurrency == 0 {
		l.Concurrency = DefaultLLMConcurrency
	}
	if l.BatchSize == 0 {
		l.BatchSize = DefaultLLMBatchSize
	}
	if l.TokenBudget == nil {
		n := DefaultLLMTokenBudget
		l.TokenBudget = &n
	}
	if l.StructuredOutput == "" {
		l.StructuredOutput = "auto"
	}
}

func (c *Config) validateLLM() Problems {
	var ps Problems
	add := func(key, format string, a ...any) { ps = append(ps, c.Problem(key, format, a...)) }
	switch c.Analysis.Engine {
	case EngineOffline, EngineLLM:
	default:
		add("analysis.engine", "%q: expected offline or llm", c.Analysis.Engine)
	}
	l := c.LLM
	if c.Analysis.Engine == EngineLLM {
		if l.BaseURL == "" {
			add("llm.base_url", "missing: engine = \"llm\" needs the API's base URL, e.g. \"http://localhost:11434/v1\" (Ollama) or \"https://api.openai.com/v1\"")
		}
		if l.Model == "" {
			add("llm.model", "missing: engine = \"llm\" needs the model's name as the server knows it")
		}
	}
	if l.BaseURL != "" {
		if u, err := url.Parse(l.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("llm.base_url", "%q is not an http(s) URL", l.BaseURL)
		}
	}
	if l.Timeout.D() < time.Second {
		add("llm.timeout", "%s is too short: expected at least 1s", l.Timeout.D())
	}
	if l.DigestTimeout.D() < l.Timeout.D() {
		add("llm.digest_timeout", "%s is shorter than one request's timeout (%s)", l.DigestTimeout.D(), l.Timeout.D())
	}
	if *l.Retries < 0 || *l.Retries > 10 {
		add("llm.retries", "%d: expected 0 to 10", *l.Retries)
	}
	if l.Concurrency < 1 || l.Concurrency > 64 {
		add("llm.concurrency", "%d: expected 1 to 64", l.Concurrency)
	}
	if l.BatchSize < 1 || l.BatchSize > 200 {
		add("llm.batch_size", "%d: expected 1 to 200", l.BatchSize)
	}
	if *l.TokenBudget < 0 {
		add("llm.token_budget", "must not be negative (0 for no cap)")
	}
	ok := false
	for _, s := range structuredOutputs {
		ok = ok || l.StructuredOutput == s
	}
	if !ok {
		add("llm.structured_output", "%q: expected auto, json_schema, json_object or none", l.StructuredOutput)
	}
	if l.InputPrice < 0 || l.OutputPrice < 0 {
		add("llm.input_price", "prices must not be negative")
	}
	return ps
}
