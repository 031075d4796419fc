package ststest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/loopback"
	"github.com/awssession/awssession/internal/stsrules"
)

// Grant types of SSO OIDC's CreateToken.
const (
	grantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"
	grantAuthCode   = "authorization_code"
	grantRefresh    = "refresh_token"
)

// Lifetimes of SSO OIDC's objects: client registrations (90 days, as
// clientSecretExpiresAt shows), device authorizations (expiresIn 600) and
// their polling interval (1 s), and authorization codes (a guess).
const (
	ssoClientLifetime = 90 * 24 * time.Hour
	ssoDeviceLifetime = 10 * time.Minute
	ssoPollInterval   = time.Second
	ssoSlowDownStep   = 5 * time.Second // RFC 8628 §3.5
	ssoCodeLifetime   = 5 * time.Minute
)

// oidcErrors are SSO OIDC's errors: the HTTP status of each (from the API
// model) and the OAuth error code its body carries (RFC 6749 §5.2, RFC
// 8628 §3.5 and AWS's own).
var oidcErrors = map[string]struct {
	status int
	code   string
}{
	"AccessDeniedException":          {http.StatusBadRequest, "access_denied"},
	"AuthorizationPendingException":  {http.StatusBadRequest, "authorization_pending"},
	"ExpiredTokenException":          {http.StatusBadRequest, "expired_token"},
	"InvalidClientException":         {http.StatusUnauthorized, "invalid_client"},
	"InvalidClientMetadataException": {http.StatusBadRequest, "invalid_client_metadata"},
	"InvalidGrantException":          {http.StatusBadRequest, "invalid_grant"},
	"InvalidRedirectUriException":    {http.StatusBadRequest, "invalid_redirect_uri"},
	"InvalidRequestException":        {http.StatusBadRequest, "invalid_request"},
	"InvalidScopeException":          {http.StatusBadRequest, "invalid_scope"},
	"SlowDownException":              {http.StatusBadRequest, "slow_down"},
	"UnauthorizedClientException":    {http.StatusBadRequest, "unauthorized_client"},
	"UnsupportedGrantTypeException":  {http.StatusBadRequest, "unsupported_grant_type"},
}

// oidcError is SSO OIDC's error typ with a description. The descriptions
// are guesses; clients act on the type alone.
func oidcError(typ, description string) *restError {
	e := oidcErrors[typ]
	return serviceOIDC.err(e.status, typ, e.code, description)
}

// ssoClient is a client registered with RegisterClient.
type ssoClient struct {
	id, secret   string
	scopes       []string
	grants       []string // "" for clients registered without grantTypes
	redirectURIs []string
	expires      time.Time
}

// allows reports whether the client may use a grant type: the ones it
// registered, or for a client registered without grantTypes (the device
// flow of older clients) the device code and refresh token grants.
func (c *ssoClient) allows(grant string) bool {
	if len(c.grants) == 0 {
		return grant == grantDeviceCode || grant == grantRefresh
	}
	return slices.Contains(c.grants, grant)
}

// refreshable reports whether the client's tokens come with refresh
// tokens: only clients registered with sso:account:access get them.
func (c *ssoClient) refreshable() bool { return slices.Contains(c.scopes, scopeAccountAccess) }

// scopeRE is what the server takes for a scope: "openid", "aws", or
// service:names (sso:account:access, codewhisperer:completions). The rule
// is a guess: AWS documents no list.
var scopeRE = stsrules.LazyRegexp(`^(openid|aws|[a-z0-9-]+(:[A-Za-z0-9_.*-]+)+)$`)

type registerClientInput struct {
	ClientName   string   `json:"clientName"`
	ClientType   string   `json:"clientType"`
	Scopes       []string `json:"scopes"`
	RedirectURIs []string `json:"redirectUris"`
	GrantTypes   []string `json:"grantTypes"`
	IssuerURL    string   `json:"issuerUrl"`
}

type registerClientOutput struct {
	ClientID              string `json:"clientId"`
	ClientSecret          string `json:"clientSecret"`
	ClientIDIssuedAt      int64  `json:"clientIdIssuedAt"`
	ClientSecretExpiresAt int64  `json:"clientSecretExpiresAt"`
}

// registerClient registers a public client. Clients of the authorization
// code grant must register their redirect URIs (https, or http to a
// loopback host) and may name the start URL as issuerUrl.
func (s *Server) registerClient(c *restCall) (any, *restError) {
	var in registerClientInput
	switch {
	case !decodeJSON(c.body, &in) || in.ClientName == "" || in.ClientType == "":
		return nil, oidcError("InvalidRequestException", "clientName and clientType are required")
	case in.ClientType != "public":
		return nil, oidcError("InvalidClientMetadataException", "Invalid client type: "+in.ClientType)
	case in.IssuerURL != "" && !s.isStartURL(in.IssuerURL):
		return nil, oidcError("InvalidRequestException", "Invalid issuerUrl")
	}
	for _, scope := range in.Scopes {
		if !scopeRE().MatchString(scope) {
			return nil, oidcError("InvalidScopeException", "Invalid scope: "+scope)
		}
	}
	for _, g := range in.GrantTypes {
		if g != grantDeviceCode && g != grantAuthCode && g != grantRefresh {
			return nil, oidcError("InvalidRequestException", "Unsupported grant type: "+g)
		}
	}
	if slices.Contains(in.GrantTypes, grantAuthCode) && len(in.RedirectURIs) == 0 {
		return nil, oidcError("InvalidRequestException", "redirectUris are required for the authorization_code grant")
	}
	for _, uri := range in.RedirectURIs {
		if u, err := url.Parse(uri); err != nil || loopback.CheckURL(uri) != nil || u.Fragment != "" {
			return nil, oidcError("InvalidRedirectUriException", "Invalid redirect URI: "+loopback.Redact(uri))
		}
	}
	cl := &ssoClient{
		id: newOpaqueToken("", 24), secret: newOpaqueToken("", 96),
		scopes: in.Scopes, grants: in.GrantTypes, redirectURIs: in.RedirectURIs,
		expires: c.now.Add(ssoClientLifetime),
	}
	s.idc.clients[cl.id] = cl
	return registerClientOutput{ClientID: cl.id, ClientSecret: cl.secret,
		ClientIDIssuedAt: c.now.Unix(), ClientSecretExpiresAt: cl.expires.Unix()}, nil
}

