package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// usedRE is the message of a code known to be used.
var usedRE = regexp.MustCompile(`MFA code for \S+ already used at \d\d:\d\d:\d\d \(STS takes each code once\); ` +
	`(the next code comes in \d+ s|the device shows a new one now)`)

// mfaSessionArgs are the flags of an MFA session of d (each d its own
// cache entry, so each run calls STS) with extra flags.
func (f *fixture) mfaSessionArgs(d string, extra ...string) []string {
	return append([]string{"env", "--session-token-duration", d, "--mfa-serial", f.mfa.SerialNumber}, f.aliceArgs(extra...)...)
}

// TestUsedCodeRefused, through the command: a code already sent (by an
// earlier run) given again by flag, environment or an MFA process is an
// exit-2 error at once that says when it was used and when the next code
// comes; nothing reaches STS, the process runs once, and the hint does not
// tell the person to let awssession prompt. With --no-cache too: the
// record of used codes is no cache of sessions. A code STS refuses is
// exit 3.
func TestUsedCodeRefused(t *testing.T) {
	t.Parallel()
	for _, noCache := range []bool{false, true} {
		t.Run(map[bool]string{false: "cache", true: "--no-cache"}[noCache], func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			code := f.srv.TOTPCode(f.mfa.SerialNumber)
			extra := map[bool][]string{true: {"--no-cache"}}[noCache]
			r := f.binary(t, nil, "", f.mfaSessionArgs("1h", append(extra, "--mfa-token", code)...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			if noCache {
				records, err := filepath.Glob(filepath.Join(f.dir, "cache", "mfa-*.json"))
				require.NoError(t, err)
				assert.Len(t, records, 1, "the record of the code, in the cache directory")
				sessions, err := filepath.Glob(filepath.Join(f.dir, "cache", "session-*.json"))
				require.NoError(t, err)
				assert.Empty(t, sessions, "--no-cache caches no session")
			}
			calls := f.srv.CountRequests("")

			counter := filepath.Join(t.TempDir(), "runs")
			process := fakeTool(t, "print-code", `echo run >> `+counter+`; echo `+code)
			for _, tt := range []struct {
				name string
				env  []string
				args []string
			}{
				{"--mfa-token", nil, []string{"--mfa-token", code}},
				{"$AWSSESSION_MFA_TOKEN", []string{envMFAToken + "=" + code}, nil},
				{"--mfa-process", nil, []string{"--mfa-process", filepath.Join(process, "print-code")}},
			} {
				r := f.binary(t, tt.env, "", f.mfaSessionArgs("2h", append(extra, tt.args...)...)...)
				assert.Equal(t, exitUsage, r.code, "%s: stderr: %s", tt.name, r.stderr)
				assert.Regexp(t, usedRE, r.stderr, tt.name)
				assert.NotContains(t, r.stderr, "let awssession prompt")
				assert.Contains(t, r.stderr, "hint: give the device's next code")
			}
			assert.Equal(t, calls, f.srv.CountRequests(""), "a used code reached STS")
			runs, err := os.ReadFile(counter)
			require.NoError(t, err)
			assert.Equal(t, "run\n", string(runs), "the MFA process ran once, not once per retry")

			r = f.binary(t, nil, "", f.mfaSessionArgs("3h", append(extra, "--mfa-token", f.wrongCode())...)...)
			assert.Equal(t, exitRefused, r.code, "a code STS refused: stderr: %s", r.stderr)
		})
	}
}

// TestUsedCodeAtPrompt: at a prompt, a used code makes awssession ask
// again and say why, at most three times in all; then exit 2.
func TestUsedCodeAtPrompt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	code := f.srv.TOTPCode(f.mfa.SerialNumber)
	require.Equal(t, 0, f.run(t, nil, "", f.mfaSessionArgs("1h", "--mfa-token", code)...).code)

	next := f.srv.CodeAt(f.mfa.SerialNumber, f.srv.Now().Add(30*time.Second)) // ststest takes the next step's code too
	r := f.typing(t, nil, code+"\n"+next+"\n", f.mfaSessionArgs("2h")...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Equal(t, 2, strings.Count(r.stderr, "MFA code for "+f.mfa.SerialNumber+": "), r.stderr)
	assert.Regexp(t, usedRE.String()+`\. Type the next code\.\nMFA code for `, r.stderr)

	// The record holds the last code sent for the device: next.
	r = f.typing(t, nil, strings.Repeat(next+"\n", 4), f.mfaSessionArgs("3h")...)
	assert.Equal(t, exitUsage, r.code, "stderr: %s", r.stderr)
	assert.Equal(t, 3, strings.Count(r.stderr, "MFA code for "+f.mfa.SerialNumber+": "), "three asks at most: %s", r.stderr)
	assert.Equal(t, 2, strings.Count(r.stderr, "Type the next code."), r.stderr)
}
