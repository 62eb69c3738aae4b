package config

import (
	"strings"
	"testing"
	"time"
)

func TestLLMDefaults(t *testing.T) {
	c, err := Parse([]byte("[llm]\nmodel = \"m\"\n"), "c.toml", env(map[string]string{"OPENAI_API_KEY": "sk-from-env"}))
	if err != nil {
		t.Fatal(err)
	}
	l := c.LLM
	if c.Analysis.Engine != EngineOffline || l.APIKey != "sk-from-env" || l.Timeout.D() != DefaultLLMTimeout ||
		l.DigestTimeout.D() != DefaultLLMDigestTimeout || *l.Retries != DefaultLLMRetries || l.Concurrency != DefaultLLMConcurrency ||
		l.BatchSize != DefaultLLMBatchSize || *l.TokenBudget != DefaultLLMTokenBudget || l.StructuredOutput != "auto" {
		t.Errorf("defaults: engine %q, %+v", c.Analysis.Engine, l)
	}
	// Zero is a value, not "unset", for retries and the budget.
	c, err = Parse([]byte("[llm]\nretries = 0\ntoken_budget = 0\n"), "c.toml", env(nil))
	if err != nil || *c.LLM.Retries != 0 || *c.LLM.TokenBudget != 0 {
		t.Errorf("retries and budget 0: %+v, %v", c.LLM, err)
	}
}

func TestLLMSection(t *testing.T) {
	doc := `[analysis]
engine = "llm"

[llm]
base_url = "http://localhost:11434/v1"
model = "llama3.1:8b"
api_key = "${MY_KEY}"
timeout = "30s"
digest_timeout = "5m"
retries = 3
concurrency = 4
batch_size = 10
token_budget = 50000
structured_output = "json_object"
input_price = 0.15
output_price = 0.6
`
	c, err := Parse([]byte(doc), "c.toml", env(map[string]string{"MY_KEY": "sk-secret", "OPENAI_API_KEY": "other"}))
	if err != nil {
		t.Fatal(err)
	}
	l := c.LLM
	if c.Analysis.Engine != EngineLLM || l.BaseURL != "http://localhost:11434/v1" || l.Model != "llama3.1:8b" || l.APIKey != "sk-secret" ||
		l.Timeout.D() != 30*time.Second || l.DigestTimeout.D() != 5*time.Minute || *l.Retries != 3 || l.Concurrency != 4 ||
		l.BatchSize != 10 || *l.TokenBudget != 50000 || l.StructuredOutput != "json_object" || l.InputPrice != 0.15 || l.OutputPrice != 0.6 {
		t.Errorf("read %+v", l)
	}
	if r := c.Redacted(); r.LLM.APIKey != RedactedValue || strings.Contains(r.LLM.BaseURL, "sk-secret") {
		t.Errorf("redacted api_key = %q", r.LLM.APIKey)
	}
	c, err = Parse([]byte(doc), "c.toml", env(map[string]string{"MY_KEY": "sk-secret", "THREADDIGEST_LLM_API_KEY": "sk-override", "THREADDIGEST_LLM_MODEL": "gpt-4o-mini"}))
	if err != nil || c.LLM.APIKey != "sk-override" || c.LLM.Model != "gpt-4o-mini" {
		t.Errorf("overrides: %+v, %v", c.LLM, err)
	}
}

func TestLLMProblems(t *testing.T) {
	doc := `[analysis]
engine = "gpt"

[llm]
base_url = "localhost:11434"
timeout = "10ms"
retries = -1
concurrency = 100
batch_size = 0
token_budget = -5
structured_output = "xml"
input_price = -1
`
	_, err := Parse([]byte(doc), "c.toml", env(nil))
	if err == nil {
		t.Fatal("no problems")
	}
	for _, want := range []string{
		`c.toml:2: analysis.engine: "gpt": expected offline or llm`,
		`c.toml:5: llm.base_url: "localhost:11434" is not an http(s) URL`,
		`c.toml:6: llm.timeout: 10ms is too short`,
		`c.toml:7: llm.retries: -1: expected 0 to 10`,
		`c.toml:8: llm.concurrency: 100: expected 1 to 64`,
		`c.toml:10: llm.token_budget: must not be negative`,
		`c.toml:11: llm.structured_output: "xml": expected auto, json_schema, json_object or none`,
		`c.toml:12: llm.input_price: prices must not be negative`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
	// batch_size = 0 reads as unset (the default), like the other counts.
	if strings.Contains(err.Error(), "batch_size") {
		t.Errorf("batch_size 0 reported: %v", err)
	}
	_, err = Parse([]byte("[analysis]\nengine = \"llm\"\n"), "c.toml", env(nil))
	for _, want := range []string{"llm.base_url: missing", "llm.model: missing"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("engine llm without [llm]: %v; want %q", err, want)
		}
	}
}
