//go:build unix

package awssession_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A cache directory given as a symbolic link is refused: its target would
// be tightened to 0700 and filled with credentials.
func TestFileCacheRefusesSymlinkedDir(t *testing.T) {
	target := filepath.Join(t.TempDir(), "shared")
	require.NoError(t, os.Mkdir(target, 0o755))
	link := filepath.Join(t.TempDir(), "cache")
	require.NoError(t, os.Symlink(target, link))

	_, err := awssession.NewFileCache(link)
	require.Error(t, err)
	assert.Contains(t, err.Error(), link)
	assert.Contains(t, err.Error(), "symbolic link")
	fi, err := os.Stat(target)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm(), "the target's mode is untouched")

	// A link above the directory is the user's layout, and is followed.
	c, err := awssession.NewFileCache(filepath.Join(link, "awssession"))
	require.NoError(t, err)
	require.NoError(t, c.Put(context.Background(), "k", []byte("v")))
}

// A symbolic link named with a trailing "/" or "/." is still the link:
// the system would follow it, so the path is cleaned and the link
// refused, its target's mode untouched. A ".." after a directory name is
// refused too (through a link it leads elsewhere than it reads).
func TestFileCacheRefusesSymlinkWithTrailingSlash(t *testing.T) {
	target := filepath.Join(t.TempDir(), "shared")
	require.NoError(t, os.Mkdir(target, 0o755))
	link := filepath.Join(t.TempDir(), "cache")
	require.NoError(t, os.Symlink(target, link))

	for _, dir := range []string{link + "/", link + "/.", link + "//./", filepath.Join(link, "sub") + "/../"} {
		_, err := awssession.NewFileCache(dir)
		require.Error(t, err, "got no error for %q", dir)
		require.ErrorIs(t, err, awssession.ErrInvalidInput, "%q", dir)
		fi, err := os.Stat(target)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm(), "%q tightened the link's target", dir)
	}
	_, err := os.Stat(filepath.Join(target, "sub"))
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing was created under the target")
}

// Something that is not a directory is bad input (exit 2 in the CLI), not
// a failure.
func TestFileCacheRefusesNonDirectories(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	for _, dir := range []string{"/dev/zero", file, filepath.Join(file, "sub")} {
		_, err := awssession.NewFileCache(dir)
		require.ErrorIs(t, err, awssession.ErrInvalidInput, "%q", dir)
		assert.Contains(t, err.Error(), "not a directory")
	}
}

// Entry and lock files are not followed when they are symbolic links.
func TestFileCacheDoesNotFollowLinks(t *testing.T) {
	ctx := context.Background()
	c, err := awssession.NewFileCache(filepath.Join(t.TempDir(), "cache"))
	require.NoError(t, err)
	elsewhere := filepath.Join(t.TempDir(), "elsewhere")
	require.NoError(t, os.WriteFile(elsewhere, []byte(`{"planted":true}`), 0o600))
	require.NoError(t, os.Symlink(elsewhere, filepath.Join(c.Dir(), "k.json")))
	victim := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.Symlink(victim, filepath.Join(c.Dir(), "k.lock")))

	got, err := c.Get(ctx, "k")
	assert.Error(t, err, "got %q", got)
	_, err = c.Lock(ctx, "k")
	assert.Error(t, err)
	assert.NoFileExists(t, victim, "the lock did not create the link's target")

	require.NoError(t, c.Put(ctx, "k", []byte("new")), "Put replaces the link")
	got, err = c.Get(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))
	data, err := os.ReadFile(elsewhere)
	require.NoError(t, err)
	assert.Equal(t, `{"planted":true}`, string(data))
}

// A FIFO at an entry or lock path is refused at once instead of blocking
// the process forever.
func TestFileCacheRefusesFIFOs(t *testing.T) {
	ctx := context.Background()
	c, err := awssession.NewFileCache(filepath.Join(t.TempDir(), "cache"))
	require.NoError(t, err)
	require.NoError(t, syscall.Mkfifo(filepath.Join(c.Dir(), "k.json"), 0o600))
	require.NoError(t, syscall.Mkfifo(filepath.Join(c.Dir(), "k.lock"), 0o600))

	done := make(chan [2]error, 1)
	go func() {
		_, getErr := c.Get(ctx, "k")
		unlock, lockErr := c.Lock(ctx, "k")
		if lockErr == nil {
			unlock()
		}
		done <- [2]error{getErr, lockErr}
	}()
	select {
	case errs := <-done:
		require.Error(t, errs[0])
		assert.Contains(t, errs[0].Error(), "not a regular file")
		require.Error(t, errs[1])
		assert.Contains(t, errs[1].Error(), "not a regular file")
	case <-time.After(10 * time.Second): // a bound for a hang, not a timing assertion
		t.Fatal("Get or Lock blocked on a FIFO")
	}
}

// An entry larger than any real one is refused, not read whole.
func TestFileCacheCapsEntries(t *testing.T) {
	c, err := awssession.NewFileCache(filepath.Join(t.TempDir(), "cache"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(c.Dir(), "k.json"), []byte(strings.Repeat("x", 1<<20)), 0o600))
	_, err = c.Get(context.Background(), "k")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "larger than")
}

// A temporary file left by a process killed before its rename holds full
// credentials; the next Put in the directory removes it once it is a
// minute old, and leaves younger ones (another process's write in flight).
func TestFileCachePutRemovesStaleTemps(t *testing.T) {
	c, err := awssession.NewFileCache(filepath.Join(t.TempDir(), "cache"))
	require.NoError(t, err)
	stale := filepath.Join(c.Dir(), ".tmp-role-abc-123")
	fresh := filepath.Join(c.Dir(), ".tmp-role-abc-456")
	for _, p := range []string{stale, fresh} {
		require.NoError(t, os.WriteFile(p, []byte(`{"secretAccessKey":"..."}`), 0o600))
	}
	old := time.Now().Add(-2 * time.Minute)
	require.NoError(t, os.Chtimes(stale, old, old))

	require.NoError(t, c.Put(context.Background(), "other", []byte("v")))
	assert.NoFileExists(t, stale)
	assert.FileExists(t, fresh)
}
