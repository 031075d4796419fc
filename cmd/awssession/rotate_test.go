package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awssession/awssession/internal/keyring"
	"github.com/awssession/awssession/internal/poll"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rotateFixture is a keyring that holds alice's keys for profile dev, the
// fake STS, and a fake IAM that knows alice's key.
type rotateFixture struct {
	*fixture
	env []string
	iam *fakeIAMServer
	dir string // the keyring's directory
}

func newRotateFixture(t *testing.T) *rotateFixture {
	t.Helper()
	x := &rotateFixture{fixture: newFixture(t), env: keyringEnv(t)}
	x.dir = strings.TrimPrefix(x.env[1], envKeyringFileDir+"=")
	x.iam = newFakeIAM(t, x.srv, x.alice)
	r := x.run(t, x.env, x.alice.AccessKeyID+"\n"+x.alice.SecretAccessKey+"\n", "add", "dev", "--sts-endpoint", x.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	return x
}

// endpoints are the flags that point rotate at the fakes.
func (x *rotateFixture) endpoints() []string {
	return []string{"--iam-endpoint", x.iam.URL, "--sts-endpoint", x.srv.URL}
}

// stored is the key the keyring holds for dev.
func (x *rotateFixture) stored(t *testing.T) keyring.AccessKey {
	t.Helper()
	kr, err := keyring.Open(keyring.Settings{Backend: "file", FileDir: x.dir, Passphrase: func() (keyring.Secret, error) { return "correct horse", nil }})
	require.NoError(t, err)
	key, err := kr.Keys("dev")
	require.NoError(t, err)
	return key
}

// process runs the command as a process with the fixture's and the
// keyring's environment plus env, and returns its exit status and stderr.
func (x *rotateFixture) process(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := x.cliProcess(t, args...)
	cmd.Env = append(append(cmd.Env, x.env...), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), stderr.String()
	}
	require.NoError(t, err)
	return 0, stderr.String()
}

