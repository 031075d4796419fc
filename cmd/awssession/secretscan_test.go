package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/credserver"
	"github.com/awssession/awssession/internal/poll"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secretKind says what a secret is, so that a path can name the kinds its
// stdout exists to print.
type secretKind string

const (
	longTermKey secretKind = "long-term secret key"
	tempKey     secretKind = "temporary secret key or session token"
	mfaCode     secretKind = "MFA code"
	totpSeed    secretKind = "TOTP seed"
	signinToken secretKind = "console sign-in token"
	serverToken secretKind = "credential server token"
)

// issuedTokenPrefix starts every session token ststest issues: any text
// holding it holds a token, even one the scan never saw issued (demo's).
const issuedTokenPrefix = "IQoJb3JpZ2luX2VjE"

// scanOutput is one text a user could see: a stream, a log, an error or a
// formatted value of one path.
type scanOutput struct {
	path, channel, text string
}

// secretScan runs paths, collects every secret they use or are given and
// every text they produce, and checks at the end that no text holds a
// secret, except the kinds a path's stdout is for.
type secretScan struct {
	f     *fixture
	clock *ststest.Clock

	mu       sync.Mutex
	secrets  map[string]secretKind
	outputs  []scanOutput
	paths    []string
	allowed  map[string][]secretKind // path → kinds its stdout may print
	types    map[string]bool         // exported types formatted
	cacheDir string
}

func (s *secretScan) secret(kind secretKind, values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if len(v) < 6 {
			continue
		}
		if _, ok := s.secrets[v]; !ok {
			s.secrets[v] = kind
		}
	}
}

func (s *secretScan) output(path, channel, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outputs = append(s.outputs, scanOutput{path, channel, text})
}

// path registers a path and the kinds of secret its stdout may print.
func (s *secretScan) path(t *testing.T, name string, allowed ...secretKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, dup := s.allowed[name]
	require.False(t, dup, "path %q scanned twice", name)
	s.paths = append(s.paths, name)
	s.allowed[name] = allowed
}

// format records v as %v, %+v, %#v and %s, and notes its type.
func (s *secretScan) format(path string, values ...any) {
	for _, v := range values {
		s.mu.Lock()
		s.types[strings.TrimPrefix(fmt.Sprintf("%T", v), "*")] = true
		s.mu.Unlock()
		s.output(path, "format", fmt.Sprintf("%v\n%+v\n%#v\n%s", v, v, v, v))
	}
}

// err records err's text in every form, and formats the typed errors it
// holds.
func (s *secretScan) err(path string, err error) {
	if err == nil {
		return
	}
	s.output(path, "error", fmt.Sprintf("%s\n%v\n%+v\n%#v", err.Error(), err, err, err))
	var in *awssession.InputError
	var mfa *awssession.MFAError
	var fed *awssession.FederationError
	if errors.As(err, &in) {
		s.format(path, in, *in)
	}
	if errors.As(err, &mfa) {
		s.format(path, mfa, *mfa)
	}
	if errors.As(err, &fed) {
		s.format(path, fed, *fed)
	}
}

// tokens wraps a provider and records each code it hands out.
func (s *secretScan) tokens(tp awssession.TokenProvider) awssession.TokenProvider {
	return func(ctx context.Context, serial string) (string, error) {
		code, err := tp(ctx, serial)
		s.secret(mfaCode, code)
		return code, err
	}
}

var (
	tokenRE  = regexp.MustCompile(issuedTokenPrefix + `[A-Za-z0-9+/=]*`)
	secretRE = regexp.MustCompile(`(?i)(?:AWS_SECRET_ACCESS_KEY|SecretAccessKey|sessionKey)["']?[\s=:]+["']?([A-Za-z0-9+/]{40})`)
	signinRE = regexp.MustCompile(`SigninToken=([^&\s"']+)`)
	authRE   = regexp.MustCompile(credserver.EnvAuthToken + `["']?[\s=:]+["']?([A-Za-z0-9_-]{43})`)
	// authTokenRE is a credential server token alone.
	authTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
)

// harvest records the secrets a text hands out: issued keys and tokens,
// sign-in tokens, credential server tokens.
func (s *secretScan) harvest(text string) {
	s.secret(tempKey, tokenRE.FindAllString(text, -1)...)
	for _, m := range secretRE.FindAllStringSubmatch(text, -1) {
		s.secret(tempKey, m[1])
	}
	for _, m := range signinRE.FindAllStringSubmatch(text, -1) {
		s.secret(signinToken, m[1])
		if u, err := url.QueryUnescape(m[1]); err == nil {
			s.secret(signinToken, u)
		}
	}
	for _, m := range authRE.FindAllStringSubmatch(text, -1) {
		s.secret(serverToken, m[1])
	}
}

// harvestCache records the credentials the CLI's cache holds.
func (s *secretScan) harvestCache(t *testing.T, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		var e struct{ SecretAccessKey, SessionToken string }
		if json.Unmarshal(data, &e) == nil {
			s.secret(tempKey, e.SecretAccessKey, e.SessionToken)
		}
	}
}

