package awssession

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/smithy-go/middleware"
	isignin "github.com/awssession/awssession/internal/signin"
	"github.com/awssession/awssession/internal/stsrules"
)

// SSORole is a role an IAM Identity Center session may use: a permission
// set (RoleName) in an account.
type SSORole struct {
	AccountID, AccountName, RoleName string
}

// SSORoles returns every account and role the IAM Identity Center session
// NAME (the [sso-session NAME] section of the shared config file) may use,
// sorted by account ID, then role: every page of the portal's ListAccounts
// and, account by account, of ListAccountRoles.
//
// It signs in with the token the AWS CLI keeps for the session
// (~/.aws/sso/cache/<SHA-1 of NAME>.json, written by `aws sso login` or
// `awssession login`), renewed with its refresh token when it has expired,
// as the SDK renews it; without a usable token it fails before any request
// with an error matching [ErrSignInRequired], as it does when the portal
// no longer accepts the token. It reads the environment of
// [WithEnvironment] and the files of [WithSharedConfigFiles]; the SSO and
// SSO OIDC endpoints are chosen as a session's (AWS_ENDPOINT_URL_SSO,
// AWS_ENDPOINT_URL, then the [services] section and endpoint_url of the
// profile whose settings apply: [WithProfile]'s, else AWS_PROFILE's, else
// default's) and must be https, or http to loopback; calls go to the
// session's sso_region. [WithSTSTimeout] bounds each request, [WithLogger]
// logs each call at debug level; the token is never logged or returned.
// Options that choose credentials or layers do not apply here, but are
// checked as [CreateSession] checks them.
//
// An unknown session or a bad setting is an [*InputError]; a failed call
// is a [*CallError]. It is safe for concurrent use.
func SSORoles(ctx context.Context, session string, opts ...Option) ([]SSORole, error) {
	o := collect(opts)
	if err := o.validate(); err != nil {
		return nil, err
	}
	l, err := planSSOListing(ctx, o, session)
	if err != nil {
		return nil, err
	}
	return l.list(ctx, o)
}

// ssoListing is what SSORoles reads before its first request.
type ssoListing struct {
	session, startURL, region string
	tokenFile                 string
	portal, oidc              endpoint
	files                     sharedFiles
	profile                   string // the profile whose settings the clients take; "" none
}

// ssoProbeProfile is the profile of the one-line config file through which
// the SDK's parser reads an [sso-session] section: it reads them only for
// a profile that names them.
const ssoProbeProfile = "awssession-sso-probe"

// maxSSOPages bounds each list: an organisation's accounts, at the
// portal's page size, fill a few hundred pages, and a portal that never
// ends would keep the caller forever.
const maxSSOPages = 5000

// planSSOListing checks the session's settings, endpoints and token.
func planSSOListing(ctx context.Context, o *options, name string) (*ssoListing, error) {
	if !isProfileName(name) {
		return nil, invalid(namedAt("sso_session"), "%q is not a session name: 1-256 characters without spaces or brackets", name)
	}
	s := &snapshot{getenv: captureEnv(o.world.getenv), now: o.world.clock.Now()}
	if h, err := o.world.home(); err == nil {
		s.home = h
	}
	s.files = o.sharedFiles(s)
	if err := s.files.check(); err != nil {
		return nil, err
	}
	ss, err := readSSOSession(ctx, name, s.files)
	if err != nil {
		return nil, err
	}
	l := &ssoListing{session: name, startURL: ss.SSOStartURL, region: ss.SSORegion, files: s.files, tokenFile: ssoTokenFile(s, name, ss.SSOStartURL)}
	if l.profile, err = settingsProfile(ctx, o, s); err != nil {
		return nil, err
	}
	eps := configuredEndpoints(s)
	l.portal, l.oidc = eps[serviceSSO], eps[serviceSSOOIDC]
	if err := errors.Join(l.portal.check(), l.oidc.check()); err != nil {
		return nil, err
	}
	if t := readSSOToken(l.tokenFile, s.now); !t.usable(s.now) {
		return nil, loginRequired("the IAM Identity Center session %s has no usable token (%s); run `awssession login` with a profile "+
			"whose sso_session is %s, or `aws sso login --sso-session %s`", name, t.why(), name, name)
	}
	return l, nil
}

// readSSOSession reads [sso-session name] with the SDK's parser, through
// one more config file that holds a profile naming it.
func readSSOSession(ctx context.Context, name string, files sharedFiles) (*config.SSOSession, error) {
	sc, err := parseWith(ctx, ssoProbeProfile, files, fmt.Sprintf("[profile %s]\nsso_session = %s\n", ssoProbeProfile, name), true)
	switch {
	case err != nil && strings.HasPrefix(err.Error(), "failed to find SSO session section, "):
		return nil, invalid(namedAt("sso_session "+name), "is not in the shared config files %v: no [sso-session %s] section", files.config, name)
	case err != nil:
		return nil, loadError("", err)
	}
	ss, at := sc.SSOSession, func(key string) at { return namedAt(fmt.Sprintf("sso_session %s: %s", name, key)) }
	switch {
	case ss == nil:
		return nil, invalid(namedAt("sso_session "+name), "the SDK read no [sso-session %s] section", name)
	case ss.SSOStartURL == "":
		return nil, invalid(at("sso_start_url"), "is missing; an sso-session needs sso_start_url and sso_region")
	case ss.SSORegion == "":
		return nil, invalid(at("sso_region"), "is missing; an sso-session needs sso_start_url and sso_region")
	case !stsrules.IsRegion(ss.SSORegion):
		return nil, invalid(at("sso_region"), "%q is not a region name like us-east-1", ss.SSORegion)
	}
	return ss, nil
}

