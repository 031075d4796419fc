package awssession

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	isignin "github.com/awssession/awssession/internal/signin"

	"github.com/awssession/awssession/internal/stsrules"
)

// ssoSource is an IAM Identity Center source: role credentials for the
// token of an sso_session (or of a legacy sso_start_url profile).
type ssoSource struct {
	session   string // the sso_session's name; "" for a legacy profile
	startURL  string
	region    string // sso_region
	accountID string
	roleName  string
	tokenFile string // where the AWS CLI keeps the token
	token     tokenState
}

// loginSource is a console sign-in session (login_session).
type loginSource struct {
	session   string // the login_session value
	region    string // the profile's region, which picks the Sign-In endpoint
	cacheFile string
	token     tokenState
}

// tokenState is what a session found in a sign-in token file, without
// the secrets.
type tokenState struct {
	exists bool
	// expires is when the access token (SSO) or the credentials (console
	// sign-in) expire; zero when unknown.
	expires time.Time
	// refreshable reports a refresh token (and, for SSO, a client
	// registration that has not expired) that can renew it without a
	// person.
	refreshable bool
	// problem says why the file cannot be used ("" when it can): corrupt,
	// unreadable, a DPoP key no client can use.
	problem string
	// pkcs8 reports a console sign-in DPoP key in PKCS#8 form, which the
	// Go SDK cannot read: it is rewritten as SEC 1 before use.
	pkcs8 bool
}

// good reports a token file the source can read.
func (t tokenState) good() bool { return t.exists && t.problem == "" }

// usable reports a token the source can use now, or renew without a
// person, at now.
func (t tokenState) usable(now time.Time) bool {
	return t.good() && (t.refreshable || t.expires.After(now.Add(time.Minute)))
}

// tokenFiles are the token files a session's source reads.
type tokenFiles struct {
	sso, login tokenState
}

// maxTokenFile caps a token file (the one cap, internal/signin's).
const maxTokenFile = isignin.MaxTokenFile

// readTokenFiles reads the SSO token or console sign-in cache the base
// profile of c names.
func readTokenFiles(s *snapshot, c *profileChain) tokenFiles {
	var t tokenFiles
	switch c.kind {
	case baseSSO:
		t.sso = readSSOToken(ssoTokenFile(s, c.base.SSOSessionName, c.base.SSOStartURL), s.now)
	case baseLogin:
		t.login = readLoginCache(loginCacheFile(s, c.base.LoginSession))
	}
	return t
}

// ssoTokenFile is where the AWS CLI keeps an SSO token: the SHA-1 of the
// session name, or of the start URL for a legacy profile, under
// ~/.aws/sso/cache.
func ssoTokenFile(s *snapshot, session, startURL string) string {
	key := session
	if key == "" {
		key = startURL
	}
	h := sha1.Sum([]byte(key))
	return filepath.Join(s.home, ".aws", "sso", "cache", hex.EncodeToString(h[:])+".json")
}

// loginCacheFile is where `aws login` keeps a console sign-in session:
// the SHA-256 of its name under AWS_LOGIN_CACHE_DIRECTORY or
// ~/.aws/login/cache.
func loginCacheFile(s *snapshot, session string) string {
	return isignin.ConsoleCacheFile(loginCacheDir(s), session)
}

// loginCacheDir is where `aws login` keeps its sessions.
func loginCacheDir(s *snapshot) string {
	if dir := s.getenv("AWS_LOGIN_CACHE_DIRECTORY"); dir != "" {
		return dir
	}
	return filepath.Join(s.home, ".aws", "login", "cache")
}

// readSSOToken reads the state of an SSO token file.
func readSSOToken(path string, now time.Time) tokenState {
	var f struct {
		AccessToken           string `json:"accessToken"`
		ExpiresAt             string `json:"expiresAt"`
		RefreshToken          string `json:"refreshToken"`
		ClientID              string `json:"clientId"`
		ClientSecret          string `json:"clientSecret"`
		RegistrationExpiresAt string `json:"registrationExpiresAt"`
	}
	t, b := readTokenFile(path)
	if b == nil {
		return t
	}
	if err := json.Unmarshal(b, &f); err != nil || f.AccessToken == "" {
		t.problem = "is not an SSO token file"
		return t
	}
	if exp, err := time.Parse(time.RFC3339, f.ExpiresAt); err == nil {
		t.expires = exp
	} else {
		t.problem = "has no valid expiresAt"
	}
	reg, err := time.Parse(time.RFC3339, f.RegistrationExpiresAt)
	t.refreshable = f.RefreshToken != "" && f.ClientID != "" && f.ClientSecret != "" && err == nil && reg.After(now)
	return t
}

