package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	rev := "54d346c9e1f2a0b1c2d3e4f5a6b7c8d9e0f1a2b3"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: "2026-11-25T13:15:59Z"},
			{Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name      string
		bi        *debug.BuildInfo
		linked    string
		wantShort string
		wantLine  string
	}{
		{"no build info", nil, "", "devel", "threaddigest devel built with go"},
		{"module version", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.0"}}, "",
			"v1.2.0", "threaddigest v1.2.0 built with go1.26.0"},
		{"checkout", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs("false")}, "",
			"devel+54d346c9e1f2", "threaddigest devel+54d346c9e1f2 (commit " + rev + ", 2026-11-25T13:15:59Z) built with go1.26.0"},
		{"dirty checkout", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs("true")}, "",
			"devel+54d346c9e1f2-dirty", "threaddigest devel+54d346c9e1f2-dirty (commit"},
		{"pseudo-version names the commit once", &debug.BuildInfo{GoVersion: "go1.26.0",
			Main: debug.Module{Version: "v0.0.0-20261125131559-54d346c9e1f2"}, Settings: vcs("false")}, "",
			"v0.0.0-20261125131559-54d346c9e1f2", "threaddigest v0.0.0-20261125131559-54d346c9e1f2 (commit"},
		{"go's +dirty suffix is not doubled", &debug.BuildInfo{GoVersion: "go1.26.0",
			Main: debug.Module{Version: "v0.0.0-20261125131559-54d346c9e1f2+dirty"}, Settings: vcs("true")}, "",
			"v0.0.0-20261125131559-54d346c9e1f2+dirty", "threaddigest v0.0.0-20261125131559-54d346c9e1f2+dirty"},
		{"link-time release wins", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs("false")},
			"v1.3.0", "v1.3.0+54d346c9e1f2", "threaddigest v1.3.0+54d346c9e1f2 (commit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info := describe(tc.bi, tc.linked)
			if got := info.Short(); got != tc.wantShort {
				t.Errorf("Short() = %q, want %q", got, tc.wantShort)
			}
			if got := info.String(); !strings.HasPrefix(got, tc.wantLine) {
				t.Errorf("String() = %q, want it to start with %q", got, tc.wantLine)
			}
			if ua := info.UserAgent(); !strings.HasPrefix(ua, "threaddigest/"+tc.wantShort+" (") {
				t.Errorf("UserAgent() = %q, want it to carry %q", ua, tc.wantShort)
			}
		})
	}
}

// The test binary has build information: Get reads it without failing and
// names the toolchain.
func TestGet(t *testing.T) {
	info := Get()
	if info.Version == "" || !strings.HasPrefix(info.GoVersion, "go") {
		t.Errorf("Get() = %+v, want a version and a Go toolchain", info)
	}
}
