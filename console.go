package awssession

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// ConsoleURL returns an AWS console sign-in URL for cfg's credentials,
// valid for 15 minutes. It never logs; the URL is a secret, since whoever
// opens it signs in as the session.
//
// What it does depends on the credentials:
//   - role credentials (from [WithAssumeRole], a profile's role_arn, SSO,
//     web identity) are exchanged at the partition's federation endpoint
//     for a sign-in token;
//   - long-term IAM user (or root) keys first get GetFederationToken
//     credentials (see [WithFederationToken]), which are exchanged;
//   - credentials of a federated user (GetFederationToken) are exchanged
//     as they are;
//   - GetSessionToken credentials are refused with an [ErrInvalidInput]
//     error before any call to the endpoint: the console does not accept
//     them.
//
// The kind is known from the credentials' source for sessions built here
// and by the SDK; otherwise ConsoleURL asks STS GetCallerIdentity.
// A refusal or failure of the federation endpoint is a [*FederationError].
// Requests go through cfg.HTTPClient. It is safe for concurrent use.
func ConsoleURL(ctx context.Context, cfg aws.Config, opts ...ConsoleOption) (string, error) {
	o, endpoint, destination, err := checkConsole(cfg.Region, opts)
	if err != nil {
		return "", err
	}
	if cfg.Credentials == nil {
		return "", invalid(consoleCredentials(), "the config has no credentials")
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("console sign-in: %w", err)
	}
	kind, err := kindOf(ctx, cfg, creds)
	if err != nil {
		return "", err
	}
	sendDuration := o.duration
	switch kind {
	case sessionTokenCredentials:
		return "", invalid(consoleCredentials(), "the AWS console does not accept GetSessionToken credentials (an MFA session)").
			advise(RemedyConsoleRole)
	case userCredentials:
		if creds, err = federationToken(ctx, cfg, creds, o); err != nil {
			return "", err
		}
		sendDuration = 0 // given to GetFederationToken instead
	case federatedCredentials:
		if o.duration != 0 {
			return "", invalid(optionAt(OptionWithConsoleDuration, ""), "the federation endpoint refuses a duration with "+
				"GetFederationToken credentials; their console session lasts as long as they do")
		}
	case roleCredentials:
		if o.duration > maxConsoleSession {
			return "", invalid(optionAt(OptionWithConsoleDuration, ""), "%s is more than the 12 h a console session from role credentials may last", o.duration)
		}
	}
	token, err := signinToken(ctx, cfg.HTTPClient, endpoint, creds, sendDuration)
	if err != nil {
		return "", err
	}
	q := url.Values{"Action": {"login"}, "Destination": {destination}, "SigninToken": {token}}
	if o.issuer != "" {
		q.Set("Issuer", o.issuer)
	}
	return endpoint + "?" + q.Encode(), nil
}

// consoleCredentials points at ConsoleURL's cfg.Credentials.
func consoleCredentials() at {
	return at{field: "cfg.Credentials", option: OptionConsoleURL, param: "Credentials", index: -1}
}

// credentialKind is what the console makes of a set of credentials.
type credentialKind int

const (
	roleCredentials         credentialKind = iota // an assumed-role session
	federatedCredentials                          // a GetFederationToken session
	sessionTokenCredentials                       // a GetSessionToken session
	userCredentials                               // long-term keys of an IAM user or the root
)

// roleSources are credential sources that only ever hold role sessions.
var roleSources = []string{assumeRoleSource, stscreds.ProviderName, stscreds.WebIdentityProviderName, ssocreds.ProviderName}

// CheckConsoleOptions checks opts as [ConsoleURL] does, for a session in
// region, without credentials or any network call: a command can refuse
// bad options before it builds a session (and asks for an MFA code).
func CheckConsoleOptions(region string, opts ...ConsoleOption) error {
	_, _, _, err := checkConsole(region, opts)
	return err
}

func checkConsole(region string, opts []ConsoleOption) (o consoleOptions, endpoint, destination string, err error) {
	o = consoleOptions{issuer: "awssession", name: "awssession", policy: allowAll, region: region}
	for _, opt := range opts {
		if opt != nil {
			opt.applyConsole(&o)
		}
	}
	if err := o.validate(); err != nil {
		return o, "", "", err
	}
	endpoint, destination, err = o.targets()
	return o, endpoint, destination, err
}

// kindOf tells the kinds apart: long-term keys have no session token;
// temporary ones are known by their source when it is ours or the SDK's,
// else by asking STS who they are.
func kindOf(ctx context.Context, cfg aws.Config, c aws.Credentials) (credentialKind, error) {
	switch {
	case c.SessionToken == "":
		return userCredentials, nil
	case c.Source == sessionTokenSource:
		return sessionTokenCredentials, nil
	}
	for _, s := range roleSources {
		if c.Source == s {
			return roleCredentials, nil
		}
	}
	id, err := stsOf(cfg).callerIdentity(ctx, c, "the console sign-in")
	if err != nil {
		return 0, fmt.Errorf("console sign-in: %w", err)
	}
	switch {
	case strings.Contains(id.ARN, ":assumed-role/"):
		return roleCredentials, nil
	case strings.Contains(id.ARN, ":federated-user/"):
		return federatedCredentials, nil
	}
	return sessionTokenCredentials, nil // a user's or the root's temporary keys
}

