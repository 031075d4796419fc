package ststest_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireBoto3 returns the machine's python3 that imports boto3, or skips
// the test, unless AWSSESSION_REQUIRE_BOTO3=1 makes that a failure (as CI
// sets it).
func requireBoto3(t *testing.T) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(python, "-c", "import boto3").Run()
	}
	if err != nil {
		if os.Getenv("AWSSESSION_REQUIRE_BOTO3") == "1" {
			t.Fatalf("python3 with boto3: %v; AWSSESSION_REQUIRE_BOTO3=1 requires it (pip install boto3)", err)
		}
		t.Skipf("python3 with boto3 not found (%v): AWSSESSION_REQUIRE_BOTO3=1 makes this a failure", err)
	}
	return python
}

// boto3Credentials prints a profile's credentials as boto3 resolves them.
const boto3Credentials = `
import boto3, json
c = boto3.Session(profile_name='dev').get_credentials().get_frozen_credentials()
print(json.dumps({'AccessKeyId': c.access_key, 'SecretAccessKey': c.secret_key, 'SessionToken': c.token}))
`

// TestBoto3SSO has boto3 (botocore's SSO token and credential providers,
// reached with AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO) use a
// token cached as the AWS CLI caches it: the expired access token is
// refreshed with the refresh token, the file rewritten, and the role
// credentials fetched are a session the STS recognises.
func TestBoto3SSO(t *testing.T) {
	python := requireBoto3(t)
	t.Parallel()
	f := newSSOFixture(t)
	f.srv.AssignSSO("alice", f.srv.Account(), "Admin")
	client := f.register(t, "sso:account:access")
	tok := f.deviceToken(t, client)

	home := t.TempDir()
	sum := sha1.Sum([]byte("fake"))
	cache := filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
	require.NoError(t, os.MkdirAll(filepath.Dir(cache), 0o700))
	cached, err := json.Marshal(map[string]string{
		"startUrl": f.srv.SSOStartURL(), "region": "us-east-1", "accessToken": aws.ToString(tok.AccessToken),
		"expiresAt": "2020-01-01T00:00:00Z", "refreshToken": aws.ToString(tok.RefreshToken),
		"clientId": aws.ToString(client.ClientId), "clientSecret": aws.ToString(client.ClientSecret),
		"registrationExpiresAt": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339),
	})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cache, cached, 0o600))
	config := filepath.Join(home, "config")
	require.NoError(t, os.WriteFile(config, []byte(fmt.Sprintf(`[profile dev]
sso_session = fake
sso_account_id = %s
sso_role_name = Admin
region = us-east-1

[sso-session fake]
sso_start_url = %s
sso_region = us-east-1
sso_registration_scopes = sso:account:access
`, f.srv.Account(), f.srv.SSOStartURL())), 0o600))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", boto3Credentials)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_SSO=" + f.srv.URL, "AWS_ENDPOINT_URL_SSO_OIDC=" + f.srv.URL}
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && errors.As(err, &exit) {
		t.Fatalf("python3 exited with %d: %s", exit.ExitCode(), exit.Stderr)
	}
	require.NoError(t, err)
	var creds struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	require.NoError(t, json.Unmarshal(out, &creds), "stdout: %s", out)

	who, err := newClient(f.srv, creds.AccessKeyId, creds.SecretAccessKey, creds.SessionToken).GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	assert.Regexp(t, `^arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_[0-9a-f]{16}/alice$`, aws.ToString(who.Arn))
	assert.Equal(t, 2, f.srv.CountRequests("sso-oidc:CreateToken"), "the device code, then botocore's refresh")
	assert.Equal(t, 1, f.srv.CountRequests("sso:GetRoleCredentials"))
	rewritten, err := os.ReadFile(cache)
	require.NoError(t, err)
	assert.NotContains(t, string(rewritten), aws.ToString(tok.RefreshToken), "botocore saved the rotated refresh token")
}
