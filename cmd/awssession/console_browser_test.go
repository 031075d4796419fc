package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConsoleBrowser opens the URL where a browser can be opened (macOS,
// Windows, a Linux display or WSL) with the caller's environment minus
// awssession's secrets and the TOTP seed, and prints it where there is
// none, with --print, or when the opener fails. The opener is the test's:
// no browser starts.
func TestConsoleBrowser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name      string
		goos      string
		env       []string
		print     bool
		fail      error
		opened    bool
		wantNote  string
		emptyNote bool
	}{
		{"X11", "linux", []string{"DISPLAY=:0"}, false, nil, true, "opened the console sign-in page in your browser", false},
		{"Wayland", "linux", []string{"WAYLAND_DISPLAY=wayland-0"}, false, nil, true, "opened the console", false},
		{"WSL", "linux", []string{"WSL_DISTRO_NAME=Debian"}, false, nil, true, "opened the console", false},
		{"macOS", "darwin", nil, false, nil, true, "opened the console", false},
		{"Windows", "windows", nil, false, nil, true, "opened the console", false},
		{"no display", "linux", nil, false, nil, false, "no browser to open", false},
		{"--print", "darwin", nil, true, nil, false, "", true},
		{"opener fails", "linux", []string{"DISPLAY=:0"}, false, errors.New("exit status 3"), false, "cannot open a browser (exit status 3)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"console", "--federation-endpoint", f.srv.FederationURL(), "--mfa-serial", f.mfa.SerialNumber,
				"--mfa-totp-secret-env", "MFA_SEED"}
			if tt.print {
				args = append(args, "--print")
			}
			var stdout, stderr bytes.Buffer
			c := newCLI(strings.NewReader(""), &stdout, &stderr, append(append([]string{"KEEP=me"}, f.env...), tt.env...))
			c.goos = tt.goos
			var opened []string
			var openedEnv []string
			c.startBrowser = func(_ context.Context, url string, env []string) error {
				opened, openedEnv = append(opened, url), env
				return tt.fail
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			code := c.run(ctx, append(args, f.aliceArgs("--role-arn", f.admin.ARN)...))
			require.Equal(t, 0, code, "stderr: %s", stderr.String())
			if tt.opened {
				require.Len(t, opened, 1, "stderr: %s", stderr.String())
				token := checkSigninURL(t, f.srv.FederationURL(), opened[0]+"\n")
				_, ok := f.srv.SigninSession(token)
				assert.True(t, ok)
				assert.Empty(t, stdout.String())
				assert.Contains(t, openedEnv, "KEEP=me")
				for _, kv := range openedEnv {
					assert.False(t, strings.HasPrefix(kv, envSecretKey+"=") || strings.HasPrefix(kv, "MFA_SEED="),
						"the browser's environment holds %s", strings.SplitN(kv, "=", 2)[0])
				}
			} else {
				assert.Len(t, opened, map[bool]int{true: 1, false: 0}[tt.fail != nil])
				checkSigninURL(t, f.srv.FederationURL(), stdout.String())
			}
			if tt.emptyNote {
				assert.Empty(t, stderr.String())
			}
			assert.Contains(t, stderr.String(), tt.wantNote)
			assert.NotContains(t, stderr.String(), "SigninToken")
		})
	}
}
