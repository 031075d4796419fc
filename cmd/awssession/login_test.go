package main

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ssoFixture is the fixture with a fake Identity Center that approves
// alice at once, profile dev on an sso_session, profile ops (a role on
// dev) and the clients pointed at the fake.
func ssoFixture(t *testing.T, opts ...ststest.ServerOption) *fixture {
	t.Helper()
	f := newFixture(t, append([]ststest.ServerOption{ststest.WithAutoApprove("alice")}, opts...)...)
	admin := f.srv.AssignSSO("alice", f.srv.Account(), "Admin")
	deploy := f.srv.AddRole("Deploy", ststest.Trust{Principals: []string{admin.ARN}})
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte("[profile dev]\nsso_session = corp\nsso_account_id = "+
		f.srv.Account()+"\nsso_role_name = Admin\nregion = us-east-1\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = "+
		f.srv.SSOStartURL()+"\n[profile ops]\nsource_profile = dev\nrole_arn = "+deploy.ARN+"\n"), 0o600))
	f.env = append(f.env, "AWS_ENDPOINT_URL_SSO="+f.srv.URL, "AWS_ENDPOINT_URL_SSO_OIDC="+f.srv.URL, "AWS_ENDPOINT_URL_STS="+f.srv.URL,
		"AWS_ENDPOINT_URL_SIGNIN="+f.srv.URL)
	return f
}

// ssoToken is the token file of sso_session corp, as the AWS CLI names it.
func (f *fixture) ssoToken() string {
	return filepath.Join(f.dir, ".aws", "sso", "cache", fmt.Sprintf("%x.json", sha1.Sum([]byte("corp"))))
}

// TestLoginSSO, through the command: the device code flow where no
// browser can open (no display, no BROWSER), the URL and code on the
// terminal's side (stderr here), never stdout; the token where the AWS
// CLI keeps it; a second login keeps the good token; --force signs in
// again; logout kills the token and deletes it.
func TestLoginSSO(t *testing.T) {
	t.Parallel()
	f := ssoFixture(t)
	r := f.run(t, nil, "", "login", "dev")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "confirm the code")
	assert.Contains(t, r.stderr, "signed in to IAM Identity Center session corp")
	assert.FileExists(t, f.ssoToken())
	assert.Equal(t, 1, f.srv.CountRequests("sso-oidc:StartDeviceAuthorization"))

	r = f.run(t, nil, "", "login", "dev")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "already signed in")
	r = f.run(t, nil, "", "login", "dev", "--force")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Equal(t, 2, f.srv.CountRequests("sso-oidc:StartDeviceAuthorization"))

	r = f.run(t, nil, "", "whoami", "ops")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "assumed-role/Deploy/")

	r = f.run(t, nil, "", "logout", "dev")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.NoFileExists(t, f.ssoToken())
	assert.Equal(t, 1, f.srv.CountRequests("sso:Logout"))
}

// TestLoginSSOBrowser: with BROWSER set (a program that fetches the URL
// and follows the redirects, as a browser would), the authorization code
// flow runs: the browser comes back to the loopback listener.
func TestLoginSSOBrowser(t *testing.T) {
	t.Parallel()
	f := ssoFixture(t)
	browser := filepath.Join(t.TempDir(), "browser")
	require.NoError(t, os.WriteFile(browser, []byte("#!/bin/sh\nexec env "+cliSwitch+"= "+browserSwitch+"=1 \""+os.Args[0]+"\" \"$1\"\n"), 0o700))
	r := f.run(t, []string{"BROWSER=" + browser}, "", "login", "dev")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "open this page in a browser")
	assert.Equal(t, 0, f.srv.CountRequests("sso-oidc:StartDeviceAuthorization"))
	assert.Equal(t, 1, f.srv.CountRequests("sso-oidc:CreateToken"))
	r = f.run(t, []string{"BROWSER=" + browser}, "", "login", "dev", "--no-browser", "--use-device-code", "--force")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Equal(t, 1, f.srv.CountRequests("sso-oidc:StartDeviceAuthorization"), "--use-device-code")
}

