package awssession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/logincreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	signintypes "github.com/aws/aws-sdk-go-v2/service/signin/types"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go/middleware"
	isignin "github.com/awssession/awssession/internal/signin"
)

// refreshAhead is how long before an SSO token expires it is renewed with
// its refresh token: the SDK renews only once it has expired, and a
// person's next run should not be the one that finds out the session
// ended.
const refreshAhead = 5 * time.Minute

// sso builds an IAM Identity Center source: the SDK's provider with SSO
// and SSO OIDC clients sent to the planned endpoints in the sso_region,
// each request bounded by the session's timeout. Before the provider reads
// the token it is renewed when it expires within refreshAhead, or (with
// WithSignIn) a person signs in, both under the token's cross-process
// lock, so that processes that find it unusable at once share one
// renewal or one sign-in.
func (b *builder) sso(s *ssoSource) aws.CredentialsProvider {
	portal := b.ssoClient(s.region)
	oidc := b.oidcClient(s.region)
	opts := func(o *ssocreds.Options) { o.CachedTokenFilepath = s.tokenFile }
	if s.session != "" {
		tokens := ssocreds.NewSSOTokenProvider(oidc, s.tokenFile)
		opts = func(o *ssocreds.Options) { o.CachedTokenFilepath, o.SSOTokenProvider = s.tokenFile, tokens }
	}
	name := s.session
	if name == "" {
		name = s.startURL
	}
	p := ssocreds.New(portalClient{c: portal, caller: b.caller, session: name}, s.accountID, s.roleName, s.startURL, opts)
	return signedIn{p: p, ready: func(ctx context.Context) error { return b.readySSO(ctx, s, oidc) }}
}

// readySSO makes the SSO token usable for the next refreshAhead: as it
// is, renewed, or (with WithSignIn) by a sign-in.
func (b *builder) readySSO(ctx context.Context, s *ssoSource, oidc oidcClient) error {
	now := b.o.world.clock.Now
	fresh := func(t tokenState) bool { return t.good() && t.expires.After(now().Add(refreshAhead)) }
	if fresh(readSSOToken(s.tokenFile, now())) {
		return nil
	}
	unlock, err := isignin.Lock(ctx, s.tokenFile)
	if err != nil {
		return err
	}
	defer unlock()
	t := readSSOToken(s.tokenFile, now())
	if fresh(t) { // another process renewed it or signed in while we waited
		return nil
	}
	session := isignin.SSOSession{Name: s.session, StartURL: s.startURL, Region: s.region, TokenFile: s.tokenFile}
	if t.refreshable {
		_, err := isignin.RefreshSSO(ctx, oidc, session, now())
		if err == nil || !errors.Is(err, isignin.ErrSessionEnded) {
			return err
		}
		t = tokenState{exists: true, problem: "its session has ended"}
	}
	if t.usable(now()) {
		return nil // not renewable, but good for a while yet
	}
	if b.o.signIn == nil {
		return loginRequired("the IAM Identity Center session %s has no usable token (%s); sign in with `awssession login`", firstOf(s.session, s.startURL), t.why())
	}
	if err := b.o.signIn.available("awssession login"); err != nil {
		return err
	}
	session.AuthorizeURL = b.oidcURL(s.region) + "/authorize"
	_, err = isignin.SignInSSO(ctx, oidc, session, b.o.signIn.flow(), b.o.signIn.ui(now))
	return err
}

