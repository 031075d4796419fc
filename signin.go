package awssession

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/smithy-go/middleware"
	isignin "github.com/awssession/awssession/internal/signin"
)

// SignInFlow is how a person proves who they are to IAM Identity Center
// or AWS Sign-In.
type SignInFlow int

const (
	// SignInBrowser is the authorization code flow with PKCE: the
	// browser comes back to a listener on 127.0.0.1 bound before it
	// opens. It is the default.
	SignInBrowser SignInFlow = iota
	// SignInDeviceCode (IAM Identity Center): the person opens a URL on
	// any device and confirms a code; nothing needs to reach this
	// machine.
	SignInDeviceCode
	// SignInRemote (console sign-in, as `aws login --remote`): the
	// person opens a URL on any device and pastes back the code it shows.
	SignInRemote
)

// SignInOptions say how a person signs in when a session's source (an
// sso_session, or a console sign-in's login_session) needs it.
type SignInOptions struct {
	// Flow is the sign-in flow; SignInBrowser by default. For a console
	// sign-in, SignInDeviceCode means SignInRemote.
	Flow SignInFlow
	// Open opens a URL in the person's browser; nil only shows it. See
	// [BrowserOpener].
	Open func(url string) error
	// Out is where the URL and the code to confirm are shown: a
	// terminal, never stdout (an eval would run them).
	Out io.Writer
	// In is where a pasted code is read (SignInRemote).
	In io.Reader
	// Force signs in again although the token is good ([SignIn] only).
	Force bool
	// Available, when set, is asked before a sign-in that [WithSignIn]
	// starts: an error (no terminal to show the URL on, say) ends the
	// session with [ErrSignInRequired] instead of a sign-in no one sees.
	Available func() error
}

// available reports whether a sign-in may start now.
func (s *SignInOptions) available(login string) error {
	if s.Available == nil {
		return nil
	}
	if err := s.Available(); err != nil {
		return loginRequired("no one can sign in here (%v); sign in with `%s` first", err, login)
	}
	return nil
}

func (s *SignInOptions) flow() isignin.Flow {
	if s.Flow == SignInDeviceCode || s.Flow == SignInRemote {
		return isignin.FlowDeviceCode
	}
	return isignin.FlowBrowser
}

func (s *SignInOptions) consoleFlow() isignin.Flow {
	if s.Flow == SignInRemote || s.Flow == SignInDeviceCode {
		return isignin.FlowRemote
	}
	return isignin.FlowBrowser
}

func (s *SignInOptions) ui(now func() time.Time) isignin.UI {
	out := s.Out
	if out == nil {
		out = io.Discard
	}
	return isignin.UI{Open: s.Open, Out: out, In: s.In, Now: now}
}

// BrowserOpener returns what opens a URL in the browser of a person with
// environment environ (os.Environ's form): the commands of its BROWSER
// variable, as xdg-open and Python's webbrowser read it, else the
// system's opener, each run in environ with no output of its own. canOpen reports whether a browser can open at all
// there: not over SSH, nor on a Linux machine without a display, unless
// BROWSER names one. Where none can, the device code flow is the one that
// works.
func BrowserOpener(environ []string, goos string) (open func(url string) error, canOpen bool) {
	getenv := envLookup(environ)
	return isignin.BrowserOpener(getenv, environ, goos), isignin.CanOpen(getenv, goos)
}

// SignedIn is what [SignIn] did.
type SignedIn struct {
	// Kind is SourceSSO or SourceLogin.
	Kind SourceKind
	// Session is the sso_session (or start URL) or the login_session.
	Session string
	// Expires is when the new token (SSO) or credentials (console) expire.
	Expires time.Time
	// Already reports that the token was good and no one signed in.
	Already bool
}

// SignIn signs a person in to the source of the session opts describe: an
// IAM Identity Center session (sso_session, or a legacy sso_start_url)
// or a console sign-in session (login_session), and writes the token
// where the AWS CLI keeps it, so the AWS CLI, boto3 and every SDK use it.
// A token that is good, or can be renewed without a person, is kept
// unless how.Force. Processes that sign in to one session at once take
// turns: the second finds the first's token. The session's endpoints,
// region, environment and timeout (for each request; never the person's
// time) apply.
func SignIn(ctx context.Context, how SignInOptions, opts ...Option) (SignedIn, error) {
	p, err := Prepare(ctx, append(opts, WithSignIn(how))...)
	if err != nil {
		return SignedIn{}, err
	}
	src := p.s.plan.src
	now := p.s.o.world.clock.Now
	switch {
	case src.sso != nil:
		s := src.sso
		out := SignedIn{Kind: SourceSSO, Session: firstOf(s.session, s.startURL)}
		b, err := p.s.builder(ctx)
		if err != nil {
			return out, err
		}
		oidc := b.oidcClient(s.region)
		if !how.Force {
			// Kept, renewed, or signed in under the token's lock, looked
			// at again once the lock is held (WithSignIn is how).
			t := readSSOToken(s.tokenFile, now())
			out.Already = t.usable(now())
			if err := b.readySSO(ctx, s, oidc); err != nil {
				return out, err
			}
			out.Expires = readSSOToken(s.tokenFile, now()).expires
			return out, nil
		}
		unlock, err := isignin.Lock(ctx, s.tokenFile)
		if err != nil {
			return out, err
		}
		defer unlock()
		session := isignin.SSOSession{Name: s.session, StartURL: s.startURL, Region: s.region, TokenFile: s.tokenFile,
			AuthorizeURL: b.oidcURL(s.region) + "/authorize"}
		out.Expires, err = isignin.SignInSSO(ctx, oidc, session, how.flow(), how.ui(now))
		return out, err
	case src.login != nil:
		out := SignedIn{Kind: SourceLogin, Session: src.login.session}
		if t := src.login.token; !how.Force && t.good() && t.refreshable {
			out.Expires, out.Already = t.expires, true
			return out, nil
		}
		res, err := signInConsole(ctx, p.s, how)
		out.Session, out.Expires = res.Session, res.Expires
		return out, err
	}
	return SignedIn{}, invalid(src.profile.at(""), "%s is not an IAM Identity Center or console sign-in session: nothing to sign in to "+
		"(a profile needs sso_session, or sso_start_url, or login_session)", src.name)
}

