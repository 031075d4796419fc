package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/awssession/awssession/internal/atomicfile"
	"github.com/awssession/awssession/internal/safefile"
)

// OIDC is the part of the SSO OIDC client the flows use.
type OIDC interface {
	RegisterClient(context.Context, *ssooidc.RegisterClientInput, ...func(*ssooidc.Options)) (*ssooidc.RegisterClientOutput, error)
	StartDeviceAuthorization(context.Context, *ssooidc.StartDeviceAuthorizationInput, ...func(*ssooidc.Options)) (*ssooidc.StartDeviceAuthorizationOutput, error)
	CreateToken(context.Context, *ssooidc.CreateTokenInput, ...func(*ssooidc.Options)) (*ssooidc.CreateTokenOutput, error)
}

// SSOSession is an IAM Identity Center session to sign in to.
type SSOSession struct {
	Name      string // the sso_session; "" for a legacy profile, which has only a start URL
	StartURL  string
	Region    string
	TokenFile string // where the AWS CLI keeps its token
	// AuthorizeURL is the OIDC service's authorization page (its
	// endpoint followed by /authorize).
	AuthorizeURL string
}

// Flow is how a person proves who they are.
type Flow int

const (
	// FlowBrowser: the authorization code flow with PKCE, the browser
	// redirected to a loopback listener.
	FlowBrowser Flow = iota
	// FlowDeviceCode: the person opens a URL anywhere and confirms a
	// code; nothing needs to reach this machine.
	FlowDeviceCode
	// FlowRemote (console sign-in only): the person opens a URL anywhere
	// and pastes the code it shows back here.
	FlowRemote
)

// UI is how a flow talks to the person: URLs and codes go to Out (a
// terminal, never stdout, where an eval would run them), the browser
// opens with Open (nil: the URL is only printed), and pasted codes are
// read from In.
type UI struct {
	Open Opener
	Out  io.Writer
	In   io.Reader
	Now  func() time.Time
}

// scopes are what an sso_session asks for: sso:account:access is what
// makes AWS hand out a refresh token. A legacy profile asks for none.
var scopes = []string{"sso:account:access"}

// SSOToken is a token file as the AWS CLI writes it.
type SSOToken struct {
	StartURL              string `json:"startUrl"`
	Region                string `json:"region"`
	AccessToken           string `json:"accessToken"`
	ExpiresAt             string `json:"expiresAt"`
	ClientID              string `json:"clientId,omitempty"`
	ClientSecret          string `json:"clientSecret,omitempty"`
	RegistrationExpiresAt string `json:"registrationExpiresAt,omitempty"`
	RefreshToken          string `json:"refreshToken,omitempty"`
}

// String never shows the secrets.
func (t SSOToken) String() string {
	return fmt.Sprintf("SSO token for %s (expires %s, refreshable %v)", t.StartURL, t.ExpiresAt, t.RefreshToken != "")
}

// Expires is when the access token expires.
func (t SSOToken) Expires() time.Time {
	e, _ := time.Parse(time.RFC3339, t.ExpiresAt)
	return e
}

// awsTime is the time format of the AWS CLI's token files.
const awsTime = "2006-01-02T15:04:05Z"

// SignInSSO signs the person in to s with flow and writes the token where
// the AWS CLI keeps it (0600, atomically), so the AWS CLI, boto3 and every
// SDK use it. It returns when the token expires.
func SignInSSO(ctx context.Context, api OIDC, s SSOSession, flow Flow, ui UI) (time.Time, error) {
	reg := &ssooidc.RegisterClientInput{ClientName: aws.String(fmt.Sprintf("awssession-%d", ui.Now().Unix())), ClientType: aws.String("public")}
	if s.Name != "" {
		reg.Scopes = scopes
	}
	var redir *redirect
	if flow == FlowBrowser {
		var err error
		if redir, err = listenRedirect(); err != nil {
			return time.Time{}, err
		}
		defer redir.close()
		reg.GrantTypes = []string{"authorization_code", "refresh_token"}
		reg.RedirectUris = []string{"http://127.0.0.1" + callbackPath}
		reg.IssuerUrl = aws.String(s.StartURL)
	}
	client, err := api.RegisterClient(ctx, reg)
	if err != nil {
		return time.Time{}, fmt.Errorf("register this program with IAM Identity Center: %w", err)
	}
	var tok *ssooidc.CreateTokenOutput
	if flow == FlowBrowser {
		tok, err = browserToken(ctx, api, s, client, redir, ui)
	} else {
		tok, err = deviceToken(ctx, api, s, client, ui)
	}
	if err != nil {
		return time.Time{}, err
	}
	t := SSOToken{StartURL: s.StartURL, Region: s.Region, AccessToken: aws.ToString(tok.AccessToken),
		ExpiresAt: ui.Now().Add(time.Duration(tok.ExpiresIn) * time.Second).UTC().Format(awsTime), RefreshToken: aws.ToString(tok.RefreshToken)}
	if t.RefreshToken != "" {
		t.ClientID, t.ClientSecret = aws.ToString(client.ClientId), aws.ToString(client.ClientSecret)
		t.RegistrationExpiresAt = time.Unix(client.ClientSecretExpiresAt, 0).UTC().Format(awsTime)
	}
	return t.Expires(), writeJSON(s.TokenFile, t)
}