// login builds a console sign-in source: the SDK's provider, which
// refreshes the credentials with the DPoP-bound refresh token, with a
// Sign-In client sent to the planned endpoint in the session's region.
// The cache is checked first each time: the SDK panics on a DPoP key that
// is not PEM and refuses a PKCS#8 one, which is rewritten as SEC 1.
func (b *builder) login(l *loginSource) aws.CredentialsProvider {
	client := b.signinClient(l.region)
	p := logincreds.New(client, l.cacheFile, func(o *logincreds.Options) { o.RestrictPermissions = true })
	return signedIn{p: p, ready: func(ctx context.Context) error {
		if t := readLoginCache(l.cacheFile); t.good() && t.refreshable && !t.pkcs8 {
			return nil
		}
		unlock, err := consoleLock(ctx, filepath.Dir(l.cacheFile))
		if err != nil {
			return err
		}
		defer unlock()
		// Again under the lock: another process may have signed in, or
		// rewritten the key, meanwhile.
		t := readLoginCache(l.cacheFile)
		switch {
		case t.good() && t.refreshable && t.pkcs8:
			if err := isignin.RewriteKeySEC1(l.cacheFile); err != nil {
				return loginRequired("the console sign-in session %s: %v", l.session, err)
			}
			return nil
		case t.good() && t.refreshable:
			return nil
		case b.o.signIn == nil:
			return loginRequired("the console sign-in session %s has no usable token (%s); sign in with `awssession login --console`", l.session, t.why())
		}
		if err := b.o.signIn.available("awssession login --console"); err != nil {
			return err
		}
		res, err := b.consoleSignIn(ctx, l.region, filepath.Dir(l.cacheFile), *b.o.signIn)
		if err == nil && res.Session != l.session {
			err = fmt.Errorf("the console sign-in was for %s, not the profile's login_session %s", res.Session, l.session)
		}
		return err
	}}
}

// consoleLock takes the lock of console sign-ins in the cache directory
// dir: one for the directory, since a sign-in learns its session (and so
// its cache file) only at its end. Sign-ins, and the rewrite of a key,
// take turns on it.
func consoleLock(ctx context.Context, dir string) (unlock func(), err error) {
	return isignin.Lock(ctx, filepath.Join(dir, "sign-in"))
}

// consoleSignIn signs a person in to AWS Sign-In in region, writing the
// cache into dir; the caller holds consoleLock.
func (b *builder) consoleSignIn(ctx context.Context, region, dir string, how SignInOptions) (isignin.ConsoleResult, error) {
	return isignin.SignInConsole(ctx, b.signinClient(region), isignin.Console{Endpoint: b.signinURL(region), CacheDir: dir},
		how.consoleFlow(), how.ui(b.o.world.clock.Now))
}

// signedIn readies a sign-in source's token before its provider reads it,
// and turns what means "sign in again" into ErrSignInRequired, and a panic
// of the provider into an error.
type signedIn struct {
	p     aws.CredentialsProvider
	ready func(context.Context) error
}

func (s signedIn) Retrieve(ctx context.Context) (c aws.Credentials, err error) {
	if err := s.ready(ctx); err != nil {
		return aws.Credentials{}, err
	}
	defer func() {
		if r := recover(); r != nil {
			c, err = aws.Credentials{}, loginRequired("the sign-in token file is unusable (%v)", r)
		}
	}()
	c, err = s.p.Retrieve(ctx)
	var invalid *ssocreds.InvalidTokenError
	if errors.As(err, &invalid) {
		return c, loginRequired("%v", err)
	}
	return c, err
}

// oidcClient is the session's SSO OIDC client for region.
func (b *builder) oidcClient(region string) oidcClient {
	return oidcClient{ssooidc.NewFromConfig(b.cfg, func(o *ssooidc.Options) {
		o.BaseEndpoint, o.Region = endpointURL(b.plan.endpointOf(serviceSSOOIDC)), region
	}), b.caller}
}

// signinClient is the session's AWS Sign-In client for region.
func (b *builder) signinClient(region string) signinClient {
	return signinClient{signin.NewFromConfig(b.cfg, func(o *signin.Options) {
		o.BaseEndpoint, o.Region = endpointURL(b.plan.endpointOf(serviceSignin)), region
	}), b.caller}
}

// ssoClient is the SSO portal's client, sent to the planned endpoint in
// region (the sso_region).
func (b *builder) ssoClient(region string) *sso.Client {
	return sso.NewFromConfig(b.cfg, func(o *sso.Options) { o.BaseEndpoint, o.Region = endpointURL(b.plan.endpointOf(serviceSSO)), region })
}

// portalClient is the SSO portal as ssocreds calls it.
type portalClient struct {
	c       *sso.Client
	caller  caller
	session string // the sso_session's name, or the start URL
}