// cliRun is one CLI path: the arguments (a function, so that MFA codes
// are computed when it runs; it may also set env and stdin), its
// environment and stdin, the exit status it must end with, and the
// secrets its stdout is for.
type cliRun struct {
	name    string
	allowed []secretKind
	env     []string
	stdin   string
	tty     string // typed on the terminal; "": there is none
	args    func(p *cliRun) []string
	code    int
}

// cli runs one path with --debug, in the fixture's environment, with a
// browser opener that records the URL.
func (s *secretScan) cli(t *testing.T, p cliRun) result {
	t.Helper()
	s.path(t, "cli: "+p.name, p.allowed...)
	argv := p.args(&p)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	c := newCLI(strings.NewReader(p.stdin), &stdout, &stderr, append(append([]string(nil), s.f.env...), p.env...))
	c.openTTY = func() (io.ReadCloser, error) {
		if p.tty == "" {
			return nil, errors.New("no terminal in tests")
		}
		return io.NopCloser(strings.NewReader(p.tty)), nil
	}
	c.startBrowser = func(_ context.Context, url string, _ []string) error {
		s.harvest(url)
		return nil
	}
	code := c.run(ctx, append([]string{"--debug"}, argv...))
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	assert.Equal(t, p.code, code, "%s: stderr: %s", p.name, r.stderr)
	s.record(t, "cli: "+p.name, r)
	return r
}

func (s *secretScan) record(t *testing.T, path string, r result) {
	t.Helper()
	s.harvest(r.stdout)
	s.harvestCache(t, s.cacheDir)
	s.output(path, "stdout", r.stdout)
	s.output(path, "stderr", r.stderr)
}

// background runs a path that serves until cancelled: use is called once
// it printed what clients need.
func (s *secretScan) background(t *testing.T, p cliRun, ready string, use func(stdout string)) {
	t.Helper()
	s.path(t, "cli: "+p.name, p.allowed...)
	argv := p.args(&p)
	b := s.f.start(t, strings.NewReader(p.stdin), p.env, append([]string{"--debug"}, argv...)...)
	require.NoError(t, poll.Until(20*time.Second, 10*time.Millisecond, func() (bool, error) {
		return strings.Contains(b.stderr.String(), ready), b.ended()
	}), "%s: no %q on stderr; stderr: %s", p.name, ready, b.stderr.String())
	use(b.stdout.String())
	b.cancel()
	code := b.wait(t, 10*time.Second)
	assert.Equal(t, p.code, code, "%s: stderr: %s", p.name, b.stderr.String())
	s.record(t, "cli: "+p.name, result{code: code, stdout: b.stdout.String(), stderr: b.stderr.String()})
}

// check fails the test for every text that holds a secret it may not
// print.
func (s *secretScan) check(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	kinds := map[secretKind]int{}
	for _, k := range s.secrets {
		kinds[k]++
	}
	t.Logf("secret scan: %d paths, %d texts, secrets %v", len(s.paths), len(s.outputs), kinds)
	t.Logf("paths: %s", strings.Join(s.paths, "; "))
	for _, k := range []secretKind{longTermKey, tempKey, mfaCode, totpSeed, signinToken, serverToken} {
		assert.NotZero(t, kinds[k], "no %s collected: the scan would not see it leak", k)
	}
	for _, o := range s.outputs {
		allowed := map[secretKind]bool{}
		if o.channel == "stdout" {
			for _, k := range s.allowed[o.path] {
				allowed[k] = true
			}
		}
		for v, kind := range s.secrets {
			if !allowed[kind] && containsSecret(o.text, v, kind) {
				t.Errorf("%s: a %s (%d chars, starts %.3s…) appears on %s:\n%.400s", o.path, kind, len(v), v, o.channel, o.text)
			}
		}
		if !allowed[tempKey] && strings.Contains(o.text, issuedTokenPrefix) {
			t.Errorf("%s: an issued session token appears on %s:\n%.400s", o.path, o.channel, o.text)
		}
	}
}

// containsSecret reports whether text holds v. An MFA code counts only as
// a run of exactly six digits, not after a decimal point, so that
// timestamps, ports and elapsed times (1.234567ms) do not match.
func containsSecret(text, v string, kind secretKind) bool {
	if kind != mfaCode {
		return strings.Contains(text, v)
	}
	isDigit := func(i int) bool { return i >= 0 && i < len(text) && text[i] >= '0' && text[i] <= '9' }
	for i := 0; ; {
		j := strings.Index(text[i:], v)
		if j < 0 {
			return false
		}
		at := i + j
		if !isDigit(at-1) && !isDigit(at+len(v)) && (at == 0 || text[at-1] != '.') {
			return true
		}
		i = at + 1
	}
}

