package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/awssession/awssession"
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

// cliText words the library's input errors in flags and profile keys,
// joined or wrapped, and leaves other errors' words as they are.
func TestCLIText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	check := func(opts ...awssession.Option) error {
		_, err := awssession.Explain(ctx, append([]awssession.Option{awssession.WithEnvironment(nil)}, opts...)...)
		require.Error(t, err)
		return err
	}
	keys := awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", "secret", "")
	role := func(arn string, d time.Duration) awssession.Option {
		return awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: arn, Duration: d})
	}
	const reader, deep = "arn:aws:iam::123456789012:role/Reader", "arn:aws:iam::123456789012:role/Deep"
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"chained duration", check(keys, role(reader, 0), role(deep, 2*time.Hour)),
			"--duration (for the 2nd --role-arn): 2h0m0s exceeds the 1 hour limit STS sets for roles assumed with temporary credentials " +
				"(this hop is signed by the session of role " + reader + "); use --duration 1h, or --clamp-durations"},
		{"joined", check(keys, awssession.WithRegion("moon"), role("x", 0)),
			`--region: "moon" is not a region name like us-east-1; --role-arn: x: not an ARN (want arn:partition:service:region:account:resource)`},
		{"wrapped", fmt.Errorf("get session token: %w", check(keys, awssession.WithRegion("moon"))),
			`get session token: --region: "moon" is not a region name like us-east-1`},
		{"third role's tags", check(keys, role(reader, 0), role(reader, 0),
			awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: reader, Tags: map[string]string{"": "v"}})),
			"the 3rd role's tags: key \"\": "},
		{"not an input error", errors.New("AccessDenied: WithMFA is not ours"), "AccessDenied: WithMFA is not ours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, cliText(tt.err), tt.want)
		})
	}
}