// clientLocked finds a registered client by its ID and secret, or answers
// InvalidClientException for an unknown client, a wrong secret or an
// expired registration.
func (s *Server) clientLocked(id, secret string, now time.Time) (*ssoClient, *restError) {
	cl := s.idc.clients[id]
	switch {
	case cl == nil || subtle.ConstantTimeCompare([]byte(secret), []byte(cl.secret)) != 1:
		return nil, oidcError("InvalidClientException", "Invalid client provided")
	case !now.Before(cl.expires):
		return nil, oidcError("InvalidClientException", "Client registration has expired")
	}
	return cl, nil
}

// isStartURL reports whether raw names the server's start URL, with or
// without a trailing slash or a fragment (https://x.awsapps.com/start#/
// as the portal shows it).
func (s *Server) isStartURL(raw string) bool {
	raw, _, _ = strings.Cut(raw, "#")
	return strings.TrimSuffix(raw, "/") == s.SSOStartURL()
}

// ssoDevice is a device authorization. It is approved or denied on the
// verification page (or by ApproveDevice), and exchanged once for a token.
type ssoDevice struct {
	deviceCode, userCode string
	client               *ssoClient
	expires              time.Time
	interval             time.Duration
	lastPoll             time.Time
	user                 *userRecord // who approved it
	denied               string      // why it was refused, when it was
	used                 bool
}

type startDeviceAuthorizationInput struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	StartURL     string `json:"startUrl"`
}

type startDeviceAuthorizationOutput struct {
	DeviceCode              string `json:"deviceCode"`
	UserCode                string `json:"userCode"`
	VerificationURI         string `json:"verificationUri"`
	VerificationURIComplete string `json:"verificationUriComplete"`
	ExpiresIn               int64  `json:"expiresIn"`
	Interval                int64  `json:"interval"`
}

// startDeviceAuthorization starts the device flow (RFC 8628) for the
// server's start URL. With [WithAutoApprove] it is approved at once.
func (s *Server) startDeviceAuthorization(c *restCall) (any, *restError) {
	var in startDeviceAuthorizationInput
	if !decodeJSON(c.body, &in) || in.ClientID == "" || in.ClientSecret == "" || in.StartURL == "" {
		return nil, oidcError("InvalidRequestException", "clientId, clientSecret and startUrl are required")
	}
	cl, e := s.clientLocked(in.ClientID, in.ClientSecret, c.now)
	if e != nil {
		return nil, e
	}
	if !cl.allows(grantDeviceCode) {
		return nil, oidcError("UnauthorizedClientException", "Client is not registered for the device code grant")
	}
	if !s.isStartURL(in.StartURL) {
		return nil, oidcError("InvalidRequestException", "Invalid start URL: "+in.StartURL)
	}
	d := &ssoDevice{
		deviceCode: newOpaqueToken("", 64), userCode: newUserCode(), client: cl,
		expires: c.now.Add(ssoDeviceLifetime), interval: ssoPollInterval,
	}
	s.idc.devices[d.deviceCode] = d
	s.idc.userCodes[normalizeUserCode(d.userCode)] = d
	if name := s.cfg.autoApprove; name != "" {
		if u := s.idcUserLocked(name); u != nil {
			d.user = u
		} else {
			d.denied = "ststest: WithAutoApprove names no user " + name
		}
	}
	verify := s.URL + ssoDevicePath
	return startDeviceAuthorizationOutput{
		DeviceCode: d.deviceCode, UserCode: d.userCode,
		VerificationURI: verify, VerificationURIComplete: verify + "?user_code=" + url.QueryEscape(d.userCode),
		ExpiresIn: int64(ssoDeviceLifetime / time.Second), Interval: int64(d.interval / time.Second),
	}, nil
}

// newUserCode returns a user code like AWS's: two groups of four
// characters (here from the base32 alphabet, which has no 0, 1, 8 or 9
// to confuse).
func newUserCode() string {
	c := randomString(idAlphabet, 8)
	return c[:4] + "-" + c[4:]
}

// normalizeUserCode makes a typed user code comparable: upper case,
// without the dash or spaces.
func normalizeUserCode(code string) string {
	return strings.NewReplacer("-", "", " ", "").Replace(strings.ToUpper(code))
}
