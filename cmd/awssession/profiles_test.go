package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chainProfiles writes base (alice's keys, with extra lines), admin (a
// role on base that needs MFA) and deep (a role on admin).
func (f *fixture) chainProfiles(t *testing.T, baseExtra string) {
	t.Helper()
	config := "[profile base]\nregion = eu-west-1\n" + baseExtra + "\n[profile admin]\nsource_profile = base\nrole_arn = " + f.admin.ARN +
		"\nmfa_serial = " + f.mfa.SerialNumber + "\n\n[profile deep]\nsource_profile = admin\nrole_arn = " + f.deep.ARN + "\nexternal_id = ext-42\n"
	creds := "[base]\naws_access_key_id = " + f.alice.AccessKeyID + "\naws_secret_access_key = " + f.alice.SecretAccessKey + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte(config), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "credentials"), []byte(creds), 0o600))
}

// codesSent counts the requests that carried an MFA code.
func (f *fixture) codesSent() int {
	n := 0
	for _, r := range f.srv.Requests() {
		if r.Params.Get("TokenCode") != "" {
			n++
		}
	}
	return n
}

// TestProfileChainOneCode: admin, then deep (a role on admin), through the
// CLI with its cache: one MFA session, one code, one prompt in all.
func TestProfileChainOneCode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chainProfiles(t, "")
	code := f.srv.TOTPCode(f.mfa.SerialNumber)
	r := f.typing(t, nil, code+"\n", "whoami", "--profile", "admin", "--sts-endpoint", f.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "assumed-role/Admin/")
	assert.Equal(t, 1, strings.Count(r.stderr, "MFA code for"), "stderr: %s", r.stderr)

	r = f.typing(t, nil, "", "whoami", "--profile", "deep", "--sts-endpoint", f.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "assumed-role/Deep/")
	assert.NotContains(t, r.stderr, "MFA code for", "deep rides on admin's cached hop")
	assert.Equal(t, 1, f.srv.CountRequests("GetSessionToken"))
	assert.Equal(t, 1, f.codesSent())
}

// TestEnvProfileBaseMFASession: mfa_serial on a profile that holds only
// keys prints an MFA session, never the long-term keys.
func TestEnvProfileBaseMFASession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chainProfiles(t, "mfa_serial = "+f.mfa.SerialNumber+"\n")
	r := f.run(t, nil, "", "env", "--profile", "base", "--format", "dotenv", "--mfa-token", f.srv.TOTPCode(f.mfa.SerialNumber), "--sts-endpoint", f.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.NotContains(t, r.stdout, f.alice.AccessKeyID)
	assert.NotContains(t, r.stdout, f.alice.SecretAccessKey)
	assert.Contains(t, r.stdout, "AWS_SESSION_TOKEN=")
	assert.Equal(t, 1, f.srv.CountRequests("GetSessionToken"))
}

