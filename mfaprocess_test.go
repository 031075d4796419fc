package awssession

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// script writes an executable shell script named name into a new
// directory and returns that directory.
func script(t *testing.T, name, body string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o700))
	return dir
}

func TestProcessToken(t *testing.T) {
	t.Parallel()
	dir := script(t, "mfa-code", `echo "touch your key" >&2; echo "  $1"`)
	env := []string{"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH")}
	for name, tc := range map[string]struct {
		command, want, err string
		timeout            time.Duration
	}{
		"a code":          {command: "mfa-code 123456", want: "123456"},
		"garbage":         {command: "mfa-code 'Amazon:alice  123456'", err: "printed no six-digit code"},
		"five digits":     {command: "mfa-code 12345", err: "printed no six-digit code"},
		"exit status":     {command: "sh -c 'exit 3'", err: "exited with status 3"},
		"not found":       {command: "no-such-mfa-program", err: "executable file not found in $PATH"},
		"hangs":           {command: "sh -c 'sleep 60'", timeout: 100 * time.Millisecond, err: "no code after 100ms"},
		"hangs, no shell": {command: "sleep 60", timeout: 100 * time.Millisecond, err: "no code after 100ms"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			tokens, err := ProcessToken(MFAProcess{Command: tc.command, Env: env, Timeout: tc.timeout, Stderr: &stderr})
			require.NoError(t, err)
			got, err := tokens(context.Background(), "arn:aws:iam::123456789012:mfa/alice")
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				assert.NotContains(t, err.Error(), "123456", "never quotes the output")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, "touch your key\n", stderr.String(), "stderr passes through")
		})
	}
	_, err := ProcessToken(MFAProcess{Command: "ykman 'unbalanced"})
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorContains(t, err, "MFA process")
}

func TestProcessTokenHonoursContext(t *testing.T) {
	t.Parallel()
	tokens, err := ProcessToken(MFAProcess{Command: "sleep 60", Env: []string{"PATH=" + os.Getenv("PATH")}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = tokens(ctx, "s")
	require.ErrorIs(t, err, context.Canceled)
}

// A fake zenity shows what the GUI prompt runs: the question with the
// serial, hidden input; the code comes from its stdout, and Cancel (exit
// status 1) counts as an interrupt.
func TestGUIToken(t *testing.T) {
	t.Parallel()
	dir := script(t, "zenity", `printf '%s\n' "$@" > "${0%/*}/args"; [ -z "$CANCEL" ] || exit 1; echo 654321`)
	env := []string{"PATH=" + dir, "DISPLAY=:0"}
	tokens, err := GUIToken("zenity", env)
	require.NoError(t, err)
	got, err := tokens(context.Background(), "arn:aws:iam::123456789012:mfa/alice")
	require.NoError(t, err)
	assert.Equal(t, "654321", got)
	args, err := os.ReadFile(filepath.Join(dir, "args"))
	require.NoError(t, err)
	assert.Equal(t, "--entry\n--hide-text\n--title\nawssession\n--text\nMFA code for arn:aws:iam::123456789012:mfa/alice:\n", string(args))

	cancelled, err := GUIToken("zenity", append(env, "CANCEL=1"))
	require.NoError(t, err)
	_, err = cancelled(context.Background(), "s")
	require.ErrorIs(t, err, context.Canceled)

	_, err = GUIToken("xmessage", env)
	require.ErrorIs(t, err, ErrInvalidInput)
	_, err = GUIToken("kdialog", env)
	require.ErrorIs(t, err, exec.ErrNotFound)
}

func TestGUITokenOsascriptQuotes(t *testing.T) {
	t.Parallel()
	argv := dialogs["osascript"](`MFA code for a"b\c:`)
	assert.True(t, strings.Contains(argv[2], `display dialog "MFA code for a\"b\\c:"`), argv[2])
}

// askTerminal on something that is not a terminal reads a visible line;
// a done context ends the prompt at once.
func TestAskTerminal(t *testing.T) {
	t.Parallel()
	in, typed, err := os.Pipe()
	require.NoError(t, err)
	screen, out, err := os.Pipe()
	require.NoError(t, err)
	go func() { _, _ = typed.WriteString(" 112233 \n") }()
	got, err := askTerminal(context.Background(), in, out, "serial")
	require.NoError(t, err)
	assert.Equal(t, "112233", got)
	prompt := make([]byte, 64)
	n, _ := screen.Read(prompt)
	assert.Equal(t, "MFA code for serial: ", string(prompt[:n]))
	_ = typed.Close()
	_ = screen.Close()

	in, typed, err = os.Pipe()
	require.NoError(t, err)
	defer typed.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = askTerminal(ctx, in, null, "serial")
	require.ErrorIs(t, err, context.Canceled)
}
