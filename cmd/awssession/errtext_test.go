package main

import (
	"strings"
	"testing"
	"unicode"

	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTerminalText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "AccessDenied: not authorized", "AccessDenied: not authorized"},
		{"escape sequence", "a\x1b]0;owned\x07b", `a\x1b]0;owned\x07b`},
		{"C1 CSI", "a\u009b31mb", `a\x9b31mb`},
		{"NUL and DEL", "a\x00b\x7f", `a\x00b\x7f`},
		{"invalid UTF-8", "a\x9bb\xff", `a\x9bb\xff`},
		{"bidi override", "arn:aws:iam::1:role/\u202eevil", `arn:aws:iam::1:role/\u202eevil`},
		{"non-ASCII kept", "rôle «Admin» 日本", "rôle «Admin» 日本"},
		{"field to flag", "invalid input: WithStaticCredentials.SecretAccessKey: is empty", "invalid input: --secret-key/$AWSSESSION_SECRET_KEY: is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, terminalText(tt.in))
		})
	}
}

func TestTerminalTextTruncates(t *testing.T) {
	got := terminalText("é" + strings.Repeat("x", 5<<20))
	assert.Less(t, len(got), maxErrorText+64, "got %d bytes", len(got))
	assert.True(t, strings.HasPrefix(got, "é"+strings.Repeat("x", 100)))
	assert.Contains(t, got, "more bytes not shown]")
}

// An STS error message of 1 MiB holding control characters reaches stderr
// short and escaped.
func TestHostileSTSMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	msg := "denied \u009b2J\u009d0;owned\u0007" + strings.Repeat("A", 1<<20)
	f.srv.InjectFault(ststest.Fault{Action: "AssumeRole", Status: 403, Code: "AccessDenied", Message: msg})
	r := f.run(t, nil, "", append([]string{"env", "--no-cache", "--role-arn", f.reader.ARN}, f.aliceArgs()...)...)
	require.Equal(t, exitRefused, r.code, "stderr: %.300s", r.stderr)
	assert.Less(t, len(r.stderr), 2*maxErrorText, "got %d bytes on stderr", len(r.stderr))
	assert.Contains(t, r.stderr, `denied \x9b2J\x9d0;owned`)
	assert.Contains(t, r.stderr, "more bytes not shown]")
	for _, c := range r.stderr {
		assert.False(t, unicode.IsControl(c) && c != '\n', "control character %U on stderr", c)
	}
}