func (p portalClient) GetRoleCredentials(ctx context.Context, in *sso.GetRoleCredentialsInput, fns ...func(*sso.Options)) (*sso.GetRoleCredentialsOutput, error) {
	attrs := []slog.Attr{slog.String("account", aws.ToString(in.AccountId)), slog.String("role", aws.ToString(in.RoleName))}
	out, err := timedCall(ctx, p.caller, "sso:GetRoleCredentials", attrs, func(ctx context.Context) (*sso.GetRoleCredentialsOutput, error) {
		return p.c.GetRoleCredentials(ctx, in, fns...)
	}, func(o *sso.GetRoleCredentialsOutput) middleware.Metadata { return o.ResultMetadata })
	if err != nil {
		return nil, portalRefused(p.session, &CallError{Call: "sso:GetRoleCredentials",
			Layer: fmt.Sprintf("IAM Identity Center role %s in %s", aws.ToString(in.RoleName), aws.ToString(in.AccountId)), Err: err})
	}
	return out, nil
}

// portalRefused makes a portal call's error that means a sign-in
// (UnauthorizedException: the token expired, or was signed out elsewhere)
// an ErrSignInRequired, keeping the call's error.
func portalRefused(session string, err error) error {
	if !isUnauthorized(err) {
		return err
	}
	return fmt.Errorf("%w: the portal refused the token of IAM Identity Center session %s; run `awssession login`: %w", ErrSignInRequired, session, err)
}

// oidcClient is SSO OIDC with each request timed.
type oidcClient struct {
	c      *ssooidc.Client
	caller caller
}

func (o oidcClient) CreateToken(ctx context.Context, in *ssooidc.CreateTokenInput, fns ...func(*ssooidc.Options)) (*ssooidc.CreateTokenOutput, error) {
	return timedCall(ctx, o.caller, "sso-oidc:CreateToken", nil, func(ctx context.Context) (*ssooidc.CreateTokenOutput, error) { return o.c.CreateToken(ctx, in, fns...) },
		func(out *ssooidc.CreateTokenOutput) middleware.Metadata { return out.ResultMetadata })
}

func (o oidcClient) RegisterClient(ctx context.Context, in *ssooidc.RegisterClientInput, fns ...func(*ssooidc.Options)) (*ssooidc.RegisterClientOutput, error) {
	return timedCall(ctx, o.caller, "sso-oidc:RegisterClient", nil, func(ctx context.Context) (*ssooidc.RegisterClientOutput, error) {
		return o.c.RegisterClient(ctx, in, fns...)
	},
		func(out *ssooidc.RegisterClientOutput) middleware.Metadata { return out.ResultMetadata })
}

func (o oidcClient) StartDeviceAuthorization(ctx context.Context, in *ssooidc.StartDeviceAuthorizationInput, fns ...func(*ssooidc.Options)) (*ssooidc.StartDeviceAuthorizationOutput, error) {
	return timedCall(ctx, o.caller, "sso-oidc:StartDeviceAuthorization", nil, func(ctx context.Context) (*ssooidc.StartDeviceAuthorizationOutput, error) {
		return o.c.StartDeviceAuthorization(ctx, in, fns...)
	},
		func(out *ssooidc.StartDeviceAuthorizationOutput) middleware.Metadata { return out.ResultMetadata })
}

// signinClient is AWS Sign-In with each request timed.
type signinClient struct {
	c      *signin.Client
	caller caller
}

func (s signinClient) CreateOAuth2Token(ctx context.Context, in *signin.CreateOAuth2TokenInput, fns ...func(*signin.Options)) (*signin.CreateOAuth2TokenOutput, error) {
	out, err := timedCall(ctx, s.caller, "signin:CreateOAuth2Token", nil, func(ctx context.Context) (*signin.CreateOAuth2TokenOutput, error) {
		return s.c.CreateOAuth2Token(ctx, in, fns...)
	}, func(o *signin.CreateOAuth2TokenOutput) middleware.Metadata { return o.ResultMetadata })
	if err != nil {
		cerr := &CallError{Call: "signin:CreateOAuth2Token", Layer: "the console sign-in session", Err: err}
		var denied *signintypes.AccessDeniedException
		if errors.As(err, &denied) && denied.Error_ != signintypes.OAuth2ErrorCodeInsufficientPermissions {
			// The session ended (12 h, a new password): a sign-in. Not
			// wrapped: the SDK's provider would flatten an
			// AccessDeniedException into text.
			return nil, loginRequired("the console sign-in session has ended; sign in again with `awssession login --console` (%v)", cerr)
		}
		return nil, cerr
	}
	return out, nil
}
