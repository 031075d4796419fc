package awssession

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awssession/awssession/internal/stsrules"
)

// A ConsoleOption configures [ConsoleURL].
type ConsoleOption interface {
	applyConsole(*consoleOptions)
}

type consoleOptions struct {
	destination, region, issuer, endpoint, name, policy string
	duration                                            time.Duration
}

type consoleOptionFunc func(*consoleOptions)

func (f consoleOptionFunc) applyConsole(o *consoleOptions) { f(o) }

// WithDestination sets the console page to open (default: the console
// home of the partition, in the region when one is known).
func WithDestination(url string) ConsoleOption {
	return consoleOptionFunc(func(o *consoleOptions) { o.destination = url })
}

// WithConsoleRegion sets the region of the default destination and picks
// the partition's sign-in endpoint; the default is the config's region.
func WithConsoleRegion(region string) ConsoleOption {
	return consoleOptionFunc(func(o *consoleOptions) { o.region = region })
}

// WithIssuer names the sign-in's issuer, shown when the session ends
// (default "awssession").
func WithIssuer(issuer string) ConsoleOption {
	return consoleOptionFunc(func(o *consoleOptions) { o.issuer = issuer })
}

// WithConsoleDuration sets how long the console session lasts, 15 min to
// 12 h for role credentials (sent to the sign-in endpoint) and 15 min to
// 36 h for IAM user keys (sent to GetFederationToken, since the endpoint
// refuses a duration with federation-token credentials). The default is
// the endpoint's: the credentials' remaining lifetime.
func WithConsoleDuration(d time.Duration) ConsoleOption {
	return consoleOptionFunc(func(o *consoleOptions) { o.duration = d })
}

// WithFederationEndpoint replaces the partition's sign-in endpoint
// (https://signin.aws.amazon.com/federation), for tests.
func WithFederationEndpoint(url string) ConsoleOption {
	return consoleOptionFunc(func(o *consoleOptions) { o.endpoint = url })
}

// WithFederationToken sets the name and session policy GetFederationToken
// gets when ConsoleURL starts from long-term IAM user keys. The default
// name is "awssession"; the default policy allows everything, so the
// console has all of the user's own permissions and no more.
func WithFederationToken(name, policy string) ConsoleOption {
	return consoleOptionFunc(func(o *consoleOptions) { o.name, o.policy = name, policy })
}

// allowAll is intersected with the user's own policies by STS.
const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// ConsoleURL returns an AWS console sign-in URL for cfg's credentials,
// valid for 15 minutes. Role credentials are exchanged at the federation
// endpoint directly; long-term IAM user keys first get GetFederationToken
// credentials; GetSessionToken credentials are refused with an
// explanation, as the console refuses them. The URL is a secret: it
// signs in whoever holds it.
func ConsoleURL(ctx context.Context, cfg aws.Config, opts ...ConsoleOption) (string, error) {
	o := consoleOptions{issuer: "awssession", name: "awssession", policy: allowAll, region: cfg.Region}
	for _, opt := range opts {
		opt.applyConsole(&o)
	}
	part, err := consolePartition(o.region)
	if err != nil {
		return "", err
	}
	if err := o.validate(); err != nil {
		return "", err
	}
	if o.endpoint == "" {
		o.endpoint = "https://" + part.signin + "/federation"
	}
	if o.destination == "" {
		o.destination = part.destination(o.region)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("console sign-in: %w", err)
	}
	kind, err := credentialKind(ctx, cfg, creds)
	if err != nil {
		return "", err
	}
	sendDuration := o.duration
	switch kind {
	case "session":
		return "", invalid("ConsoleURL", "the console refuses GetSessionToken credentials; sign in with a role (WithAssumeRole) or with the IAM user's long-term keys, which get GetFederationToken credentials")
	case "root":
		return "", invalid("ConsoleURL", "root credentials cannot federate to the console; use an IAM user or role")
	case "user":
		if creds, err = federationToken(ctx, cfg, o); err != nil {
			return "", err
		}
		sendDuration = 0
	case "federated":
		sendDuration = 0
	}
	token, err := signinToken(ctx, cfg.HTTPClient, o.endpoint, creds, sendDuration)
	if err != nil {
		return "", err
	}
	q := url.Values{"Action": {"login"}, "Issuer": {o.issuer}, "Destination": {o.destination}, "SigninToken": {token}}
	return o.endpoint + "?" + q.Encode(), nil
}

