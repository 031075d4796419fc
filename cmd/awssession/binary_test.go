package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// binary runs the command as its own process (the test binary acting as
// awssession, see cliSwitch) with the fixture's environment plus env and
// stdin, no terminal, and returns what it printed and its exit status:
// the proof, for what a user types, that the built command does it.
func (f *fixture) binary(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := f.cliProcess(t, args...)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		require.NoError(t, err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// readerProfiles writes base (alice's keys in the credentials file) and
// reader (a role on base, no MFA) and returns the config file's path.
func (f *fixture) readerProfiles(t *testing.T) string {
	t.Helper()
	config := filepath.Join(f.dir, "config")
	require.NoError(t, os.WriteFile(config, []byte("[profile base]\nregion = eu-west-1\n\n[profile reader]\nsource_profile = base\nrole_arn = "+
		f.reader.ARN+"\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "credentials"), []byte("[base]\naws_access_key_id = "+f.alice.AccessKeyID+
		"\naws_secret_access_key = "+f.alice.SecretAccessKey+"\n"), 0o600))
	return config
}

// TestFakeSTSFromProfileSettings, through the command: the ways README.md
// gives to point profiles at a fake STS work: AWS_ENDPOINT_URL_STS,
// AWS_ENDPOINT_URL, endpoint_url in the profile, sts in its [services].
func TestFakeSTSFromProfileSettings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	config := f.readerProfiles(t)
	data, err := os.ReadFile(config)
	require.NoError(t, err)
	data = append(data, []byte("\n[profile reader-url]\nsource_profile = base\nrole_arn = "+f.reader.ARN+"\nendpoint_url = "+f.srv.URL+
		"\n\n[profile reader-services]\nsource_profile = base\nrole_arn = "+f.reader.ARN+"\nservices = fake\n\n[services fake]\nsts =\n  endpoint_url = "+
		f.srv.URL+"\n")...)
	require.NoError(t, os.WriteFile(config, data, 0o600))
	for _, tt := range []struct {
		profile string
		env     []string
	}{
		{"reader", []string{"AWS_ENDPOINT_URL_STS=" + f.srv.URL}},
		{"reader", []string{"AWS_ENDPOINT_URL=" + f.srv.URL}},
		{"reader-url", nil},
		{"reader-services", nil},
	} {
		r := f.binary(t, tt.env, "", "whoami", tt.profile, "--no-cache")
		assert.Equal(t, 0, r.code, "%s %v: stderr: %s", tt.profile, tt.env, r.stderr)
		assert.Contains(t, r.stdout, ":assumed-role/Reader/")
	}
}
