package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemo runs the README's first command: it needs no account, no
// ~/.aws and no network beyond loopback, and says what it did.
func TestDemo(t *testing.T) {
	t.Parallel()
	// As a process, so that the SDK sees a hostile environment: a profile
	// that does not exist, keys and a region that must not leak in.
	cmd := exec.Command(os.Args[0], "demo")
	cmd.Env = []string{cliSwitch + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_PROFILE=nope",
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=x", "AWS_REGION=xx-nowhere-1", "AWS_CONFIG_FILE=/nonexistent"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
	r := result{stdout: stdout.String()}
	for _, want := range []string{
		"1. GetSessionToken    with an MFA code, 3600 s, -> 200",
		"2. AssumeRole         role Admin, 3600 s, -> 200",
		"3. GetCallerIdentity  -> 200",
		"You are arn:aws:sts::123456789012:assumed-role/Admin/awssession-demo",
	} {
		assert.Contains(t, r.stdout, want)
	}
	assert.LessOrEqual(t, strings.Count(r.stdout, "\n"), 16, "keep the demo short")
	assert.NotRegexp(t, `AKIA|ASIA|secret`, r.stdout, "the demo shows no keys")

	debug := runCLI(t, nil, "", "demo", "--debug")
	require.Equal(t, 0, debug.code, "stderr: %s", debug.stderr)
	assert.Contains(t, debug.stderr, `msg="credential call"`)
}

// TestDemoNextSteps: the demo's next steps work for how it was run: a test
// binary is built into a go-build directory, as go run's is.
func TestDemoNextSteps(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	c := newCLI(strings.NewReader(""), &stdout, io.Discard, nil)
	require.Equal(t, 0, c.run(context.Background(), []string{"demo"}))
	assert.Contains(t, stdout.String(), "Next: go run ./cmd/awssession sts-server")
	assert.Contains(t, stdout.String(), "go install github.com/awssession/awssession/cmd/awssession@latest")
}
