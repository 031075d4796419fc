package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnvProcess prints the credential_process document with env --format
// process: the same bytes credential-process prints for the same (cached)
// session, and for long-term keys neither token nor expiry.
func TestEnvProcess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name    string
		session []string
		expires bool
	}{
		{"role", f.aliceArgs("--role-arn", f.reader.ARN), true},
		{"long-term keys", f.aliceArgs(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := f.run(t, nil, "", append([]string{"env", "--format", "process"}, tt.session...)...)
			require.Equal(t, 0, env.code, "stderr: %s", env.stderr)
			proc := f.run(t, nil, "", append([]string{"credential-process"}, tt.session...)...)
			require.Equal(t, 0, proc.code, "stderr: %s", proc.stderr)
			assert.Equal(t, proc.stdout, env.stdout, "env --format process and credential-process differ")

			var doc map[string]any
			require.NoError(t, json.Unmarshal([]byte(env.stdout), &doc))
			assert.Equal(t, float64(1), doc["Version"])
			assert.NotContains(t, doc, markerVar, "the document has the AWS fields only")
			_, hasExpiry := doc["Expiration"]
			assert.Equal(t, tt.expires, hasExpiry)
			_, hasToken := doc["SessionToken"]
			assert.Equal(t, tt.expires, hasToken)
		})
	}
	unset := f.run(t, nil, "", "env", "--unset", "--format", "process")
	assert.Equal(t, 2, unset.code, "--unset has no process form; stderr: %s", unset.stderr)
}

// TestEnvProcessAWSCLI has the AWS CLI v2 read env --format process as a
// profile's credential_process and export what it got: the keys of the
// session awssession cached.
func TestEnvProcessAWSCLI(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	f := newFixture(t)
	session := f.aliceArgs("--role-arn", f.reader.ARN)
	process := strings.Join(append([]string{os.Args[0], "env", "--format", "process"}, session...), " ")
	config := filepath.Join(f.dir, "config")
	require.NoError(t, os.WriteFile(config, []byte("[profile p]\ncredential_process = "+process+"\nregion = eu-west-1\n"), 0o600))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, awsCLI, "configure", "export-credentials", "--profile", "p", "--format", "process")
	cmd.Env = append([]string{cliSwitch + "=1", "LANG=C.UTF-8", "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}, f.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "aws: %s", stderr.String())

	var got, ours processCredentials
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), "aws printed %s", stdout.String())
	cached := f.run(t, nil, "", append([]string{"env", "--format", "process"}, session...)...)
	require.Equal(t, 0, cached.code, "stderr: %s", cached.stderr)
	require.NoError(t, json.Unmarshal([]byte(cached.stdout), &ours))
	assert.Equal(t, 1, got.Version)
	assert.Equal(t, ours.AccessKeyID, got.AccessKeyID, "the AWS CLI exported other keys")
	assert.Equal(t, ours.SessionToken, got.SessionToken)
	gotExp, err := time.Parse(time.RFC3339, got.Expiration)
	require.NoError(t, err)
	oursExp, err := time.Parse(time.RFC3339, ours.Expiration)
	require.NoError(t, err)
	assert.True(t, gotExp.Equal(oursExp), "got Expiration %s, want %s", got.Expiration, ours.Expiration)
	assert.Equal(t, 1, f.srv.CountRequests("AssumeRole"), "the second run is served from the cache")
}
