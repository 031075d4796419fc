package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSessionFlags maps flags (in both spellings) and environment
// variables to the STS calls they should cause.
func TestSessionFlags(t *testing.T) {
	t.Parallel()
	type call struct{ action, role, sessionName, externalID, duration string }
	tests := []struct {
		name  string
		env   func(f *fixture) []string
		stdin func(f *fixture) string
		args  func(f *fixture) []string
		want  []call
		mfa   int // calls that carried an MFA code
	}{{
		name: "underscore spellings",
		args: func(f *fixture) []string {
			return []string{"--access_key", f.alice.AccessKeyID, "--sts_endpoint", f.srv.URL, "--mfa_serial", f.mfa.SerialNumber,
				"--mfa_totp_secret_env", "MFA_SEED", "--session_token_duration", "7200", "--role_arn", f.admin.ARN, "--role_session_name", "under_score"}
		},
		want: []call{{action: "GetSessionToken", duration: "7200"}, {action: "AssumeRole", role: "Admin", sessionName: "under_score", duration: "3600"}},
		mfa:  1,
	}, {
		name: "secret and MFA code from stdin, in flag order",
		env:  func(*fixture) []string { return []string{envSecretKey + "="} },
		stdin: func(f *fixture) string {
			return f.alice.SecretAccessKey + "\n" + f.srv.TOTPCode(f.mfa.SerialNumber) + "\n"
		},
		args: func(f *fixture) []string {
			return f.aliceArgs("--secret-key", "-", "--mfa-token", "-", "--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN, "--duration", "2h")
		},
		want: []call{{action: "AssumeRole", role: "Admin", duration: "7200"}},
		mfa:  1,
	}, {
		name: "everything from the environment",
		env: func(f *fixture) []string {
			return []string{envAccessKey + "=" + f.alice.AccessKeyID, envMFAToken + "=" + f.srv.TOTPCode(f.mfa.SerialNumber)}
		},
		args: func(f *fixture) []string {
			return []string{"--sts-endpoint", f.srv.URL, "--mfa-serial", f.mfa.SerialNumber}
		},
		// An MFA device and no role: an MFA session of the default 12 h.
		want: []call{{action: "GetSessionToken", duration: "43200"}},
		mfa:  1,
	}, {
		name: "role chain, one external ID and duration for every hop",
		args: func(f *fixture) []string {
			return f.aliceArgs("--role-arn", f.reader.ARN, "--role-arn", f.deep.ARN, "--external-id", "ext-42", "--duration", "15m")
		},
		want: []call{{action: "AssumeRole", role: "Reader", externalID: "ext-42", duration: "900"},
			{action: "AssumeRole", role: "Deep", externalID: "ext-42", duration: "900"}},
	}, {
		name: "role chain, per-hop names",
		args: func(f *fixture) []string {
			return f.aliceArgs("--role-arn", f.reader.ARN, "--role-arn", f.deep.ARN, "--external-id", "ext-42",
				"--role-session-name", "first", "--role-session-name", "second", "--duration", "1h", "--duration", "20m")
		},
		want: []call{{action: "AssumeRole", role: "Reader", sessionName: "first", externalID: "ext-42", duration: "3600"},
			{action: "AssumeRole", role: "Deep", sessionName: "second", externalID: "ext-42", duration: "1200"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			var env []string
			if tt.env != nil {
				env = tt.env(f)
			}
			stdin := ""
			if tt.stdin != nil {
				stdin = tt.stdin(f)
			}
			r := f.run(t, env, stdin, append([]string{"env", "--format", "json"}, tt.args(f)...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stdout, `"AWS_ACCESS_KEY_ID": "ASIA`)
			var got []call
			mfa := 0
			for _, req := range f.srv.Requests() {
				role := req.Params.Get("RoleArn")
				got = append(got, call{action: req.Action, role: role[strings.LastIndex(role, "/")+1:], duration: req.Params.Get("DurationSeconds"),
					externalID: req.Params.Get("ExternalId"), sessionName: req.Params.Get("RoleSessionName")})
				if tt.want[len(got)-1].sessionName == "" {
					got[len(got)-1].sessionName = ""
				}
				if req.Params.Get("TokenCode") != "" {
					mfa++
				}
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.mfa, mfa, "calls with an MFA code")
		})
	}
}

// TestProfileMFASerial uses a profile whose role needs MFA: the CLI finds
// its mfa_serial and supplies the code.
func TestProfileMFASerial(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	config := "[profile base]\nregion = eu-central-1\n\n[profile dev]\nsource_profile = base\nrole_arn = " + f.admin.ARN +
		"\nmfa_serial = " + f.mfa.SerialNumber + "\nrole_session_name = from-profile\n"
	creds := "[base]\naws_access_key_id = " + f.alice.AccessKeyID + "\naws_secret_access_key = " + f.alice.SecretAccessKey + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte(config), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "credentials"), []byte(creds), 0o600))

	r := f.run(t, nil, "", "whoami", "--profile", "dev", "--mfa-totp-secret-env", "MFA_SEED", "--sts-endpoint", f.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "arn:aws:sts::123456789012:assumed-role/Admin/from-profile")
	reqs := f.srv.Requests()
	require.Equal(t, "AssumeRole", reqs[0].Action)
	assert.Equal(t, f.mfa.SerialNumber, reqs[0].Params.Get("SerialNumber"))
}

