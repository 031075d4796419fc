package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// webIdentityUsers has a role for one repository's GitHub Actions
// workflows and one that allows session tags and source identity.
const webIdentityUsers = `{
	"users": [{"name": "alice"}],
	"roles": [
		{"name": "GitHubDeploy", "webIdentity": {"subject": "repo:octo/app:*"}},
		{"name": "EKSPod", "webIdentity": {"audience": "eks.example", "subject": "system:serviceaccount:prod:api"}},
		{"name": "Tagged", "principals": ["alice"], "sessionTags": true, "sourceIdentity": true}
	]}`

func startWebIdentitySTSServer(t *testing.T) ststest.Snapshot {
	t.Helper()
	users := filepath.Join(t.TempDir(), "users.json")
	require.NoError(t, os.WriteFile(users, []byte(webIdentityUsers), 0o600))
	snap, stop := startSTSServer(t, "--users", users)
	t.Cleanup(func() { stop() })
	return snap.Snapshot
}

// fetchWebIdentityToken gets a token from the server's HTTP endpoint, as
// a client in another language would.
func fetchWebIdentityToken(t *testing.T, base, sub, aud string) string {
	t.Helper()
	q := url.Values{"sub": {sub}}
	if aud != "" {
		q.Set("aud", aud)
	}
	return getOK(t, base+"/ststest/web-identity-token?"+q.Encode())
}

// getOK GETs url, as a client in another language would, and returns the
// body of its 200 answer.
func getOK(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func roleNamed(t *testing.T, snap ststest.Snapshot, name string) ststest.SnapshotRole {
	t.Helper()
	for _, r := range snap.Roles {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no role %s in %+v", name, snap.Roles)
	return ststest.SnapshotRole{}
}

// TestSTSServerWebIdentity uses the printed JSON and the token endpoint
// with the Go SDK: web identity roles, tags and source identity.
func TestSTSServerWebIdentity(t *testing.T) {
	t.Parallel()
	snap := startWebIdentitySTSServer(t)
	require.Regexp(t, `^arn:aws:iam::123456789012:oidc-provider/127\.0\.0\.1:\d+$`, snap.OIDCProviderARN)
	github, eks, tagged := roleNamed(t, snap, "GitHubDeploy"), roleNamed(t, snap, "EKSPod"), roleNamed(t, snap, "Tagged")
	assert.Equal(t, []string{snap.OIDCProviderARN}, github.Principals)
	assert.Equal(t, "repo:octo/app:*", github.Subject)
	assert.Equal(t, "eks.example", eks.Audience)
	assert.True(t, tagged.SessionTags)
	assert.True(t, tagged.SourceIdentity)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	anonymous := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(snap.URL)})
	out, err := anonymous.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(eks.ARN), RoleSessionName: aws.String("pod"),
		WebIdentityToken: aws.String(fetchWebIdentityToken(t, snap.URL, "system:serviceaccount:prod:api", "eks.example")),
	})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/EKSPod/pod", aws.ToString(out.AssumedRoleUser.Arn))

	alice := snap.Users[0]
	client := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(snap.URL),
		Credentials: credentials.NewStaticCredentialsProvider(alice.AccessKeyID, alice.SecretAccessKey, "")})
	hop, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(tagged.ARN), RoleSessionName: aws.String("t1"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}, SourceIdentity: aws.String("alice")})
	require.NoError(t, err)
	assert.Equal(t, "alice", aws.ToString(hop.SourceIdentity))
}

// TestSTSServerWebIdentityAWSCLI: the AWS CLI v2 (botocore, another
// language's client) assumes a role with a token from the sts-server's
// endpoint, then calls get-caller-identity with the credentials it got.
func TestSTSServerWebIdentityAWSCLI(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	snap := startWebIdentitySTSServer(t)
	github := roleNamed(t, snap, "GitHubDeploy")
	r := runAWS(t, snap.URL, nil, "sts", "assume-role-with-web-identity", "--role-arn", github.ARN, "--role-session-name", "gha",
		"--web-identity-token", fetchWebIdentityToken(t, snap.URL, "repo:octo/other:ref:refs/heads/main", ""))
	require.NotEqual(t, 0, r.code)
	require.Contains(t, r.stderr, "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity")

	r = runAWS(t, snap.URL, nil, "sts", "assume-role-with-web-identity", "--role-arn", github.ARN, "--role-session-name", "gha",
		"--web-identity-token", fetchWebIdentityToken(t, snap.URL, "repo:octo/app:ref:refs/heads/main", ""))
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	var out struct {
		Credentials                 struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		SubjectFromWebIdentityToken string
		Audience                    string
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), "stdout: %s", r.stdout)
	assert.Equal(t, "repo:octo/app:ref:refs/heads/main", out.SubjectFromWebIdentityToken)
	assert.Equal(t, "sts.amazonaws.com", out.Audience)

	r = runAWS(t, snap.URL, []string{"AWS_ACCESS_KEY_ID=" + out.Credentials.AccessKeyId,
		"AWS_SECRET_ACCESS_KEY=" + out.Credentials.SecretAccessKey, "AWS_SESSION_TOKEN=" + out.Credentials.SessionToken},
		"sts", "get-caller-identity")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/GitHubDeploy/gha", jsonString(t, r.stdout, "Arn"))
	assert.Equal(t, "123456789012", jsonString(t, r.stdout, "Account"))
}
