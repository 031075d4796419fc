package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startSTSServer runs sts-server in a goroutine and returns the snapshot
// it printed and a function that interrupts it and returns its status.
func startSTSServer(t *testing.T, args ...string) (serverInfo, func() (int, string)) {
	t.Helper()
	out, w := io.Pipe()
	var stderr bytes.Buffer
	c := newCLI(bytes.NewReader(nil), w, &stderr, nil)
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- c.run(ctx, append([]string{"sts-server"}, args...))
		_ = w.Close()
	}()
	var snap serverInfo
	require.NoError(t, json.NewDecoder(out).Decode(&snap))
	go func() { _, _ = io.Copy(io.Discard, out) }()
	stop := func() (int, string) {
		cancel()
		select {
		case c := <-code:
			return c, stderr.String()
		case <-time.After(10 * time.Second):
			t.Fatal("sts-server did not stop")
			return 0, ""
		}
	}
	t.Cleanup(func() { cancel() })
	return snap, stop
}

// TestSTSServer starts the default set, uses it as a client in another
// process would (from the printed JSON alone), and stops it.
func TestSTSServer(t *testing.T) {
	t.Parallel()
	snap, stop := startSTSServer(t, "--addr", "127.0.0.1:0")
	require.Len(t, snap.Users, 1)
	require.Len(t, snap.MFADevices, 1)
	require.Len(t, snap.Roles, 1)
	alice, device, admin := snap.Users[0], snap.MFADevices[0], snap.Roles[0]
	assert.Equal(t, "alice", alice.Name)
	assert.Equal(t, "Admin", admin.Name)
	assert.True(t, admin.RequireMFA)
	assert.Equal(t, []string{alice.ARN}, admin.Principals)

	dir := t.TempDir()
	env := []string{envSecretKey + "=" + alice.SecretAccessKey, "SEED=" + device.Secret, envCacheDir + "=" + dir,
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull}
	r := runCLI(t, env, "", "whoami", "--access-key", alice.AccessKeyID, "--sts-endpoint", snap.URL,
		"--mfa-serial", device.SerialNumber, "--mfa-totp-secret-env", "SEED", "--role-arn", admin.ARN, "--role-session-name", "client")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "arn:aws:sts::123456789012:assumed-role/Admin/client")

	code, stderr := stop()
	assert.Equal(t, 0, code, "stderr: %s", stderr)
	assert.Contains(t, stderr, "fake STS listening on "+snap.URL)
	assert.Equal(t, snap.URL+"/federation", snap.FederationURL)
}

// TestSTSServerUsers creates users, devices and roles from a file.
func TestSTSServerUsers(t *testing.T) {
	t.Parallel()
	users := filepath.Join(t.TempDir(), "users.json")
	require.NoError(t, os.WriteFile(users, []byte(`{
		"account": "111122223333",
		"users": [{"name": "alice", "mfa": true}, {"name": "ci", "mfaSecret": "JBSWY3DPEHPK3PXP"}, {"name": "bob"}],
		"roles": [
			{"name": "Admin", "principals": ["alice"], "requireMFA": true, "maxSessionDurationSeconds": 43200},
			{"name": "team/Deploy", "principals": ["ci", "Admin", "arn:aws:iam::444455556666:root"], "externalId": "x-123"}
		]}`), 0o600))
	snap, stop := startSTSServer(t, "--users", users)
	defer stop()
	assert.Equal(t, "111122223333", snap.Account)
	require.Len(t, snap.Users, 3)
	assert.Equal(t, []ststest.SnapshotDevice{
		{UserName: "alice", MFADevice: ststest.MFADevice{SerialNumber: "arn:aws:iam::111122223333:mfa/alice", Secret: snap.MFADevices[0].Secret}},
		{UserName: "ci", MFADevice: ststest.MFADevice{SerialNumber: "arn:aws:iam::111122223333:mfa/ci", Secret: "JBSWY3DPEHPK3PXP"}},
	}, snap.MFADevices)
	require.Len(t, snap.Roles, 2)
	assert.Equal(t, 43200, snap.Roles[0].MaxSessionDurationSeconds)
	deploy := snap.Roles[1]
	assert.Equal(t, "arn:aws:iam::111122223333:role/team/Deploy", deploy.ARN)
	assert.Equal(t, []string{"arn:aws:iam::111122223333:user/ci", "arn:aws:iam::111122223333:role/Admin", "arn:aws:iam::444455556666:root"}, deploy.Principals)
	assert.Equal(t, "x-123", deploy.ExternalID)
}

func TestSTSServerBadUsers(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"not JSON":                  `{`,
		"bad name":                  `{"users": [{"name": "no spaces allowed"}]}`,
		"role maximum out of range": `{"users": [{"name": "alice"}], "roles": [{"name": "R", "principals": ["alice"], "maxSessionDurationSeconds": 60}]}`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			users := filepath.Join(t.TempDir(), "users.json")
			require.NoError(t, os.WriteFile(users, []byte(doc), 0o600))
			r := runCLI(t, nil, "", "sts-server", "--users", users)
			assert.Equal(t, 2, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, "--users "+users)
			assert.Empty(t, r.stdout)
		})
	}
}
