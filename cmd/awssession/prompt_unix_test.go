//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnvInterruptedAtPromptProcess runs env as a process: its warm path
// handles no signals (that costs a millisecond), so they must be handled
// by the time it prompts. Ctrl-C (or SIGTERM) at the prompt, here a GUI
// dialog as a process without a terminal shows, ends the run with status
// 130, as shells and the AWS CLI report an interrupt, not a hang and not
// a kill by the signal.
func TestEnvInterruptedAtPromptProcess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	bin := fakeTool(t, "zenity", `echo "MFA code for (dialog)" >&2; exec sleep 60`)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cacheDir := t.TempDir()
			cmd := f.cliProcess(t, append([]string{"env"},
				f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN, "--cache-dir", cacheDir)...)...)
			cmd.Env = append(cmd.Env, "PATH="+bin+":"+os.Getenv("PATH"), "DISPLAY=:99")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal: a GUI prompt
			prompted := make(chan struct{})
			cmd.Stderr = &notifyWriter{match: "MFA code for", ch: prompted}
			require.NoError(t, cmd.Start())
			select {
			case <-prompted:
			case <-time.After(30 * time.Second):
				t.Fatal("no prompt")
			}
			require.NoError(t, cmd.Process.Signal(sig))
			err := cmd.Wait()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "got %v, want exit status 130", err)
			assert.Equal(t, exitInterrupted, exit.ExitCode(), "an interrupted run, not one killed by %s", sig)
			assertNoCacheEntries(t, cacheDir)
		})
	}
}
