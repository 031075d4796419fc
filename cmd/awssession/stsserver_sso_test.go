package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ssoUsersFile writes a --users file where alice may use Admin in the
// default account, and returns its path.
func ssoUsersFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "users.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"users": [{"name": "alice"}],
		"sso": [{"user": "alice", "account": "123456789012", "permissionSet": "Admin"}]}`), 0o600))
	return path
}

// TestSTSServerSSO signs in to the standalone server's Identity Center
// from the printed JSON alone, with --auto-approve standing in for the
// person, and reads a login session over HTTP.
func TestSTSServerSSO(t *testing.T) {
	t.Parallel()
	snap, stop := startSTSServer(t, "--users", ssoUsersFile(t), "--auto-approve", "alice", "--sso-token-lifetime", "10m")
	defer stop()
	assert.Equal(t, snap.URL+"/start", snap.SSOStartURL)
	require.Len(t, snap.SSO, 1)
	assert.Regexp(t, `^arn:aws:iam::123456789012:role/aws-reserved/sso\.amazonaws\.com/AWSReservedSSO_Admin_[0-9a-f]{16}$`, snap.SSO[0].RoleARN)

	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(snap.URL)}
	oidc := ssooidc.NewFromConfig(cfg)
	client, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("t"), ClientType: aws.String("public"),
		Scopes: []string{"sso:account:access"}})
	require.NoError(t, err)
	auth, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: client.ClientId,
		ClientSecret: client.ClientSecret, StartUrl: aws.String(snap.SSOStartURL)})
	require.NoError(t, err)
	tok, err := oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: client.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: auth.DeviceCode})
	require.NoError(t, err, "approved at once")
	assert.Equal(t, int32(600), tok.ExpiresIn)
	rc, err := sso.NewFromConfig(cfg).GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken,
		AccountId: aws.String("123456789012"), RoleName: aws.String("Admin")})
	require.NoError(t, err)
	assert.Regexp(t, `^ASIA`, aws.ToString(rc.RoleCredentials.AccessKeyId))

	resp, err := http.Get(snap.URL + "/ststest/login-session?user=alice")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "arn:aws:iam::123456789012:user/alice", string(body))
}

// TestSTSServerDefaultSSO: the default set lets alice sign in to Identity
// Center and use Admin.
func TestSTSServerDefaultSSO(t *testing.T) {
	t.Parallel()
	snap, stop := startSTSServer(t, "--auto-approve", "alice")
	defer stop()
	require.Len(t, snap.SSO, 1)
	assert.Equal(t, "alice", snap.SSO[0].User)
	assert.Equal(t, "Admin", snap.SSO[0].PermissionSet)
	assert.Equal(t, snap.Account, snap.SSO[0].Account)
}

func TestSTSServerBadSignInFlags(t *testing.T) {
	t.Parallel()
	users := ssoUsersFile(t)
	badSSO := filepath.Join(t.TempDir(), "users.json")
	require.NoError(t, os.WriteFile(badSSO, []byte(`{"users": [{"name": "alice"}], "sso": [{"user": "bob", "account": "123456789012", "permissionSet": "Admin"}]}`), 0o600))
	for name, tc := range map[string]struct{ args []string }{
		"--auto-approve":              {[]string{"--users", users, "--auto-approve", "bob"}},
		"--login-credential-lifetime": {[]string{"--login-credential-lifetime", "16m"}},
		"--sso-token-lifetime":        {[]string{"--sso-token-lifetime", "0s"}},
		"--users " + badSSO:           {[]string{"--users", badSSO}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, "", append([]string{"sts-server", "--addr", "127.0.0.1:0"}, tc.args...)...)
			assert.Equal(t, 2, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, name)
			assert.Empty(t, r.stdout)
		})
	}
}

// awsDataPath writes the endpoint rules that send the AWS CLI's SSO and
// SSO OIDC clients to url (it predates AWS_ENDPOINT_URL_<SERVICE>) and
// returns the directory for AWS_DATA_PATH.
func awsDataPath(t *testing.T, endpoint string) string {
	t.Helper()
	dir := t.TempDir()
	rules := fmt.Sprintf(`{"version": "1.0", "parameters": {
		"Region": {"builtIn": "AWS::Region", "required": false, "type": "String"},
		"UseDualStack": {"builtIn": "AWS::UseDualStack", "required": true, "default": false, "type": "Boolean"},
		"UseFIPS": {"builtIn": "AWS::UseFIPS", "required": true, "default": false, "type": "Boolean"},
		"Endpoint": {"builtIn": "SDK::Endpoint", "required": false, "type": "String"}},
		"rules": [{"conditions": [], "endpoint": {"url": %q, "properties": {}, "headers": {}}, "type": "endpoint"}]}`, endpoint)
	for _, service := range []string{"sso", "sso-oidc"} {
		path := filepath.Join(dir, service, "2019-06-10", "endpoint-rule-set-1.json")
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
		require.NoError(t, os.WriteFile(path, []byte(rules), 0o600))
	}
	return dir
}

// TestSTSServerAWSCLISSOLogin has Debian's AWS CLI sign in to the
// standalone server with the device flow (aws sso login --no-browser),
// the code approved over HTTP as a test in another language would; then
// export the role credentials, which the STS recognises, and log out,
// after which the token is refused.
func TestSTSServerAWSCLISSOLogin(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	snap, stop := startSTSServer(t, "--users", ssoUsersFile(t))
	defer stop()
	home := t.TempDir()
	config := filepath.Join(home, "config")
	require.NoError(t, os.WriteFile(config, []byte(`[profile dev]
sso_session = fake
sso_account_id = 123456789012
sso_role_name = Admin
region = us-east-1

[sso-session fake]
sso_start_url = `+snap.SSOStartURL+`
sso_region = us-east-1
sso_registration_scopes = sso:account:access
`), 0o600))
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8", "AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_DATA_PATH=" + awsDataPath(t, snap.URL),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	awsCmd := func(args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, awsCLI, args...)
		cmd.Env = env
		return cmd
	}

	printed := awsSSOLogin(ctx, t, env, snap.URL, "dev")
	assert.Regexp(t, `(?m)^[A-Z2-7]{4}-[A-Z2-7]{4}$`, printed, "the user code, approved through the fake")

	sum := sha1.Sum([]byte("fake"))
	cached, err := os.ReadFile(filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json"))
	require.NoError(t, err)
	var token struct{ AccessToken, RefreshToken, StartURL string }
	require.NoError(t, json.Unmarshal(cached, &token))
	assert.NotEmpty(t, token.RefreshToken, "registered with sso:account:access")

	export := awsCmd("configure", "export-credentials", "--profile", "dev", "--format", "process")
	stdout, err := export.Output()
	require.NoError(t, err)
	var creds struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	require.NoError(t, json.Unmarshal(stdout, &creds), "stdout: %s", stdout)
	who, err := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: &snap.URL,
		Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyId, creds.SecretAccessKey, creds.SessionToken)}).
		GetCallerIdentity(ctx, nil)
	require.NoError(t, err)
	assert.Regexp(t, `^arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_[0-9a-f]{16}/alice$`, *who.Arn)

	logout := awsCmd("sso", "logout", "--profile", "dev")
	logoutOut, err := logout.CombinedOutput()
	require.NoError(t, err, "output: %s", logoutOut)
	_, err = sso.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: &snap.URL}).GetRoleCredentials(ctx,
		&sso.GetRoleCredentialsInput{AccessToken: &token.AccessToken, AccountId: &snap.SSO[0].Account, RoleName: &snap.SSO[0].PermissionSet})
	assert.ErrorContains(t, err, "UnauthorizedException")
}