// TestPrompt asks for the MFA code on stderr and keeps stdout clean;
// the code comes from the terminal when there is one, else from stdin.
func TestPrompt(t *testing.T) {
	t.Parallel()
	t.Run("stdin", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		stdin := f.alice.SecretAccessKey + "\n" + f.srv.TOTPCode(f.mfa.SerialNumber) + "\n"
		r := f.run(t, []string{envSecretKey + "="}, stdin, append([]string{"env"},
			f.aliceArgs("--secret-key", "-", "--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN)...)...)
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		assert.True(t, strings.HasPrefix(r.stderr, "MFA code for "+f.mfa.SerialNumber+": "), "stderr: %q", r.stderr)
		assert.NotContains(t, r.stdout, "MFA")
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			assert.Regexp(t, `^(export|unset) AWS_[A-Z_]+`, line)
		}
	})
	t.Run("terminal", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		var stdout, stderr bytes.Buffer
		c := newCLI(strings.NewReader("not a code\n"), &stdout, &stderr, f.env)
		opened := 0
		c.openTTY = func() (io.ReadCloser, error) {
			opened++
			return io.NopCloser(strings.NewReader(f.srv.TOTPCode(f.mfa.SerialNumber) + "\n")), nil
		}
		code := c.run(context.Background(), append([]string{"env"}, f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN)...))
		require.Equal(t, 0, code, "stderr: %s", stderr.String())
		assert.Equal(t, 1, opened)
		assert.Contains(t, stderr.String(), "MFA code for ")
	})
	t.Run("no prompt without a device", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		c := newCLI(strings.NewReader(""), io.Discard, io.Discard, f.env)
		c.openTTY = func() (io.ReadCloser, error) {
			t.Error("terminal opened, want no prompt")
			return nil, errors.New("no")
		}
		require.Equal(t, 0, c.run(context.Background(), append([]string{"env"}, f.aliceArgs("--role-arn", f.reader.ARN)...)))
	})
}

// TestNoSecretsInDebug runs MFA sessions with --debug, successful and
// refused, and looks for every secret on stderr: the source secret key,
// the MFA code, the TOTP seed and the session's own keys.
func TestNoSecretsInDebug(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mfa      func(f *fixture) (flag, value, code string)
		wantCode int
	}{
		{"code", func(f *fixture) (string, string, string) {
			c := f.srv.TOTPCode(f.mfa.SerialNumber)
			return "--mfa-token", c, c
		}, 0},
		{"wrong code", func(f *fixture) (string, string, string) { c := f.wrongCode(); return "--mfa-token", c, c }, 3},
		{"TOTP seed", func(f *fixture) (string, string, string) {
			return "--mfa-totp-secret-env", "MFA_SEED", f.srv.TOTPCode(f.mfa.SerialNumber)
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			flag, value, code := tt.mfa(f)
			r := f.run(t, nil, "", append([]string{"--debug", "env", "--format", "json"}, f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, flag, value,
				"--session-token-duration", "1h", "--role-arn", f.admin.ARN)...)...)
			require.Equal(t, tt.wantCode, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, `msg="sts call"`)
			assert.Contains(t, r.stderr, "action=GetSessionToken")
			assert.NotRegexp(t, `(^|[^\w.])`+code+`\b`, r.stderr, "stderr shows the MFA code")
			secrets := map[string]string{"source secret key": f.alice.SecretAccessKey, "TOTP seed": f.mfa.Secret}
			if tt.wantCode == 0 {
				assert.Contains(t, r.stderr, "action=AssumeRole")
				for _, name := range []string{"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
					secrets[name] = jsonField(t, r.stdout, name)
				}
			}
			for name, s := range secrets {
				assert.NotContains(t, r.stderr, s, "stderr shows the %s", name)
			}
		})
	}
}

func jsonField(t *testing.T, doc, name string) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(doc), &m), "JSON: %s", doc)
	v, _ := m[name].(string)
	require.NotEmpty(t, v, "%s in %s", name, doc)
	return v
}

// TestPromptInterrupted cancels the context (Ctrl-C) while the prompt
// waits for a code that never comes: the run ends, status 1.
func TestPromptInterrupted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	stdin, never := io.Pipe()
	defer never.Close()
	prompted := make(chan struct{})
	stderr := &notifyWriter{match: "MFA code for", ch: prompted}
	var stdout bytes.Buffer
	c := newCLI(stdin, &stdout, stderr, f.env)
	c.openTTY = func() (io.ReadCloser, error) { return nil, errors.New("no terminal in tests") }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int)
	go func() {
		code <- c.run(ctx, append([]string{"env"}, f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN)...))
	}()
	<-prompted
	cancel()
	assert.Equal(t, 1, <-code)
	assert.Contains(t, stderr.String(), "awssession: interrupted")
	assert.Empty(t, stdout.String())
	assert.Equal(t, 0, f.srv.CountRequests(""))
}

// notifyWriter is a buffer, safe for concurrent use, that closes ch when
// match is first written.
type notifyWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	match string
	ch    chan struct{}
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := strings.Contains(w.buf.String(), w.match)
	n, err := w.buf.Write(p)
	if !had && strings.Contains(w.buf.String(), w.match) {
		close(w.ch)
	}
	return n, err
}

func (w *notifyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
