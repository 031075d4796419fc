//go:build unix

package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

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
