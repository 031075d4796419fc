package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPrompt asks for the MFA code on stderr and keeps stdout clean;
// the code comes from the terminal when there is one, else from stdin.
func TestPrompt(t *testing.T) {
	t.Parallel()
	t.Run("no terminal, no code", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		// A code on stdin is not taken for one: stdin belongs to the
		// "-" flags and to the program awssession runs in.
		r := f.run(t, nil, f.srv.TOTPCode(f.mfa.SerialNumber)+"\n", append([]string{"env"},
			f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN)...)...)
		assert.Equal(t, exitUsage, r.code)
		for _, flag := range []string{"--mfa-token", "--mfa-totp-secret-env", "--mfa-process"} {
			assert.Contains(t, r.stderr, flag)
		}
		assert.Contains(t, r.stderr, "no terminal")
		assert.Empty(t, r.stdout)
		assert.Equal(t, 0, f.srv.CountRequests(""), "fails before any STS call")
	})
	t.Run("terminal", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		var stdout, stderr bytes.Buffer
		c := newCLI(strings.NewReader("not a code\n"), &stdout, &stderr, f.env)
		opened := 0
		c.openTTY = func() (io.ReadCloser, error) {
			opened++
			return io.NopCloser(strings.NewReader(f.srv.TOTPCode(f.mfa.SerialNumber) + "\n")), nil
		}
		code := c.run(context.Background(), append([]string{"env"}, f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN)...))
		require.Equal(t, 0, code, "stderr: %s", stderr.String())
		assert.Equal(t, 1, opened)
		assert.Contains(t, stderr.String(), "MFA code for ")
		assert.NotContains(t, stdout.String(), "MFA")
	})
	t.Run("no prompt without a device", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		c := newCLI(strings.NewReader(""), io.Discard, io.Discard, f.env)
		c.openTTY = func() (io.ReadCloser, error) {
			t.Error("terminal opened, want no prompt")
			return nil, errors.New("no")
		}
		require.Equal(t, 0, c.run(context.Background(), append([]string{"env"}, f.aliceArgs("--role-arn", f.reader.ARN)...)))
	})
}

// TestPromptInterrupted cancels the context (Ctrl-C) while the prompt
// waits for a code that never comes: the run ends with status 130 and
// nothing is written to the cache.
func TestPromptInterrupted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tty, never := io.Pipe()
	defer never.Close()
	prompted := make(chan struct{})
	stderr := &notifyWriter{match: "MFA code for", ch: prompted}
	var stdout bytes.Buffer
	cacheDir := t.TempDir()
	c := newCLI(strings.NewReader(""), &stdout, stderr, append(f.env, envCacheDir+"="+cacheDir))
	c.openTTY = func() (io.ReadCloser, error) { return tty, nil }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int)
	go func() {
		code <- c.run(ctx, append([]string{"env"}, f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN)...))
	}()
	<-prompted
	cancel()
	assert.Equal(t, exitInterrupted, <-code)
	assert.Contains(t, stderr.String(), "awssession: interrupted")
	assert.Empty(t, stdout.String())
	assert.Equal(t, 0, f.srv.CountRequests(""))
	assertNoCacheEntries(t, cacheDir)
}

// assertNoCacheEntries checks that a cache directory holds no entry (no
// credentials, no MFA device record).
func assertNoCacheEntries(t *testing.T, dir string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			t.Errorf("cache entry %s written, want none", path)
		}
		return nil
	})
}

// notifyWriter is a buffer, safe for concurrent use, that closes ch when
// match is first written.
type notifyWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	match string
	ch    chan struct{}
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := strings.Contains(w.buf.String(), w.match)
	n, err := w.buf.Write(p)
	if !had && strings.Contains(w.buf.String(), w.match) {
		close(w.ch)
	}
	return n, err
}

func (w *notifyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// fakeTool writes an executable shell script name into a new directory,
// for PATH, and returns the directory.
func fakeTool(t *testing.T, name, body string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o700))
	return dir
}