// TestSecretScan runs every public entry point of the library and every
// subcommand of the CLI, on success and failure paths, with debug logging
// on, and checks that no secret key, session token, MFA code, TOTP seed,
// sign-in token or credential server token appears in any output, error
// or formatted value, except on the stdout of the paths that exist to
// print it (listed per path).
func TestSecretScan(t *testing.T) {
	t.Parallel()
	clock := ststest.NewClock(time.Now())
	f := newFixture(t, ststest.WithClock(clock.Now))
	s := &secretScan{f: f, clock: clock, secrets: map[string]secretKind{}, allowed: map[string][]secretKind{},
		types: map[string]bool{}, cacheDir: filepath.Join(f.dir, "cache")}
	bob := f.srv.AddUser("bob")
	bobMFA := f.srv.AddMFADevice("bob")
	s.secret(longTermKey, f.alice.SecretAccessKey, bob.SecretAccessKey)
	s.secret(totpSeed, f.mfa.Secret, bobMFA.Secret)

	// The paths that compute codes from a seed at the wall clock go
	// first, while the server's clock is the wall clock.
	s.libraryTOTP(t, bob, bobMFA)
	cliPaths(t, s)
	s.library(t)

	// Every code STS was sent, right or wrong, is a secret too.
	for _, r := range f.srv.Requests() {
		s.secret(mfaCode, r.Params.Get("TokenCode"))
		s.harvest(r.Params.Get("Session"))
	}
	for _, typ := range []string{"awssession.AssumeRole", "awssession.Plan", "awssession.PlannedLayer", "awssession.Identity",
		"awssession.InputError", "awssession.MFAError", "awssession.FederationError", "awssession.FileCache",
		"awssession.DurationPolicy", "awssession.TokenProvider"} {
		assert.True(t, s.types[typ], "no value of %s was formatted", typ)
	}
	s.check(t)
	require.GreaterOrEqual(t, len(s.paths), 30, "the scan must cover at least 30 paths")
}

// nextCode moves the server's clock to the next TOTP step and returns the
// device's code there: a code STS has not seen.
func (s *secretScan) nextCode(serial string) string {
	s.clock.Advance(awssession.TOTPPeriod)
	code := s.f.srv.TOTPCode(serial)
	s.secret(mfaCode, code)
	return code
}

