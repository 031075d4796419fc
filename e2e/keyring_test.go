//go:build linux

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
)

const keyringUser = "e2e-keyring"

// testKeyring is the keyring commands against moto's IAM and STS, with
// authentication on: add base --env checks the keys with STS, rotate
// leaves one new working key in IAM and in the keyring (the encrypted
// file backend), remove then leaves rotate nothing to work on. The user
// is one of its own: rotating deletes its key.
func (w *world) testKeyring(t *testing.T) {
	bin := buildCLI(t)
	ctx := testContext(t)
	admin := iam.NewFromConfig(aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(w.moto.URL)})
	w.moto.setAuth(t, false)
	_, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(keyringUser)})
	require.NoError(t, err)
	putPolicy(t, func(doc string) error {
		_, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(keyringUser), PolicyName: aws.String("keys"), PolicyDocument: aws.String(doc)})
		return err
	}, []string{"iam:CreateAccessKey", "iam:DeleteAccessKey", "sts:GetCallerIdentity", "sts:AssumeRole"})
	user, err := admin.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(keyringUser)})
	require.NoError(t, err)
	trust, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"AWS": aws.ToString(user.User.Arn)}, "Action": "sts:AssumeRole"}}})
	require.NoError(t, err)
	role, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(keyringUser + "-role"), AssumeRolePolicyDocument: aws.String(string(trust))})
	require.NoError(t, err)
	created, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(keyringUser)})
	require.NoError(t, err)
	oldID, oldSecret := aws.ToString(created.AccessKey.AccessKeyId), aws.ToString(created.AccessKey.SecretAccessKey)
	w.moto.setAuth(t, true)

	c := w.newCLIEnv(t, bin)
	settings := keyring.Settings{Backend: "file", FileDir: filepath.Join(c.dir, "keyring"), Passphrase: func() (keyring.Secret, error) { return "e2e passphrase", nil }}
	env := c.environ(
		"AWSSESSION_KEYRING_BACKEND=file",
		"AWSSESSION_KEYRING_FILE_DIR="+settings.FileDir,
		"AWSSESSION_KEYRING_PASSPHRASE=e2e passphrase",
		"AWSSESSION_CACHE_DIR="+filepath.Join(c.dir, "cache"),
	)
	endpoints := []string{"--sts-endpoint", w.moto.URL, "--region", region}

	c.run(t, append(env, "AWS_ACCESS_KEY_ID="+oldID, "AWS_SECRET_ACCESS_KEY="+oldSecret), bin, append([]string{"add", "base", "--env"}, endpoints...)...)
	w.keyringRoleProfile(t, c, env, aws.ToString(role.Role.Arn))
	c.run(t, env, bin, append([]string{"rotate", "base", "--iam-endpoint", w.moto.URL}, endpoints...)...)

	kr, err := keyring.Open(settings)
	require.NoError(t, err)
	key, err := kr.Keys("base")
	require.NoError(t, err)
	assert.NotEqual(t, oldID, key.ID, "rotate left the old key in the keyring")
	w.moto.setAuth(t, false)
	keys, err := admin.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(keyringUser)})
	w.moto.setAuth(t, true)
	require.NoError(t, err)
	require.Len(t, keys.AccessKeyMetadata, 1, "got %d access keys for the user in IAM, want 1", len(keys.AccessKeyMetadata))
	assert.Equal(t, key.ID, aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId))
	w.requireIdentity(t, ctx, key.ID, key.Secret.Reveal(), true)
	w.requireIdentity(t, ctx, oldID, oldSecret, false)

	c.run(t, env, bin, "remove", "base", "--force")
	for _, args := range [][]string{{"remove", "base", "--force"}, append([]string{"rotate", "base", "--iam-endpoint", w.moto.URL}, endpoints...)} {
		code, stderr := c.runStatus(t, env, bin, args...)
		assert.Equal(t, 2, code, "awssession %v: got exit %d, want 2; stderr:\n%s", args, code, stderr)
		assert.Contains(t, stderr, `profile "base": not in the keyring`)
		assert.NotContains(t, stderr, key.Secret.Reveal())
	}
}

// keyringRoleProfile: a role profile on top of base, whose keys are in no
// file but in the keyring, works in env, exec and as a credential_process
// of the AWS CLI.
func (w *world) keyringRoleProfile(t *testing.T, c *cliEnv, env []string, roleARN string) {
	t.Helper()
	config := fmt.Sprintf("[profile base]\nregion = %s\n\n[profile kr]\nsource_profile = base\nrole_arn = %s\n\n"+
		"[profile krp]\nregion = %s\ncredential_process = %s credential-process --profile kr --sts-endpoint %s --no-cache\n",
		region, roleARN, region, c.awssession, w.moto.URL)
	require.NoError(t, os.WriteFile(c.configFile, []byte(config), 0o600))
	require.NoError(t, os.WriteFile(c.credsFile, nil, 0o600))
	wantARN := "arn:aws:sts::" + w.accountID + ":assumed-role/" + keyringUser + "-role/"

	out := c.run(t, env, c.awssession, "env", "--profile", "kr", "--format", "dotenv", "--sts-endpoint", w.moto.URL, "--no-cache")
	assert.Contains(t, out, "AWS_SESSION_TOKEN=")
	out = c.run(t, env, c.awssession, "exec", "kr", "--sts-endpoint", w.moto.URL, "--no-cache", "--",
		c.aws, "--endpoint-url", w.moto.URL, "sts", "get-caller-identity", "--output", "json")
	assert.Contains(t, out, wantARN, "exec")
	out = c.run(t, env, c.aws, "--profile", "krp", "--endpoint-url", w.moto.URL, "sts", "get-caller-identity", "--output", "json")
	assert.Contains(t, out, wantARN, "credential_process")
}

// requireIdentity checks whether STS in moto knows the key pair as the
// keyring user.
func (w *world) requireIdentity(t *testing.T, ctx context.Context, id, secret string, works bool) {
	t.Helper()
	got, err := awssession.CallerIdentity(ctx, aws.Config{Region: region, BaseEndpoint: aws.String(w.moto.URL),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	if !works {
		require.Error(t, err, "the old key still works after rotate")
		return
	}
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::"+w.accountID+":user/"+keyringUser, got.ARN)
}

// runStatus runs a command in the environment and returns its exit status
// and stderr.
func (c *cliEnv) runStatus(t *testing.T, env []string, name string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir = env, c.dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err())
	var exit *exec.ExitError
	if err != nil {
		require.ErrorAs(t, err, &exit)
		return exit.ExitCode(), stderr.String()
	}
	return 0, stderr.String()
}
