package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awssession/awssession/internal/credserver"
	"github.com/awssession/awssession/internal/poll"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// background is a run of the command in a goroutine, for commands that
// run until their child ends or they are interrupted.
type background struct {
	stdout, stderr syncBuffer
	done           chan struct{} // closed when the command returns
	code           int           // its exit status, once done
	cancel         context.CancelFunc
}

// start runs the command with the fixture's environment plus env, as
// f.run does, without waiting for it.
func (f *fixture) start(t *testing.T, stdin io.Reader, env []string, args ...string) *background {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	b := &background{done: make(chan struct{}), cancel: cancel}
	c := newCLI(stdin, &b.stdout, &b.stderr, append(append([]string(nil), f.env...), env...))
	c.openTTY = func() (io.ReadCloser, error) { return nil, errors.New("no terminal in tests") }
	go func() {
		b.code = c.run(ctx, args)
		close(b.done)
	}()
	return b
}

// ended is an error once the command has returned: what a test waiting
// for it to do something stops on.
func (b *background) ended() error {
	select {
	case <-b.done:
		return fmt.Errorf("the command ended with %d", b.code)
	default:
		return nil
	}
}

// wait returns the exit status, failing the test if the command is still
// running after timeout.
func (b *background) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-b.done:
		return b.code
	case <-time.After(timeout):
		t.Fatalf("still running after %s; stderr: %s", timeout, b.stderr.String())
		return 0
	}
}

// roleLifetime caps the role credentials ststest issues in
// TestExecServerRefreshes. The arithmetic:
//   - awssession's in-memory cache renews credentials 1 min before they
//     expire, so a role key is handed out for 62 s − 60 s = 2 s;
//   - the file cache keeps no entry with less than 5 min left
//     (awssession.CacheRefreshWindow), so each renewal is an AssumeRole
//     call, signed by the 12 h MFA session kept below it: no MFA code;
//   - the server serves the expiry the session's cache reports (already
//     1 min early), at most 2 s ahead; the SDK's container provider
//     refreshes 5 min before expiry, so the child asks the server anew
//     for every call and signs with the session's current key.
//
// The child thus sees a new role key every 2 s or so: four keys, three
// refreshes, take about 6 s.
const roleLifetime = 62 * time.Second

// TestExecServerRefreshes is the long run of issue 10: a child that knows
// nothing of awssession (the AWS SDK's default chain, with only the
// server's two variables and the region in its environment) keeps calling
// GetCallerIdentity across three refreshes of short-lived role
// credentials, and STS sees exactly one MFA code.
func TestExecServerRefreshes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ststest.WithRoleCredentialLifetime(roleLifetime))
	self, err := os.Executable()
	require.NoError(t, err)
	stdin, closeStdin := io.Pipe() // the child runs until its stdin ends
	args := append([]string{"--debug", "exec", "--server", "--mfa-serial", f.mfa.SerialNumber, "--mfa-totp-secret-env", "MFA_SEED",
		"--session-token-duration", "12h", "--role-arn", f.admin.ARN, "--role-session-name", "long-run"}, f.aliceArgs("--", self)...)
	b := f.start(t, stdin, []string{sdkClientSwitch + "=1", "AWS_ENDPOINT_URL_STS=" + f.srv.URL}, args...)

	require.NoError(t, poll.Until(60*time.Second, 100*time.Millisecond, func() (bool, error) {
		return len(callerKeys(f.srv)) >= 4, b.ended()
	}), "got %d role keys, want 4; stderr: %s", len(callerKeys(f.srv)), b.stderr.String())
	require.NoError(t, closeStdin.Close())
	require.Equal(t, 0, b.wait(t, 30*time.Second), "stderr: %s", b.stderr.String())

	var rep clientReport
	require.NoError(t, json.Unmarshal([]byte(b.stdout.String()), &rep), "child stdout: %s", b.stdout.String())
	assert.Equal(t, []string{"CredentialsEndpointProvider"}, rep.Sources, "got %v, want the container provider only", rep.Sources)
	assert.Equal(t, []string{"arn:aws:sts::123456789012:assumed-role/Admin/long-run"}, rep.ARNs)
	assert.GreaterOrEqual(t, len(rep.AccessKeyIDs), 4)

	var codes, sessionTokens int
	var roleSigners []string
	for _, r := range f.srv.Requests() {
		assert.Equal(t, 200, r.Status, "%s: %s", r.Action, r.ErrorCode)
		if r.Params.Get("TokenCode") != "" {
			codes++
		}
		switch r.Action {
		case "GetSessionToken":
			sessionTokens++
		case "AssumeRole":
			roleSigners = appendNew(roleSigners, r.AccessKeyID)
		}
	}
	assert.Equal(t, 1, codes, "got %d MFA codes sent, want 1", codes)
	assert.Equal(t, 1, sessionTokens)
	assert.GreaterOrEqual(t, f.srv.CountRequests("AssumeRole"), 4)
	require.Len(t, roleSigners, 1, "every AssumeRole is signed by the one MFA session")
	assert.Regexp(t, `^ASIA`, roleSigners[0])
	for _, k := range callerKeys(f.srv) {
		assert.Regexp(t, `^ASIA`, k)
		assert.Contains(t, rep.AccessKeyIDs, k)
	}

	stderr := b.stderr.String()
	assert.Contains(t, stderr, "credentials served")
	for _, s := range append(rep.Secrets, f.alice.SecretAccessKey, f.mfa.Secret) {
		assert.NotContains(t, stderr, s)
	}
}

// callerKeys returns the distinct access keys GetCallerIdentity was
// signed with, in order.
func callerKeys(srv *ststest.Server) []string {
	var keys []string
	for _, r := range srv.Requests() {
		if r.Action == "GetCallerIdentity" {
			keys = appendNew(keys, r.AccessKeyID)
		}
	}
	return keys
}

