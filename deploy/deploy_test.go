// Package deploy_test checks the packaging that cannot be run on every
// machine — the Dockerfile, compose.yaml and the systemd unit — for the
// properties that matter: a static binary, a non-root user, a health check
// the image can run, a listen address that works in a container, PostgreSQL
// wired to the service, a hardened unit. .ci/run builds the image when a
// container builder is available; systemd-analyze checks the unit when
// installed.
package deploy_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/threaddigest/threaddigest/config"
	"github.com/threaddigest/threaddigest/store/open"
)

const root = ".."

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line int
	cmd  string // upper case: FROM, RUN, …
	args string
}

// stage is a FROM and the instructions after it.
type stage struct {
	from  string
	name  string
	instr []instruction
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.instr {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

func parseDockerfile(t *testing.T, text string) (args map[string]string, stages []stage) {
	t.Helper()
	args = map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	var cur *instruction
	n := 0
	add := func(in instruction) {
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			st := stage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			stages = append(stages, st)
			return
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Errorf("Dockerfile:%d: %s before the first FROM", in.line, in.cmd)
			}
			k, v, _ := strings.Cut(in.args, "=")
			args[k] = v
			return
		}
		stages[len(stages)-1].instr = append(stages[len(stages)-1].instr, in)
	}
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cont := strings.HasSuffix(line, `\`)
		line = strings.TrimSpace(strings.TrimSuffix(line, `\`))
		if cur == nil {
			cmd, rest, _ := strings.Cut(line, " ")
			cur = &instruction{line: n, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(rest)}
		} else {
			cur.args += " " + line
		}
		if !cont {
			add(*cur)
			cur = nil
		}
	}
	if cur != nil {
		t.Errorf("Dockerfile: the last instruction (line %d) ends with a line continuation", cur.line)
	}
	return args, stages
}

// goVersion is the go directive of go.mod: "1.26".
func goVersion(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(read(t, "go.mod"))
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	return m[1]
}

func TestDockerfile(t *testing.T) {
	args, stages := parseDockerfile(t, read(t, "Dockerfile"))
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages; want a build stage and a small runtime stage", len(stages))
	}
	if args["GO_VERSION"] != goVersion(t) {
		t.Errorf("ARG GO_VERSION=%s, go.mod says go %s", args["GO_VERSION"], goVersion(t))
	}
	build, final := stages[0], stages[len(stages)-1]
	if !strings.HasPrefix(build.from, "golang:${GO_VERSION}") {
		t.Errorf("build stage FROM %s; want golang:${GO_VERSION}…", build.from)
	}
	var goBuild string
	for _, in := range build.all("RUN") {
		if strings.Contains(in.args, "go build") {
			goBuild = in.args
		}
	}
	for _, want := range []string{"CGO_ENABLED=0 go build", "-tags timetzdata", "-trimpath", "./cmd/threaddigest",
		"-X github.com/threaddigest/threaddigest/version.release=${VERSION}"} {
		if !strings.Contains(goBuild, want) {
			t.Errorf("the build stage's go build lacks %q: %s", want, goBuild)
		}
	}
	if !strings.Contains(read(t, "version/version.go"), "\nvar release string\n") {
		t.Error("version/version.go has no `var release string` for the Dockerfile's -X to set")
	}

	if !strings.HasPrefix(final.from, "gcr.io/distroless/static") && final.from != "scratch" {
		t.Errorf("runtime stage FROM %s; want distroless/static or scratch (the binary is static)", final.from)
	}
	users := final.all("USER")
	if len(users) == 0 {
		t.Fatal("the runtime stage sets no USER: the service would run as root")
	}
	user, _, _ := strings.Cut(users[len(users)-1].args, ":")
	if uid, err := strconv.Atoi(user); (err == nil && uid == 0) || user == "root" || (err != nil && user != "nonroot") {
		t.Errorf("USER %s; want a non-root user", users[len(users)-1].args)
	}
	var binary string
	for _, in := range final.all("COPY") {
		if strings.Contains(in.args, "--from="+build.name) && strings.Contains(in.args, "/threaddigest") {
			f := strings.Fields(in.args)
			binary = f[len(f)-1]
		}
	}
	if binary == "" {
		t.Fatal("the runtime stage copies no threaddigest binary from the build stage")
	}
	env := map[string]string{}
	for _, in := range final.all("ENV") {
		for _, kv := range strings.Fields(in.args) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	}
	listen := env["THREADDIGEST_HTTP_LISTEN"]
	host, port, _ := strings.Cut(listen, ":")
	if host != "0.0.0.0" || port == "" {
		t.Errorf("ENV THREADDIGEST_HTTP_LISTEN=%q; in a container the server must listen on every interface", listen)
	}
	if config.DefaultListen != "127.0.0.1:8080" {
		t.Errorf("the default listen is %q: outside a container it must stay on the loopback", config.DefaultListen)
	}
	if exposed := final.all("EXPOSE"); len(exposed) != 1 || exposed[0].args != port {
		t.Errorf("EXPOSE %v; want the listen port %s", exposed, port)
	}
	if kind, err := open.Kind(env["THREADDIGEST_STORE_URL"]); err != nil || kind != "sqlite" || !strings.HasPrefix(env["THREADDIGEST_STORE_URL"], "sqlite:/data/") {
		t.Errorf("ENV THREADDIGEST_STORE_URL=%q (%v); want an SQLite file in the /data volume", env["THREADDIGEST_STORE_URL"], err)
	}
	hc := final.all("HEALTHCHECK")
	if len(hc) != 1 || !strings.Contains(hc[0].args, `CMD ["`+binary+`", "healthcheck"`) {
		t.Errorf("HEALTHCHECK %v; want the binary's own probe in exec form, [%q, \"healthcheck\", …]", hc, binary)
	}
	ep := final.all("ENTRYPOINT")
	if len(ep) != 1 || ep[0].args != `["`+binary+`"]` {
		t.Errorf("ENTRYPOINT %v; want [%q]", ep, binary)
	}
	cmd := final.all("CMD")
	if len(cmd) != 1 || !strings.Contains(cmd[0].args, `"serve", "--config", "/etc/threaddigest/config.toml"`) {
		t.Errorf("CMD %v; want serve --config /etc/threaddigest/config.toml", cmd)
	}

	ignore := strings.Fields(read(t, ".dockerignore"))
	for _, must := range []string{".git", "config.toml", "*.db"} {
		if !slices.Contains(ignore, must) {
			t.Errorf(".dockerignore does not exclude %s", must)
		}
	}
}

type composeFile struct {
	Services map[string]struct {
		Build     any    `yaml:"build"`
		Image     string `yaml:"image"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Ports       []string          `yaml:"ports"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		ReadOnly bool     `yaml:"read_only"`
		CapDrop  []string `yaml:"cap_drop"`
		Restart  string   `yaml:"restart"`
		Tmpfs    []string `yaml:"tmpfs"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// interpolate replaces ${VAR}, ${VAR:-default} and ${VAR:?message} as
// Compose does, from vars.
func interpolate(s string, vars map[string]string) string {
	ref := regexp.MustCompile(`\$\{([A-Z_]+)(?::([-?])([^}]*))?\}`)
	return ref.ReplaceAllStringFunc(s, func(m string) string {
		p := ref.FindStringSubmatch(m)
		if v, ok := vars[p[1]]; ok && v != "" {
			return v
		}
		if p[2] == "-" {
			return p[3]
		}
		return ""
	})
}

func TestCompose(t *testing.T) {
	var c composeFile
	if err := yaml.Unmarshal([]byte(read(t, "compose.yaml")), &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	td, ok := c.Services["threaddigest"]
	if !ok {
		t.Fatal("compose.yaml has no threaddigest service")
	}
	pg, ok := c.Services["postgres"]
	if !ok {
		t.Fatal("compose.yaml has no postgres service")
	}
	if td.Build == nil {
		t.Error("the threaddigest service does not build the Dockerfile")
	}
	if td.Restart != "unless-stopped" || pg.Restart != "unless-stopped" {
		t.Errorf("restart policies %q, %q; want unless-stopped: the service runs for months", td.Restart, pg.Restart)
	}
	if td.DependsOn["postgres"].Condition != "service_healthy" || pg.Healthcheck == nil ||
		!slices.Contains(pg.Healthcheck.Test, "pg_isready") {
		t.Error("threaddigest must wait for a healthy postgres (depends_on condition service_healthy, a pg_isready healthcheck)")
	}
	vars := map[string]string{"POSTGRES_PASSWORD": "s3cret"}
	storeURL := interpolate(td.Environment["THREADDIGEST_STORE_URL"], vars)
	if kind, err := open.Kind(storeURL); err != nil || kind != "postgres" {
		t.Fatalf("THREADDIGEST_STORE_URL %q: %s, %v; want PostgreSQL", storeURL, kind, err)
	}
	if err := open.Check(storeURL); err != nil {
		t.Errorf("THREADDIGEST_STORE_URL %q: %v", storeURL, err)
	}
	pgEnv := func(k string) string { return interpolate(pg.Environment[k], vars) }
	wantURL := "postgres://" + pgEnv("POSTGRES_USER") + ":" + pgEnv("POSTGRES_PASSWORD") + "@postgres:5432/" + pgEnv("POSTGRES_DB") + "?"
	if !strings.HasPrefix(storeURL, wantURL) {
		t.Errorf("THREADDIGEST_STORE_URL %q does not name the postgres service's user, password and database (%s…)", storeURL, wantURL)
	}
	if !strings.Contains(td.Environment["THREADDIGEST_STORE_URL"], "${POSTGRES_PASSWORD:?") || !strings.Contains(pg.Environment["POSTGRES_PASSWORD"], "${POSTGRES_PASSWORD:?") {
		t.Error("the database password must come from POSTGRES_PASSWORD, required (${POSTGRES_PASSWORD:?…}), never written in the file")
	}
	listen := td.Environment["THREADDIGEST_HTTP_LISTEN"]
	_, port, _ := strings.Cut(listen, ":")
	if !strings.HasPrefix(listen, "0.0.0.0:") {
		t.Errorf("THREADDIGEST_HTTP_LISTEN=%q; in the container it must be 0.0.0.0:PORT", listen)
	}
	if len(td.Ports) != 1 || td.Ports[0] != "127.0.0.1:"+port+":"+port {
		t.Errorf("ports %v; want the service published on the host's loopback only, 127.0.0.1:%s:%s", td.Ports, port, port)
	}
	if !slices.Contains(td.Volumes, "./config.toml:/etc/threaddigest/config.toml:ro") {
		t.Errorf("volumes %v; want config.toml mounted read-only where the image's CMD reads it", td.Volumes)
	}
	if !td.ReadOnly || !slices.Contains(td.CapDrop, "ALL") || !slices.Contains(td.Tmpfs, "/tmp") {
		t.Error("the threaddigest container should have a read-only root (with a tmpfs /tmp) and drop every capability")
	}
	// The example configuration, as the README has users copy it, loads
	// with the container's environment and finds its file sources under
	// the image's working directory (/data).
	env := map[string]string{}
	for k, v := range td.Environment {
		env[k] = interpolate(v, vars)
	}
	cfg, err := config.Load(filepath.Join(root, "config.example.toml"), func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config.example.toml with the compose environment: %v", err)
	}
	if cfg.Store.URL != storeURL || cfg.HTTP.Listen != listen {
		t.Errorf("the environment does not win over the file: store %q, listen %q", cfg.Store.URL, cfg.HTTP.Listen)
	}
	for _, th := range cfg.Threads {
		if filepath.IsAbs(th.Source) || strings.Contains(th.Source, ":") {
			continue
		}
		dir := filepath.Dir(th.Source)
		want := "./" + dir + ":/data/" + dir + ":ro"
		if !slices.Contains(td.Volumes, want) {
			t.Errorf("thread %s reads %s; want %s among the volumes", th.Name, th.Source, want)
		}
	}
	for _, v := range td.Volumes {
		name, _, _ := strings.Cut(v, ":")
		if !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "/") {
			if _, ok := c.Volumes[name]; !ok {
				t.Errorf("volume %s is not declared", name)
			}
		}
	}
}

// atLeast reports whether a systemd time span written in seconds ("45s")
// is at least min.
func atLeast(span string, min time.Duration) bool {
	d, err := time.ParseDuration(span)
	return err == nil && d >= min
}

// unit reads a systemd unit file: section → key → values in order.
func unit(t *testing.T, text string) map[string]map[string][]string {
	t.Helper()
	out := map[string]map[string][]string{}
	section := ""
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			out[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Errorf("threaddigest.service:%d: %q is not KEY=VALUE in a section", i+1, line)
				continue
			}
			out[section][k] = append(out[section][k], v)
		}
	}
	return out
}

func TestSystemdUnit(t *testing.T) {
	text := read(t, "deploy/threaddigest.service")
	svc := unit(t, text)["Service"]
	for key, want := range map[string]string{
		"DynamicUser": "yes", "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
		"PrivateTmp": "yes", "PrivateDevices": "yes", "CapabilityBoundingSet": "", "RestrictSUIDSGID": "yes",
		"MemoryDenyWriteExecute": "yes", "StateDirectory": "threaddigest", "WorkingDirectory": "/var/lib/threaddigest",
		"Restart": "on-failure", "UMask": "0077",
	} {
		if got := svc[key]; len(got) != 1 || got[0] != want {
			t.Errorf("[Service] %s = %v; want %q", key, got, want)
		}
	}
	if got := svc["ExecStart"]; len(got) != 1 || !strings.HasSuffix(got[0], "threaddigest serve --config /etc/threaddigest/config.toml") {
		t.Errorf("ExecStart = %v", got)
	}
	// serve may take 10 s + 20 s + 10 s to drain after SIGTERM.
	if got := svc["TimeoutStopSec"]; len(got) != 1 || !atLeast(got[0], 40*time.Second) {
		t.Errorf("TimeoutStopSec = %v; want at least 40s", got)
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed: the unit was checked by its keys only")
	}
	// verify needs ExecStart to name an executable: the test binary stands
	// in for threaddigest.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "threaddigest.service")
	local := strings.ReplaceAll(text, "/usr/local/bin/threaddigest", self)
	if err := os.WriteFile(path, []byte(local), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err = exec.Command(analyze, "security", "--offline=yes", path).CombinedOutput()
	if err != nil {
		t.Logf("systemd-analyze security --offline: %v (too old a systemd?)\n%s", err, out)
		return
	}
	m := regexp.MustCompile(`Overall exposure level for threaddigest.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("systemd-analyze security printed no exposure level:\n%s", out)
	}
	level, _ := strconv.ParseFloat(string(m[1]), 64)
	t.Logf("systemd-analyze security: exposure %.1f (0 is best, 10 worst)", level)
	if level > 2.0 {
		t.Errorf("exposure %.1f; the unit was hardened to 1.2, keep it under 2", level)
	}
}