// browserToken runs the authorization code flow with PKCE.
func browserToken(ctx context.Context, api OIDC, s SSOSession, client *ssooidc.RegisterClientOutput, redir *redirect, ui UI) (*ssooidc.CreateTokenOutput, error) {
	p, state := newPKCE(), randomString(24)
	q := url.Values{"response_type": {"code"}, "client_id": {aws.ToString(client.ClientId)}, "redirect_uri": {redir.uri()},
		"state": {state}, "code_challenge_method": {"S256"}, "code_challenge": {p.challenge}}
	if s.Name != "" {
		q.Set("scopes", strings.Join(scopes, " "))
	}
	link := s.AuthorizeURL + "?" + q.Encode()
	show(ui, link, "")
	code, err := redir.wait(ctx, state)
	if err != nil {
		return nil, err
	}
	tok, err := api.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: client.ClientSecret,
		GrantType: aws.String("authorization_code"), Code: aws.String(code), CodeVerifier: aws.String(p.verifier), RedirectUri: aws.String(redir.uri())})
	if err != nil {
		return nil, fmt.Errorf("exchange the sign-in code for a token: %w", err)
	}
	return tok, nil
}

// deviceToken runs the device code flow: the person confirms the code on
// the verification page while the token is polled for, at the interval
// AWS asks for (5 s more after each SlowDownException, as RFC 8628 says).
func deviceToken(ctx context.Context, api OIDC, s SSOSession, client *ssooidc.RegisterClientOutput, ui UI) (*ssooidc.CreateTokenOutput, error) {
	dev, err := api.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: client.ClientId,
		ClientSecret: client.ClientSecret, StartUrl: aws.String(s.StartURL)})
	if err != nil {
		return nil, fmt.Errorf("start the device sign-in: %w", err)
	}
	show(ui, aws.ToString(dev.VerificationUriComplete), aws.ToString(dev.UserCode))
	interval := max(time.Duration(dev.Interval)*time.Second, time.Second)
	deadline := time.NewTimer(time.Duration(dev.ExpiresIn) * time.Second)
	defer deadline.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the device sign-in: %w", ctx.Err())
		case <-deadline.C:
			return nil, errors.New("the device code expired before the sign-in was confirmed; run the sign-in again")
		case <-time.After(interval):
		}
		tok, err := api.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: client.ClientSecret,
			GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
		var pending *types.AuthorizationPendingException
		var slow *types.SlowDownException
		var expired *types.ExpiredTokenException
		var denied *types.AccessDeniedException
		switch {
		case err == nil:
			return tok, nil
		case errors.As(err, &pending):
		case errors.As(err, &slow):
			interval += 5 * time.Second
		case errors.As(err, &expired):
			return nil, errors.New("the device code expired before the sign-in was confirmed; run the sign-in again")
		case errors.As(err, &denied):
			return nil, errors.New("the sign-in was denied on the verification page")
		default:
			return nil, fmt.Errorf("wait for the device sign-in: %w", err)
		}
	}
}

// show tells the person where to sign in (and the code to confirm), and
// opens the browser there when it can.
func show(ui UI, link, userCode string) {
	if userCode != "" {
		fmt.Fprintf(ui.Out, "To sign in, open this page and confirm the code %s:\n  %s\n", userCode, link)
	} else {
		fmt.Fprintf(ui.Out, "To sign in, open this page in a browser:\n  %s\n", link)
	}
	if ui.Open != nil {
		if err := ui.Open(link); err != nil {
			fmt.Fprintf(ui.Out, "(could not open a browser: %v; open the page yourself)\n", err)
		}
	}
}

// MaxTokenFile caps a token file (SSO token, console sign-in cache, web
// identity token): real ones are under 8 KiB.
const MaxTokenFile = 1 << 20

// ReadSSOToken reads a token file.
func ReadSSOToken(path string) (SSOToken, error) {
	var t SSOToken
	b, err := safefile.Read(path, MaxTokenFile)
	if err != nil {
		return t, err
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, fmt.Errorf("%s is not an SSO token file", path)
	}
	return t, nil
}

// RefreshSSO renews the token of s with its refresh token, before it
// expires, rotating the refresh token and keeping every other field of
// the file. A refusal (the session ended) is ErrSessionEnded.
func RefreshSSO(ctx context.Context, api OIDC, s SSOSession, now time.Time) (time.Time, error) {
	b, err := safefile.Read(s.TokenFile, MaxTokenFile)
	if err != nil {
		return time.Time{}, err
	}
	var t SSOToken
	var fields map[string]any
	if json.Unmarshal(b, &t) != nil || json.Unmarshal(b, &fields) != nil || t.RefreshToken == "" {
		return time.Time{}, ErrSessionEnded
	}
	tok, err := api.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: aws.String(t.ClientID), ClientSecret: aws.String(t.ClientSecret),
		GrantType: aws.String("refresh_token"), RefreshToken: aws.String(t.RefreshToken)})
	var grant *types.InvalidGrantException
	var client *types.InvalidClientException
	var expired *types.ExpiredTokenException
	switch {
	case errors.As(err, &grant), errors.As(err, &client), errors.As(err, &expired):
		return time.Time{}, fmt.Errorf("%w (%v)", ErrSessionEnded, err)
	case err != nil:
		return time.Time{}, fmt.Errorf("renew the IAM Identity Center token: %w", err)
	}
	exp := now.Add(time.Duration(tok.ExpiresIn) * time.Second).UTC()
	fields["accessToken"], fields["expiresAt"] = aws.ToString(tok.AccessToken), exp.Format(awsTime)
	if r := aws.ToString(tok.RefreshToken); r != "" {
		fields["refreshToken"] = r
	}
	return exp, writeJSON(s.TokenFile, fields)
}

// ErrSessionEnded reports a sign-in session that can no longer be
// renewed: the person must sign in again.
var ErrSessionEnded = errors.New("the sign-in session has ended")

// writeJSON writes v to a token file, 0600, atomically, in a 0700 dir.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, b)
}

// RemoveToken deletes a token file; a missing one is not an error.
func RemoveToken(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