// readLoginCache reads the state of a console sign-in cache, and checks
// what the SDK would trip on: it panics on a DPoP key that is not PEM.
func readLoginCache(path string) tokenState {
	var f struct {
		AccessToken *struct {
			AccessKeyID string    `json:"accessKeyId"`
			ExpiresAt   time.Time `json:"expiresAt"`
		} `json:"accessToken"`
		RefreshToken string `json:"refreshToken"`
		ClientID     string `json:"clientId"`
		DPoPKey      string `json:"dpopKey"`
	}
	t, b := readTokenFile(path)
	if b == nil {
		return t
	}
	if err := json.Unmarshal(b, &f); err != nil || f.AccessToken == nil || f.AccessToken.AccessKeyID == "" {
		t.problem = "is not a console sign-in session (corrupt or truncated)"
		return t
	}
	t.expires = f.AccessToken.ExpiresAt
	t.refreshable = f.RefreshToken != "" && f.ClientID != ""
	t.pkcs8, t.problem = isignin.CheckDPoPKey(f.DPoPKey)
	return t
}

// readTokenFile reads a token file, or returns the state that says why it
// cannot (b nil).
func readTokenFile(path string) (t tokenState, b []byte) {
	b, err := readChecked(path, maxTokenFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return t, nil
	case err != nil:
		t.exists, t.problem = true, "cannot be read: "+inputProblem(err)
		return t, nil
	}
	t.exists = true
	return t, b
}

// planSSO checks an SSO base profile and plans its source.
func planSSO(s *snapshot, c *profileChain, ep string) (source, error) {
	b := c.base
	src := &ssoSource{accountID: b.SSOAccountID, roleName: b.SSORoleName, startURL: b.SSOStartURL, region: b.SSORegion, token: s.tokens.sso}
	var errs []error
	need := func(key, value string) {
		if value == "" {
			errs = append(errs, invalid(profileAt(b.Profile, key), "is missing; an SSO profile needs sso_account_id, sso_role_name and an sso_session with sso_start_url and sso_region"))
		}
	}
	if b.SSOSessionName != "" {
		src.session = b.SSOSessionName
		if ss := b.SSOSession; ss != nil {
			src.startURL, src.region = ss.SSOStartURL, ss.SSORegion
		}
		need("sso_session "+src.session+": sso_start_url", src.startURL)
		need("sso_session "+src.session+": sso_region", src.region)
	} else {
		need("sso_start_url", src.startURL)
		need("sso_region", src.region)
	}
	need("sso_account_id", src.accountID)
	need("sso_role_name", src.roleName)
	if src.accountID != "" && !stsrules.IsAccountID(src.accountID) {
		errs = append(errs, invalid(profileAt(b.Profile, "sso_account_id"), "%q is not a 12-digit account ID", src.accountID))
	}
	if src.region != "" && !stsrules.IsRegion(src.region) {
		errs = append(errs, invalid(profileAt(b.Profile, "sso_region"), "%q is not a region name like us-east-1", src.region))
	}
	if err := errors.Join(errs...); err != nil {
		return source{}, err
	}
	src.tokenFile = ssoTokenFile(s, src.session, src.startURL)
	name := fmt.Sprintf("profile %q (sso %s, %s %s)", b.Profile, firstOf(src.session, src.startURL), src.accountID, src.roleName)
	return source{kind: SourceSSO, name: name, from: src.tokenFile, sso: src, temporary: true,
		id: []any{"sso", src.startURL, src.accountID, src.roleName, ep}}, nil
}

// planLogin plans a console sign-in base profile.
func planLogin(s *snapshot, c *profileChain, ep string) (source, error) {
	b := c.base
	l := &loginSource{session: b.LoginSession, region: c.settings.region, cacheFile: loginCacheFile(s, b.LoginSession), token: s.tokens.login}
	if l.region == "" {
		l.region = b.Region
	}
	return source{kind: SourceLogin, name: fmt.Sprintf("profile %q (console sign-in %s)", b.Profile, l.session), from: l.cacheFile, login: l, temporary: true,
		id: []any{"login", l.session, ep}}, nil
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// inputProblem is an error's text without a Go name: an InputError's
// Problem, else the error's text.
func inputProblem(err error) string {
	var in *InputError
	if errors.As(err, &in) {
		return in.Problem
	}
	return err.Error()
}

// why says why a token cannot be used.
func (t tokenState) why() string {
	switch {
	case !t.exists:
		return "none was written"
	case t.problem != "":
		return "its file " + t.problem
	case !t.refreshable:
		return "it expired and cannot be renewed"
	}
	return "it expired"
}
