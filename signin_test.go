package awssession_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ssoWorld is a fake Identity Center that approves alice's sign-ins at
// once, a config with an sso_session profile on it, and the session's
// environment pointing the SSO clients at the fake.
type ssoWorld struct {
	*fixture
	env    []string
	files  awssession.Option
	deploy ststest.Role // trusts alice's Admin role of Identity Center
}

func newSSOWorld(t *testing.T, opts ...ststest.ServerOption) *ssoWorld {
	t.Helper()
	f := newFixture(t, append([]ststest.ServerOption{ststest.WithAutoApprove("alice")}, opts...)...)
	admin := f.srv.AssignSSO("alice", f.srv.Account(), "Admin")
	w := &ssoWorld{fixture: f, deploy: f.srv.AddRole("Deploy", ststest.Trust{Principals: []string{admin.ARN}})}
	w.files = f.writeConfig(t, "[profile dev]\nsso_session = corp\nsso_account_id = "+f.srv.Account()+"\nsso_role_name = Admin\nregion = us-east-1\n"+
		"[sso-session corp]\nsso_region = us-east-1\nsso_start_url = "+f.srv.SSOStartURL()+"\n"+
		"[profile ops]\nsource_profile = dev\nrole_arn = "+w.deploy.ARN+"\n", "")
	w.env = append(append([]string(nil), f.env...), "AWS_ENDPOINT_URL_SSO="+f.srv.URL, "AWS_ENDPOINT_URL_SSO_OIDC="+f.srv.URL,
		"AWS_ENDPOINT_URL_STS="+f.srv.URL)
	return w
}

func (w *ssoWorld) opts(extra ...awssession.Option) []awssession.Option {
	return append([]awssession.Option{awssession.WithEnvironment(w.env), w.files, awssession.WithProfile("dev")}, extra...)
}

// tokenFile is where the AWS CLI keeps the token of sso_session "corp".
func (w *ssoWorld) tokenFile() string {
	return filepath.Join(w.configDir, ".aws", "sso", "cache", fmt.Sprintf("%x.json", sha1.Sum([]byte("corp"))))
}