func cliPaths(t *testing.T, s *secretScan) {
	f := s.f
	serial := f.mfa.SerialNumber
	type argsFunc = func(p *cliRun) []string
	args := func(a ...string) argsFunc { return func(*cliRun) []string { return a } }
	alice := func(a ...string) argsFunc { return args(f.aliceArgs(a...)...) }
	withCode := func(build func(code string) []string) argsFunc {
		return func(*cliRun) []string { return build(s.nextCode(serial)) }
	}
	wrong := func(build func(code string) []string) argsFunc {
		return func(*cliRun) []string {
			code := f.wrongCode()
			s.secret(mfaCode, code)
			return build(code)
		}
	}
	// A shared config whose profile carries alice's keys and one that
	// assumes Admin with her MFA device.
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "credentials"), []byte(fmt.Sprintf(
		"[src]\naws_access_key_id = %s\naws_secret_access_key = %s\n", f.alice.AccessKeyID, f.alice.SecretAccessKey)), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte(fmt.Sprintf(
		"[profile src]\nregion = eu-west-1\n[profile admin]\nrole_arn = %s\nsource_profile = src\nmfa_serial = %s\nregion = eu-west-1\n",
		f.admin.ARN, serial)), 0o600))
	browser := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(browser, "xdg-open"), []byte("#!/bin/sh\n"), 0o700))
	out := filepath.Join(t.TempDir(), "child")
	fed := f.srv.FederationURL()
	sh := func(script string) []string { return []string{"--", "sh", "-c", script + ` > "$OUT"`} }
	childEnv := []string{"OUT=" + out}

	runs := []cliRun{
		// Success paths.
		{name: "env, MFA session from the TOTP seed", allowed: []secretKind{tempKey},
			args: alice("env", "--mfa-serial", serial, "--mfa-totp-secret-env", "MFA_SEED", "--session-token-duration", "1h")},
		{name: "env bash, role on the cached MFA session", allowed: []secretKind{tempKey},
			args: alice("env", "--mfa-serial", serial, "--mfa-totp-secret-env", "MFA_SEED", "--session-token-duration", "1h", "--role-arn", f.admin.ARN)},
		{name: "env json, role chain with --mfa-token", allowed: []secretKind{tempKey},
			args: withCode(func(c string) []string {
				return f.aliceArgs("env", "--format", "json", "--mfa-serial", serial, "--mfa-token", c, "--role-arn", f.admin.ARN,
					"--role-arn", f.deep.ARN, "--external-id", "ext-42", "--role-session-name", "scan")
			})},
		{name: "env fish, code from $AWSSESSION_MFA_TOKEN", allowed: []secretKind{tempKey},
			args: func(p *cliRun) []string {
				p.env = []string{envMFAToken + "=" + s.nextCode(serial)}
				return f.aliceArgs("env", "--format", "fish", "--no-cache", "--mfa-serial", serial, "--role-arn", f.admin.ARN)
			}},
		{name: "env powershell, code typed at the prompt", allowed: []secretKind{tempKey},
			args: func(p *cliRun) []string {
				p.tty = s.nextCode(serial) + "\n"
				return f.aliceArgs("env", "--format", "powershell", "--no-cache", "--mfa-serial", serial, "--role-arn", f.admin.ARN)
			}},
		{name: "env dotenv, secrets on stdin", allowed: []secretKind{tempKey},
			args: args("env", "--format", "dotenv", "--no-cache", "--access-key", f.alice.AccessKeyID, "--secret-key", "-",
				"--sts-endpoint", f.srv.URL, "--region", "eu-west-1", "--role-arn", f.reader.ARN), stdin: f.alice.SecretAccessKey + "\n"},
		{name: "env github, secret on the command line (add-mask lines)", allowed: []secretKind{tempKey}, env: []string{"GITHUB_ENV=" + out},
			args: args("env", "--format", "github", "--no-cache", "--access-key", f.alice.AccessKeyID, "--secret-key", f.alice.SecretAccessKey,
				"--sts-endpoint", f.srv.URL, "--region", "eu-west-1", "--role-arn", f.reader.ARN)},
		{name: "env, long-term keys as they are", allowed: []secretKind{longTermKey},
			args: alice("env", "--no-cache")},
		{name: "env --unset", args: args("env", "--unset")},
		{name: "env, profile role with MFA", allowed: []secretKind{tempKey},
			args: withCode(func(c string) []string {
				return []string{"env", "--profile", "admin", "--mfa-token", c, "--sts-endpoint", f.srv.URL}
			})},
		{name: "credential-process, cached role", allowed: []secretKind{tempKey},
			args: alice("credential-process", "--mfa-serial", serial, "--mfa-totp-secret-env", "MFA_SEED", "--session-token-duration", "1h", "--role-arn", f.admin.ARN)},
		{name: "credential-process, role without MFA", allowed: []secretKind{tempKey},
			args: alice("credential-process", "--role-arn", f.reader.ARN)},
		{name: "whoami", args: alice("whoami", "--role-arn", f.reader.ARN)},
		{name: "whoami --json", args: alice("whoami", "--json", "--no-cache")},
		{name: "explain, cache hits", args: alice("explain", "--mfa-serial", serial, "--mfa-totp-secret-env", "MFA_SEED",
			"--session-token-duration", "1h", "--role-arn", f.admin.ARN)},
		{name: "explain --json", args: alice("explain", "--json", "--role-arn", f.reader.ARN, "--role-arn", f.deep.ARN, "--external-id", "ext-42")},
		{name: "exec, keys in the environment", env: childEnv,
			args: alice(append([]string{"exec", "--role-arn", f.reader.ARN}, sh(`printf '%s\n%s' "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"`)...)...)},
		{name: "exec --server", env: childEnv,
			args: alice(append([]string{"exec", "--server", "--role-arn", f.reader.ARN}, sh(`printf '%s' "$AWS_CONTAINER_AUTHORIZATION_TOKEN"`)...)...)},
		{name: "console --print, role", allowed: []secretKind{signinToken},
			args: alice("console", "--print", "--federation-endpoint", fed, "--role-arn", f.reader.ARN, "--console-duration", "2h")},
		{name: "console --print, user keys", allowed: []secretKind{signinToken},
			args: alice("console", "--print", "--no-cache", "--federation-endpoint", fed, "--federation-name", "scan")},
		{name: "console, browser", env: []string{"DISPLAY=:0", "PATH=" + browser},
			args: alice("console", "--federation-endpoint", fed, "--role-arn", f.reader.ARN)},
		{name: "cache dir", args: args("cache", "dir")},
		{name: "demo", args: args("demo")},

		// Failure paths.
		{name: "env, wrong MFA code", code: exitRefused,
			args: wrong(func(c string) []string {
				return f.aliceArgs("env", "--no-cache", "--mfa-serial", serial, "--mfa-token", c, "--role-arn", f.admin.ARN)
			})},
		{name: "env, wrong code on stdin", code: exitRefused,
			args: func(p *cliRun) []string {
				code := f.wrongCode()
				s.secret(mfaCode, code)
				p.stdin = code + "\n"
				return f.aliceArgs("env", "--no-cache", "--mfa-serial", serial, "--mfa-token", "-", "--session-token-duration", "1h")
			}},
		{name: "env, five-digit code", code: exitUsage,
			args: alice("env", "--no-cache", "--mfa-serial", serial, "--mfa-token", "12345", "--role-arn", f.admin.ARN)},
		{name: "env, TOTP seed that is not base32", code: exitUsage, env: []string{"BAD_SEED=!!" + f.mfa.Secret},
			args: alice("env", "--no-cache", "--mfa-serial", serial, "--mfa-totp-secret-env", "BAD_SEED", "--session-token-duration", "1h")},
		{name: "whoami, wrong secret key", code: exitRefused, env: []string{envSecretKey + "=" + strings.ToLower(f.alice.SecretAccessKey)},
			args: alice("whoami", "--no-cache")},
		{name: "env, role that needs MFA", code: exitRefused, args: alice("env", "--no-cache", "--role-arn", f.admin.ARN)},
		{name: "env, untrusted role", code: exitRefused, args: alice("env", "--no-cache", "--role-arn", f.deep.ARN)},
		{name: "env, bad role ARN", code: exitUsage, args: alice("env", "--role-arn", "arn:aws:iam::123:role/x")},
		{name: "env, unknown flag", code: exitUsage, args: alice("env", "--sekret-key", f.alice.SecretAccessKey)},
		{name: "credential-process, throttled STS", code: exitError,
			args: func(*cliRun) []string {
				f.srv.InjectFault(ststest.Throttle(10).ForAction("AssumeRole"))
				return f.aliceArgs("credential-process", "--no-cache", "--role-arn", f.reader.ARN)
			}},
		{name: "console, MFA session refused", code: exitUsage,
			args: withCode(func(c string) []string {
				f.srv.ClearFaults()
				return f.aliceArgs("console", "--print", "--no-cache", "--federation-endpoint", fed, "--mfa-serial", serial, "--mfa-token", c)
			})},
		{name: "console, federation endpoint fails", code: exitError,
			args: func(*cliRun) []string {
				f.srv.InjectFault(ststest.ServerError(5).ForAction("getSigninToken"))
				return f.aliceArgs("console", "--print", "--no-cache", "--federation-endpoint", fed, "--role-arn", f.reader.ARN)
			}},
		{name: "exec --server, long-term keys", code: exitUsage,
			args: func(*cliRun) []string {
				f.srv.ClearFaults()
				return f.aliceArgs(append([]string{"exec", "--server"}, sh("true")...)...)
			}},
		{name: "exec, command not found", code: 127, args: alice("exec", "--role-arn", f.reader.ARN, "--", "no-such-command-awssession")},
		{name: "serve, wrong MFA code", code: exitRefused,
			args: wrong(func(c string) []string {
				return f.aliceArgs("serve", "--no-cache", "--mfa-serial", serial, "--mfa-token", c, "--session-token-duration", "1h")
			})},
		{name: "serve, public address", code: exitUsage, args: alice("serve", "--addr", "0.0.0.0:0", "--role-arn", f.reader.ARN)},
		{name: "cache clear", args: args("cache", "clear")},
	}
	for _, p := range runs {
		s.cli(t, p)
		// What the child of exec or $GITHUB_ENV received.
		if data, err := os.ReadFile(out); err == nil {
			s.harvest(string(data))
			for _, line := range strings.Split(string(data), "\n") {
				switch {
				case authTokenRE.MatchString(line):
					s.secret(serverToken, line)
				case len(line) >= 40:
					s.secret(tempKey, line)
				}
			}
			require.NoError(t, os.Remove(out))
		}
	}

	// serve, used by a client with the printed token.
	s.background(t, cliRun{name: "serve, a client gets credentials", allowed: []secretKind{serverToken},
		args: alice("serve", "--role-arn", f.reader.ARN)}, "serving the session", func(stdout string) {
		vars := evalBash(t, stdout)
		s.secret(serverToken, vars[credserver.EnvAuthToken])
		status, doc, err := httpGet(vars[credserver.EnvFullURI], vars[credserver.EnvAuthToken], "")
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status)
		s.secret(tempKey, doc.SecretAccessKey, doc.Token)
		status, _, err = httpGet(vars[credserver.EnvFullURI], "wrong", "")
		require.NoError(t, err)
		require.Equal(t, http.StatusUnauthorized, status)
	})
	// sts-server prints its own users' keys and seeds: that is what it is
	// for.
	s.background(t, cliRun{name: "sts-server", allowed: []secretKind{longTermKey, totpSeed}, args: args("sts-server")},
		"fake STS listening", func(stdout string) {
			var snap ststest.Snapshot
			require.NoError(t, json.Unmarshal([]byte(stdout), &snap))
			for _, u := range snap.Users {
				s.secret(longTermKey, u.SecretAccessKey)
			}
			for _, d := range snap.MFADevices {
				s.secret(totpSeed, d.Secret)
			}
		})
}

