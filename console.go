package awssession

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
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
	o := consoleOptions{issuer: "awssession", name: "awssession", policy: allowAll, region: cfg.Region}
	for _, opt := range opts {
		if opt != nil {
			opt.applyConsole(&o)
		}
	}
	if err := o.validate(); err != nil {
		return "", err
	}
	endpoint, destination, err := o.targets()
	if err != nil {
		return "", err
	}
	if cfg.Credentials == nil {
		return "", invalid("cfg.Credentials", "the config has no credentials")
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
		return "", invalid("cfg.Credentials", "the AWS console does not accept GetSessionToken credentials; "+
			"sign in with a role (WithAssumeRole, also on top of an MFA session) or with the IAM user's "+
			"long-term keys, for which ConsoleURL gets GetFederationToken credentials")
	case userCredentials:
		if creds, err = federationToken(ctx, cfg, o); err != nil {
			return "", err
		}
		sendDuration = 0 // given to GetFederationToken instead
	case federatedCredentials:
		if o.duration != 0 {
			return "", invalid("WithConsoleDuration", "the federation endpoint refuses a duration with "+
				"GetFederationToken credentials; their console session lasts as long as they do")
		}
	case roleCredentials:
		if o.duration > maxConsoleSession {
			return "", invalid("WithConsoleDuration", "%s is more than the 12 h a console session from role credentials may last", o.duration)
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
	id, err := CallerIdentity(ctx, cfg)
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
func federationToken(ctx context.Context, cfg aws.Config, o consoleOptions) (aws.Credentials, error) {
	d := o.duration
	if d == 0 {
		d = defaultFederationDuration
	}
	in := &sts.GetFederationTokenInput{Name: aws.String(o.name), Policy: aws.String(o.policy), DurationSeconds: seconds(d)}
	out, err := sts.NewFromConfig(cfg, stsOptions("")).GetFederationToken(ctx, in)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("console sign-in: get federation token %s: %w", o.name, err)
	}
	return credentialsFromSTS(out.Credentials, "GetFederationToken", "")
}
