package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/threaddigest/threaddigest/digest/llm/llmfake"
	"github.com/threaddigest/threaddigest/testkit/shareddata"
	"github.com/threaddigest/threaddigest/render"
)

const busesExample = "../../examples/fare-free-buses.jsonl"

// busScript reads the bundled fare-free buses thread as a model would.
func busScript() llmfake.Script {
	return llmfake.Script{
		Arguments: []llmfake.ScriptArgument{
			{Claim: "Taxpayers who never ride would pay for it", Side: "against", Words: []string{"property taxes", "permanent cost"}},
			{Claim: "Fare-free buses have worked in other cities", Side: "favor", Words: []string{"kansas city", "flagstaff"}},
			{Claim: "Frequent service matters more than the fare", Side: "none", Words: []string{"every ten minutes", "frequency"}},
		},
		Favor:     []string{"do it", "would help", "cheapest", "it works"},
		Against:   []string{"nothing is free", "rolling shelters", "instead"},
		Rebuttal:  []string{"barely", "not my experience", "tiny"},
		Agreement: []string{"exactly"},
	}
}

// runEnv is runCmd with an environment.
func runEnv(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = Run(context.Background(), args, Env{
		Getenv: func(k string) string { return env[k] },
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errOut,
	})
	return out.String(), errOut.String(), err
}

func TestDigestWithTheLanguageModel(t *testing.T) {
	fake := llmfake.New(t, busScript(), "llama3.1:8b")
	fake.RequireKey()
	env := map[string]string{"OPENAI_API_KEY": llmfake.Key}
	args := []string{"digest", busesExample, "--engine", "llm", "--llm-url", fake.BaseURL(), "--llm-model", "llama3.1:8b", "--target", "fare-free buses"}

	out, stderr, err := runEnv(t, env, append(args, "--format", "json")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	published, strict := schemas(t)
	checkOutput(t, published, strict, "digest --engine llm", []byte(out))
	for _, want := range []string{`"engine": {`, `"name": "llm"`, `"model": "llama3.1:8b"`, `"model_comments": 16`, `"label": "Fare-free buses have worked in other cities"`} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	if !regexp.MustCompile(`^threaddigest: language model llama3.1:8b: 16 comments labelled, 0 by the offline analysis; \d+ requests, \d+ tokens`).MatchString(stderr) {
		t.Errorf("stderr does not report the tokens:\n%s", stderr)
	}
	for _, format := range []string{"text", "markdown"} {
		out, stderr, err := runEnv(t, env, append(args, "--format", format)...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", format, err, stderr)
		}
		flat := strings.Join(strings.Fields(out), " ")
		footer := "Labels: language model llama3.1:8b (16 comments); counts and quotes by threaddigest."
		if format == "markdown" {
			footer = render.EscapeMarkdown(footer)
		}
		if !strings.Contains(flat, footer) {
			t.Errorf("%s output lacks the engine footer:\n%s", format, out)
		}
		if strings.Contains(out+stderr, llmfake.Key) {
			t.Errorf("%s: the key was printed", format)
		}
	}

	// Without the key the server refuses: the digest is the offline one
	// and says why.
	out, stderr, err = runEnv(t, nil, append(args, "--format", "text")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "Labels: the offline analysis; language model llama3.1:8b not used (the model server refused the request (401 Unauthorized)).") {
		t.Errorf("the fallback's footer is missing:\n%s", out)
	}
}

func TestDigestEngineFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--engine", "llm"}, "--engine llm needs --llm-url URL and --llm-model NAME"},
		{[]string{"--engine", "llm", "--llm-url", "http://localhost:11434/v1"}, "--engine llm needs"},
		{[]string{"--engine", "llm", "--llm-url", "localhost:11434", "--llm-model", "m"}, `--llm-url "localhost:11434": expected an http(s) URL`},
		{[]string{"--llm-model", "m"}, "--llm-url and --llm-model need --engine llm"},
		{[]string{"--engine", "gpt"}, `--engine "gpt": expected offline or llm`},
		{[]string{"--engine", "llm", "--llm-url", "http://x", "--llm-model", "m", "--llm-budget", "-1"}, "--llm-budget -1"},
	} {
		_, stderr, err := runCmd(t, "", append([]string{"digest", example}, tc.args...)...)
		if status(err) != 2 || !strings.Contains(err.Error()+stderr, tc.want) {
			t.Errorf("%v: status %d, %v; want a usage error saying %q", tc.args, status(err), err, tc.want)
		}
	}
	_, _, err := runCmd(t, "", "eval", "--engine", "llm", "--llm-url", "http://x", "--llm-model", "m", "--only", "stance")
	if status(err) != 2 || !strings.Contains(err.Error(), "measures the labelled threads only") {
		t.Errorf("eval --engine llm --only stance: %v", err)
	}
}

