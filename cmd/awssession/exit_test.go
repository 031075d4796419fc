package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExitCodes checks the status and the one-line message of every kind
// of failure: 2 for bad input, 3 for refusals by STS.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	badUsers := filepath.Join(t.TempDir(), "users.json")
	require.NoError(t, os.WriteFile(badUsers, []byte(`{"users":[{"name":"alice","mfa":true,"colour":"red"}]}`), 0o600))
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want string // in stderr
	}{
		{"unknown flag", nil, []string{"env", "--role-arnn", "x"}, 2, "unknown flag: --role-arnn"},
		{"unknown flag, underscore spelling", nil, []string{"env", "--role_arnn", "x"}, 2, "unknown flag: --role_arnn"},
		{"bad duration", nil, []string{"env", "--duration", "forever"}, 2, `"--duration" flag`},
		{"bad format", nil, []string{"env", "--format", "xml"}, 2, `"--format" flag: want one of bash`},
		{"global flag value", nil, []string{"--debug=maybe", "env"}, 2, `"--debug" flag`},
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"misspelt command", nil, []string{"evn"}, 2, "did you mean env?"},
		{"unexpected argument", nil, []string{"whoami", "dev", "extra"}, 2, `unexpected argument "extra"`},
		{"serve on a public address", nil, append([]string{"serve", "--addr", "0.0.0.0:1"}, f.aliceArgs()...), 2, "--addr: \"0.0.0.0:1\": not a loopback address"},
		{"exec --server: long-term keys", nil, append([]string{"exec", "--server"}, f.aliceArgs("--", "true")...), 2, "long-term keys"},
		{"serve: bad address", nil, append([]string{"serve", "--addr", "localhost"}, f.aliceArgs()...), 2, "--addr"},
		{"exclusive flags", nil, []string{"env", "--mfa-token", "123456", "--mfa-totp-secret-env", "X"}, 2, "mfa-token"},
		{"keys and profile", nil, []string{"env", "--access-key", "AKIAIOSFODNN7EXAMPLE", "--profile", "dev"}, 2, "access-key"},
		{"secret without access key", nil, []string{"env", "--secret-key", "-"}, 2, "need --access-key"},
		{"access key without secret", []string{envSecretKey + "="}, append([]string{"env"}, f.aliceArgs()...), 2, "--access-key needs a secret key"},
		{"empty stdin for a secret", []string{envSecretKey + "="}, append([]string{"env", "--secret-key", "-"}, f.aliceArgs()...), 2, "--secret-key -: read stdin"},
		{"duration without role", nil, append([]string{"env", "--duration", "1h"}, f.aliceArgs()...), 2, "--duration needs --role-arn"},
		{"names per role", nil, append([]string{"env", "--role-arn", f.reader.ARN, "--role-arn", f.deep.ARN,
			"--role-session-name", "a", "--role-session-name", "b", "--role-session-name", "c"}, f.aliceArgs()...), 2, "given 3 times for 2 roles"},
		{"token without serial", nil, append([]string{"env", "--mfa-token", "123456", "--role-arn", f.admin.ARN}, f.aliceArgs()...), 2, "--mfa-token needs --mfa-serial"},
		{"empty TOTP variable", nil, append([]string{"env", "--mfa-serial", f.mfa.SerialNumber, "--mfa-totp-secret-env", "NOPE"}, f.aliceArgs()...), 2, "NOPE is empty"},
		{"library: bad role ARN", nil, append([]string{"env", "--role-arn", "admin"}, f.aliceArgs()...), 2, "--role-arn:"},
		{"library: short MFA code", nil, append([]string{"env", "--mfa-serial", f.mfa.SerialNumber, "--mfa-token", "12345"}, f.aliceArgs()...), 2, "six digits"},
		{"library: chained role over 1h", nil, append([]string{"env", "--mfa-serial", f.mfa.SerialNumber, "--mfa-token", "123456",
			"--session-token-duration", "1h", "--role-arn", f.admin.ARN, "--duration", "2h"}, f.aliceArgs()...), 2, "1 hour limit"},
		{"STS: over the role's maximum", nil, append([]string{"env", "--role-arn", f.reader.ARN, "--duration", "2h"}, f.aliceArgs()...), 2, "ValidationError"},
		{"STS: wrong MFA code", nil, append([]string{"env", "--mfa-serial", f.mfa.SerialNumber, "--mfa-token", f.wrongCode(), "--role-arn", f.admin.ARN}, f.aliceArgs()...), 3, "GetSessionToken for the MFA session failed: the MFA code for arn:aws:iam::123456789012:mfa/alice was refused"},
		{"STS: role needs MFA", nil, append([]string{"env", "--role-arn", f.admin.ARN}, f.aliceArgs()...), 3, "AccessDenied"},
		{"STS: not trusted", nil, append([]string{"env", "--role-arn", f.deep.ARN}, f.aliceArgs()...), 3, "AccessDenied"},
		{"STS: wrong secret", []string{envSecretKey + "=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, append([]string{"whoami"}, f.aliceArgs()...), 3, "SignatureDoesNotMatch"},
		{"STS: unknown key", nil, []string{"whoami", "--access-key", "AKIAIOSFODNN7EXAMPLE", "--sts-endpoint", f.srv.URL}, 3, "InvalidClientTokenId"},
		{"exec: not found", nil, append([]string{"exec"}, f.aliceArgs("--", "no-such-command-awssession")...), 127, "command not found"},
		{"sts-server: bad users file", nil, []string{"sts-server", "--users", badUsers}, 2, `unknown field "colour"`},
		// Last: the cache remembers these codes and the MFA session.
		{"exec --server: wrong MFA code", nil, append([]string{"exec", "--server", "--mfa-serial", f.mfa.SerialNumber, "--mfa-token", f.wrongCode(),
			"--role-arn", f.admin.ARN}, f.aliceArgs("--", "true")...), 3, "mfa/alice"},
		{"console: MFA session", nil, append([]string{"console", "--print", "--federation-endpoint", f.srv.FederationURL(),
			"--mfa-serial", f.mfa.SerialNumber, "--mfa-totp-secret-env", "MFA_SEED"}, f.aliceArgs()...), 2, "does not accept GetSessionToken credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.run(t, tt.env, "", tt.args...)
			assert.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.Empty(t, r.stdout)
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			assert.LessOrEqual(t, len(lines), 3, "got stderr %q, want one line, a hint, and at most one warning", r.stderr)
			assert.NotContains(t, r.stderr, f.alice.SecretAccessKey)
		})
	}
}

