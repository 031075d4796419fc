package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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
// its mfa_serial and supplies the code, to an MFA session under the role
// by default, and to the role itself with --no-session.
func TestProfileMFASerial(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want []string // actions, with "+" for one that sends the code
	}{
		{"MFA session by default", nil, []string{"GetSessionToken+", "AssumeRole", "GetCallerIdentity"}},
		{"--no-session", []string{"--no-session"}, []string{"AssumeRole+", "GetCallerIdentity"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			config := "[profile base]\nregion = eu-central-1\n\n[profile dev]\nsource_profile = base\nrole_arn = " + f.admin.ARN +
				"\nmfa_serial = " + f.mfa.SerialNumber + "\nrole_session_name = from-profile\n"
			creds := "[base]\naws_access_key_id = " + f.alice.AccessKeyID + "\naws_secret_access_key = " + f.alice.SecretAccessKey + "\n"
			require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte(config), 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(f.dir, "credentials"), []byte(creds), 0o600))

			r := f.run(t, nil, "", append([]string{"whoami", "--profile", "dev", "--mfa-totp-secret-env", "MFA_SEED", "--sts-endpoint", f.srv.URL}, tc.args...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stdout, "arn:aws:sts::123456789012:assumed-role/Admin/from-profile")
			var got []string
			for _, req := range f.srv.Requests() {
				a := req.Action
				if req.Params.Get("SerialNumber") == f.mfa.SerialNumber && req.Params.Get("TokenCode") != "" {
					a += "+"
				}
				got = append(got, a)
			}
			assert.Equal(t, tc.want, got)
		})
	}
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
			assert.Contains(t, r.stderr, `msg="credential call"`)
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
