package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// peerResult is what a peer client printed and how it exited.
type peerResult struct {
	stdout, stderr string
	code           int
}

// runPeer runs a peer client (the AWS CLI, python3) with env and nothing
// else of this process's environment but PATH, in an empty home with
// empty AWS config and credentials files.
func runPeer(t *testing.T, stdin string, env []string, name string, args ...string) peerResult {
	t.Helper()
	home := t.TempDir()
	config, creds := filepath.Join(home, "config"), filepath.Join(home, "credentials")
	require.NoError(t, os.WriteFile(config, nil, 0o600))
	require.NoError(t, os.WriteFile(creds, nil, 0o600))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8", "AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + creds, "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "%s timed out; stderr: %s", name, stderr.String())
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run %s: %v", name, err)
	}
	return peerResult{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// runAWS runs the AWS CLI v2 against endpoint with JSON output.
func runAWS(t *testing.T, endpoint string, env []string, args ...string) peerResult {
	t.Helper()
	return runPeer(t, "", env, awsCLI, append(args, "--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json")...)
}

// requireBoto3 skips the test when the machine's python3 has no boto3,
// unless AWSSESSION_REQUIRE_MOTO=1 makes that a failure: boto3 comes with
// moto, which CI requires on the same Python.
func requireBoto3(t *testing.T) {
	t.Helper()
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("AWSSESSION_REQUIRE_MOTO") == "1" {
			t.Fatalf("python3 -c 'import boto3': %v; AWSSESSION_REQUIRE_MOTO=1 requires the Python that has moto, and boto3 with it", err)
		}
		t.Skipf("python3 with boto3 not found (%v): pip install boto3 to run this test (AWSSESSION_REQUIRE_MOTO=1 makes this a failure)", err)
	}
}
