package configfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func setRegion(section, region string) func(*File) error {
	return func(f *File) error { return f.Set(section, KeyValue{"region", region}) }
}

// TestEditMissingFile creates the file (0600) and its directory (0700).
func TestEditMissingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".aws", "config")
	changed, err := Edit(context.Background(), path, setRegion("default", "eu-west-1"))
	require.NoError(t, err)
	assert.True(t, changed)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "[default]\nregion = eu-west-1\n", string(b))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	di, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		assert.Equal(t, os.FileMode(0o700), di.Mode().Perm())
	}
}

// TestEditKeepsPermissionsAndWritesOnlyChanges: the file keeps its mode;
// an edit that changes nothing does not write (same inode).
func TestEditKeepsPermissionsAndWritesOnlyChanges(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	path := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(path, []byte("# mine\n[default]\nregion = a-1\n"), 0o640))
	require.NoError(t, os.Chmod(path, 0o640))
	changed, err := Edit(context.Background(), path, setRegion("default", "b-1"))
	require.NoError(t, err)
	assert.True(t, changed)
	before, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), before.Mode().Perm())

	changed, err = Edit(context.Background(), path, setRegion("default", "b-1"))
	require.NoError(t, err)
	assert.False(t, changed)
	after, err := os.Stat(path)
	require.NoError(t, err)
	assert.True(t, os.SameFile(before, after), "an edit without changes replaced the file")
}

// TestEditErrorWritesNothing: fn's error leaves the file as it was.
func TestEditErrorWritesNothing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(path, []byte("[default]\n"), 0o600))
	boom := errors.New("boom")
	_, err := Edit(context.Background(), path, func(f *File) error {
		require.NoError(t, f.Set("default", KeyValue{"region", "a-1"}))
		return boom
	})
	require.ErrorIs(t, err, boom)
	b, _ := os.ReadFile(path)
	assert.Equal(t, "[default]\n", string(b))
}

// TestEditFollowsSymlinks: a dotfile manager's link stays a link; the
// file it points to changes.
func TestEditFollowsSymlinks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target, link := filepath.Join(dir, "dotfiles-config"), filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(target, []byte("[default]\n"), 0o600))
	if err := os.Symlink(target, link); err != nil {
		if runtime.GOOS != "windows" {
			t.Fatalf("symlink: %v", err) // every Unix has them
		}
		t.Skipf("no symbolic links here (Windows without the privilege): %v", err)
	}
	_, err := Edit(context.Background(), link, setRegion("default", "a-1"))
	require.NoError(t, err)
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&os.ModeSymlink, "the link was replaced by a file")
	b, _ := os.ReadFile(target)
	assert.Equal(t, "[default]\nregion = a-1\n", string(b))

	require.NoError(t, os.Remove(target))
	_, err = Edit(context.Background(), link, setRegion("default", "a-1"))
	assert.ErrorContains(t, err, "does not exist")
}

// TestReadMissingIsEmpty: a missing file reads as an empty one.
func TestReadMissingIsEmpty(t *testing.T) {
	t.Parallel()
	f, err := Read(filepath.Join(t.TempDir(), "none"))
	require.NoError(t, err)
	assert.Empty(t, f.Sections())
}

// TestConcurrentEditors: editors that run at once each see the others'
// changes (the lock), so no section is lost.
func TestConcurrentEditors(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(path, []byte("# shared\n"), 0o600))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = Edit(context.Background(), path, setRegion(fmt.Sprintf("profile p%d", i), "a-1"))
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	f, err := Read(path)
	require.NoError(t, err)
	assert.Len(t, f.Sections(), n)
}

// TestEditWaitsForTheLockUntilCancelled: a held lock makes Edit wait, and
// it gives up when its context ends.
func TestEditWaitsForTheLockUntilCancelled(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config")
	unlock, err := lock(context.Background(), path)
	require.NoError(t, err)
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Edit(ctx, path, setRegion("default", "a-1"))
	require.ErrorIs(t, err, context.Canceled)
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist)
}