// libOptions are the options every library path starts from: the fake
// STS, a region, and shared files that keep the user's ~/.aws out.
func (s *secretScan) libOptions(logs io.Writer, opts ...awssession.Option) []awssession.Option {
	empty := filepath.Join(s.f.dir, "empty")
	_ = os.WriteFile(empty, nil, 0o600)
	base := []awssession.Option{
		awssession.WithSTSEndpoint(s.f.srv.URL),
		awssession.WithRegion("eu-west-1"),
		awssession.WithSharedConfigFiles([]string{empty}, []string{empty}), awssession.WithConfigOptions(config.WithRetryer(retryNow)),
		awssession.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}
	return append(base, opts...)
}

// retryNow is the SDK's standard retryer without the waits, so that the
// throttled paths retry as usual, quickly.
func retryNow() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

// lib runs one library path: fn gets a debug log and returns what it
// made; the log, the error and the formatted options are scanned.
func (s *secretScan) lib(t *testing.T, name string, fn func(ctx context.Context, logs io.Writer) error) {
	t.Helper()
	path := "library: " + name
	s.path(t, path)
	var logs syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s.err(path, fn(ctx, &logs))
	s.output(path, "log", logs.String())
}

// session creates a session from opts, formats the options and fetches
// credentials once.
func (s *secretScan) session(ctx context.Context, path string, opts []awssession.Option) (aws.Config, error) {
	for _, o := range opts {
		s.format(path, o)
	}
	cfg, err := awssession.CreateSession(ctx, opts...)
	if err != nil {
		return cfg, err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	s.secret(tempKey, creds.SecretAccessKey, creds.SessionToken)
	return cfg, err
}

// libraryTOTP runs the path that computes codes at the wall clock.
func (s *secretScan) libraryTOTP(t *testing.T, bob ststest.User, device ststest.MFADevice) {
	s.lib(t, "CreateSession, MFA session from TOTP", func(ctx context.Context, logs io.Writer) error {
		_, err := s.session(ctx, "library: CreateSession, MFA session from TOTP", s.libOptions(logs,
			awssession.WithStaticCredentials(bob.AccessKeyID, bob.SecretAccessKey, ""),
			awssession.WithMFA(device.SerialNumber, s.tokens(awssession.TOTP(device.Secret))),
			awssession.WithGetSessionToken(time.Hour)))
		return err
	})
}

func (s *secretScan) library(t *testing.T) {
	f := s.f
	serial := f.mfa.SerialNumber
	keys := awssession.WithStaticCredentials(f.alice.AccessKeyID, f.alice.SecretAccessKey, "")
	serverCodes := s.tokens(func(context.Context, string) (string, error) { return s.nextCode(serial), nil })
	cache, err := awssession.NewFileCache(filepath.Join(f.dir, "libcache"))
	require.NoError(t, err)
	fed := awssession.WithFederationEndpoint(f.srv.FederationURL())
	chain := func(logs io.Writer, extra ...awssession.Option) []awssession.Option {
		return s.libOptions(logs, append([]awssession.Option{keys, awssession.WithMFA(serial, serverCodes),
			awssession.WithGetSessionToken(2 * time.Hour), awssession.WithCache(cache),
			awssession.ClampDurations,
			awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN, RoleSessionName: "scan", Duration: 2 * time.Hour,
				Tags: map[string]string{"team": "a"}, TransitiveTagKeys: []string{"team"}, SourceIdentity: "alice"}),
			awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.deep.ARN, ExternalID: "ext-42",
				Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}),
		}, extra...)...)
	}
	var roleCfg aws.Config

	s.lib(t, "CreateSession, MFA session and two roles, cached", func(ctx context.Context, logs io.Writer) error {
		path := "library: CreateSession, MFA session and two roles, cached"
		cfg, err := s.session(ctx, path, chain(logs))
		roleCfg = cfg
		for _, r := range []awssession.AssumeRole{{RoleARN: f.admin.ARN, ExternalID: "ext-42"}} {
			s.format(path, r)
		}
		return err
	})
	s.lib(t, "CreateSession again, from the cache", func(ctx context.Context, logs io.Writer) error {
		_, err := s.session(ctx, "library: CreateSession again, from the cache", chain(logs))
		return err
	})
	s.lib(t, "Explain", func(ctx context.Context, logs io.Writer) error {
		plan, err := awssession.Explain(ctx, chain(logs)...)
		s.format("library: Explain", plan)
		for _, l := range plan.Layers {
			s.format("library: Explain", l)
		}
		return err
	})
	s.lib(t, "CallerIdentity", func(ctx context.Context, logs io.Writer) error {
		id, err := awssession.CallerIdentity(ctx, roleCfg)
		s.format("library: CallerIdentity", id)
		return err
	})
	consoleOpts := []awssession.ConsoleOption{fed, awssession.WithDestination("https://console.aws.amazon.com/s3/home"),
		awssession.WithConsoleRegion("us-east-1"), awssession.WithIssuer("https://sso.example.com/")}
	s.lib(t, "ConsoleURL, role", func(ctx context.Context, logs io.Writer) error {
		for _, o := range consoleOpts {
			s.format("library: ConsoleURL, role", o)
		}
		u, err := awssession.ConsoleURL(ctx, roleCfg, consoleOpts...)
		s.harvest(u)
		return err
	})
	s.lib(t, "ConsoleURL, user keys", func(ctx context.Context, logs io.Writer) error {
		cfg, err := s.session(ctx, "library: ConsoleURL, user keys", s.libOptions(logs, keys))
		if err != nil {
			return err
		}
		opts := []awssession.ConsoleOption{fed, awssession.WithFederationToken("scan", ""), awssession.WithConsoleDuration(2 * time.Hour)}
		for _, o := range opts {
			s.format("library: ConsoleURL, user keys", o)
		}
		u, err := awssession.ConsoleURL(ctx, cfg, opts...)
		s.harvest(u)
		return err
	})
	s.lib(t, "ConsoleURL, MFA session refused", func(ctx context.Context, logs io.Writer) error {
		cfg, err := s.session(ctx, "library: ConsoleURL, MFA session refused", s.libOptions(logs, keys,
			awssession.WithMFA(serial, serverCodes), awssession.WithGetSessionToken(0)))
		if err != nil {
			return err
		}
		_, err = awssession.ConsoleURL(ctx, cfg, fed)
		require.ErrorIs(t, err, awssession.ErrInvalidInput)
		return err
	})
	s.lib(t, "ConsoleURL, federation endpoint fails", func(ctx context.Context, logs io.Writer) error {
		f.srv.InjectFault(ststest.ServerError(5).ForAction("getSigninToken"))
		defer f.srv.ClearFaults()
		u, err := awssession.ConsoleURL(ctx, roleCfg, fed)
		s.harvest(u)
		var fe *awssession.FederationError
		require.ErrorAs(t, err, &fe)
		return err
	})
	s.lib(t, "CreateSession, wrong MFA code", func(ctx context.Context, logs io.Writer) error {
		code := f.wrongCode()
		s.secret(mfaCode, code)
		_, err := s.session(ctx, "library: CreateSession, wrong MFA code", s.libOptions(logs, keys,
			awssession.WithMFA(serial, s.tokens(awssession.StaticToken(code))), awssession.WithGetSessionToken(0)))
		require.ErrorIs(t, err, awssession.ErrMFAFailed)
		return err
	})
	s.lib(t, "StaticToken asked twice", func(ctx context.Context, logs io.Writer) error {
		code := s.nextCode(serial)
		tp := awssession.StaticToken(code)
		s.format("library: StaticToken asked twice", tp)
		_, _ = tp(ctx, serial)
		_, err := tp(ctx, serial)
		require.ErrorIs(t, err, awssession.ErrMFATokenUsed)
		return err
	})
	s.lib(t, "TOTP, seed not base32", func(ctx context.Context, logs io.Writer) error {
		_, err := s.session(ctx, "library: TOTP, seed not base32", s.libOptions(logs, keys,
			awssession.WithMFA(serial, awssession.TOTP("!!"+f.mfa.Secret)), awssession.WithGetSessionToken(0)))
		require.ErrorIs(t, err, awssession.ErrInvalidInput)
		return err
	})
	s.lib(t, "PromptToken", func(ctx context.Context, logs io.Writer) error {
		var prompt bytes.Buffer
		code := s.nextCode(serial)
		_, err := s.session(ctx, "library: PromptToken", s.libOptions(logs, keys,
			awssession.WithMFA(serial, awssession.PromptToken(strings.NewReader(code+"\n"), &prompt)), awssession.WithGetSessionToken(0)))
		require.Contains(t, prompt.String(), "MFA code for "+serial)
		s.output("library: PromptToken", "prompt", prompt.String())
		return err
	})
	s.lib(t, "CreateSession, wrong secret key", func(ctx context.Context, logs io.Writer) error {
		_, err := s.session(ctx, "library: CreateSession, wrong secret key", s.libOptions(logs,
			awssession.WithStaticCredentials(f.alice.AccessKeyID, strings.ToLower(f.alice.SecretAccessKey), ""),
			awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.reader.ARN})))
		require.Error(t, err)
		return err
	})
	s.lib(t, "CreateSession, throttled", func(ctx context.Context, logs io.Writer) error {
		f.srv.InjectFault(ststest.Throttle(10).ForAction("AssumeRole"))
		defer f.srv.ClearFaults()
		_, err := s.session(ctx, "library: CreateSession, throttled", s.libOptions(logs, keys,
			awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.reader.ARN})))
		require.Error(t, err)
		return err
	})
	s.lib(t, "CreateSession, invalid inputs holding secrets", func(ctx context.Context, logs io.Writer) error {
		// Only the errors: a misplaced secret still prints in the
		// option that holds it, as the caller's own value.
		path := "library: CreateSession, invalid inputs holding secrets"
		for _, opts := range [][]awssession.Option{
			{awssession.WithStaticCredentials("ASIA"+f.alice.AccessKeyID[4:], f.alice.SecretAccessKey, "")},
			{keys, awssession.WithMFA(serial, awssession.StaticToken("12345")), awssession.WithGetSessionToken(0)},
			{keys, awssession.WithMFA(serial, awssession.TOTP(f.mfa.Secret+"1")), awssession.WithGetSessionToken(0)},
			{keys, awssession.WithSTSEndpoint("https://user:" + f.mfa.Secret + "@sts.example.com")},
		} {
			_, err := awssession.CreateSession(ctx, s.libOptions(logs, opts...)...)
			if err == nil {
				_, err = awssession.CreateSession(ctx, s.libOptions(logs, opts...)...)
			}
			s.err(path, err)
		}
		return nil
	})
	s.lib(t, "profile role with MFA", func(ctx context.Context, logs io.Writer) error {
		opts := s.libOptions(logs, awssession.WithSharedConfigFiles([]string{filepath.Join(f.dir, "config")}, []string{filepath.Join(f.dir, "credentials")}),
			awssession.WithProfile("admin"), awssession.WithMFA("", serverCodes))
		_, err := s.session(ctx, "library: profile role with MFA", opts)
		return err
	})
	s.lib(t, "InvalidateSession", func(ctx context.Context, logs io.Writer) error {
		return awssession.InvalidateSession(ctx, chain(logs)...)
	})
	s.lib(t, "FileCache", func(ctx context.Context, logs io.Writer) error {
		path := "library: FileCache"
		s.format(path, cache, *cache, awssession.RefuseDurations, awssession.ClampDurations, awssession.DurationPolicy(7))
		dir, err := awssession.DefaultCacheDir()
		s.err(path, err)
		s.output(path, "value", dir)
		_, err = cache.Get(ctx, "no-such-key")
		require.ErrorIs(t, err, awssession.ErrCacheMiss)
		s.err(path, err)
		unlock, err := cache.Lock(ctx, "scan")
		require.NoError(t, err)
		unlock()
		s.err(path, cache.Delete(ctx, "scan"))
		file := filepath.Join(f.dir, "not-a-dir")
		require.NoError(t, os.WriteFile(file, []byte(f.alice.SecretAccessKey), 0o600))
		_, err = awssession.NewFileCache(file)
		require.Error(t, err)
		s.err(path, err)
		return cache.Clear()
	})
	s.lib(t, "every option, formatted", func(ctx context.Context, logs io.Writer) error {
		path := "library: every option, formatted"
		var p awssession.TokenProvider = serverCodes
		s.format(path, p, awssession.WithStaticCredentials(f.alice.AccessKeyID, f.alice.SecretAccessKey, "tok-"+f.alice.SecretAccessKey),
			awssession.WithProfile("admin"), awssession.WithRegion("eu-west-1"), awssession.WithMFA(serial, awssession.TOTP(f.mfa.Secret)),
			awssession.WithMFA(serial, awssession.StaticToken("123456")), awssession.WithGetSessionToken(time.Hour),
			awssession.WithSTSEndpoint(f.srv.URL), awssession.WithCache(cache), awssession.ClampDurations,
			awssession.WithLogger(slog.Default()), awssession.WithConfigOptions(config.WithRegion("eu-west-1")),
			awssession.WithConsoleDuration(time.Hour), awssession.WithConsoleRegion("eu-west-1"), awssession.WithDestination("https://console.aws.amazon.com/"),
			awssession.WithFederationEndpoint(f.srv.FederationURL()), awssession.WithFederationToken("n", `{"Version":"2012-10-17"}`),
			awssession.WithIssuer("i"))
		s.secret(tempKey, "tok-"+f.alice.SecretAccessKey)
		return nil
	})
	keysSorted := make([]string, 0, len(s.types))
	for k := range s.types {
		keysSorted = append(keysSorted, k)
	}
	sort.Strings(keysSorted)
	t.Logf("types formatted: %s", strings.Join(keysSorted, ", "))
}

