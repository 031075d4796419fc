package main

import (
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConsole prints sign-in URLs for a role, a role on an MFA session and
// IAM user keys (GetFederationToken), and checks each token at ststest's
// federation endpoint. The --debug log never holds the URL or the token.
func TestConsole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	home := "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
	tests := []struct {
		name             string
		args             []string
		arn              string
		issuer, dest     string
		duration         time.Duration // sent to the endpoint
		federationTokens int
	}{
		{"role", f.aliceArgs("--role-arn", f.reader.ARN, "--role-session-name", "console"),
			"arn:aws:sts::123456789012:assumed-role/Reader/console", "awssession", home, 0, 0},
		{"role, console duration", f.aliceArgs("--role-arn", f.reader.ARN, "--role-session-name", "console", "--console-duration", "2h"),
			"arn:aws:sts::123456789012:assumed-role/Reader/console", "awssession", home, 2 * time.Hour, 0},
		{"role on an MFA session, destination, no issuer", f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--mfa-totp-secret-env", "MFA_SEED",
			"--session-token-duration", "1h", "--role-arn", f.admin.ARN, "--role-session-name", "console",
			"--destination", "https://console.aws.amazon.com/s3/home", "--issuer", "", "--console-region", "us-east-1"),
			"arn:aws:sts::123456789012:assumed-role/Admin/console", "", "https://console.aws.amazon.com/s3/home", 0, 0},
		{"user keys", f.aliceArgs("--federation-name", "alice-console", "--issuer", "https://sso.example.com/"),
			"arn:aws:sts::123456789012:federated-user/alice-console", "https://sso.example.com/", home, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.srv.CountRequests("GetFederationToken")
			r := f.run(t, nil, "", append([]string{"--debug", "console", "--print", "--federation-endpoint", f.srv.FederationURL()}, tt.args...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			token := checkSigninURL(t, f.srv.FederationURL(), r.stdout)
			sess, ok := f.srv.SigninSession(token)
			require.True(t, ok, "ststest did not issue the sign-in token")
			assert.Equal(t, tt.arn, sess.ARN)
			assert.Equal(t, tt.duration, sess.SessionDuration)
			assert.Equal(t, tt.federationTokens, f.srv.CountRequests("GetFederationToken")-before)
			u, err := url.Parse(strings.TrimSpace(r.stdout))
			require.NoError(t, err)
			assert.Equal(t, tt.issuer, u.Query().Get("Issuer"))
			assert.Equal(t, tt.dest, u.Query().Get("Destination"))

			assert.Contains(t, r.stderr, "level=DEBUG", "--debug logs the session")
			assert.NotContains(t, r.stderr, token)
			assert.NotContains(t, r.stderr, "SigninToken")
			assert.NotContains(t, r.stderr, f.srv.FederationURL()+"?")
		})
	}
}

// checkSigninURL checks that out is one login URL of endpoint and returns
// its sign-in token.
func checkSigninURL(t *testing.T, endpoint, out string) string {
	t.Helper()
	require.True(t, strings.HasSuffix(out, "\n") && strings.Count(out, "\n") == 1, "got %q, want one line", out)
	u, err := url.Parse(strings.TrimSuffix(out, "\n"))
	require.NoError(t, err)
	require.Equal(t, endpoint, u.Scheme+"://"+u.Host+u.Path)
	assert.Equal(t, "login", u.Query().Get("Action"))
	token := u.Query().Get("SigninToken")
	require.NotEmpty(t, token)
	return token
}

// TestConsoleBrowser opens the URL with xdg-open where there is a display
// (a fake xdg-open that records its arguments: the URL is one argument,
// no shell in between), and prints it where there is none, with --print,
// or when the opener fails.
func TestConsoleBrowser(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the Linux opener")
	}
	t.Parallel()
	f := newFixture(t)
	opener := func(script string) string {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\n"+script+"\n"), 0o700))
		return dir
	}
	records := opener(`printf '%s\n' "$#" "$1" > "$OPENED"`)
	fails := opener("exit 3")
	tests := []struct {
		name      string
		env       []string
		print     bool
		opened    bool
		wantNote  string
		emptyNote bool
	}{
		{"X11", []string{"DISPLAY=:0", "PATH=" + records}, false, true, "opened the console sign-in page in your browser", false},
		{"Wayland", []string{"WAYLAND_DISPLAY=wayland-0", "PATH=" + records}, false, true, "opened the console", false},
		{"no display", []string{"PATH=" + records}, false, false, "no browser to open", false},
		{"--print", []string{"DISPLAY=:0", "PATH=" + records}, true, false, "", true},
		{"opener fails", []string{"DISPLAY=:0", "PATH=" + fails}, false, false, "cannot open a browser (xdg-open: exit status 3)", false},
		{"no opener", []string{"DISPLAY=:0", "PATH=" + t.TempDir()}, false, false, "cannot open a browser (exec xdg-open: executable file not found", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			record := filepath.Join(t.TempDir(), "opened")
			args := []string{"console", "--federation-endpoint", f.srv.FederationURL()}
			if tt.print {
				args = append(args, "--print")
			}
			r := f.run(t, append(tt.env, "OPENED="+record), "", append(args, f.aliceArgs("--role-arn", f.reader.ARN)...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			got, err := os.ReadFile(record)
			if tt.opened {
				require.NoError(t, err, "xdg-open was not run; stderr: %s", r.stderr)
				argc, link, _ := strings.Cut(string(got), "\n")
				assert.Equal(t, "1", argc, "got %s arguments, want the URL alone", argc)
				token := checkSigninURL(t, f.srv.FederationURL(), link)
				_, ok := f.srv.SigninSession(token)
				assert.True(t, ok)
				assert.Empty(t, r.stdout)
			} else {
				assert.ErrorIs(t, err, os.ErrNotExist, "xdg-open was run")
				checkSigninURL(t, f.srv.FederationURL(), r.stdout)
			}
			if tt.emptyNote {
				assert.Empty(t, r.stderr)
			}
			assert.Contains(t, r.stderr, tt.wantNote)
			assert.NotContains(t, r.stderr, "SigninToken")
		})
	}
}
