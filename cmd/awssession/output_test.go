package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/awssession/awssession/internal/credserver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutputOptions: one rule for output options, through the command:
// every command whose output is structured takes --format json and its
// short form --json (the same bytes), refuses both asking for two
// formats, and explain (no network) refuses the flags that only talk to
// STS while it takes the ones that plan.
func TestOutputOptions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeProfiles(t, f, "endpoint_url = "+f.srv.URL+"\n")
	env := keyringEnv(t)
	require.Equal(t, 0, f.binary(t, env, "", "env", "reader").code)
	for _, args := range [][]string{{"list"}, {"cache", "list"}, {"explain", "reader"}, {"whoami", "reader"}, {"env", "reader"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			short := f.binary(t, env, "", append(args, "--json")...)
			require.Equal(t, 0, short.code, "stderr: %s", short.stderr)
			require.True(t, json.Valid([]byte(short.stdout)), "--json printed %q", short.stdout)
			long := f.binary(t, env, "", append(args, "--format", "json")...)
			require.Equal(t, 0, long.code, "stderr: %s", long.stderr)
			assert.Equal(t, short.stdout, long.stdout)
			both := f.binary(t, env, "", append(args, "--json", "--format", map[bool]string{true: "bash", false: "text"}[args[0] == "env"])...)
			assert.Equal(t, exitUsage, both.code)
			assert.Contains(t, both.stderr, "ask for two formats")
		})
	}
	t.Run("serve", func(t *testing.T) {
		cmd := f.cliProcess(t, "serve", "reader", "--json")
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		var doc strings.Builder
		for lines := bufio.NewScanner(out); lines.Scan(); {
			if doc.WriteString(lines.Text() + "\n"); lines.Text() == "}" {
				break
			}
		}
		var vars map[string]string
		require.NoError(t, json.Unmarshal([]byte(doc.String()), &vars), doc.String())
		assert.NotEmpty(t, vars[credserver.EnvAuthToken])
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		_ = cmd.Wait()
	})
	t.Run("explain", func(t *testing.T) {
		for _, flag := range [][]string{{"--mfa-token", "123456"}, {"--prompt", "terminal"}, {"--sts-timeout", "5s"}} {
			r := f.binary(t, env, "", append([]string{"explain", "admin"}, flag...)...)
			assert.Equal(t, exitUsage, r.code, "%v: stderr: %s", flag, r.stderr)
			assert.Contains(t, r.stderr, flag[0]+": explain makes no STS call")
		}
		r := f.binary(t, env, "", "explain", "admin", "--mfa-totp-secret-env", "MFA_SEED", "--expect-account", "123456789012")
		assert.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		assert.Contains(t, r.stdout, "MFA code from the TOTP seed in $MFA_SEED")
		help := f.binary(t, env, "", "explain", "--help")
		_, flags, _ := strings.Cut(help.stdout, "\nFlags:\n")
		for _, flag := range stsFlags {
			assert.NotContains(t, flags, "--"+flag+" ", "explain --help lists a flag it refuses")
		}
		assert.Contains(t, flags, "--json")
	})
}

// hostileName is a profile name that would act on a terminal printed
// raw: an OSC title, a colour, a C1 CSI, BEL, a bidi override.
const hostileName = "ev\x1b]0;owned\x07il\x1b[31m\u009b2J\u202e"

// assertTerminalSafe fails when out holds a character a terminal acts on.
func assertTerminalSafe(t *testing.T, what, out string) {
	t.Helper()
	for _, r := range out {
		if r != '\n' && r != '\t' {
			require.False(t, unsafeRune(r), "%s prints %U raw: %q", what, r, out)
		}
	}
}

// TestHostileNamesOnTerminal, through the command: a section name of the
// shared config holding escape sequences reaches the terminal escaped in
// list (text and JSON), cache list and the hint of a misspelt profile, and
// not at all in shell completion (the library refuses to plan it, so it
// shows as unusable).
func TestHostileNamesOnTerminal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeProfiles(t, f, "endpoint_url = "+f.srv.URL+"\n")
	config := filepath.Join(f.dir, "config")
	data, err := os.ReadFile(config)
	require.NoError(t, err)
	data = append(data, []byte("\n[profile "+hostileName+"]\nsource_profile = dev\nrole_arn = "+f.reader.ARN+"\nendpoint_url = "+f.srv.URL+"\n")...)
	require.NoError(t, os.WriteFile(config, data, 0o600))
	env := keyringEnv(t)
	require.Equal(t, 0, f.binary(t, env, "", "env", "reader").code)

	list := f.binary(t, env, "", "list")
	require.Equal(t, 0, list.code, "stderr: %s", list.stderr)
	assertTerminalSafe(t, "list", list.stdout)
	assert.Contains(t, list.stdout, `"ev\x1b]0;owned\x07il\x1b[31m\x9b2J\u202e"`)

	js := f.binary(t, env, "", "list", "--json")
	require.Equal(t, 0, js.code, "stderr: %s", js.stderr)
	assertTerminalSafe(t, "list --json", js.stdout)
	var profiles []listedProfile
	require.NoError(t, json.Unmarshal([]byte(js.stdout), &profiles))
	names := []string{}
	for _, p := range profiles {
		names = append(names, p.Profile)
	}
	assert.Contains(t, names, hostileName, "the JSON still holds the name itself")

	cache := f.binary(t, env, "", "cache", "list")
	require.Equal(t, 0, cache.code, "stderr: %s", cache.stderr)
	assertTerminalSafe(t, "cache list", cache.stdout)

	complete := f.binary(t, env, "", "__complete", "env", "")
	require.Equal(t, 0, complete.code, "stderr: %s", complete.stderr)
	assertTerminalSafe(t, "completion", complete.stdout)
	assert.Contains(t, complete.stdout, "reader\n")
	assert.NotContains(t, complete.stdout, "owned")

	typo := f.binary(t, env, "", "env", "ev")
	assertTerminalSafe(t, "a misspelt profile's hint", typo.stderr)
}

// TestCachedEntriesOnTerminal: cache list's table escapes what a profile
// name (the sessions column), a key or an account could bring: a name the
// library can plan (no brackets or blanks) may still hold terminal
// controls. (TestHostileNamesOnTerminal's name never gets that far.)
func TestCachedEntriesOnTerminal(t *testing.T) {
	t.Parallel()
	name := "ev\x1bP\x07il\u009b2J\u202e"
	var out bytes.Buffer
	require.NoError(t, writeCachedEntries(&out, []cachedEntry{{Key: "role-\x1b[2Jk", Kind: "role", AccountID: "\x07",
		Sessions: []string{name + ": AssumeRole[0]"}}}))
	assertTerminalSafe(t, "cache list", out.String())
	assert.Contains(t, out.String(), safeName(name+": AssumeRole[0]"))
}