// settingsProfile reads the profile whose settings (endpoints, and the
// SDK's own: retries, CA bundle) apply to SSORoles' clients into s:
// WithProfile's, else AWS_PROFILE's or AWS_DEFAULT_PROFILE's, else
// default, which may be missing. It returns the profile the SDK's config
// loads, "" for none.
func settingsProfile(ctx context.Context, o *options, s *snapshot) (string, error) {
	name, from := "default", at{}
	for _, v := range []string{"AWS_DEFAULT_PROFILE", "AWS_PROFILE"} {
		if p := s.getenv(v); p != "" {
			name, from = p, namedAt(v)
		}
	}
	if o.profile != nil {
		name, from = *o.profile, optionAt(OptionWithProfile, "")
	}
	chain, exists, err := loadProfile(ctx, name, s.files)
	switch {
	case !exists && from == (at{}):
		return "", nil
	case !exists:
		return "", invalid(from, "profile %q is not in the shared config files %v", name, s.files.config)
	case chain.top == "":
		return "", err // the files do not parse; a chain's own problems do not matter here
	}
	s.profile = &chain
	if chain.kind == baseNone && len(chain.hops) > 0 {
		return chain.base.Profile, nil // the SDK cannot load a role on an empty base: see makePlan
	}
	return name, nil
}

// list makes the portal calls, with the token readied as a session's
// source readies it (renewed under its lock when it expires soon).
func (l *ssoListing) list(ctx context.Context, o *options) ([]SSORole, error) {
	ses := &session{o: o, plan: &plan{files: l.files, region: l.region, profile: l.profile}}
	ses.plan.configured[serviceSSO], ses.plan.configured[serviceSSOOIDC] = l.portal, l.oidc
	b, err := ses.builder(ctx)
	if err != nil {
		return nil, err
	}
	src := &ssoSource{session: l.session, startURL: l.startURL, region: l.region, tokenFile: l.tokenFile}
	if err := b.readySSO(ctx, src, b.oidcClient(l.region)); err != nil {
		return nil, err
	}
	token, err := isignin.ReadSSOToken(l.tokenFile)
	if err != nil {
		return nil, loginRequired("the token of IAM Identity Center session %s cannot be used (%v); run `awssession login`", l.session, err)
	}
	p := ssoPortal{client: b.ssoClient(l.region), caller: b.caller, token: &token.AccessToken, session: l.session}
	accounts, err := p.accounts(ctx)
	if err != nil {
		return nil, err
	}
	var out []SSORole
	for _, a := range accounts {
		roles, err := p.roles(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, roles...)
	}
	slices.SortFunc(out, func(a, b SSORole) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.RoleName, b.RoleName))
	})
	return out, nil
}

// ssoPortal is the SSO portal as SSORoles calls it, with the session's
// token (never logged: only the call and the account are).
type ssoPortal struct {
	client  *sso.Client
	caller  caller
	token   *string
	session string
}

// accounts lists every page of ListAccounts.
func (p ssoPortal) accounts(ctx context.Context) ([]SSORole, error) {
	var out []SSORole
	err := allPages(ctx, p, "sso:ListAccounts", nil, sso.NewListAccountsPaginator(p.client, &sso.ListAccountsInput{AccessToken: p.token},
		func(o *sso.ListAccountsPaginatorOptions) { o.StopOnDuplicateToken = true }),
		func(page *sso.ListAccountsOutput) middleware.Metadata {
			for _, a := range page.AccountList {
				out = append(out, SSORole{AccountID: deref(a.AccountId), AccountName: deref(a.AccountName)})
			}
			return page.ResultMetadata
		})
	return out, err
}

// roles lists every page of ListAccountRoles for account a.
func (p ssoPortal) roles(ctx context.Context, a SSORole) ([]SSORole, error) {
	var out []SSORole
	err := allPages(ctx, p, "sso:ListAccountRoles", []slog.Attr{slog.String("account", a.AccountID)},
		sso.NewListAccountRolesPaginator(p.client, &sso.ListAccountRolesInput{AccessToken: p.token, AccountId: &a.AccountID},
			func(o *sso.ListAccountRolesPaginatorOptions) { o.StopOnDuplicateToken = true }),
		func(page *sso.ListAccountRolesOutput) middleware.Metadata {
			for _, r := range page.RoleList {
				out = append(out, SSORole{AccountID: a.AccountID, AccountName: a.AccountName, RoleName: deref(r.RoleName)})
			}
			return page.ResultMetadata
		})
	return out, err
}

// pager is one of the SDK's paginators over the portal.
type pager[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*sso.Options)) (O, error)
}

// allPages makes every page of a portal list through p.call; add takes
// each page's entries and returns its metadata.
func allPages[O any](ctx context.Context, p ssoPortal, call string, attrs []slog.Attr, pages pager[O], add func(O) middleware.Metadata) error {
	for n := 0; pages.HasMorePages(); n++ {
		err := p.call(ctx, n, call, attrs, func(ctx context.Context) (middleware.Metadata, error) {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return middleware.Metadata{}, err
			}
			return add(page), nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// call makes page n of a list through the caller. A token the portal
// refuses (UnauthorizedException: expired, or signed out elsewhere) means
// a sign-in.
func (p ssoPortal) call(ctx context.Context, n int, call string, attrs []slog.Attr, fn func(context.Context) (middleware.Metadata, error)) error {
	if n >= maxSSOPages {
		return &CallError{Call: call, Layer: "IAM Identity Center session " + p.session, Err: fmt.Errorf("the portal answered more than %d pages", maxSSOPages)}
	}
	err := p.caller.do(ctx, call, attrs, fn)
	if err == nil {
		return nil
	}
	return portalRefused(p.session, &CallError{Call: call, Layer: "IAM Identity Center session " + p.session, Err: err})
}