func TestRotate(t *testing.T) {
	t.Parallel()
	x := newRotateFixture(t)
	r := x.run(t, x.env, "", append([]string{"rotate", "dev"}, x.endpoints()...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	key := x.stored(t)
	assert.NotEqual(t, x.alice.AccessKeyID, key.ID)
	assert.Equal(t, []string{key.ID}, x.iam.Keys())
	assert.Equal(t, []string{"CreateAccessKey", "DeleteAccessKey"}, x.iam.Actions())
	noSecret(t, r, key.Secret.Reveal(), x.alice.SecretAccessKey)
}

// TestRotateFailedStoreKeepsTheOldKey makes the keyring's write fail as a
// full disk does (a file size limit on the process, RLIMIT_FSIZE): the
// old key is intact in the keyring and in IAM, the new key is deleted,
// and the message says so. The file backend used to rewrite the item in
// place, leaving it empty, and say "the old key is unchanged".
func TestRotateFailedStoreKeepsTheOldKey(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no file size limit on Windows")
	}
	x := newRotateFixture(t)
	item, err := os.Stat(filepath.Join(x.dir, "keys:dev"))
	require.NoError(t, err)
	// Room for the rotation's record (about 200 bytes), not for the item.
	limit := item.Size() * 2 / 3
	code, stderr := x.process(t, []string{fsizeSwitch + "=" + strconv.FormatInt(limit, 10)}, append([]string{"rotate", "dev"}, x.endpoints()...)...)
	require.Equal(t, exitError, code, "stderr: %s", stderr)
	assert.Contains(t, stderr, "store the new access key")
	assert.Contains(t, stderr, "the keyring still holds the old key "+x.alice.AccessKeyID+", unchanged and in IAM")
	assert.Regexp(t, `the new key AKIA[A-Z0-9]+ was deleted`, stderr)
	assert.Equal(t, keyring.AccessKey{ID: x.alice.AccessKeyID, Secret: keyring.Secret(x.alice.SecretAccessKey)}, x.stored(t), "the old key is intact")
	assert.Equal(t, []string{x.alice.AccessKeyID}, x.iam.Keys())

	// The same key rotates once the disk has room.
	r := x.run(t, x.env, "", append([]string{"rotate", "dev"}, x.endpoints()...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
}

// TestRotateRefusesPlainHTTP: IAM calls carry the new long-term secret;
// an endpoint that would carry it in clear is refused before
// CreateAccessKey (and before the keyring is unlocked), wherever it comes
// from. So is an STS endpoint (it checks the keys): a flag before the
// keyring is unlocked, the environment when the stored key is checked,
// before IAM is called. Hosts under .invalid resolve nowhere: nothing is
// ever sent.
func TestRotateRefusesPlainHTTP(t *testing.T) {
	t.Parallel()
	x := newRotateFixture(t)
	services := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(services, []byte("[profile dev]\nservices = plain\n[services plain]\niam =\n  endpoint_url = http://iam.example.invalid\n"), 0o600))
	profile := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(profile, []byte("[profile dev]\nendpoint_url = http://aws.example.invalid\n"), 0o600))
	sts := []string{"--sts-endpoint", x.srv.URL}
	iam := []string{"--iam-endpoint", x.iam.URL}
	for _, tt := range []struct {
		name   string
		env    []string
		args   []string
		want   string
		unlock bool // refused once the keyring is open
	}{
		{"--iam-endpoint", nil, append([]string{"--iam-endpoint", "http://iam.example.invalid"}, sts...), "--iam-endpoint: plain http to iam.example.invalid", false},
		{"AWS_ENDPOINT_URL_IAM", []string{"AWS_ENDPOINT_URL_IAM=http://iam.example.invalid"}, sts, "AWS_ENDPOINT_URL_IAM: plain http to iam.example.invalid", false},
		{"AWS_ENDPOINT_URL", []string{"AWS_ENDPOINT_URL=http://aws.example.invalid"}, sts, "AWS_ENDPOINT_URL: plain http to aws.example.invalid", false},
		{"profile endpoint_url", []string{"AWS_CONFIG_FILE=" + profile}, sts, `profile "dev": endpoint_url`, false},
		{"profile services", []string{"AWS_CONFIG_FILE=" + services}, sts, "plain http to iam.example.invalid", false},
		{"--sts-endpoint", nil, append([]string{"--sts-endpoint", "http://sts.example.invalid"}, iam...), "--sts-endpoint: plain http to sts.example.invalid", false},
		{"AWS_ENDPOINT_URL_STS", []string{"AWS_ENDPOINT_URL_STS=http://sts.example.invalid"}, iam, "AWS_ENDPOINT_URL_STS: plain http", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.env
			if !tt.unlock {
				env = append(env, envKeyringPassphrase+"=") // no passphrase: any unlock fails
			}
			code, stderr := x.process(t, env, append([]string{"rotate", "dev"}, tt.args...)...)
			assert.Equal(t, exitUsage, code, "got exit %d, want 2; stderr: %s", code, stderr)
			assert.Contains(t, stderr, tt.want)
			assert.NotContains(t, stderr, "passphrase", "refused before the keyring was unlocked")
		})
	}
	assert.Empty(t, x.iam.Actions(), "IAM was called")
	assert.Equal(t, x.alice.AccessKeyID, x.stored(t).ID)
}

// silentServer accepts connections and never answers, as a server that
// hangs does; it returns its URL.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// TestKeyChecksAndIAMCallsTimeOut: add's check and rotate's STS and IAM
// calls give up after --sts-timeout / --iam-timeout against a server that
// accepts and never answers, and change nothing.
func TestKeyChecksAndIAMCallsTimeOut(t *testing.T) {
	t.Parallel()
	x := newRotateFixture(t)
	silent := silentServer(t)
	envKeys := []string{"AWS_ACCESS_KEY_ID=" + x.alice.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + x.alice.SecretAccessKey}
	for _, tt := range []struct {
		name string
		env  []string
		args []string
		want []string
	}{
		{"add --env", envKeys, []string{"add", "prod", "--env", "--sts-endpoint", silent, "--sts-timeout", "1s"},
			[]string{"no answer within 1s"}},
		{"rotate, STS", nil, []string{"rotate", "dev", "--iam-endpoint", x.iam.URL, "--sts-endpoint", silent, "--sts-timeout", "1s"},
			[]string{"check the stored key " + x.alice.AccessKeyID, "nothing changed", "no answer within 1s"}},
		{"rotate, IAM", nil, []string{"rotate", "dev", "--iam-endpoint", silent, "--iam-timeout", "1s", "--sts-endpoint", x.srv.URL},
			[]string{"the old one, " + x.alice.AccessKeyID + ", is unchanged", "IAM CreateAccessKey: no answer within 1s (--iam-timeout)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := x.run(t, append(append([]string(nil), x.env...), tt.env...), "", tt.args...)
			assert.Equal(t, exitError, r.code, "stderr: %s", r.stderr)
			for _, want := range tt.want {
				assert.Contains(t, r.stderr, want)
			}
		})
	}
	assert.Equal(t, x.alice.AccessKeyID, x.stored(t).ID)
	assert.NotContains(t, x.run(t, x.env, "", "list").stdout, "prod")
}

