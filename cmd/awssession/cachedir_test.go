//go:build unix

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCacheDirBadInput: --cache-dir that is no directory (/dev/zero), or
// a symbolic link named with a trailing "/" or "/.", is bad input (exit
// 2), and the link's target is left as it was.
func TestCacheDirBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	target := filepath.Join(t.TempDir(), "shared")
	require.NoError(t, os.Mkdir(target, 0o755))
	link := filepath.Join(t.TempDir(), "cache")
	require.NoError(t, os.Symlink(target, link))
	for dir, want := range map[string]string{
		"/dev/zero": "is not a directory but a device",
		link + "/":  "is a symbolic link",
		link + "/.": "is a symbolic link",
	} {
		r := f.run(t, nil, "", append([]string{"env", "--cache-dir", dir, "--role-arn", f.reader.ARN}, f.aliceArgs()...)...)
		assert.Equal(t, exitUsage, r.code, "%s: got exit %d, want 2; stderr: %s", dir, r.code, r.stderr)
		assert.Contains(t, r.stderr, want)
		assert.Contains(t, r.stderr, "--no-cache")
	}
	fi, err := os.Stat(target)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm(), "the link's target was tightened")
	entries, err := os.ReadDir(target)
	require.NoError(t, err)
	assert.Empty(t, entries, "credentials were written through the link")
	assert.Zero(t, f.srv.CountRequests(""), "refused before any STS call")
}
