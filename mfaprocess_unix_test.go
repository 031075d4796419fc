//go:build linux

package awssession

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awssession/awssession/internal/poll"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gone reports whether process pid has ended (no such process, or a
// zombie no one reaped).
func gone(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return true
	}
	// pid (comm) STATE ...: comm may hold spaces, the state follows the last ')'.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z'
}

// childPID waits for the file a script writes its child's pid to.
func childPID(t *testing.T, file string) int {
	t.Helper()
	var pid int
	require.NoError(t, poll.Until(10*time.Second, 5*time.Millisecond, func() (bool, error) {
		b, err := os.ReadFile(file)
		if err != nil || !bytes.HasSuffix(b, []byte("\n")) {
			return false, nil
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil, nil
	}))
	return pid
}

// A hanging MFA process is killed with its whole process group: the
// children it started (a shell's sleep) do not outlive it.
func TestProcessTokenKillsTheProcessGroup(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "child")
	dir := script(t, "hang", `sleep 300 & echo $! > "$PIDFILE"; wait`)
	env := []string{"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH"), "PIDFILE=" + pidFile}
	tokens, err := ProcessToken(MFAProcess{Command: "hang", Env: env, Timeout: 500 * time.Millisecond, Stderr: &bytes.Buffer{}})
	require.NoError(t, err)
	_, err = tokens(context.Background(), "s")
	require.ErrorContains(t, err, "no code after 500ms")
	pid := childPID(t, pidFile)
	require.NoError(t, poll.Until(10*time.Second, 5*time.Millisecond, func() (bool, error) { return gone(pid), nil }), "the child %d outlived the MFA process", pid)
}

// An MFA process that prints its code and exits, leaving a child that
// holds its stdout open, gives its code: the first line is read, the
// pipe is not waited for, and the child is killed. It used to fail with
// "WaitDelay expired".
func TestProcessTokenChildHoldsStdout(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "child")
	dir := script(t, "code-and-child", `echo 246810; sleep 300 & echo $! > "$PIDFILE"`)
	env := []string{"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH"), "PIDFILE=" + pidFile}
	tokens, err := ProcessToken(MFAProcess{Command: "code-and-child", Env: env, Stderr: &bytes.Buffer{}})
	require.NoError(t, err)
	code, err := tokens(context.Background(), "s")
	require.NoError(t, err)
	assert.Equal(t, "246810", code)
	pid := childPID(t, pidFile)
	require.NoError(t, poll.Until(10*time.Second, 5*time.Millisecond, func() (bool, error) { return gone(pid), nil }), "the child %d was left running", pid)
}

// A process that prints its code and then hangs gives its code too.
func TestProcessTokenCodeThenHang(t *testing.T) {
	t.Parallel()
	tokens, err := ProcessToken(MFAProcess{Command: "sh -c 'echo 135791; exec sleep 300'", Env: []string{"PATH=" + os.Getenv("PATH")}})
	require.NoError(t, err)
	code, err := tokens(context.Background(), "s")
	require.NoError(t, err)
	assert.Equal(t, "135791", code)
}

// zenity without a display prints GTK's warning and exits with status 1,
// as a cancel does: it is a failure to show the dialog, not an interrupt.
// The script prints what zenity 3.44 prints with DISPLAY=:99 and no X
// server.
func TestGUITokenCannotOpenDisplay(t *testing.T) {
	t.Parallel()
	dir := script(t, "zenity", `echo "(zenity:31033): Gtk-WARNING **: 09:27:16.191: cannot open display: :99" >&2; exit 1`)
	tokens, err := GUIToken("zenity", []string{"PATH=" + dir, "DISPLAY=:99"})
	require.NoError(t, err)
	_, err = tokens(context.Background(), "s")
	require.Error(t, err)
	assert.False(t, errors.Is(err, context.Canceled), "got %v, want a failure, not a cancel", err)
	assert.Contains(t, err.Error(), "zenity could not open the display")
}