// TestRotateAfterAnInterruptedRotate kills a rotate after CreateAccessKey
// (while it proves the new key): the key it created stays in IAM, unknown
// to the keyring. The next rotate, at IAM's two-key limit, names that key
// (never stored, its secret lost) instead of failing with LimitExceeded
// alone; on a terminal it offers to delete it, and rotates.
func TestRotateAfterAnInterruptedRotate(t *testing.T) {
	t.Parallel()
	x := newRotateFixture(t)
	created := make(chan string, 1)
	x.iam.afterCreate = func(id string) {
		// The new key's proof hangs until the process is killed.
		x.srv.InjectFault(ststest.Latency(1, time.Minute).ForAction("GetCallerIdentity"))
		created <- id
	}
	x.srv.ResetRequests()
	cmd := x.cliProcess(t, append([]string{"rotate", "dev"}, x.endpoints()...)...)
	cmd.Env = append(cmd.Env, x.env...)
	require.NoError(t, cmd.Start())
	var stray string
	select {
	case stray = <-created:
	case <-time.After(30 * time.Second): // a bound for a hang, not a timing assertion
		t.Fatal("rotate did not call CreateAccessKey")
	}
	// The old key's check, then the new key's proof, which hangs.
	require.NoError(t, poll.Until(30*time.Second, 10*time.Millisecond, func() (bool, error) { return x.srv.CountRequests("GetCallerIdentity") >= 2, nil }))
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.ElementsMatch(t, []string{x.alice.AccessKeyID, stray}, x.iam.Keys())

	r := x.run(t, x.env, "", append([]string{"rotate", "dev"}, x.endpoints()...)...)
	assert.Equal(t, exitError, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, stray+", which a rotate started at")
	assert.Contains(t, r.stderr, "created and never stored")
	assert.Contains(t, r.stderr, "run rotate on a terminal to have "+stray+" deleted")
	assert.Contains(t, r.stderr, "the old key "+x.alice.AccessKeyID+" is unchanged")
	assert.Equal(t, x.alice.AccessKeyID, x.stored(t).ID)

	r = x.typing(t, x.env, "y\n", append([]string{"rotate", "dev"}, x.endpoints()...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "Delete "+stray+" and rotate? [y/N]")
	key := x.stored(t)
	assert.Equal(t, []string{key.ID}, x.iam.Keys(), "IAM holds the stored key alone")
	assert.NotEqual(t, x.alice.AccessKeyID, key.ID)
	assert.NotEqual(t, stray, key.ID)
}

// TestRotateHintSpeaksOfIAM: with --iam-endpoint aimed at a fake STS, IAM
// "refuses" the key; the hint speaks of IAM and its endpoint, not of STS
// keys.
func TestRotateHintSpeaksOfIAM(t *testing.T) {
	t.Parallel()
	x := newRotateFixture(t)
	r := x.run(t, x.env, "", "rotate", "dev", "--iam-endpoint", x.srv.URL, "--sts-endpoint", x.srv.URL)
	require.NotEqual(t, 0, r.code)
	assert.Contains(t, r.stderr, "IAM CreateAccessKey")
	assert.Contains(t, r.stderr, "hint: IAM refused the profile's stored key, or the endpoint is not IAM: check --iam-endpoint")
	assert.NotContains(t, r.stderr, "STS does not know these keys")
	assert.Equal(t, x.alice.AccessKeyID, x.stored(t).ID)
}