// ConsoleSession is a console sign-in [SignInConsole] made.
type ConsoleSession struct {
	// Session is the login_session to write into the profile: the
	// console identity's ARN.
	Session string
	// CacheFile is where its token is.
	CacheFile string
	// Expires is when its first credentials expire; they are refreshed
	// for up to 12 h.
	Expires time.Time
}

// SignInConsole signs a person in with their console identity, as `aws
// login` does (PKCE, a fresh P-256 DPoP key that binds the refresh
// token), for a profile that may not name a login_session yet: the
// session's region picks the AWS Sign-In endpoint (AWS_ENDPOINT_URL_SIGNIN
// or a [services] section override it). The cache is written where `aws
// login` keeps it (AWS_LOGIN_CACHE_DIRECTORY or ~/.aws/login/cache); the
// caller writes the returned Session into the profile as login_session.
func SignInConsole(ctx context.Context, how SignInOptions, opts ...Option) (ConsoleSession, error) {
	s, err := prepareSettings(ctx, opts)
	if err != nil {
		return ConsoleSession{}, err
	}
	return signInConsole(ctx, s, how)
}

// signInConsole is SignInConsole for a prepared session.
func signInConsole(ctx context.Context, s *session, how SignInOptions) (ConsoleSession, error) {
	if s.plan.region == "" {
		return ConsoleSession{}, invalid(optionAt(OptionWithRegion, ""), "a console sign-in needs a region (it picks the AWS Sign-In endpoint); set the profile's region or AWS_REGION")
	}
	if err := s.plan.endpointOf(serviceSignin).check(); err != nil {
		return ConsoleSession{}, err
	}
	b, err := s.builder(ctx)
	if err != nil {
		return ConsoleSession{}, err
	}
	dir := loginCacheDir(&snapshot{getenv: s.getenv, home: s.home})
	unlock, err := consoleLock(ctx, dir)
	if err != nil {
		return ConsoleSession{}, err
	}
	defer unlock()
	res, err := b.consoleSignIn(ctx, s.plan.region, dir, how)
	return ConsoleSession(res), err
}

// SignOut ends the sign-in of the session's source: for IAM Identity
// Center, the portal's Logout (the token stops working everywhere) and
// the token file; for a console sign-in, its cache file. A source with no
// token is already signed out.
func SignOut(ctx context.Context, opts ...Option) error {
	p, err := Prepare(ctx, opts...)
	if err != nil {
		return err
	}
	src := p.s.plan.src
	switch {
	case src.sso != nil:
		s := src.sso
		t, err := isignin.ReadSSOToken(s.tokenFile)
		if err == nil && t.AccessToken != "" {
			b, err := p.s.builder(ctx)
			if err != nil {
				return err
			}
			portal := sso.NewFromConfig(b.cfg, func(o *sso.Options) {
				o.BaseEndpoint, o.Region = endpointURL(b.plan.endpointOf(serviceSSO)), s.region
			})
			err = b.caller.do(ctx, "sso:Logout", nil, func(ctx context.Context) (md middleware.Metadata, err error) {
				out, err := portal.Logout(ctx, &sso.LogoutInput{AccessToken: aws.String(t.AccessToken)})
				if err == nil {
					md = out.ResultMetadata
				}
				return md, err
			})
			if err != nil && !isUnauthorized(err) {
				return &CallError{Call: "sso:Logout", Layer: "IAM Identity Center session " + firstOf(s.session, s.startURL), Err: err}
			}
		}
		return isignin.RemoveToken(s.tokenFile)
	case src.login != nil:
		return isignin.RemoveToken(src.login.cacheFile)
	}
	return invalid(src.profile.at(""), "%s is not an IAM Identity Center or console sign-in session: nothing to sign out of", src.name)
}

// prepareSettings plans the region, endpoints and files of opts without a
// source.
func prepareSettings(ctx context.Context, opts []Option) (*session, error) {
	o := collect(opts)
	o.settingsOnly = true
	if err := o.validate(); err != nil {
		return nil, err
	}
	snap, err := readSnapshot(ctx, o)
	if err != nil {
		return nil, err
	}
	p := &plan{files: snap.files, stsEndpoint: o.stsEndpoint, configured: configuredEndpoints(snap)}
	if snap.profile != nil {
		p.profile = snap.profile.top
	}
	if p.region, err = resolveRegion(o, snap); err != nil {
		return nil, err
	}
	return &session{o: o, plan: p, getenv: snap.getenv, home: snap.home}, nil
}

// isUnauthorized reports the portal's refusal of a token that no longer
// works: Logout then has nothing left to end.
func isUnauthorized(err error) bool {
	var u *ssotypes.UnauthorizedException
	return errors.As(err, &u)
}
