package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/require"
)

// cliSwitch makes the test binary act as the awssession command, so that
// tests can run it as a process (signals, the AWS CLI's
// credential_process) without building it.
const cliSwitch = "AWSSESSION_TEST_AS_CLI"

// sdkClientSwitch makes the test binary act as a plain AWS SDK program;
// see sdkClientMain.
const sdkClientSwitch = "AWSSESSION_TEST_AS_SDK_CLIENT"

func TestMain(m *testing.M) {
	switch {
	case os.Getenv(cliSwitch) == "1":
		limitFileSizeFromEnv()
		main()
	case os.Getenv(sdkClientSwitch) == "1":
		os.Exit(sdkClientMain())
	case os.Getenv(browserSwitch) == "1":
		os.Exit(browserMain())
	}
	os.Exit(m.Run())
}

// fixture is a fake STS with user alice, her virtual MFA device and three
// roles, and an environment that keeps the user's ~/.aws out.
type fixture struct {
	srv   *ststest.Server
	alice ststest.User
	mfa   ststest.MFADevice
	// admin requires MFA; reader does not; deep trusts both (chaining).
	admin, reader, deep ststest.Role
	env                 []string
	dir                 string
	wrongCodes          atomic.Int64 // see wrongCode
}

func newFixture(t *testing.T, opts ...ststest.ServerOption) *fixture {
	t.Helper()
	srv := ststest.NewServer(t, opts...)
	f := &fixture{srv: srv, dir: t.TempDir()}
	f.alice = srv.AddUser("alice")
	f.mfa = srv.AddMFADevice("alice")
	f.admin = srv.AddRole("Admin", ststest.Trust{Principals: []string{f.alice.ARN}, RequireMFA: true, MaxSessionDuration: 12 * time.Hour,
		SessionTags: true, SourceIdentity: true})
	f.reader = srv.AddRole("Reader", ststest.Trust{Principals: []string{f.alice.ARN}})
	f.deep = srv.AddRole("Deep", ststest.Trust{Principals: []string{f.reader.ARN, f.admin.ARN}, ExternalID: "ext-42", SourceIdentity: true})
	configFile, credsFile := filepath.Join(f.dir, "config"), filepath.Join(f.dir, "credentials")
	require.NoError(t, os.WriteFile(configFile, nil, 0o600))
	require.NoError(t, os.WriteFile(credsFile, nil, 0o600))
	f.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + f.dir,
		"AWS_CONFIG_FILE=" + configFile,
		"AWS_SHARED_CREDENTIALS_FILE=" + credsFile,
		envSecretKey + "=" + f.alice.SecretAccessKey,
		"MFA_SEED=" + f.mfa.Secret,
		envCacheDir + "=" + filepath.Join(f.dir, "cache"),
	}
	return f
}

// alice returns the flags of a session sourced from alice's keys (the
// secret comes from the environment).
func (f *fixture) aliceArgs(extra ...string) []string {
	return append([]string{"--access-key", f.alice.AccessKeyID, "--sts-endpoint", f.srv.URL, "--region", "eu-west-1"}, extra...)
}

// wrongCode returns a six-digit code the device does not accept now, a
// new one at each call: awssession remembers every code it sent, wrong
// ones too, and refuses to send one twice (exit 2, not STS's refusal).
func (f *fixture) wrongCode() string {
	now := f.srv.Now()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		valid[f.srv.CodeAt(f.mfa.SerialNumber, now.Add(d))] = true
	}
	for i := int(f.wrongCodes.Add(1)) * 10; ; i++ {
		if c := fmt.Sprintf("%06d", i); !valid[c] {
			return c
		}
	}
}

// cliProcess returns the test binary set up to run as awssession with
// args and the fixture's environment, killed after 30 s at the latest:
// for what only a real process shows (signals, exit statuses).
func (f *fixture) cliProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append([]string{cliSwitch + "=1"}, f.env...)
	return cmd
}

// result is what one run printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the command with the fixture's environment plus env, stdin as
// input and no terminal.
func (f *fixture) run(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	return runCLI(t, append(append([]string(nil), f.env...), env...), stdin, args...)
}

func runCLI(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	return runCLIWith(t, env, stdin, nil, args...)
}

// typing runs the command with a terminal on which the person types
// typed (each prompt reads a line of it).
func (f *fixture) typing(t *testing.T, env []string, typed string, args ...string) result {
	t.Helper()
	return runCLIWith(t, append(append([]string(nil), f.env...), env...), "", &lineReader{r: strings.NewReader(typed)}, args...)
}

// lineReader reads at most a line at a time, as a terminal in canonical
// mode delivers what is typed: a prompt's reader never takes the next
// prompt's line.
type lineReader struct{ r *strings.Reader }

func (l *lineReader) Read(p []byte) (int, error) {
	for i := range p {
		b, err := l.r.ReadByte()
		if err != nil {
			if i == 0 {
				return 0, err
			}
			return i, nil
		}
		if p[i] = b; b == '\n' {
			return i + 1, nil
		}
	}
	return len(p), nil
}

// runCLIWith runs the command; tty, when not nil, is what is typed on the
// terminal, else there is none.
func runCLIWith(t *testing.T, env []string, stdin string, tty io.Reader, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	// Never the user's cache: a fresh one unless env names one.
	env = append([]string{envCacheDir + "=" + t.TempDir()}, env...)
	c := newCLI(strings.NewReader(stdin), &stdout, &stderr, env)
	c.openTTY = func() (io.ReadCloser, error) { return nil, errors.New("no terminal in tests") }
	c.startBrowser = func(context.Context, string, []string) error { return errors.New("no browser in tests") }
	if tty != nil {
		c.openTTY = func() (io.ReadCloser, error) { return io.NopCloser(tty), nil }
	}
	code := c.run(ctx, args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// evalBash evaluates script (the output of env) in bash, with preset
// variables, and returns the environment bash ends with.
func evalBash(t *testing.T, script string, preset ...string) map[string]string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "exports.sh")
	require.NoError(t, os.WriteFile(file, []byte(script), 0o600))
	return bashEnv(t, file, preset...)
}

// bashEnv evaluates file in bash, with preset variables in the
// environment, and returns the environment bash ends with.
func bashEnv(t *testing.T, file string, preset ...string) map[string]string {
	t.Helper()
	cmd := exec.Command("bash", "-c", `eval "$(cat "$1")" && env -0`, "bash", file)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, preset...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "bash: %s", stderr.String())
	env := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env
}