// TestExecServerEnvironment shows the command gets the server's two
// variables and the region, and no keys nor anything that would take
// precedence over the server in an SDK; the server stops with it.
func TestExecServerEnvironment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := []string{"AWS_PROFILE=dev", "AWS_DEFAULT_PROFILE=dev", "AWS_ACCESS_KEY_ID=AKIAOLD", "AWS_SECRET_ACCESS_KEY=old",
		"AWS_SESSION_TOKEN=old", "AWS_SECURITY_TOKEN=old", "AWS_CREDENTIAL_EXPIRATION=2000-01-01T00:00:00Z",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/old", credserver.EnvFullURI + "=http://169.254.170.23/old",
		credserver.EnvAuthToken + "=old", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/old", "AWS_WEB_IDENTITY_TOKEN_FILE=/old",
		"AWS_ROLE_ARN=arn:aws:iam::123456789012:role/Old", "AWS_REGION=us-west-2", "KEEP_ME=yes"}
	r := f.run(t, env, "", append([]string{"exec", "--server"}, f.aliceArgs("--mfa-serial", f.mfa.SerialNumber,
		"--mfa-totp-secret-env", "MFA_SEED", "--role-arn", f.admin.ARN, "--", "env", "-0")...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	got := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(r.stdout, "\x00"), "\x00") {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	assert.Regexp(t, `^http://127\.0\.0\.1:[0-9]+/credentials$`, got[credserver.EnvFullURI])
	assert.Regexp(t, `^[A-Za-z0-9_-]{43}$`, got[credserver.EnvAuthToken], "a 256-bit token")
	assert.Equal(t, "eu-west-1", got["AWS_REGION"])
	assert.Equal(t, "eu-west-1", got["AWS_DEFAULT_REGION"])
	assert.Equal(t, "yes", got["KEEP_ME"])
	for _, name := range competingVars {
		if name == credserver.EnvFullURI || name == credserver.EnvAuthToken {
			continue
		}
		_, ok := got[name]
		assert.False(t, ok, "the command sees %s", name)
	}
	for _, name := range []string{envSecretKey, "MFA_SEED"} {
		_, ok := got[name]
		assert.False(t, ok, "the command sees %s", name)
	}
	_, _, err := httpGet(got[credserver.EnvFullURI], got[credserver.EnvAuthToken], "")
	assert.Error(t, err, "the server still answers after the command ended")
}

// TestExecServerAWSCLI has the AWS CLI take its credentials from the
// server (its container provider), and exec pass its status through.
func TestExecServerAWSCLI(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	f := newFixture(t)
	env := []string{"LANG=C.UTF-8", "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}
	r := f.run(t, env, "", append([]string{"exec", "--server"}, f.aliceArgs("--mfa-serial", f.mfa.SerialNumber,
		"--mfa-totp-secret-env", "MFA_SEED", "--role-arn", f.admin.ARN, "--role-session-name", "aws-cli",
		"--", awsCLI, "sts", "get-caller-identity", "--endpoint-url", f.srv.URL, "--region", "us-east-1", "--output", "json")...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/Admin/aws-cli", jsonString(t, r.stdout, "Arn"))
	keys := callerKeys(f.srv)
	require.Len(t, keys, 1)
	assert.Regexp(t, `^ASIA`, keys[0])

	// A refused call is the CLI's status, passed through.
	r = f.run(t, env, "", append([]string{"exec", "--server"}, f.aliceArgs("--role-arn", f.reader.ARN,
		"--", awsCLI, "sts", "assume-role", "--role-arn", f.admin.ARN, "--role-session-name", "denied",
		"--endpoint-url", f.srv.URL, "--region", "us-east-1")...)...)
	assert.Contains(t, []int{254, 255}, r.code, "stderr: %s", r.stderr) // v2, v1
	assert.Contains(t, r.stderr, "AccessDenied")
}

// TestExecServerNotes shows the notes a server run starts with: a role
// that takes the MFA code itself (each refresh needs a new one), and a
// default profile whose own credentials SDKs would use before the server.
func TestExecServerNotes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.run(t, nil, "", append([]string{"exec", "--server"}, f.aliceArgs("--mfa-serial", f.mfa.SerialNumber,
		"--mfa-token", f.srv.TOTPCode(f.mfa.SerialNumber), "--role-arn", f.admin.ARN, "--no-session", "--", "true")...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "role "+f.admin.ARN+" takes the MFA code itself, so each of its refreshes (every 1h) needs a new code from --mfa-token; leave out --no-session")
	assert.NotContains(t, r.stderr, "default profile")

	// A role of 2 h cannot ride on an MFA session: the advice says so.
	h := newFixture(t)
	r = h.run(t, nil, "", append([]string{"exec", "--server"}, h.aliceArgs("--mfa-serial", h.mfa.SerialNumber,
		"--mfa-token", h.srv.TOTPCode(h.mfa.SerialNumber), "--role-arn", h.admin.ARN, "--duration", "2h", "--", "true")...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "ask for at most 1h (--duration 1h")
	assert.Contains(t, r.stderr, "over the 1 h STS allows for a role assumed with MFA session credentials")
	assert.Equal(t, 0, h.srv.CountRequests("GetSessionToken"))

	g := newFixture(t)
	require.NoError(t, os.WriteFile(filepath.Join(g.dir, "credentials"),
		[]byte("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"), 0o600))
	r = g.run(t, nil, "", append([]string{"exec", "--server"}, g.aliceArgs("--role-arn", g.reader.ARN, "--", "true")...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "warning: the default profile of your shared AWS config has credentials of its own")
	assert.NotContains(t, r.stderr, "takes the MFA code")
}
