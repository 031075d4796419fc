package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPrompt asks for the MFA code on stderr and keeps stdout clean;
// the code comes from the terminal when there is one, else from stdin.
func TestPrompt(t *testing.T) {
	t.Parallel()
	t.Run("stdin", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		stdin := f.alice.SecretAccessKey + "\n" + f.srv.TOTPCode(f.mfa.SerialNumber) + "\n"
		r := f.run(t, []string{envSecretKey + "="}, stdin, append([]string{"env"},
			f.aliceArgs("--secret-key", "-", "--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN)...)...)
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		assert.True(t, strings.HasPrefix(r.stderr, "MFA code for "+f.mfa.SerialNumber+": "), "stderr: %q", r.stderr)
		assert.NotContains(t, r.stdout, "MFA")
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			assert.Regexp(t, `^(export|unset) AWS(_[A-Z_]+|SESSION)=?`, line)
		}
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
// waits for a code that never comes: the run ends, status 1.
func TestPromptInterrupted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	stdin, never := io.Pipe()
	defer never.Close()
	prompted := make(chan struct{})
	stderr := &notifyWriter{match: "MFA code for", ch: prompted}
	var stdout bytes.Buffer
	c := newCLI(stdin, &stdout, stderr, f.env)
	c.openTTY = func() (io.ReadCloser, error) { return nil, errors.New("no terminal in tests") }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int)
	go func() {
		code <- c.run(ctx, append([]string{"env"}, f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN)...))
	}()
	<-prompted
	cancel()
	assert.Equal(t, 1, <-code)
	assert.Contains(t, stderr.String(), "awssession: interrupted")
	assert.Empty(t, stdout.String())
	assert.Equal(t, 0, f.srv.CountRequests(""))
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

// TestEnvInterruptedAtPromptProcess runs env as a process: its warm path
// handles no signals (that costs a millisecond), so they must be handled
// by the time it prompts. Ctrl-C at the prompt ends the run with status 1
// and an error, not a hang and not a kill by the signal.
func TestEnvInterruptedAtPromptProcess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cmd := f.cliProcess(t, append([]string{"env"},
				f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN, "--cache-dir", t.TempDir())...)...)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal: the prompt reads stdin
			stdin, err := cmd.StdinPipe()
			require.NoError(t, err)
			defer stdin.Close()
			prompted := make(chan struct{})
			cmd.Stderr = &notifyWriter{match: "MFA code for", ch: prompted}
			require.NoError(t, cmd.Start())
			select {
			case <-prompted:
			case <-time.After(30 * time.Second):
				t.Fatal("no prompt")
			}
			require.NoError(t, cmd.Process.Signal(sig))
			err = cmd.Wait()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "got %v, want exit status 1", err)
			assert.Equal(t, 1, exit.ExitCode(), "an interrupted run, not one killed by %s", sig)
		})
	}
}
