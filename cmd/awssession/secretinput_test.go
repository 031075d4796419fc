package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSecretFlagsFromPipe reads "-" secrets from stdin one line each, in
// flag order, with no question printed: a pipe is not a person.
func TestSecretFlagsFromPipe(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := []string{envSecretKey + "="} // only stdin holds the secret
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
	}{
		{"secret key", f.alice.SecretAccessKey + "\n", f.aliceArgs("--secret-key", "-"), 0},
		{"secret key without a newline", f.alice.SecretAccessKey, f.aliceArgs("--secret-key", "-"), 0},
		{"secret key, then MFA code", f.alice.SecretAccessKey + "\n" + f.srv.TOTPCode(f.mfa.SerialNumber) + "\n",
			f.aliceArgs("--secret-key", "-", "--mfa-token", "-", "--mfa-serial", f.mfa.SerialNumber, "--no-cache"), 0},
		{"wrong secret key", "not-the-secret\n", f.aliceArgs("--secret-key", "-"), 3},
		{"empty stdin", "", f.aliceArgs("--secret-key", "-"), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.run(t, env, tt.stdin, append([]string{"whoami"}, tt.args...)...)
			require.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			for _, q := range flagPrompts {
				assert.NotContains(t, r.stderr, q, "asked a pipe")
			}
			if tt.code == 0 {
				assert.Contains(t, r.stdout, f.alice.ARN)
			}
		})
	}
}

// TestSecretKeyOnTerminalInTmux types --secret-key - on a terminal (a
// tmux pane): the question shows on it, the key is not echoed, and the
// session works with it.
func TestSecretKeyOnTerminalInTmux(t *testing.T) {
	tmuxPath, bin := tmuxAndBinary(t)

	f := newFixture(t)
	env := withoutVar(f.env, envSecretKey)
	env = append(env, "TERM=xterm-256color", "LANG=C.UTF-8")
	cmd := strings.Join(append([]string{bin, "whoami", "--no-cache", "--secret-key", "-"}, f.aliceArgs()...), " ")
	p := newPane(t, tmuxPath, env, cmd)
	p.waitFor(t, regexp.MustCompile(`Secret access key: $`))
	p.send(t, f.alice.SecretAccessKey, "Enter")
	screen := p.waitFor(t, regexp.MustCompile(`(?m)^ECHO=`))
	assert.Contains(t, screen, "EXIT=0")
	assert.Contains(t, strings.Join(strings.Fields(screen), ""), f.alice.ARN)
	assert.NotContains(t, screen, f.alice.SecretAccessKey, "the key is echoed")
	assert.Regexp(t, `(?m)^ECHO= echo`, screen, "echo restored")
}

// TestSecretKeyCtrlCInTmux presses Ctrl-C at the --secret-key - question,
// for a command that handles interrupts from the start (whoami) and one
// that installs its handler late (env, the warm path): both end at once
// with status 130, the echo restored and no STS call.
func TestSecretKeyCtrlCInTmux(t *testing.T) {
	tmuxPath, bin := tmuxAndBinary(t)
	f := newFixture(t)
	env := withoutVar(f.env, envSecretKey)
	for _, sub := range []string{"whoami", "env"} {
		t.Run(sub, func(t *testing.T) {
			cmd := strings.Join(append([]string{bin, sub, "--no-cache", "--secret-key", "-"}, f.aliceArgs()...), " ")
			p := newPane(t, tmuxPath, env, cmd)
			p.waitFor(t, regexp.MustCompile(`Secret access key: $`))
			p.send(t, "C-c")
			screen := p.waitFor(t, regexp.MustCompile(`(?m)^ECHO=`))
			assert.Contains(t, screen, "EXIT=130")
			assert.Regexp(t, `(?m)^ECHO= echo`, screen, "echo restored")
			assert.Equal(t, 0, f.srv.CountRequests(""), "no STS call")
		})
	}
}

// withoutVar is env without the variable name.
func withoutVar(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
