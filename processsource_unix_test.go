//go:build linux

package awssession

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A credential_process source is bounded: a process that never answers is
// killed after processTimeout and the session says so, and a process that
// exits but leaves a child holding its output fails a second later, naming
// the cause, instead of waiting for that child.
// (Not parallel: it shortens processTimeout. The hanging command execs
// sleep: what a killed command started itself outlives it, as it shares our
// process group so that it can prompt on the terminal.)
func TestCredentialProcessIsBounded(t *testing.T) {
	defer func(d time.Duration) { processTimeout = d }(processTimeout)
	processTimeout = 300 * time.Millisecond
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	doc := `{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}`
	require.NoError(t, os.WriteFile(config, []byte("[profile hangs]\ncredential_process = exec sleep 300\nregion = us-east-1\n"+
		"[profile lingers]\ncredential_process = sh -c 'echo "+`'"'`+doc+`'"'`+"; sleep 5 2>/dev/null &'\nregion = us-east-1\n"), 0o600))
	open := func(profile string) (string, error) {
		cfg, err := CreateSession(context.Background(), WithProfile(profile), WithEnvironment([]string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}),
			WithSharedConfigFiles([]string{config}, []string{filepath.Join(dir, "credentials")}))
		if err != nil {
			return "", err
		}
		creds, err := cfg.Credentials.Retrieve(context.Background())
		return creds.AccessKeyID, err
	}
	_, err := open("hangs")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `profile "hangs" (credential_process): no answer within 300ms; the command was killed`)

	// The child holds the command's stdout only: the test binary's own
	// output is not kept open.
	_, err = open("lingers")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `profile "lingers" (credential_process): the command exited, but a process it started still holds its output`)
}