// TestExplainProfileDeep shows every hop of the chain: the code on the MFA
// session by default, on admin's hop with --no-session.
func TestExplainProfileDeep(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chainProfiles(t, "")
	type step struct {
		Kind      string `json:"kind"`
		Name      string `json:"name"`
		MFASerial string `json:"mfaSerial"`
	}
	for _, tc := range []struct {
		name string
		args []string
		want []step
	}{
		{"MFA session", nil, []step{{"GetSessionToken", "GetSessionToken", f.mfa.SerialNumber}, {"AssumeRole", `profile "admin"`, ""}, {"AssumeRole", `profile "deep"`, ""}}},
		{"--no-session", []string{"--no-session"}, []step{{"AssumeRole", `profile "admin"`, f.mfa.SerialNumber}, {"AssumeRole", `profile "deep"`, ""}}},
	} {
		r := f.run(t, nil, "", append([]string{"explain", "--profile", "deep", "--mfa-totp-secret-env", "MFA_SEED", "--json"}, tc.args...)...)
		require.Equal(t, 0, r.code, "%s: stderr: %s", tc.name, r.stderr)
		var got struct {
			Layers []step `json:"layers"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
		assert.Equal(t, tc.want, got.Layers, tc.name)
	}
	assert.Empty(t, f.srv.Requests())
}

// TestAWSProfileMeansProfile: AWS_PROFILE works as --profile does, with
// every source of MFA codes.
func TestAWSProfileMeansProfile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		stdin func(*fixture) string // typed on the terminal
		args  func(*fixture) []string
	}{
		{"TOTP seed", func(*fixture) string { return "" }, func(*fixture) []string { return []string{"--mfa-totp-secret-env", "MFA_SEED"} }},
		{"prompt", func(f *fixture) string { return f.srv.TOTPCode(f.mfa.SerialNumber) + "\n" }, func(*fixture) []string { return nil }},
		{"code", func(*fixture) string { return "" }, func(f *fixture) []string { return []string{"--mfa-token", f.srv.TOTPCode(f.mfa.SerialNumber)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.chainProfiles(t, "")
			r := f.typing(t, []string{"AWS_PROFILE=admin"}, tc.stdin(f), append([]string{"whoami", "--sts-endpoint", f.srv.URL}, tc.args(f)...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stdout, "assumed-role/Admin/")
		})
	}
}

// TestWarmEnvLoadsNoSDKConfig: a warm `env --profile deep` plans from the
// parsed profile and reads the top layer's cache entry: it succeeds with
// AWS_CA_BUNDLE naming a missing file, which every config.LoadDefaultConfig
// refuses (the cold run beside it shows that).
func TestWarmEnvLoadsNoSDKConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chainProfiles(t, "")
	cold := f.cliProcess(t, "env", "--profile", "deep", "--format", "dotenv", "--mfa-totp-secret-env", "MFA_SEED", "--sts-endpoint", f.srv.URL)
	out, err := cold.Output()
	require.NoError(t, err)
	require.Contains(t, string(out), "AWS_SESSION_TOKEN=")

	warm := f.cliProcess(t, "env", "--profile", "deep", "--format", "dotenv", "--mfa-totp-secret-env", "MFA_SEED", "--sts-endpoint", f.srv.URL)
	warm.Env = append(warm.Env, "AWS_CA_BUNDLE="+filepath.Join(f.dir, "missing.pem"))
	again, err := warm.Output()
	require.NoError(t, err)
	assert.Equal(t, string(out), string(again))

	coldAgain := f.cliProcess(t, "env", "--profile", "deep", "--no-cache", "--mfa-totp-secret-env", "MFA_SEED", "--sts-endpoint", f.srv.URL)
	coldAgain.Env = warm.Env
	_, err = coldAgain.Output()
	assert.Error(t, err, "a cold run loads the SDK config, which refuses the missing CA bundle")
}

// TestPositionalProfile: the profile as the first argument, as aws-vault
// users type it, in env, whoami and exec (before "--", with flags after
// it); exec with a profile and no command starts $SHELL, with the marker
// variable that names the session.
func TestPositionalProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chainProfiles(t, "")
	code := f.srv.TOTPCode(f.mfa.SerialNumber)
	r := f.run(t, nil, "", "whoami", "admin", "--mfa-token", code, "--sts-endpoint", f.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "assumed-role/Admin/")

	r = f.run(t, nil, "", "env", "deep", "--format", "dotenv", "--sts-endpoint", f.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, `AWSSESSION='deep'`)

	r = f.run(t, nil, "", "exec", "deep", "--sts-endpoint", f.srv.URL, "--", "sh", "-c", `echo "$AWSSESSION $AWS_SESSION_TOKEN"`)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Regexp(t, `^deep \S+`, r.stdout)

	r = f.run(t, []string{"SHELL=/bin/sh"}, `echo "shell: $AWSSESSION"`+"\n", "exec", "deep", "--sts-endpoint", f.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Equal(t, "shell: deep\n", r.stdout)

	r = f.run(t, nil, "", "whoami", "admin", "--profile", "deep")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, `profile "admin" given as an argument and --profile "deep"`)
}

// TestExpectAccount: --expect-account refuses a session of another account
// before anything is printed (env) or run (exec), with exit 2.
func TestExpectAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chainProfiles(t, "")
	for _, args := range [][]string{
		{"env", "base", "--expect-account", "999999999999", "--sts-endpoint", f.srv.URL},
		{"exec", "base", "--expect-account", "999999999999", "--sts-endpoint", f.srv.URL, "--", "sh", "-c", "echo ran"},
		{"env", "deep", "--expect-account", "999999999999", "--mfa-token", "123456", "--sts-endpoint", f.srv.URL},
	} {
		r := f.run(t, nil, "", args...)
		assert.Equal(t, 2, r.code, "%v: stderr: %s", args, r.stderr)
		assert.Empty(t, r.stdout, "%v", args)
		assert.Contains(t, r.stderr, "--expect-account", "%v", args)
		assert.Contains(t, r.stderr, "999999999999", "%v", args)
	}
	r := f.run(t, nil, "", "env", "base", "--expect-account", f.srv.Account(), "--format", "dotenv", "--sts-endpoint", f.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "AWS_ACCESS_KEY_ID=")
}

// TestCodeForAProfileWithoutDevice: a code source given for a profile
// whose chain names no MFA device is a usage error naming --mfa-serial,
// found in the session's one plan, with no STS call.
func TestCodeForAProfileWithoutDevice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte("[profile plain]\nregion = eu-west-1\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "credentials"), []byte("[plain]\naws_access_key_id = "+f.alice.AccessKeyID+
		"\naws_secret_access_key = "+f.alice.SecretAccessKey+"\n"), 0o600))
	for _, args := range [][]string{{"--mfa-token", "123456"}, {"--mfa-totp-secret-env", "MFA_SEED"}} {
		r := f.run(t, nil, "", append([]string{"env", "plain", "--sts-endpoint", f.srv.URL}, args...)...)
		assert.Equal(t, 2, r.code, "%v: stderr: %s", args, r.stderr)
		assert.Contains(t, r.stderr, "--mfa-serial", "%v", args)
		assert.Contains(t, r.stderr, "names no MFA device", "%v", args)
	}
	assert.Empty(t, f.srv.Requests())
}