// scriptedBrowser is a browser: it opens a URL and follows its redirects
// (to the loopback listener, with the code).
func scriptedBrowser(t *testing.T) func(string) error {
	return func(u string) error {
		go func() {
			resp, err := http.Get(u)
			if err != nil {
				t.Errorf("browser: %v", err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
		return nil
	}
}

// TestSignInSSO: both flows write the token where the AWS CLI keeps it, as
// it writes it (0600, its fields, expiresAt in UTC seconds), and the
// session uses it; a good token means no new sign-in unless forced.
func TestSignInSSO(t *testing.T) {
	t.Parallel()
	for _, flow := range []awssession.SignInFlow{awssession.SignInBrowser, awssession.SignInDeviceCode} {
		w := newSSOWorld(t)
		var out strings.Builder
		how := awssession.SignInOptions{Flow: flow, Open: scriptedBrowser(t), Out: &out}
		got, err := awssession.SignIn(context.Background(), how, w.opts()...)
		require.NoError(t, err)
		assert.Equal(t, "corp", got.Session)
		assert.False(t, got.Already)
		assert.Contains(t, out.String(), "To sign in, open this page")
		fi, err := os.Stat(w.tokenFile())
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		b, err := os.ReadFile(w.tokenFile())
		require.NoError(t, err)
		var tok map[string]string
		require.NoError(t, json.Unmarshal(b, &tok))
		for _, k := range []string{"accessToken", "refreshToken", "clientId", "clientSecret", "registrationExpiresAt", "startUrl", "region"} {
			assert.NotEmpty(t, tok[k], k)
		}
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, tok["expiresAt"])

		cfg, err := awssession.CreateSession(context.Background(), w.opts()...)
		require.NoError(t, err)
		id, err := awssession.CallerIdentity(context.Background(), cfg)
		require.NoError(t, err)
		assert.Regexp(t, `:assumed-role/AWSReservedSSO_Admin_[0-9a-f]{16}/alice$`, id.ARN)

		again, err := awssession.SignIn(context.Background(), how, w.opts()...)
		require.NoError(t, err)
		assert.True(t, again.Already, "a good token made a new sign-in")
		_, err = awssession.SignIn(context.Background(), awssession.SignInOptions{Flow: flow, Open: scriptedBrowser(t), Out: io.Discard, Force: true}, w.opts()...)
		require.NoError(t, err)
		assert.Equal(t, 2, w.srv.CountRequests("sso-oidc:RegisterClient"), "--force signs in again")
	}
}

// TestSSOWithoutTokenAsksForSignIn: a session on an SSO profile without a
// token fails with ErrSignInRequired naming `awssession login`, before any
// request, unless WithSignIn lets it sign the person in, which it then does
// once; a role chained on the SSO profile works, and Explain shows it.
func TestSSOWithoutTokenAsksForSignIn(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	opts := func(extra ...awssession.Option) []awssession.Option {
		return []awssession.Option{awssession.WithEnvironment(w.env), w.files, awssession.WithProfile("ops")}
	}
	plan, err := awssession.Explain(context.Background(), opts()...)
	require.NoError(t, err)
	assert.Equal(t, awssession.SourceSSO, plan.SourceLayer.Kind)
	assert.True(t, plan.SourceLayer.SignInNeeded)
	require.Len(t, plan.Layers, 1)
	assert.Equal(t, w.deploy.ARN, plan.Layers[0].RoleARN)

	cfg, err := awssession.CreateSession(context.Background(), opts()...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(context.Background())
	require.ErrorIs(t, err, awssession.ErrSignInRequired)
	assert.Contains(t, err.Error(), "awssession login")
	assert.Empty(t, w.srv.Requests())

	how := awssession.WithSignIn(awssession.SignInOptions{Flow: awssession.SignInDeviceCode, Out: io.Discard})
	cfg, err = awssession.CreateSession(context.Background(), append(opts(), how)...)
	require.NoError(t, err)
	id, err := awssession.CallerIdentity(context.Background(), cfg)
	require.NoError(t, err)
	assert.Contains(t, id.ARN, ":assumed-role/Deploy/")
	assert.Equal(t, 1, w.srv.CountRequests("sso-oidc:StartDeviceAuthorization"))
	plan, err = awssession.Explain(context.Background(), opts()...)
	require.NoError(t, err)
	assert.False(t, plan.SourceLayer.SignInNeeded)
	assert.WithinDuration(t, time.Now().Add(time.Hour), plan.SourceLayer.TokenExpires, 2*time.Minute)
}

// TestSSOTokenRenewedBeforeItExpires: a token that expires soon is renewed
// with its refresh token (no new sign-in, the refresh token rotated),
// before the SDK would have found it expired.
func TestSSOTokenRenewedBeforeItExpires(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, ststest.WithSSOTokenLifetime(2*time.Minute))
	_, err := awssession.SignIn(context.Background(), awssession.SignInOptions{Flow: awssession.SignInDeviceCode, Out: io.Discard}, w.opts()...)
	require.NoError(t, err)
	before, err := os.ReadFile(w.tokenFile())
	require.NoError(t, err)
	cfg, err := awssession.CreateSession(context.Background(), w.opts()...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	after, err := os.ReadFile(w.tokenFile())
	require.NoError(t, err)
	var b, a map[string]string
	require.NoError(t, json.Unmarshal(before, &b))
	require.NoError(t, json.Unmarshal(after, &a))
	assert.NotEqual(t, b["refreshToken"], a["refreshToken"], "the refresh token rotates")
	assert.NotEqual(t, b["accessToken"], a["accessToken"])
	assert.Equal(t, b["clientId"], a["clientId"])
	assert.Equal(t, 1, w.srv.CountRequests("sso-oidc:StartDeviceAuthorization"))
}

// TestSignOutSSO: the portal's Logout kills the token at the fake (401),
// the token file goes, and the next session asks for a sign-in.
func TestSignOutSSO(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	_, err := awssession.SignIn(context.Background(), awssession.SignInOptions{Flow: awssession.SignInDeviceCode, Out: io.Discard}, w.opts()...)
	require.NoError(t, err)
	b, err := os.ReadFile(w.tokenFile())
	require.NoError(t, err)
	var tok struct{ AccessToken string }
	require.NoError(t, json.Unmarshal(b, &tok))
	require.NoError(t, awssession.SignOut(context.Background(), w.opts()...))
	assert.NoFileExists(t, w.tokenFile())
	client := sso.New(sso.Options{Region: "us-east-1", BaseEndpoint: aws.String(w.srv.URL)})
	_, err = client.GetRoleCredentials(context.Background(), &sso.GetRoleCredentialsInput{AccessToken: aws.String(tok.AccessToken),
		AccountId: aws.String(w.srv.Account()), RoleName: aws.String("Admin")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "StatusCode: 401")
	require.NoError(t, awssession.SignOut(context.Background(), w.opts()...), "signing out twice")
}

// TestSSORouteRefusedBeforeSignIn: an SSO OIDC endpoint over plain http to
// a host that is not loopback is refused before any sign-in starts.
func TestSSORouteRefusedBeforeSignIn(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	w.env = append(w.env, "AWS_ENDPOINT_URL_SSO_OIDC=http://oidc.example.invalid")
	var out strings.Builder
	_, err := awssession.SignIn(context.Background(), awssession.SignInOptions{Flow: awssession.SignInDeviceCode, Out: &out}, w.opts()...)
	require.ErrorIs(t, err, awssession.ErrInvalidInput)
	assert.Contains(t, err.Error(), "AWS_ENDPOINT_URL_SSO_OIDC")
	assert.Empty(t, out.String())
}

// consoleWorld is a fake AWS Sign-In that approves alice at once, and a
// profile that names her console sign-in session.
type consoleWorld struct {
	*fixture
	env    []string
	files  awssession.Option
	cache  string
	deploy ststest.Role
}

func newConsoleWorld(t *testing.T) *consoleWorld {
	t.Helper()
	f := newFixture(t, ststest.WithAutoApprove("alice"))
	w := &consoleWorld{fixture: f, cache: filepath.Join(t.TempDir(), "login-cache"),
		deploy: f.srv.AddRole("Deploy", ststest.Trust{Principals: []string{f.alice.ARN}})}
	w.files = f.writeConfig(t, "[profile console]\nlogin_session = "+f.srv.LoginSession("alice")+"\nregion = us-east-1\n"+
		"[profile deploy]\nsource_profile = console\nrole_arn = "+w.deploy.ARN+"\n", "")
	w.env = append(append([]string(nil), f.env...), "AWS_ENDPOINT_URL_SIGNIN="+f.srv.URL, "AWS_ENDPOINT_URL_STS="+f.srv.URL,
		"AWS_LOGIN_CACHE_DIRECTORY="+w.cache)
	return w
}

func (w *consoleWorld) opts(profile string, extra ...awssession.Option) []awssession.Option {
	return append([]awssession.Option{awssession.WithEnvironment(w.env), w.files, awssession.WithProfile(profile)}, extra...)
}

// cacheFile is where aws login keeps alice's session.
func (w *consoleWorld) cacheFile() string {
	return filepath.Join(w.cache, fmt.Sprintf("%x.json", sha256.Sum256([]byte(w.srv.LoginSession("alice")))))
}

// editCache changes the cache file's JSON.
func (w *consoleWorld) editCache(t *testing.T, edit func(map[string]any)) {
	t.Helper()
	b, err := os.ReadFile(w.cacheFile())
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(b, &c))
	edit(c)
	b, err = json.Marshal(c)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(w.cacheFile(), b, 0o600))
}

// TestSignInConsole: the console sign-in writes aws login's cache (0600,
// under the SHA-256 of the session), and the session uses it, also under a
// role; once its credentials expire they are refreshed through the fake,
// which verifies the DPoP proof.
func TestSignInConsole(t *testing.T) {
	t.Parallel()
	for _, flow := range []awssession.SignInFlow{awssession.SignInBrowser, awssession.SignInRemote} {
		w := newConsoleWorld(t)
		how := awssession.SignInOptions{Flow: flow, Open: scriptedBrowser(t), Out: io.Discard}
		if flow == awssession.SignInRemote {
			p := newRemotePerson(t)
			how.Open, how.In, how.Out = nil, p, p
		}
		res, err := awssession.SignInConsole(context.Background(), how, w.opts("console")...)
		require.NoError(t, err)
		assert.Equal(t, w.srv.LoginSession("alice"), res.Session)
		assert.Equal(t, w.cacheFile(), res.CacheFile)
		fi, err := os.Stat(w.cacheFile())
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

		cfg, err := awssession.CreateSession(context.Background(), w.opts("console")...)
		require.NoError(t, err)
		id, err := awssession.CallerIdentity(context.Background(), cfg)
		require.NoError(t, err)
		assert.Equal(t, w.alice.ARN, id.ARN)

		w.editCache(t, func(c map[string]any) {
			c["accessToken"].(map[string]any)["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
		})
		cfg, err = awssession.CreateSession(context.Background(), w.opts("deploy")...)
		require.NoError(t, err)
		id, err = awssession.CallerIdentity(context.Background(), cfg)
		require.NoError(t, err)
		assert.Contains(t, id.ARN, ":assumed-role/Deploy/")
		assert.Equal(t, 2, w.srv.CountRequests("signin:CreateOAuth2Token"), "sign-in, then one refresh")
	}
}

// remotePerson is a person on another device in the remote flow: told
// the URL (on Out), they open it, and paste back (on In) the code the
// confirmation page shows.
type remotePerson struct {
	t      *testing.T
	in     *io.PipeReader
	answer *io.PipeWriter
}

func newRemotePerson(t *testing.T) *remotePerson {
	r, w := io.Pipe()
	t.Cleanup(func() { _ = w.Close() })
	return &remotePerson{t: t, in: r, answer: w}
}

func (p *remotePerson) Read(b []byte) (int, error) { return p.in.Read(b) }

func (p *remotePerson) Write(b []byte) (int, error) {
	for _, f := range strings.Fields(string(b)) {
		if !strings.HasPrefix(f, "http") {
			continue
		}
		go func() {
			resp, err := http.Get(f)
			if err != nil {
				p.t.Errorf("person: %v", err)
				return
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			m := regexp.MustCompile(`<code id="code">([^<]+)</code>`).FindSubmatch(page)
			if m == nil {
				p.t.Errorf("person: no code on the page: %s", page)
				return
			}
			code := html.UnescapeString(string(m[1]))
			_, _ = fmt.Fprintf(p.answer, "%s\n", code)
		}()
	}
	return len(b), nil
}

// TestConsoleCacheChecked: a cache the SDK would panic on (a DPoP key that
// is not PEM) or refuse (a key on another curve), a corrupt or missing
// file, are ErrSignInRequired errors naming `awssession login --console`,
// never a panic; a PKCS#8 key, as AWS's cross-SDK fixture and botocore
// have it, is accepted.
func TestConsoleCacheChecked(t *testing.T) {
	t.Parallel()
	w := newConsoleWorld(t)
	_, err := awssession.SignInConsole(context.Background(), awssession.SignInOptions{Open: scriptedBrowser(t), Out: io.Discard}, w.opts("console")...)
	require.NoError(t, err)
	good, err := os.ReadFile(w.cacheFile())
	require.NoError(t, err)
	expire := func(c map[string]any) {
		c["accessToken"].(map[string]any)["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	}
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(p256)
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	sec1384, err := x509.MarshalECPrivateKey(p384)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		edit func(map[string]any)
		ok   bool
	}{
		{"not PEM", func(c map[string]any) { expire(c); c["dpopKey"] = "not a key" }, false},
		{"P-384", func(c map[string]any) {
			expire(c)
			c["dpopKey"] = string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1384}))
		}, false},
		{"no refresh token", func(c map[string]any) { delete(c, "refreshToken") }, false},
		{"PKCS#8", func(c map[string]any) {
			// A key the fake does not know: the credentials are good, so
			// the SDK reads the key without a refresh.
			c["dpopKey"] = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(w.cacheFile(), good, 0o600))
			w.editCache(t, tc.edit)
			cfg, err := awssession.CreateSession(context.Background(), w.opts("console")...)
			require.NoError(t, err)
			_, err = cfg.Credentials.Retrieve(context.Background())
			if tc.ok {
				require.NoError(t, err)
				b, err := os.ReadFile(w.cacheFile())
				require.NoError(t, err)
				assert.Contains(t, string(b), "BEGIN EC PRIVATE KEY", "rewritten as SEC 1 for the Go SDK")
				return
			}
			require.ErrorIs(t, err, awssession.ErrSignInRequired)
			assert.Contains(t, err.Error(), "awssession login --console")
		})
	}
	require.NoError(t, os.Remove(w.cacheFile()))
	cfg, err := awssession.CreateSession(context.Background(), w.opts("console")...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(context.Background())
	require.ErrorIs(t, err, awssession.ErrSignInRequired)
}

// TestConsoleSessionEndedAsksForSignIn: once the console session cannot be
// refreshed (the password changed), a session whose credentials expired
// fails with ErrSignInRequired naming `awssession login --console` (the
// SDK's provider used to flatten Sign-In's AccessDeniedException into
// plain text).
func TestConsoleSessionEndedAsksForSignIn(t *testing.T) {
	t.Parallel()
	w := newConsoleWorld(t)
	_, err := awssession.SignInConsole(context.Background(), awssession.SignInOptions{Open: scriptedBrowser(t), Out: io.Discard}, w.opts("console")...)
	require.NoError(t, err)
	w.srv.ChangePassword("alice")
	w.editCache(t, func(c map[string]any) {
		c["accessToken"].(map[string]any)["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	})
	cfg, err := awssession.CreateSession(context.Background(), w.opts("deploy")...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(context.Background())
	require.ErrorIs(t, err, awssession.ErrSignInRequired)
	assert.Contains(t, err.Error(), "awssession login --console")
	assert.Contains(t, err.Error(), "credentials have changed")
}

// TestSSOTokenSignedOutElsewhereAsksForSignIn: a token that looks valid
// but the portal refuses (signed out from another machine: 401
// UnauthorizedException) is ErrSignInRequired naming `awssession login`,
// as SSORoles already said.
func TestSSOTokenSignedOutElsewhereAsksForSignIn(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	_, err := awssession.SignIn(context.Background(), awssession.SignInOptions{Flow: awssession.SignInDeviceCode, Out: io.Discard}, w.opts()...)
	require.NoError(t, err)
	token, err := os.ReadFile(w.tokenFile())
	require.NoError(t, err)
	require.NoError(t, awssession.SignOut(context.Background(), w.opts()...))
	require.NoError(t, os.WriteFile(w.tokenFile(), token, 0o600)) // this machine still holds it
	cfg, err := awssession.CreateSession(context.Background(), w.opts()...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(context.Background())
	require.ErrorIs(t, err, awssession.ErrSignInRequired)
	assert.Contains(t, err.Error(), "awssession login")
	assert.Contains(t, err.Error(), "sso:GetRoleCredentials")
}

// TestSignInsAtOnceShareOne: two SignIn calls for one session at once make
// one sign-in; the second finds the first's token once it holds the lock.
func TestSignInsAtOnceShareOne(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := awssession.SignIn(context.Background(), awssession.SignInOptions{Flow: awssession.SignInDeviceCode, Out: io.Discard}, w.opts()...)
			errs <- err
		}()
	}
	require.NoError(t, <-errs)
	require.NoError(t, <-errs)
	assert.Equal(t, 1, w.srv.CountRequests("sso-oidc:StartDeviceAuthorization"))
}
