package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The peers of our sign-in: the token `awssession login` writes must
// serve the AWS CLI and boto3, and one `aws sso login` writes must serve
// awssession. Debian's AWS CLI 2.9.19 reaches the fake through
// AWS_DATA_PATH endpoint rules (it predates AWS_ENDPOINT_URL_SSO); boto3
// through AWS_ENDPOINT_URL_SSO and _SSO_OIDC.

// peerEnv is the environment a peer runs in: the fixture's files and
// home, the fake's endpoints in both forms.
func peerEnv(t *testing.T, f *fixture) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + f.dir, "LANG=C.UTF-8", "AWS_CONFIG_FILE=" + filepath.Join(f.dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_DATA_PATH=" + awsDataPath(t, f.srv.URL), "AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=", "AWS_ENDPOINT_URL_SSO=" + f.srv.URL, "AWS_ENDPOINT_URL_SSO_OIDC=" + f.srv.URL}
}

// awsSSOLogin runs `aws sso login --no-browser` for profile in env,
// approves as alice, at the fake at base, each user code it prints, and
// returns what it printed. (With --auto-approve the fake approves at once
// and the AWS CLI prints no code.)
func awsSSOLogin(ctx context.Context, t *testing.T, env []string, base, profile string) (printed string) {
	t.Helper()
	login := exec.CommandContext(ctx, awsCLI, "sso", "login", "--profile", profile, "--no-browser")
	login.Env = env
	var stderr bytes.Buffer
	login.Stderr = &stderr
	out, err := login.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, login.Start())
	codeRE := regexp.MustCompile(`^[A-Z2-7]{4}-[A-Z2-7]{4}$`)
	for lines := bufio.NewScanner(out); lines.Scan(); {
		printed += lines.Text() + "\n"
		if codeRE.MatchString(lines.Text()) {
			resp, err := http.Post(base+"/ststest/sso/approve?"+url.Values{"user_code": {lines.Text()}, "user": {"alice"}}.Encode(), "", nil)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			require.Equal(t, http.StatusNoContent, resp.StatusCode)
		}
	}
	require.NoError(t, login.Wait(), "stderr: %s", stderr.String())
	return printed
}

// TestOurSSOTokenServesThePeers: after `awssession login`, the AWS CLI
// exports the profile's credentials and boto3 gets them, both from our
// token, without a sign-in of their own.
func TestOurSSOTokenServesThePeers(t *testing.T) {
	requireAWSCLI(t)
	requireBoto3(t)
	t.Parallel()
	f := ssoFixture(t)
	r := f.run(t, nil, "", "login", "dev")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	env := peerEnv(t, f)
	cli := runPeer(t, "", env, awsCLI, "configure", "export-credentials", "--profile", "dev", "--format", "process")
	require.Equal(t, 0, cli.code, "stderr: %s", cli.stderr)
	var doc struct{ AccessKeyId string }
	require.NoError(t, json.Unmarshal([]byte(cli.stdout), &doc))
	assert.True(t, strings.HasPrefix(doc.AccessKeyId, "ASIA"))
	py := runPeer(t, "", env, "python3", "-c", "import boto3; print(boto3.Session(profile_name='dev').client('sts', "+
		"endpoint_url='"+f.srv.URL+"', region_name='us-east-1').get_caller_identity()['Arn'])")
	require.Equal(t, 0, py.code, "stderr: %s", py.stderr)
	assert.Regexp(t, `assumed-role/AWSReservedSSO_Admin_[0-9a-f]{16}/alice`, py.stdout)
	assert.Equal(t, 1, f.srv.CountRequests("sso-oidc:StartDeviceAuthorization"), "only our sign-in")
}

// TestAWSCLITokenServesUs: a token from `aws sso login --no-browser` (the
// device flow, approved at the fake) serves awssession, also for a role on
// the SSO profile, with no sign-in of ours.
func TestAWSCLITokenServesUs(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	f := ssoFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	awsSSOLogin(ctx, t, peerEnv(t, f), f.srv.URL, "dev")
	require.FileExists(t, f.ssoToken(), "the AWS CLI's token, where both of us keep it")

	r := f.run(t, nil, "", "whoami", "ops")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "assumed-role/Deploy/")
	r = f.run(t, nil, "", "login", "dev")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "already signed in", "the AWS CLI's token is good: no new login")
	assert.Equal(t, 1, f.srv.CountRequests("sso-oidc:StartDeviceAuthorization"), "the AWS CLI's only")
}