// TestSecretScanURLsAndSwappedKeys holds the leaks the scan once found in
// the library: URL passwords printed by endpoint options or quoted in
// errors, and a secret key given as the access key ID being logged.
func TestSecretScanURLsAndSwappedKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	secret := "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYab" // a secret key without "/" or "+"
	keys := awssession.WithStaticCredentials(f.alice.AccessKeyID, f.alice.SecretAccessKey, "")
	session := func(opts ...awssession.Option) string {
		var logs bytes.Buffer
		opts = append(opts, awssession.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		cfg, err := awssession.CreateSession(context.Background(), opts...)
		if err == nil {
			_, err = cfg.Credentials.Retrieve(context.Background())
		}
		return fmt.Sprintf("%v\n%s", err, logs.String())
	}
	tests := []struct {
		name, text string
	}{
		// An endpoint option prints the URL's user information as given.
		{"WithSTSEndpoint printed", fmt.Sprint(awssession.WithSTSEndpoint("https://user:" + secret + "@sts.example.com"))},
		{"WithFederationEndpoint printed", fmt.Sprint(awssession.WithFederationEndpoint("https://user:" + secret + "@signin.example.com/federation"))},
		// A password with "/" makes the URL unparsable; the error quotes it whole.
		{"WithSTSEndpoint error", session(keys, awssession.WithSTSEndpoint("https://user:"+secret[:10]+"/"+secret[10:]+"@sts.example.com"))},
		// Keys the wrong way round: an alphanumeric secret key passes as an
		// access key ID, and the debug log shows it ("static keys …").
		{"swapped keys, debug log", session(awssession.WithStaticCredentials(secret, f.alice.SecretAccessKey, ""),
			awssession.WithSTSEndpoint(f.srv.URL), awssession.WithRegion("eu-west-1"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.text, secret[10:]) {
				t.Errorf("the secret leaks: %.300s", tt.text)
			}
		})
	}
}