func TestEvalWithTheLanguageModel(t *testing.T) {
	dir, err := shareddata.Find()
	if err != nil {
		t.Skipf("the labelled threads are absent: %v", err)
	}
	fake := llmfake.New(t, llmfake.Script{
		Favor:    []string{"agree", "right", "good"},
		Against:  []string{"wrong", "bad", "nonsense"},
		Rebuttal: []string{"no", "wrong", "nonsense"},
		Arguments: []llmfake.ScriptArgument{
			{Claim: "The costs fall on ordinary people", Side: "against", Words: []string{"cost", "costs", "taxes"}},
			{Claim: "China pollutes more than anyone", Side: "against", Words: []string{"china"}},
		},
	})
	out, stderr, err := runEnv(t, nil, "eval", "--data", dir, "--engine", "llm", "--llm-url", fake.BaseURL(), "--llm-model", "m", "--llm-budget", "0")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{"nyt-trump-judge", "gam-climate-jobs", "stance accuracy", "argument pair-F1"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "VAST") || strings.Contains(out, "ArgKP") {
		t.Errorf("eval --engine llm measured more than the labelled threads:\n%s", out)
	}
	if n := strings.Count(stderr, "threaddigest: language model m:"); n < 4 {
		t.Errorf("%d token reports on stderr, want one a thread:\n%s", n, stderr)
	}
	if !strings.Contains(out, "language model m") {
		t.Errorf("the table does not say the language model digested the threads:\n%s", out)
	}
}

// serve with [analysis] engine = "llm": the scheduled digest is labelled by
// the model, says so in its footer, and /metrics reports the tokens.
func TestServeWithTheLanguageModel(t *testing.T) {
	fake := llmfake.New(t, busScript(), "llama3.1:8b")
	fake.RequireKey()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, fmt.Sprintf(`
[store]
url = "sqlite:%s"

[http]
listen = "127.0.0.1:0"

[[thread]]
name = "buses"
source = %q
target = "fare-free buses"
poll = "1s"

[[digest]]
thread = "buses"
schedule = "@every 1s"
to = ["stdout"]

[analysis]
engine = "llm"

[llm]
base_url = %q
model = "llama3.1:8b"
input_price = 0.5
`, filepath.Join(dir, "state.db"), mustAbs(t, busesExample), fake.BaseURL()))
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	env := map[string]string{"THREADDIGEST_LLM_API_KEY": llmfake.Key}
	stop := background([]string{"serve", "--config", cfg}, Env{Stdout: stdout, Stderr: stderr, Getenv: func(k string) string { return env[k] }})
	defer stop()
	addr := waitFor(t, stderr, regexp.MustCompile(`msg="http server listening" addr=(\S+)`))
	waitFor(t, stderr, regexp.MustCompile(`msg="digest posted"`))
	waitFor(t, stderr, regexp.MustCompile(`msg="digest labelled by the language model".*labelled=16`))
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`threaddigest_llm_tokens_total{kind="prompt"}`, `threaddigest_llm_requests_total{outcome="ok"} 2`, `threaddigest_llm_comments_total{source="model"} 16`, `threaddigest_llm_cost_usd_total`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepLines(string(body), "threaddigest_llm"))
		}
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v\n%s", err, stderr)
	}
	flat := strings.Join(strings.Fields(stdout.String()), " ")
	if !strings.Contains(flat, "Labels: language model llama3.1:8b (16 comments); counts and quotes by threaddigest.") {
		t.Errorf("the posted digest lacks the engine footer:\n%s", stdout)
	}
	if strings.Contains(stderr.String(), llmfake.Key) {
		t.Error("the key reached the log")
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
