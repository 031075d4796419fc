package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnvFormats builds a role session and prints it in every format.
func TestEnvFormats(t *testing.T) {
	t.Parallel()
	line := func(format string) *regexp.Regexp { return regexp.MustCompile(`(?m)^` + format + `$`) }
	tests := []struct {
		format string
		want   []*regexp.Regexp
	}{
		{"bash", []*regexp.Regexp{line(`export AWS_ACCESS_KEY_ID='ASIA[A-Z2-7]{16}'`), line(`export AWS_SESSION_TOKEN='[^']+'`),
			line(`export AWS_REGION='eu-west-1'`), line(`export AWS_DEFAULT_REGION='eu-west-1'`),
			line(`export AWS_CREDENTIAL_EXPIRATION='\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ'`), line(`unset AWS_SECURITY_TOKEN`),
			line(`export AWSSESSION='arn:aws:iam::123456789012:role/Reader'`)}},
		{"zsh", []*regexp.Regexp{line(`export AWS_ACCESS_KEY_ID='ASIA[A-Z2-7]{16}'`)}},
		{"fish", []*regexp.Regexp{line(`set -gx AWS_ACCESS_KEY_ID 'ASIA[A-Z2-7]{16}';`), line(`set -gx AWS_REGION 'eu-west-1';`),
			line(`set -e AWS_SECURITY_TOKEN; or true;`)}},
		{"powershell", []*regexp.Regexp{line(`\$Env:AWS_ACCESS_KEY_ID = 'ASIA[A-Z2-7]{16}'`), line(`\$Env:AWS_DEFAULT_REGION = 'eu-west-1'`),
			line(`Remove-Item -Path Env:AWS_SECURITY_TOKEN -ErrorAction SilentlyContinue`)}},
		{"dotenv", []*regexp.Regexp{line(`AWS_ACCESS_KEY_ID='ASIA[A-Z2-7]{16}'`), line(`AWS_CREDENTIAL_EXPIRATION='[0-9T:-]+Z'`)}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			r := f.run(t, nil, "", append([]string{"env", "--format", tt.format}, f.aliceArgs("--role-arn", f.reader.ARN)...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			for _, re := range tt.want {
				assert.Regexp(t, re, r.stdout)
			}
			assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), map[bool]int{true: 7, false: 8}[tt.format == "dotenv"])
			assert.Equal(t, 1, f.srv.CountRequests("AssumeRole"))
		})
	}
}

func TestEnvJSON(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.run(t, nil, "", append([]string{"env", "--format", "json"}, f.aliceArgs("--role-arn", f.reader.ARN, "--duration", "30m")...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	var vars map[string]string
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &vars))
	assert.Regexp(t, `^ASIA`, vars["AWS_ACCESS_KEY_ID"])
	assert.NotEmpty(t, vars["AWS_SECRET_ACCESS_KEY"])
	assert.NotEmpty(t, vars["AWS_SESSION_TOKEN"])
	assert.Equal(t, "eu-west-1", vars["AWS_REGION"])
	exp, err := time.Parse(time.RFC3339, vars["AWS_CREDENTIAL_EXPIRATION"])
	require.NoError(t, err)
	// The SDK's credential cache reports expiry a refresh window (1 min in
	// the library) early: conservative, never late.
	assert.WithinRange(t, exp, f.srv.Now().Add(28*time.Minute), f.srv.Now().Add(30*time.Minute))
	assert.Equal(t, "1800", f.srv.Requests()[0].Params.Get("DurationSeconds"))
}