// TestCommandsSignInThemselves: env on a profile chained on an SSO
// profile with no token signs the person in on the terminal (the URL on
// the terminal's side, the exports alone on stdout); without a terminal it
// fails at once, exit 2, naming awssession login, having sent nothing.
func TestCommandsSignInThemselves(t *testing.T) {
	t.Parallel()
	f := ssoFixture(t)
	r := f.run(t, nil, "", "env", "ops")
	require.Equal(t, 2, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "awssession login")
	assert.Empty(t, f.srv.Requests())

	r = f.typing(t, nil, "", "env", "ops")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "AWS_SESSION_TOKEN")
	assert.NotContains(t, r.stdout, "sign in")
	assert.Contains(t, r.stderr, "confirm the code")
	assert.Equal(t, 1, f.srv.CountRequests("sso-oidc:StartDeviceAuthorization"))
}

// TestEightProcessesOneSignIn: eight credential-process runs started
// together on a profile with no token, each with a terminal of its own
// (script(1) gives one), make one sign-in (one device code) between them,
// and all print credentials.
func TestEightProcessesOneSignIn(t *testing.T) {
	t.Parallel()
	script, err := exec.LookPath("script")
	if err != nil {
		if os.Getenv("AWSSESSION_REQUIRE_AWSCLI") != "" {
			t.Fatal("script (util-linux) is missing")
		}
		t.Skip("script (util-linux) is missing; AWSSESSION_REQUIRE_AWSCLI=1 makes this a failure")
	}
	f := ssoFixture(t)
	var wg sync.WaitGroup
	outs := make([]string, 8)
	errs := make([]error, 8)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := filepath.Join(t.TempDir(), "out")
			cmd := f.cliProcess(t)
			cmd.Path, cmd.Args = script, []string{"script", "-q", "-e", "-c", fmt.Sprintf("%q credential-process ops > %s", os.Args[0], out), "/dev/null"}
			if b, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("%v: %s", err, b)
				return
			}
			b, err := os.ReadFile(out)
			outs[i], errs[i] = string(b), err
		}()
	}
	wg.Wait()
	for i := range outs {
		require.NoError(t, errs[i], "process %d", i)
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(outs[i]), &doc), "process %d: %s", i, outs[i])
		assert.True(t, strings.HasPrefix(doc["AccessKeyId"].(string), "ASIA"))
	}
	assert.Equal(t, 1, f.srv.CountRequests("sso-oidc:StartDeviceAuthorization"), "one sign-in for eight processes")
}

// browserSwitch makes the test binary a browser: it opens the URL it is
// given and follows the redirects (to a loopback listener with the code),
// as a person's browser would after they click Allow.
const browserSwitch = "AWSSESSION_TEST_AS_BROWSER"

func browserMain() int {
	resp, err := http.Get(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "browser:", err)
		return 1
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return 0
}

