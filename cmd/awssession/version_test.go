package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVersionText formats what the build recorded: a release, a checkout
// with and without VCS stamps, uncommitted changes, no build information.
func TestVersionText(t *testing.T) {
	t.Parallel()
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "3b22052e1f0a9d8c7b6a5f4e3d2c1b0a99887766"},
			{Key: "vcs.time", Value: "2026-11-30T19:43:17Z"}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"release", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}},
			true, "awssession v1.4.0 go1.26.8"},
		{"checkout", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs("false")},
			true, "awssession (devel) (commit 3b22052e1f0a, 2026-11-30T19:43:17Z) go1.26.8"},
		{"uncommitted changes", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs("true")},
			true, "awssession (devel) (commit 3b22052e1f0a+dirty, 2026-11-30T19:43:17Z) go1.26.8"},
		{"pseudo-version, no stamps", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130194317-3b22052e1f0a"}},
			true, "awssession v0.0.0-20261130194317-3b22052e1f0a"},
		{"test binary", &debug.BuildInfo{GoVersion: "go1.26.8"}, true, "awssession (devel) go1.26.8"},
		{"no build information", nil, false, "awssession (devel) (no build information)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, versionText(tt.info, tt.ok))
		})
	}
}

// TestVersion prints the build's version line with --version and with the
// version command, and nothing on stderr.
func TestVersion(t *testing.T) {
	t.Parallel()
	want := buildVersion() + "\n"
	assert.Regexp(t, `^awssession \S+`, want)
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}} {
		r := runCLI(t, nil, "", args...)
		require.Equal(t, 0, r.code, "%v: stderr: %s", args, r.stderr)
		assert.Equal(t, want, r.stdout, "%v", args)
		assert.Empty(t, r.stderr, "%v", args)
	}
}
