package awssession_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary act as a separate process that opens a
// session through a shared cache (see runCacheChild).
func TestMain(m *testing.M) {
	if os.Getenv("AWSSESSION_TEST_CHILD") == "cache" {
		os.Exit(runCacheChild())
	}
	os.Exit(m.Run())
}

// runCacheChild waits for the start signal, opens GetSessionToken (with a
// TOTP code) + AssumeRole through the file cache, and prints the role's
// access key ID. Each call of its token provider appends a line to
// CHILD_CALLS.
func runCacheChild() int {
	env := os.Getenv
	// The start signal: the parent closes every child's stdin at once.
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "no start signal:", err)
		return 1
	}
	totp := awssession.TOTP(env("CHILD_SEED"))
	tokens := func(ctx context.Context, serial string) (string, error) {
		f, err := os.OpenFile(env("CHILD_CALLS"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return "", err
		}
		fmt.Fprintln(f, os.Getpid())
		f.Close()
		return totp(ctx, serial)
	}
	cache, err := awssession.NewFileCache(env("CHILD_CACHE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := awssession.CreateSession(ctx,
		awssession.WithStaticCredentials(env("CHILD_KEY"), env("CHILD_SECRET"), ""),
		awssession.WithMFA(env("CHILD_SERIAL"), tokens),
		awssession.WithGetSessionToken(0),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: env("CHILD_ROLE")}),
		awssession.WithRegion("us-east-1"),
		awssession.WithSTSEndpoint(env("CHILD_STS")),
		awssession.WithCache(cache))
	if err == nil {
		var creds aws.Credentials
		creds, err = cfg.Credentials.Retrieve(ctx)
		fmt.Println(creds.AccessKeyID)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// Eight processes start together with an empty cache: one asks for a code
// and calls STS, the others wait on the lock and read its result.
func TestCacheEightProcessesOneMFAPrompt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dir := t.TempDir()
	cacheDir, calls := filepath.Join(dir, "cache"), filepath.Join(dir, "calls")
	exe, err := os.Executable()
	require.NoError(t, err)

	const n = 8
	cmds := make([]*exec.Cmd, n)
	outs := make([]*strings.Builder, n)
	starts := make([]io.Closer, n)
	for i := range n {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "AWSSESSION_TEST_CHILD=cache",
			"CHILD_CALLS="+calls, "CHILD_CACHE="+cacheDir, "CHILD_STS="+f.srv.URL,
			"CHILD_KEY="+f.alice.AccessKeyID, "CHILD_SECRET="+f.alice.SecretAccessKey,
			"CHILD_SERIAL="+f.device.SerialNumber, "CHILD_SEED="+f.device.Secret, "CHILD_ROLE="+f.admin.ARN)
		outs[i] = &strings.Builder{}
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		start, err := cmd.StdinPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		cmds[i], starts[i] = cmd, start
	}
	for _, start := range starts { // go: all at once
		require.NoError(t, start.Close())
	}
	var keys []string
	for i, cmd := range cmds {
		require.NoError(t, cmd.Wait(), "child %d: %s", i, outs[i])
		keys = append(keys, strings.TrimSpace(outs[i].String()))
	}

	assert.Equal(t, 1, f.srv.CountRequests("GetSessionToken"), "exactly one GetSessionToken")
	assert.Equal(t, 1, f.srv.CountRequests("AssumeRole"), "exactly one AssumeRole")
	assert.Equal(t, 1, countLines(t, calls), "exactly one token-provider call")
	for _, k := range keys {
		assert.Equal(t, keys[0], k, "every process got the same session")
	}
	for _, e := range entries(t, cacheDir) {
		b, err := os.ReadFile(e)
		require.NoError(t, err)
		assert.True(t, json.Valid(b), "no torn file: %s", filepath.Base(e))
	}
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	fh, err := os.Open(path)
	require.NoError(t, err)
	defer fh.Close()
	n := 0
	for s := bufio.NewScanner(fh); s.Scan(); {
		n++
	}
	return n
}