// TestLoginConsole, through the command: login --console signs alice in
// with the scripted browser, writes aws login's cache and login_session
// into a new profile (the file's other lines kept); the session and a
// role on it work; a corrupt DPoP key is exit 2 naming the fix, never a
// panic; logout --console deletes the cache.
func TestLoginConsole(t *testing.T) {
	t.Parallel()
	f := ssoFixture(t)
	deploy := f.srv.AddRole("ConsoleDeploy", ststest.Trust{Principals: []string{f.alice.ARN}})
	cache := filepath.Join(t.TempDir(), "login")
	browser := filepath.Join(t.TempDir(), "browser")
	require.NoError(t, os.WriteFile(browser, []byte("#!/bin/sh\nexec env "+cliSwitch+"= "+browserSwitch+"=1 \""+os.Args[0]+"\" \"$1\"\n"), 0o700))
	env := []string{"BROWSER=" + browser, "AWS_LOGIN_CACHE_DIRECTORY=" + cache}
	before, err := os.ReadFile(filepath.Join(f.dir, "config"))
	require.NoError(t, err)
	r := f.run(t, env, "", "login", "--console", "me", "--region", "us-east-1")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Empty(t, r.stdout)
	after, err := os.ReadFile(filepath.Join(f.dir, "config"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(after), string(before)), "the other lines of the config are kept")
	assert.Contains(t, string(after), "[profile me]\nlogin_session = "+f.srv.LoginSession("alice")+"\nregion = us-east-1\n")
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), append(after, []byte("[profile me-deploy]\nsource_profile = me\nrole_arn = "+deploy.ARN+"\n")...), 0o600))

	r = f.run(t, env, "", "whoami", "me")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, f.alice.ARN)
	r = f.run(t, env, "", "whoami", "me-deploy")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "assumed-role/ConsoleDeploy/")

	files, err := filepath.Glob(filepath.Join(cache, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	doc["dpopKey"] = "-----BEGIN EC PRIVATE KEY-----\nnot a key\n-----END EC PRIVATE KEY-----\n"
	doc["accessToken"].(map[string]any)["expiresAt"] = "2000-01-01T00:00:00Z"
	b, err = json.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(files[0], b, 0o600))
	r = f.run(t, env, "", "env", "me-deploy", "--no-cache")
	require.Equal(t, 2, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "awssession login --console")
	assert.NotContains(t, r.stderr, "panic")

	r = f.run(t, env, "", "logout", "--console", "me")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.NoFileExists(t, files[0])
}

// TestExplainShowsTheSignIn: explain shows an SSO base, its session and
// whether the next run signs in, before and after a login, and the role
// chained on it.
func TestExplainShowsTheSignIn(t *testing.T) {
	t.Parallel()
	f := ssoFixture(t)
	r := f.run(t, nil, "", "explain", "ops")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Regexp(t, `sign-in\s+IAM Identity Center session corp: no usable token; the next run signs you in`, r.stdout)
	assert.Contains(t, r.stdout, "Deploy")
	require.Equal(t, 0, f.run(t, nil, "", "login", "dev").code)
	r = f.run(t, nil, "", "explain", "ops", "--json")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	var e struct {
		SourceLayer struct {
			Kind, Session, Profile string
			TokenExpires           *time.Time
			SignInNeeded           bool
		}
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &e))
	assert.Equal(t, "sso", e.SourceLayer.Kind)
	assert.Equal(t, "corp", e.SourceLayer.Session)
	assert.Equal(t, "dev", e.SourceLayer.Profile)
	assert.False(t, e.SourceLayer.SignInNeeded)
	require.NotNil(t, e.SourceLayer.TokenExpires)
}

// TestBrokenSignInProfilesAreBadInput: a profile whose sso_session names
// no section, or that names two sources of credentials, is bad input
// (exit 2) naming the profile, not exit 1.
func TestBrokenSignInProfilesAreBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte("[profile nosession]\nsso_session = gone\nsso_account_id = 111111111111\nsso_role_name = R\n"+
		"[profile two]\ncredential_source = Environment\ncredential_process = /bin/true\nrole_arn = "+f.reader.ARN+"\n"+
		"[profile partial]\nsso_session = s\nsso_account_id = 111111111111\nsso_role_name = R\n[sso-session s]\nsso_region = us-east-1\n"), 0o600))
	for profile, want := range map[string]string{
		"nosession": `profile "nosession": sso_session: names an [sso-session gone] section`,
		"two":       `profile "two": it (or a profile of its source_profile chain) names two sources of credentials`,
		"partial":   `sso_start_url: is missing`,
	} {
		r := f.run(t, nil, "", "env", profile)
		assert.Equal(t, exitUsage, r.code, "%s: stderr: %s", profile, r.stderr)
		assert.Contains(t, r.stderr, want, profile)
	}
}
