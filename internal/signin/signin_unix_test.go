//go:build !windows

package signin

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The PKCE verifier is 43 to 128 unreserved characters and its challenge
// is BASE64URL(SHA-256(verifier)) (RFC 7636 4.1, 4.2); each is new.
func TestPKCE(t *testing.T) {
	a, b := newPKCE(), newPKCE()
	assert.NotEqual(t, a.verifier, b.verifier)
	assert.Regexp(t, regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`), a.verifier)
	sum := sha256.Sum256([]byte(a.verifier))
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(sum[:]), a.challenge)
}

// The redirect listener is bound on loopback before anything opens, and
// serves the one sign-in it waits for: a request with another state (a
// page injecting its own code) or another path is refused and does not end
// the wait; an error the authorization server sends back does.
func TestRedirectTakesOnlyItsOwnState(t *testing.T) {
	get := func(t *testing.T, u string) (int, string) {
		t.Helper()
		resp, err := http.Get(u)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	callback := func(r *redirect, q url.Values) string { return r.uri() + "?" + q.Encode() }

	t.Run("code", func(t *testing.T) {
		r, err := listenRedirect()
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(r.uri(), "http://127.0.0.1:"), r.uri())
		got := make(chan string, 1)
		go func() {
			code, err := r.wait(context.Background(), "right")
			assert.NoError(t, err)
			got <- code
		}()
		status, _ := get(t, callback(r, url.Values{"state": {"wrong"}, "code": {"injected"}}))
		assert.Equal(t, http.StatusBadRequest, status)
		status, _ = get(t, strings.Replace(r.uri(), callbackPath, "/elsewhere", 1)+"?state=right&code=c")
		assert.Equal(t, http.StatusBadRequest, status)
		status, _ = get(t, callback(r, url.Values{"state": {"right"}}))
		assert.Equal(t, http.StatusBadRequest, status, "no code")
		status, body := get(t, callback(r, url.Values{"state": {"right"}, "code": {"the-code"}}))
		assert.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, "Signed in")
		assert.Equal(t, "the-code", <-got)
	})
	t.Run("error", func(t *testing.T) {
		r, err := listenRedirect()
		require.NoError(t, err)
		got := make(chan error, 1)
		go func() {
			_, err := r.wait(context.Background(), "s")
			got <- err
		}()
		status, body := get(t, callback(r, url.Values{"state": {"s"}, "error": {"access_denied"}, "error_description": {"<b>no</b>"}}))
		assert.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, "&lt;b&gt;no&lt;/b&gt;", "escaped")
		assert.ErrorContains(t, <-got, "sign-in refused: access_denied")
	})
	t.Run("gives up with its context", func(t *testing.T) {
		r, err := listenRedirect()
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = r.wait(ctx, "s")
		assert.ErrorIs(t, err, context.Canceled)
	})
}

// BROWSER is a list of commands tried in turn, never through a shell;
// "%s" stands for the URL, else it is the last argument.
func TestBrowserOpener(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	script := filepath.Join(dir, "record")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$OUT\"\n"), 0o700))
	environ := []string{"OUT=" + out, "PATH=" + os.Getenv("PATH")}
	const u = "https://example.invalid/start?a=1&b=$(touch pwned)"
	for _, tc := range []struct{ browser, want string }{
		{script, u + "\n"},
		{script + " --new-tab '%s' --x", "--new-tab\n" + u + "\n--x\n"},
		{filepath.Join(dir, "missing") + ":" + script, u + "\n"},
	} {
		require.NoError(t, os.RemoveAll(out))
		open := BrowserOpener(func(k string) string {
			if k == "BROWSER" {
				return tc.browser
			}
			return ""
		}, environ, "linux")
		require.NoError(t, open(u), tc.browser)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(b), tc.browser)
	}
	assert.NoFileExists(t, "pwned")

	open := BrowserOpener(func(k string) string {
		if k == "BROWSER" {
			return filepath.Join(dir, "missing") + ":false"
		}
		return ""
	}, environ, "linux")
	err := open(u)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing")
	assert.Contains(t, err.Error(), `"false"`)
}

// Without BROWSER the system's opener runs: found in the session's PATH,
// in the session's environment only (never the process's, which may hold
// secrets).
func TestSystemOpener(t *testing.T) {
	t.Setenv("AWSSESSION_SECRET_KEY", "process-secret")
	dir := t.TempDir()
	out := filepath.Join(dir, "seen")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "xdg-open"),
		[]byte("#!/bin/sh\n{ echo \"$1\"; env; } > \"$OUT\"\necho opener noise\n"), 0o700))
	environ := []string{"OUT=" + out, "PATH=" + dir + ":/usr/bin:/bin"}
	open := BrowserOpener(func(string) string { return "" }, environ, "linux")
	require.NoError(t, open("https://example.invalid/x"))
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), "https://example.invalid/x\n"), string(b))
	assert.NotContains(t, string(b), "process-secret")
	assert.Contains(t, string(b), "OUT="+out)
}

// The device code flow is chosen where no browser can open.
func TestCanOpen(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name string
		env  func(string) string
		goos string
		want bool
	}{
		{"linux desktop", env("DISPLAY", ":0"), "linux", true},
		{"wayland", env("WAYLAND_DISPLAY", "wayland-0"), "linux", true},
		{"linux console", env(), "linux", false},
		{"over SSH with X forwarding", env("DISPLAY", "localhost:10", "SSH_CONNECTION", "1 2 3 4"), "linux", false},
		{"macOS over SSH", env("SSH_TTY", "/dev/pts/1"), "darwin", false},
		{"macOS", env(), "darwin", true},
		{"windows", env(), "windows", true},
		{"BROWSER over SSH", env("BROWSER", "w3m", "SSH_CONNECTION", "1 2 3 4"), "linux", true},
		{"WSL", env("WSL_DISTRO_NAME", "Debian"), "linux", true},
	} {
		assert.Equal(t, tc.want, CanOpen(tc.env, tc.goos), tc.name)
	}
}

// Processes that need a sign-in at once take turns on the token file's
// lock; a waiter gives up with its context.
func TestLockTakesTurns(t *testing.T) {
	token := filepath.Join(t.TempDir(), "token.json")
	unlock, err := Lock(context.Background(), token)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = Lock(ctx, token)
	require.Error(t, err, "held by the first")
	unlock()
	unlock2, err := Lock(context.Background(), token)
	require.NoError(t, err)
	unlock2()
}

// The lock file is never reached through a symbolic link (planted where
// the lock goes, it would have the lock create or open a file elsewhere).
func TestLockRefusesALink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	require.NoError(t, os.Symlink(target, filepath.Join(dir, ".awssession-token.json.lock")))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := Lock(ctx, filepath.Join(dir, "token.json"))
	require.Error(t, err)
	assert.NoFileExists(t, target)
}
