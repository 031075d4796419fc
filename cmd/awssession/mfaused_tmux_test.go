//go:build unix

package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUsedCodeAtPromptInTmux types, at the terminal prompt of the built
// command (a tmux pane), a code an earlier run sent: the pane says it was
// already used and when the next one comes, and asks again; the next
// step's code then works, and only it reached STS.
func TestUsedCodeAtPromptInTmux(t *testing.T) {
	tmuxPath, bin := tmuxAndBinary(t)
	f := newFixture(t)
	code := f.srv.TOTPCode(f.mfa.SerialNumber)
	require.Equal(t, 0, f.binary(t, nil, "", f.mfaSessionArgs("1h", "--mfa-token", code)...).code)
	calls := f.srv.CountRequests("")

	env := append([]string{"TERM=xterm-256color", "LANG=C.UTF-8"}, f.env...)
	p := newPane(t, tmuxPath, env, strings.Join(append([]string{bin}, f.mfaSessionArgs("2h")...), " ")+" >/dev/null")
	serial := regexp.QuoteMeta(f.mfa.SerialNumber)
	p.waitFor(t, regexp.MustCompile(`MFA code for `+serial+`: $`))
	p.send(t, code, "Enter")
	screen := p.waitFor(t, regexp.MustCompile(`Type the next code\.\s+MFA code for `+serial+`: $`))
	assert.Regexp(t, `already used at \d\d:\d\d:\d\d \(STS takes each code once\); (the next code comes in \d+ s|the device shows a new one now)`,
		strings.Join(strings.Fields(screen), " "))
	assert.Equal(t, calls, f.srv.CountRequests(""), "the used code reached STS")
	p.send(t, f.srv.CodeAt(f.mfa.SerialNumber, f.srv.Now().Add(30*time.Second)), "Enter")
	screen = p.waitFor(t, regexp.MustCompile(`(?m)^ECHO=`))
	assert.Contains(t, screen, "EXIT=0")
	assert.Equal(t, calls+1, f.srv.CountRequests(""), "one GetSessionToken, with the next code")
}
