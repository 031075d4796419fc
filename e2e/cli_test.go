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
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// seedVar is the variable that hands the MFA device's seed to awssession
// (--mfa-totp-secret-env).
const seedVar = "E2E_MFA_SEED"

// cliEnv is the environment of the AWS CLI and awssession processes: a
// temporary HOME and empty shared files so that the developer's ~/.aws and
// credential cache are never read, and no AWS_* variable from the test's
// own environment.
type cliEnv struct {
	dir                    string
	configFile, credsFile  string
	awssession, aws, shell string
}

func (w *world) newCLIEnv(t *testing.T, awssessionBin string) *cliEnv {
	t.Helper()
	dir := t.TempDir()
	c := &cliEnv{
		dir:        dir,
		configFile: filepath.Join(dir, "config"),
		credsFile:  filepath.Join(dir, "credentials"),
		awssession: awssessionBin,
		aws:        awsCLI,
		shell:      requireTool(t, "bash", "apt-get install bash"),
	}
	require.NoError(t, os.WriteFile(c.configFile, nil, 0o600))
	require.NoError(t, os.WriteFile(c.credsFile, nil, 0o600))
	return c
}

func (c *cliEnv) environ(extra ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + c.dir,
		"XDG_CACHE_HOME=" + filepath.Join(c.dir, "cache"),
		"LANG=C.UTF-8",
		"AWS_CONFIG_FILE=" + c.configFile,
		"AWS_SHARED_CREDENTIALS_FILE=" + c.credsFile,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	}, extra...)
}

// run runs a command in the environment and returns its stdout, failing
// the test with its stderr when it does not exit 0.
func (c *cliEnv) run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Dir = c.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "%s timed out; stderr:\n%s", name, stderr.String())
	require.NoError(t, err, "%s %s\nstderr:\n%s", name, strings.Join(args, " "), stderr.String())
	return stdout.String()
}

// buildCLI builds cmd/awssession into a temporary directory.
func buildCLI(t *testing.T) string {
	t.Helper()
	goBin := requireTool(t, "go", "install Go")
	bin := filepath.Join(t.TempDir(), "awssession")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goBin, "build", "-o", bin, "github.com/awssession/awssession/cmd/awssession").CombinedOutput()
	require.NoError(t, err, "go build cmd/awssession:\n%s", out)
	return bin
}

// testCLI runs the scenarios from a shell, with Debian's AWS CLI v2 as
// the client of the session awssession prints.
func (w *world) testCLI(t *testing.T) {
	requireTool(t, awsCLI, "apt-get install awscli")
	bin := buildCLI(t)
	t.Run("EvalEnv", func(t *testing.T) { w.testEvalEnv(t, w.newCLIEnv(t, bin)) })
	t.Run("CredentialProcess", func(t *testing.T) { w.testCredentialProcess(t, w.newCLIEnv(t, bin)) })
}

// testEvalEnv is eval "$(awssession env ...)" followed by the AWS CLI in
// the same shell: the exported role session (keys, session token, region)
// is what lists the bucket.
//
// The CLI scenarios pass --no-session: with its IAM authentication on,
// moto accepts only the access keys of its IAM users, not the temporary
// keys its own GetSessionToken hands out (an AssumeRole signed by them is
// a 403 UnknownError), so the CLI's default MFA session under the role
// fails here though it works at AWS (ststest's tests prove it).
func (w *world) testEvalEnv(t *testing.T, c *cliEnv) {
	const script = `set -euo pipefail
eval "$("$AWSSESSION_BIN" env --access-key "$E2E_ACCESS_KEY" --secret-key "$E2E_SECRET_KEY" \
	--role-arn "$E2E_ROLE_ARN" --mfa-serial "$E2E_MFA_SERIAL" --mfa-totp-secret-env E2E_MFA_SEED \
	--sts-endpoint "$MOTO_URL" --region us-east-1 --no-cache --no-session)"
test -n "${AWS_SESSION_TOKEN:-}" || { echo "awssession env exported no AWS_SESSION_TOKEN" >&2; exit 1; }
"$AWS" --endpoint-url "$MOTO_URL" s3api list-buckets --output json
"$AWS" --endpoint-url "$MOTO_URL" sts get-caller-identity --output json
`
	out := c.run(t, c.environ(
		"AWSSESSION_BIN="+c.awssession,
		"AWS="+c.aws,
		"MOTO_URL="+w.moto.URL,
		"E2E_ACCESS_KEY="+w.accessKeyID,
		"E2E_SECRET_KEY="+w.secretAccessKey,
		"E2E_ROLE_ARN="+w.roleARN,
		"E2E_MFA_SERIAL="+w.mfaSerial,
		seedVar+"="+w.mfaSeed,
	), c.shell, "-c", script)
	w.requireCLIOutput(t, out)
}

// testCredentialProcess is a profile whose credential_process is
// awssession credential-process, used by the AWS CLI. The source keys
// travel in AWSSESSION_ACCESS_KEY and AWSSESSION_SECRET_KEY, as the
// command's help recommends, so no secret is in the config file.
func (w *world) testCredentialProcess(t *testing.T, c *cliEnv) {
	profile := fmt.Sprintf(`[profile e2e]
region = us-east-1
credential_process = %s credential-process --role-arn %s --mfa-serial %s --mfa-totp-secret-env %s --sts-endpoint %s --region us-east-1 --no-cache --no-session
`, c.awssession, w.roleARN, w.mfaSerial, seedVar, w.moto.URL)
	require.NoError(t, os.WriteFile(c.configFile, []byte(profile), 0o600))
	env := c.environ(
		"AWSSESSION_ACCESS_KEY="+w.accessKeyID,
		"AWSSESSION_SECRET_KEY="+w.secretAccessKey,
		seedVar+"="+w.mfaSeed,
	)
	out := c.run(t, env, c.aws, "--profile", "e2e", "--endpoint-url", w.moto.URL, "s3api", "list-buckets", "--output", "json")
	out += c.run(t, env, c.aws, "--profile", "e2e", "--endpoint-url", w.moto.URL, "sts", "get-caller-identity", "--output", "json")
	w.requireCLIOutput(t, out)
}

// requireCLIOutput checks the two JSON documents the AWS CLI printed:
// list-buckets shows the bucket, get-caller-identity a session of the role.
func (w *world) requireCLIOutput(t *testing.T, out string) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var buckets struct{ Buckets []struct{ Name string } }
	require.NoError(t, dec.Decode(&buckets), "list-buckets output:\n%s", out)
	var names []string
	for _, b := range buckets.Buckets {
		names = append(names, b.Name)
	}
	require.Contains(t, names, bucket, "got buckets %q, want %q among them", names, bucket)

	var identity struct{ Arn string }
	require.NoError(t, dec.Decode(&identity), "get-caller-identity output:\n%s", out)
	want := "arn:aws:sts::" + w.accountID + ":assumed-role/" + roleName + "/"
	require.True(t, strings.HasPrefix(identity.Arn, want), "got identity %q, want a session of the role (%s...)", identity.Arn, want)
}
