package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCredentialProcess checks the Version 1 document for a role session
// and for long-term keys (no token, no expiry).
func TestCredentialProcess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.run(t, nil, "", append([]string{"credential-process"}, f.aliceArgs("--role-arn", f.reader.ARN)...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Empty(t, r.stderr)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.Equal(t, float64(1), doc["Version"])
	assert.Regexp(t, `^ASIA`, doc["AccessKeyId"])
	assert.NotEmpty(t, doc["SecretAccessKey"])
	assert.NotEmpty(t, doc["SessionToken"])
	assert.Equal(t, "123456789012", doc["AccountId"])
	exp, err := time.Parse(time.RFC3339, doc["Expiration"].(string))
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(doc["Expiration"].(string), "Z"), "want UTC")
	assert.WithinRange(t, exp, f.srv.Now().Add(55*time.Minute), f.srv.Now().Add(time.Hour))

	long := f.run(t, nil, "", append([]string{"credential-process"}, f.aliceArgs()...)...)
	require.Equal(t, 0, long.code, "stderr: %s", long.stderr)
	assert.JSONEq(t, `{"Version":1,"AccessKeyId":"`+f.alice.AccessKeyID+`","SecretAccessKey":"`+f.alice.SecretAccessKey+`"}`, long.stdout)
}

// awsCLI is Debian's AWS CLI v2 (package awscli). CI installs it and sets
// AWSSESSION_REQUIRE_AWSCLI=1 so that this test cannot silently skip there.
const awsCLI = "/usr/bin/aws"

// TestCredentialProcessAWSCLI has the real AWS CLI run awssession as the
// credential_process of a profile (a role that requires MFA, the code from
// a TOTP seed, the secret key from the environment, not the config file),
// then checks that the keys it exports are the role session ststest
// issued.
func TestCredentialProcessAWSCLI(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	f := newFixture(t)
	self, err := os.Executable()
	require.NoError(t, err)
	config := filepath.Join(f.dir, "config")
	process := strings.Join(append([]string{self, "credential-process", "--mfa-serial", f.mfa.SerialNumber, "--mfa-totp-secret-env", "MFA_SEED",
		"--role-arn", f.admin.ARN, "--role-session-name", "from-aws-cli"}, f.aliceArgs()...), " ")
	require.NoError(t, os.WriteFile(config, []byte("[profile p]\ncredential_process = "+process+"\nregion = eu-west-1\n"), 0o600))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, awsCLI, "configure", "export-credentials", "--profile", "p", "--format", "process")
	// f.env holds AWS_CONFIG_FILE, HOME, the secret key and the seed; the
	// switch makes the test binary act as awssession.
	cmd.Env = append([]string{cliSwitch + "=1", "LANG=C.UTF-8", "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}, f.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		t.Fatalf("aws exited with %d; stderr: %s", exit.ExitCode(), stderr.String())
	}
	require.NoError(t, err)

	var got struct {
		Version                                                int
		AccessKeyId, SecretAccessKey, SessionToken, Expiration string
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), "stdout: %s", stdout.String())
	assert.Equal(t, 1, got.Version)
	assert.Regexp(t, `^ASIA`, got.AccessKeyId)
	_, err = time.Parse(time.RFC3339, got.Expiration)
	assert.NoError(t, err, "Expiration %q", got.Expiration)
	reqs := f.srv.Requests()
	require.Len(t, reqs, 2) // the MFA session by default, then the role on it
	assert.Equal(t, "GetSessionToken", reqs[0].Action)
	assert.NotEmpty(t, reqs[0].Params.Get("TokenCode"))
	assert.Equal(t, "AssumeRole", reqs[1].Action)

	// The exported keys are the session ststest issued for the role.
	who := f.run(t, []string{envSecretKey + "=" + got.SecretAccessKey, envSessionToken + "=" + got.SessionToken}, "",
		"whoami", "--access-key", got.AccessKeyId, "--sts-endpoint", f.srv.URL, "--json")
	require.Equal(t, 0, who.code, "stderr: %s", who.stderr)
	assert.JSONEq(t, `{"Account":"123456789012","Arn":"arn:aws:sts::123456789012:assumed-role/Admin/from-aws-cli","UserId":"`+
		jsonString(t, who.stdout, "UserId")+`"}`, who.stdout)
	assert.Regexp(t, `^AROA[A-Z2-7]+:from-aws-cli$`, jsonString(t, who.stdout, "UserId"))
}

// requireAWSCLI skips the test when the AWS CLI is missing, unless
// AWSSESSION_REQUIRE_AWSCLI=1 makes that a failure.
func requireAWSCLI(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(awsCLI); err != nil {
		if os.Getenv("AWSSESSION_REQUIRE_AWSCLI") == "1" {
			t.Fatalf("%s: %v; AWSSESSION_REQUIRE_AWSCLI=1 requires the AWS CLI (apt-get install awscli)", awsCLI, err)
		}
		t.Skipf("%s not found: apt-get install awscli to run this test (AWSSESSION_REQUIRE_AWSCLI=1 makes this a failure)", awsCLI)
	}
}

func jsonString(t *testing.T, doc, name string) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(doc), &m), "JSON: %s", doc)
	s, _ := m[name].(string)
	return s
}
