// Package version says which build of threaddigest is running: its version,
// the commit it was built from and the Go toolchain, for `threaddigest
// version`, the startup log, the User-Agent sent to comment sites and the
// threaddigest_build_info metric.
//
// The version comes from the Go toolchain's build information: a build from
// a git checkout carries the commit and, for a tagged commit, the tag
// (v1.2.0); `go install …@v1.2.0` carries the module version. A build made
// where neither is known (a container build without .git) can name its
// version at link time:
//
//	go build -ldflags "-X github.com/threaddigest/threaddigest/version.release=v1.2.0" ./cmd/threaddigest
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// release is set at link time with -ldflags -X (see the package comment);
// it wins over the build information's module version. It is never changed
// at run time.
var release string

// Info describes a build.
type Info struct {
	// Version is the release ("v1.2.0"), a Go pseudo-version for an
	// untagged commit ("v0.0.0-20261125131559-54d346c9e1f2"), or "devel"
	// when the build carries none.
	Version string
	// Revision is the VCS commit, "" when unknown; Time its commit time
	// (RFC 3339); Modified reports uncommitted changes in the build.
	Revision string
	Time     string
	Modified bool
	// GoVersion is the toolchain ("go1.26.0").
	GoVersion string
}

// Get returns the running binary's build information.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return describe(nil, release)
	}
	return describe(bi, release)
}

// describe reads bi (nil when the binary has none) with the link-time
// release, which wins when set.
func describe(bi *debug.BuildInfo, linked string) Info {
	info := Info{Version: "devel", GoVersion: runtime.Version()}
	if bi != nil {
		if bi.GoVersion != "" {
			info.GoVersion = bi.GoVersion
		}
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			info.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Revision = s.Value
			case "vcs.time":
				info.Time = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if linked != "" {
		info.Version = linked
	}
	return info
}

// Short is the version with the commit when the version does not already
// name it: "v1.2.0", "devel+54d346c9e1f2", "devel+54d346c9e1f2-dirty".
func (i Info) Short() string {
	v := i.Version
	if i.Revision != "" && !strings.Contains(v, shortRev(i.Revision)) {
		v += "+" + shortRev(i.Revision)
	}
	if i.Modified && !strings.HasSuffix(v, "+dirty") {
		v += "-dirty"
	}
	return v
}

func shortRev(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// String is the one line `threaddigest version` starts with.
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "threaddigest %s", i.Short())
	if i.Revision != "" {
		fmt.Fprintf(&b, " (commit %s", i.Revision)
		if i.Time != "" {
			fmt.Fprintf(&b, ", %s", i.Time)
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, " built with %s", i.GoVersion)
	return b.String()
}

// UserAgent is the default User-Agent of requests to comment sites: the
// product, its version, and where to read about it, as Reddit asks.
func (i Info) UserAgent() string {
	return "threaddigest/" + i.Short() + " (comment thread digests; +https://github.com/threaddigest/threaddigest)"
}