// federationToken gets GetFederationToken credentials with the long-term
// keys of cfg.
func federationToken(ctx context.Context, cfg aws.Config, keys aws.Credentials, o consoleOptions) (aws.Credentials, error) {
	d := o.duration
	if d == 0 {
		d = defaultFederationDuration
	}
	in := &sts.GetFederationTokenInput{Name: aws.String(o.name), Policy: aws.String(o.policy), DurationSeconds: seconds(d)}
	s := stsOf(cfg)
	var out *sts.GetFederationTokenOutput
	err := s.call(ctx, "GetFederationToken", &keys, nil, func(ctx context.Context, c *sts.Client, sign func(*sts.Options)) (middleware.Metadata, error) {
		var err error
		if out, err = c.GetFederationToken(ctx, in, sign); err != nil {
			return middleware.Metadata{}, err
		}
		return out.ResultMetadata, nil
	})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("console sign-in: %w", &CallError{Call: "GetFederationToken", Layer: "federated user " + o.name, Err: err})
	}
	return credentialsFromSTS(out.Credentials, "GetFederationToken", "", time.Now())
}

// FederationError reports a console federation endpoint that refused the
// credentials or did not answer with a sign-in token. It holds no secret:
// neither the request URL (the session's keys travel in it) nor the
// response body.
type FederationError struct {
	// Endpoint is the federation endpoint, without its query.
	Endpoint string
	// StatusCode is the HTTP status received: 400 when AWS refuses the
	// credentials or the duration, 200 when the body held no token, 0
	// when no answer came (Err says why).
	StatusCode int
	// Hint names the likely cause, when one is known.
	Hint string
	// Err is the transport error, if any.
	Err error
}

func (e *FederationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "console sign-in: federation endpoint %s", e.Endpoint)
	switch {
	case e.Err != nil:
		fmt.Fprintf(&b, " unreachable: %v", e.Err)
	case e.StatusCode == http.StatusOK:
		b.WriteString(" sent no sign-in token")
	default:
		fmt.Fprintf(&b, " answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, " (%s)", e.Hint)
	}
	return b.String()
}

// Unwrap returns the transport error, if any.
func (e *FederationError) Unwrap() error { return e.Err }

// maxSigninResponse bounds the getSigninToken answer; tokens are a few
// kilobytes at most.
const maxSigninResponse = 64 << 10

// signinToken exchanges temporary credentials for a sign-in token at
// endpoint, sending SessionDuration when d is set.
func signinToken(ctx context.Context, client aws.HTTPClient, endpoint string, c aws.Credentials, d time.Duration) (string, error) {
	session, err := json.Marshal(map[string]string{"sessionId": c.AccessKeyID, "sessionKey": c.SecretAccessKey, "sessionToken": c.SessionToken})
	if err != nil {
		return "", fmt.Errorf("console sign-in: encode session: %w", err)
	}
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if d != 0 {
		q.Set("SessionDuration", strconv.Itoa(int(d/time.Second)))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"?"+q.Encode(), nil)
	if err != nil {
		return "", &FederationError{Endpoint: endpoint, Err: errors.New("cannot build the request")}
	}
	req.Header.Set("Accept", "application/json")
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", &FederationError{Endpoint: endpoint, Err: withoutSecrets(err, c)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSigninResponse))
	if err != nil {
		return "", &FederationError{Endpoint: endpoint, Err: withoutSecrets(err, c)}
	}
	if resp.StatusCode != http.StatusOK {
		e := &FederationError{Endpoint: endpoint, StatusCode: resp.StatusCode}
		if resp.StatusCode == http.StatusBadRequest {
			e.Hint = "AWS refused the credentials: invalid, expired, or of a kind the console does not accept"
			if d != 0 {
				e.Hint = "AWS refuses SessionDuration for a role assumed with temporary credentials (role chaining): " +
					"leave out the console session duration; or the credentials are invalid or expired"
			}
		}
		return "", e
	}
	var out struct{ SigninToken string }
	if err := json.Unmarshal(body, &out); err != nil || out.SigninToken == "" {
		return "", &FederationError{Endpoint: endpoint, StatusCode: resp.StatusCode,
			Hint: fmt.Sprintf("%d bytes of %s, not {\"SigninToken\": ...}; is it a federation endpoint?", len(body), contentType(resp))}
	}
	return out.SigninToken, nil
}

// withoutSecrets drops the request URL from a client error (it holds the
// session) and, should the rest still quote a secret, the whole text.
func withoutSecrets(err error, c aws.Credentials) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	msg := err.Error()
	for _, s := range []string{c.SecretAccessKey, url.QueryEscape(c.SecretAccessKey), c.SessionToken, url.QueryEscape(c.SessionToken)} {
		if s != "" && strings.Contains(msg, s) {
			return errors.New("request failed (the error quoted the session's keys, so it is withheld)")
		}
	}
	return err
}

func contentType(resp *http.Response) string {
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		return ct
	}
	return "no declared type"
}
