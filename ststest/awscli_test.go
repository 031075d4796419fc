package ststest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// awsCLI is Debian's AWS CLI v2 (package awscli). CI installs it and sets
// AWSSESSION_REQUIRE_AWSCLI=1 so that this test cannot silently skip there.
const awsCLI = "/usr/bin/aws"

// TestAWSCLI runs the real AWS CLI v2 (botocore's signer and parser)
// against the server: a wrong MFA code is refused with STS's message, a
// right one returns credentials.
func TestAWSCLI(t *testing.T) {
	if _, err := os.Stat(awsCLI); err != nil {
		if os.Getenv("AWSSESSION_REQUIRE_AWSCLI") == "1" {
			t.Fatalf("%s: %v; AWSSESSION_REQUIRE_AWSCLI=1 requires the AWS CLI (apt-get install awscli)", awsCLI, err)
		}
		t.Skipf("%s not found: apt-get install awscli to run this test (AWSSESSION_REQUIRE_AWSCLI=1 makes this a failure)", awsCLI)
	}
	t.Parallel()
	f := newFixture(t)
	home := t.TempDir()
	config, creds := filepath.Join(home, "config"), filepath.Join(home, "credentials")
	require.NoError(t, os.WriteFile(config, nil, 0o600))
	require.NoError(t, os.WriteFile(creds, nil, 0o600))
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"LANG=C.UTF-8",
		"AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"AWS_ACCESS_KEY_ID=" + f.alice.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + f.alice.SecretAccessKey,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	}
	getSessionToken := func(code string, extraEnv ...string) (string, string, int) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, awsCLI, "sts", "get-session-token",
			"--serial-number", f.mfa.SerialNumber, "--token-code", code,
			"--endpoint-url", f.srv.URL, "--region", "us-east-1", "--output", "json")
		cmd.Env = append(append([]string(nil), env...), extraEnv...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		require.NoError(t, ctx.Err(), "aws timed out; stderr: %s", stderr.String())
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("run %s: %v", awsCLI, err)
		}
		return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
	}

	// botocore's signature is verified: a wrong secret is refused.
	_, stderr, _ := getSessionToken(f.wrongCode(), "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	require.Contains(t, stderr, "An error occurred (SignatureDoesNotMatch) when calling the GetSessionToken operation")

	_, stderr, exit := getSessionToken(f.wrongCode())
	require.NotEqual(t, 0, exit, "got exit 0 for a wrong code, want a failure")
	require.Contains(t, stderr, "An error occurred (AccessDenied) when calling the GetSessionToken operation: "+msgBadCode)

	stdout, stderr, exit := getSessionToken(f.code())
	require.Equal(t, 0, exit, "got exit %d, want 0; stderr: %s", exit, stderr)
	var out struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), "stdout: %s", stdout)
	require.Regexp(t, `^ASIA[A-Z2-7]{16}$`, out.Credentials.AccessKeyId)
	require.Len(t, out.Credentials.SecretAccessKey, 40)
	require.NotEmpty(t, out.Credentials.SessionToken)
	exp, err := time.Parse(time.RFC3339, out.Credentials.Expiration)
	require.NoError(t, err, "Expiration %q", out.Credentials.Expiration)
	require.WithinDuration(t, f.clock.Now().Add(12*time.Hour), exp, time.Second)
	require.Equal(t, 3, f.srv.CountRequests("GetSessionToken"))
}