// TestSilent shows that --silent leaves only the result: no warning about
// a secret on the command line, no note about the expiry.
func TestSilent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	args := []string{"env", "--secret-key", f.alice.SecretAccessKey, "--role-arn", f.reader.ARN}
	loud := f.run(t, nil, "", append(args, f.aliceArgs()...)...)
	require.Equal(t, 0, loud.code, "stderr: %s", loud.stderr)
	assert.Contains(t, loud.stderr, "warning: --secret-key on the command line")
	assert.Contains(t, loud.stderr, "session valid until")

	quiet := f.run(t, nil, "", append(append(args, "--silent"), f.aliceArgs()...)...)
	require.Equal(t, 0, quiet.code, "stderr: %s", quiet.stderr)
	assert.Empty(t, quiet.stderr)
	assert.Contains(t, quiet.stdout, "export AWS_ACCESS_KEY_ID=")
}

// TestRun goes through run, the function main calls, with the process
// environment.
func TestRun(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"env", "--unset", "--format", "powershell"}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.Contains(t, stdout.String(), "Remove-Item -Path Env:AWS_SESSION_TOKEN")

	stdout.Reset()
	code = run(context.Background(), []string{"--help"}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 0, code)
	for _, sub := range []string{"env", "exec", "serve", "credential-process", "whoami", "console", "demo", "sts-server", "completion"} {
		assert.Contains(t, stdout.String(), "\n  "+sub+" ")
	}
}

// TestHelp shows every subcommand has examples, and that completion works.
func TestHelp(t *testing.T) {
	t.Parallel()
	for _, sub := range []string{"env", "exec", "serve", "credential-process", "whoami", "console", "demo", "sts-server"} {
		t.Run(sub, func(t *testing.T) {
			r := runCLI(t, nil, "", sub, "--help")
			require.Equal(t, 0, r.code)
			assert.Contains(t, r.stdout, "Examples:\n")
			assert.Empty(t, r.stderr)
		})
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		t.Run("completion "+shell, func(t *testing.T) {
			r := runCLI(t, nil, "", "completion", shell)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stdout, "awssession")
		})
	}
	r := runCLI(t, nil, "", "__complete", "env", "--format", "")
	require.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "powershell\n")
}

// --clamp-durations lowers a chained role's duration to the 1 h STS
// allows, which the error for a chained duration advises.
func TestClampDurationsFlag(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	args := append([]string{"env", "--no-cache", "--role-arn", f.reader.ARN, "--role-arn", f.deep.ARN, "--external-id", "ext-42",
		"--duration", "45m", "--duration", "2h"}, f.aliceArgs()...)
	r := f.run(t, nil, "", args...)
	require.Equal(t, exitUsage, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "--clamp-durations")

	r = f.run(t, nil, "", append(args, "--clamp-durations")...)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	var durations []string
	for _, req := range f.srv.Requests() {
		if req.Action == "AssumeRole" {
			durations = append(durations, req.Params.Get("DurationSeconds"))
		}
	}
	assert.Equal(t, []string{"2700", "3600"}, durations, "the chained role is clamped, the first is not")
}

// TestErrorLeadsWithTheFailedCall: a wrong code for the MFA session under
// a role names GetSessionToken and the MFA session on the first line, with
// what to do, then what STS said; not the role's AssumeRole around it. The
// whole chain is there with --debug only.
func TestErrorLeadsWithTheFailedCall(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	args := append([]string{"env", "--mfa-serial", f.mfa.SerialNumber, "--mfa-token", f.wrongCode(), "--role-arn", f.admin.ARN}, f.aliceArgs()...)
	r := f.run(t, nil, "", args...)
	require.Equal(t, exitRefused, r.code, "stderr: %s", r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	require.GreaterOrEqual(t, len(lines), 2, r.stderr)
	assert.Regexp(t, `^awssession: GetSessionToken for the MFA session failed: the MFA code for \S+ was refused \(the code is wrong`, lines[0])
	assert.NotContains(t, lines[0], "AssumeRole")
	assert.Regexp(t, `^  AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code\. \(request [0-9a-f-]+\)$`, lines[1])
	assert.NotContains(t, r.stderr, "operation error", "the SDK's chain is for --debug")

	debug := append([]string{"env", "--debug", "--mfa-serial", f.mfa.SerialNumber, "--mfa-token", f.wrongCode(), "--role-arn", f.admin.ARN}, f.aliceArgs()...)
	r = f.run(t, nil, "", debug...)
	require.Equal(t, exitRefused, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "(all of it: GetSessionToken for the MFA session: MFA with")
}