// TestEnvBashEval evaluates the default output in bash and uses the
// resulting variables as a session: they are the role's.
func TestEnvBashEval(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.run(t, nil, "", append([]string{"env"}, f.aliceArgs("--role-arn", f.reader.ARN)...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	env := evalBash(t, r.stdout, "AWS_SECURITY_TOKEN=stale")
	_, stale := env["AWS_SECURITY_TOKEN"]
	assert.False(t, stale, "got AWS_SECURITY_TOKEN after eval, want it unset")

	who := runCLI(t, f.env, "", "whoami", "--json", "--access-key", env["AWS_ACCESS_KEY_ID"], "--secret-key", env["AWS_SECRET_ACCESS_KEY"],
		"--session-token", env["AWS_SESSION_TOKEN"], "--sts-endpoint", f.srv.URL, "--region", env["AWS_REGION"])
	require.Equal(t, 0, who.code, "stderr: %s", who.stderr)
	assert.Contains(t, who.stdout, `"Arn": "arn:aws:sts::123456789012:assumed-role/Reader/`)
}

// awkward holds every kind of byte a shell could misread.
const awkward = "it's \"quoted\" $HOME ${PATH} `id` $(id) \\back\\slash\nnew line\ttab ! * ? ~ # ; & | < > é ‘curly’ ‚low‛ 100% \x01\x7f\xff"

// TestEnvQuoting passes awkward static keys through env (no STS call) and
// shows that bash's eval gives back every byte, and how fish and
// PowerShell quote them.
func TestEnvQuoting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := []string{envSecretKey + "=" + awkward, envSessionToken + "=" + awkward + "2"}
	args := []string{"env", "--access-key", "AKIAIOSFODNN7EXAMPLE", "--region", "us-east-1"}

	r := f.run(t, env, "", args...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	got := evalBash(t, r.stdout, "AWS_CREDENTIAL_EXPIRATION=stale")
	assert.Equal(t, awkward, got["AWS_SECRET_ACCESS_KEY"])
	assert.Equal(t, awkward+"2", got["AWS_SESSION_TOKEN"])
	assert.Equal(t, "AKIAIOSFODNN7EXAMPLE", got["AWS_ACCESS_KEY_ID"])
	_, stale := got["AWS_CREDENTIAL_EXPIRATION"]
	assert.False(t, stale, "got AWS_CREDENTIAL_EXPIRATION for keys that do not expire, want it unset")
	assert.Equal(t, 0, f.srv.CountRequests(""), "static keys need no STS call")

	fish := f.run(t, env, "", append(args, "--format", "fish")...)
	require.Equal(t, 0, fish.code, "stderr: %s", fish.stderr)
	assert.Contains(t, fish.stdout, "set -gx AWS_SECRET_ACCESS_KEY 'it\\'s \"quoted\" $HOME ${PATH} `id` $(id) \\\\back\\\\slash\nnew line")

	// Invalid UTF-8 (\xff) is no PowerShell string; dotenv cannot carry
	// a quote: both refuse (see TestFormatsInRealShells).
	for _, format := range []string{"powershell", "dotenv"} {
		r := f.run(t, env, "", append(args, "--format", format)...)
		assert.Equal(t, exitError, r.code, "stderr: %s", r.stderr)
		assert.Contains(t, r.stderr, "AWS_SECRET_ACCESS_KEY: ")
		assert.Empty(t, r.stdout)
	}
}

func TestEnvUnset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format, want string
		code         int
	}{
		{"bash", "unset AWS_ACCESS_KEY_ID\nunset AWS_SECRET_ACCESS_KEY\nunset AWS_SESSION_TOKEN\nunset AWS_SECURITY_TOKEN\n" +
			"unset AWS_REGION\nunset AWS_DEFAULT_REGION\nunset AWS_CREDENTIAL_EXPIRATION\n", 0},
		{"fish", "set -e AWS_ACCESS_KEY_ID; or true;\n", 0},
		{"powershell", "Remove-Item -Path Env:AWS_ACCESS_KEY_ID -ErrorAction SilentlyContinue\n", 0},
		{"dotenv", "", 2},
		{"json", "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			// No keys, no profile, no STS: --unset needs no credentials.
			r := runCLI(t, nil, "", "env", "--unset", "--format", tt.format)
			require.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			assert.True(t, strings.HasPrefix(r.stdout, tt.want), "got stdout %q, want it to start with %q", r.stdout, tt.want)
			if tt.format == "bash" {
				env := evalBash(t, r.stdout, "AWS_ACCESS_KEY_ID=x", "AWS_SESSION_TOKEN=y", "AWS_REGION=z", "KEEP=1")
				assert.Equal(t, map[string]string{"KEEP": "1", "PATH": os.Getenv("PATH")}, withoutShellVars(env))
			}
		})
	}
}

// withoutShellVars drops the variables bash sets itself.
func withoutShellVars(env map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		if k != "PWD" && k != "SHLVL" && k != "_" && k != "OLDPWD" {
			out[k] = v
		}
	}
	return out
}

// TestEnvGitHub writes the GitHub Actions environment file and masks the
// secrets on stdout.
func TestEnvGitHub(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ghEnv := filepath.Join(t.TempDir(), "github_env")
	require.NoError(t, os.WriteFile(ghEnv, []byte("EARLIER=1\n"), 0o600))
	r := f.run(t, []string{"GITHUB_ENV=" + ghEnv}, "", append([]string{"env", "--format", "github"}, f.aliceArgs("--role-arn", f.reader.ARN)...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)

	data, err := os.ReadFile(ghEnv)
	require.NoError(t, err)
	vars := parseGitHubEnv(t, string(data))
	assert.Equal(t, "1", vars["EARLIER"], "the file is appended to")
	assert.Regexp(t, `^ASIA`, vars["AWS_ACCESS_KEY_ID"])
	assert.Equal(t, "eu-west-1", vars["AWS_REGION"])
	assert.Equal(t, "::add-mask::"+vars["AWS_ACCESS_KEY_ID"]+"\n::add-mask::"+vars["AWS_SECRET_ACCESS_KEY"]+"\n::add-mask::"+vars["AWS_SESSION_TOKEN"]+"\n", r.stdout)

	missing := f.run(t, nil, "", append([]string{"env", "--format", "github"}, f.aliceArgs()...)...)
	assert.Equal(t, 2, missing.code)
	assert.Contains(t, missing.stderr, "GITHUB_ENV")
}

// parseGitHubEnv reads NAME=value and NAME<<DELIM ... DELIM entries as
// the GitHub runner does.
func parseGitHubEnv(t *testing.T, data string) map[string]string {
	t.Helper()
	vars := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(data, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var value []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				value = append(value, lines[i])
			}
			require.Less(t, i, len(lines), "no closing delimiter for %s", name)
			vars[name] = strings.Join(value, "\n")
			continue
		}
		name, value, ok := strings.Cut(lines[i], "=")
		require.True(t, ok, "bad line %q", lines[i])
		vars[name] = value
	}
	return vars
}
