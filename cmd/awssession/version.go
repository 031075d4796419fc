package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// versionText describes the build in one line: the module version
// ("(devel)" for a binary built from a checkout), the VCS commit and its
// time when the build recorded them ("+dirty" for uncommitted changes),
// and the Go version, e.g.
//
//	awssession v1.4.0 (commit 3b22052e1f0a, 2026-11-30T19:43:17Z) go1.26.8
func versionText(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "awssession (devel) (no build information)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)" // a test binary
	}
	var revision, when string
	var dirty bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	var b strings.Builder
	b.WriteString("awssession " + version)
	if revision != "" {
		if len(revision) > 12 {
			revision = revision[:12]
		}
		if dirty {
			revision += "+dirty"
		}
		b.WriteString(" (commit " + revision)
		if when != "" {
			b.WriteString(", " + when)
		}
		b.WriteString(")")
	}
	if info.GoVersion != "" {
		b.WriteString(" " + info.GoVersion)
	}
	return b.String()
}

// buildVersion is versionText for this binary.
func buildVersion() string {
	return versionText(debug.ReadBuildInfo())
}

// setVersion gives root --version (cobra's flag) with the build's
// version line.
func setVersion(root *cobra.Command) {
	root.Version = buildVersion()
	root.SetVersionTemplate("{{.Version}}\n")
}

func (c *cli) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the VCS commit it was built from, and the Go version",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(c.stdout, buildVersion())
			return err
		},
	}
}