func (o *consoleOptions) validate() error {
	if o.duration != 0 {
		if err := validateDuration("WithConsoleDuration", o.duration, stsrules.MaxSessionTokenSeconds); err != nil {
			return err
		}
	}
	if v := stsrules.FederationName.Check(o.name); v != nil {
		return invalid("WithFederationToken.Name", "%q: %s", o.name, v.Rule)
	}
	if v := stsrules.FederationPolicy.Check(o.policy); v != nil || !json.Valid([]byte(o.policy)) {
		return invalid("WithFederationToken.Policy", "must be a JSON policy of 1-2048 characters")
	}
	for _, u := range []struct{ field, value string }{{"WithDestination", o.destination}, {"WithFederationEndpoint", o.endpoint}} {
		if u.value == "" {
			continue
		}
		p, err := url.Parse(u.value)
		if err != nil || p.Host == "" || (p.Scheme != "https" && !(p.Scheme == "http" && isLoopback(p.Hostname()))) {
			return invalid(u.field, "%q is not an https URL (http only on loopback)", u.value)
		}
	}
	return nil
}

// credentialKind tells role, federated, GetSessionToken, user and root
// credentials apart, from their source when it is ours, else by asking STS.
func credentialKind(ctx context.Context, cfg aws.Config, c aws.Credentials) (string, error) {
	switch {
	case c.Source == assumeRoleSource || c.Source == "AssumeRoleProvider":
		return "role", nil
	case c.Source == sessionTokenSource:
		return "session", nil
	}
	id, err := CallerIdentity(ctx, cfg)
	if err != nil {
		return "", fmt.Errorf("console sign-in: %w", err)
	}
	switch {
	case strings.Contains(id.ARN, ":assumed-role/"):
		return "role", nil
	case strings.Contains(id.ARN, ":federated-user/"):
		return "federated", nil
	case strings.HasSuffix(id.ARN, ":root"):
		return "root", nil
	case c.SessionToken != "":
		return "session", nil
	}
	return "user", nil
}

func federationToken(ctx context.Context, cfg aws.Config, o consoleOptions) (aws.Credentials, error) {
	in := &sts.GetFederationTokenInput{Name: aws.String(o.name), Policy: aws.String(o.policy)}
	if o.duration != 0 {
		in.DurationSeconds = seconds(o.duration)
	}
	out, err := sts.NewFromConfig(cfg, stsOptions("")).GetFederationToken(ctx, in)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("console sign-in: get federation token: %w", err)
	}
	return credentialsFromSTS(out.Credentials, "GetFederationToken", "")
}

// signinToken exchanges credentials for a sign-in token. Neither the
// request URL nor the response body may appear in an error: both hold
// secrets.
func signinToken(ctx context.Context, client aws.HTTPClient, endpoint string, c aws.Credentials, d time.Duration) (string, error) {
	session, _ := json.Marshal(map[string]string{"sessionId": c.AccessKeyID, "sessionKey": c.SecretAccessKey, "sessionToken": c.SessionToken})
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if d != 0 {
		q.Set("SessionDuration", fmt.Sprint(int(d/time.Second)))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"?"+q.Encode(), nil)
	if err != nil {
		return "", fmt.Errorf("console sign-in: bad federation endpoint %q", endpoint)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("console sign-in: federation endpoint %s unreachable: %w", endpoint, redactURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("console sign-in: read federation response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("console sign-in: federation endpoint %s answered %s", endpoint, resp.Status)
	}
	var out struct{ SigninToken string }
	if err := json.Unmarshal(body, &out); err != nil || out.SigninToken == "" {
		return "", fmt.Errorf("console sign-in: federation endpoint %s sent no sign-in token (%d bytes, not the expected JSON)", endpoint, len(body))
	}
	return out.SigninToken, nil
}

// redactURLError drops the URL (which holds the session) from a client error.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
