package awssession

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/logincreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go/middleware"
	"github.com/awssession/awssession/internal/atomicfile"
)

// sso builds an IAM Identity Center source: the SDK's provider and token
// provider (which refreshes an expired token with its refresh token and
// writes it back where the AWS CLI keeps it), with SSO and SSO OIDC
// clients sent to the planned endpoints in the sso_region, each request
// bounded by the session's timeout.
func (b *builder) sso(s *ssoSource) aws.CredentialsProvider {
	portal := sso.NewFromConfig(b.cfg, func(o *sso.Options) {
		o.BaseEndpoint, o.Region = endpointURL(b.plan.endpointOf(serviceSSO)), s.region
	})
	opts := func(o *ssocreds.Options) { o.CachedTokenFilepath = s.tokenFile }
	if s.session != "" {
		oidc := ssooidc.NewFromConfig(b.cfg, func(o *ssooidc.Options) {
			o.BaseEndpoint, o.Region = endpointURL(b.plan.endpointOf(serviceSSOOIDC)), s.region
		})
		tokens := ssocreds.NewSSOTokenProvider(oidcClient{oidc, b.caller}, s.tokenFile)
		opts = func(o *ssocreds.Options) { o.CachedTokenFilepath, o.SSOTokenProvider = s.tokenFile, tokens }
	}
	p := ssocreds.New(portalClient{portal, b.caller}, s.accountID, s.roleName, s.startURL, opts)
	return signedIn{p: p, check: func() error {
		t := readSSOToken(s.tokenFile, b.o.world.clock.Now())
		if !t.usable(b.o.world.clock.Now()) {
			return loginRequired("the IAM Identity Center session %s has no usable token (%s); sign in with `awssession login`", firstOf(s.session, s.startURL), t.why())
		}
		return nil
	}}
}

// login builds a console sign-in source: the SDK's provider, which
// refreshes the credentials with the DPoP-bound refresh token, with a
// Sign-In client sent to the planned endpoint in the session's region.
// The cache is checked first each time: the SDK panics on a DPoP key that
// is not PEM and refuses a PKCS#8 one, which is rewritten as SEC 1.
func (b *builder) login(l *loginSource) aws.CredentialsProvider {
	client := signin.NewFromConfig(b.cfg, func(o *signin.Options) {
		o.BaseEndpoint, o.Region = endpointURL(b.plan.endpointOf(serviceSignin)), l.region
	})
	p := logincreds.New(signinClient{client, b.caller}, l.cacheFile, func(o *logincreds.Options) { o.RestrictPermissions = true })
	return signedIn{p: p, check: func() error {
		t := readLoginCache(l.cacheFile)
		switch {
		case !t.exists || t.problem != "" || !t.refreshable:
			return loginRequired("the console sign-in session %s has no usable token (%s); sign in with `awssession login --console`", l.session, t.why())
		case t.pkcs8:
			return toSEC1(l.cacheFile)
		}
		return nil
	}}
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

// signedIn checks a sign-in source's token before its provider reads it,
// and turns a panic of the provider into an error.
type signedIn struct {
	p     aws.CredentialsProvider
	check func() error
}

func (s signedIn) Retrieve(ctx context.Context) (c aws.Credentials, err error) {
	if err := s.check(); err != nil {
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

// toSEC1 rewrites a console sign-in cache's PKCS#8 DPoP key as the SEC 1
// "EC PRIVATE KEY" the Go SDK reads, keeping every other field.
func toSEC1(path string) error {
	b, err := readChecked(path, maxTokenFile)
	if err != nil {
		return err
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	key, _ := f["dpopKey"].(string)
	block, _ := pem.Decode([]byte(key))
	if block == nil {
		return loginRequired("the console sign-in session's DPoP key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return err
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return loginRequired("the console sign-in session's DPoP key is not an EC key")
	}
	der, err := x509.MarshalECPrivateKey(ec)
	if err != nil {
		return err
	}
	f["dpopKey"] = string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	out, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, out, 0o600)
}

// endpointURL is an endpoint as the SDK's clients take it: nil for AWS's.
func endpointURL(e endpoint) *string {
	if e.url == "" {
		return nil
	}
	return aws.String(e.url)
}

// portalClient is the SSO portal as ssocreds calls it.
type portalClient struct {
	c      *sso.Client
	caller caller
}

func (p portalClient) GetRoleCredentials(ctx context.Context, in *sso.GetRoleCredentialsInput, fns ...func(*sso.Options)) (out *sso.GetRoleCredentialsOutput, err error) {
	attrs := []slog.Attr{slog.String("account", aws.ToString(in.AccountId)), slog.String("role", aws.ToString(in.RoleName))}
	err = p.caller.do(ctx, "sso:GetRoleCredentials", attrs, func(ctx context.Context) (middleware.Metadata, error) {
		if out, err = p.c.GetRoleCredentials(ctx, in, fns...); err != nil {
			return middleware.Metadata{}, err
		}
		return out.ResultMetadata, nil
	})
	if err != nil {
		return nil, &CallError{Call: "sso:GetRoleCredentials", Layer: fmt.Sprintf("IAM Identity Center role %s in %s", aws.ToString(in.RoleName), aws.ToString(in.AccountId)), Err: err}
	}
	return out, nil
}

// oidcClient is SSO OIDC as ssocreds' token provider calls it.
type oidcClient struct {
	c      *ssooidc.Client
	caller caller
}

func (o oidcClient) CreateToken(ctx context.Context, in *ssooidc.CreateTokenInput, fns ...func(*ssooidc.Options)) (out *ssooidc.CreateTokenOutput, err error) {
	err = o.caller.do(ctx, "sso-oidc:CreateToken", nil, func(ctx context.Context) (middleware.Metadata, error) {
		if out, err = o.c.CreateToken(ctx, in, fns...); err != nil {
			return middleware.Metadata{}, err
		}
		return out.ResultMetadata, nil
	})
	if err != nil {
		return nil, loginRequired("renewing the IAM Identity Center token failed (%v); sign in again with `awssession login`", err)
	}
	return out, nil
}

// signinClient is AWS Sign-In as logincreds calls it.
type signinClient struct {
	c      *signin.Client
	caller caller
}

func (s signinClient) CreateOAuth2Token(ctx context.Context, in *signin.CreateOAuth2TokenInput, fns ...func(*signin.Options)) (out *signin.CreateOAuth2TokenOutput, err error) {
	err = s.caller.do(ctx, "signin:CreateOAuth2Token", nil, func(ctx context.Context) (middleware.Metadata, error) {
		if out, err = s.c.CreateOAuth2Token(ctx, in, fns...); err != nil {
			return middleware.Metadata{}, err
		}
		return out.ResultMetadata, nil
	})
	if err != nil {
		return nil, &CallError{Call: "signin:CreateOAuth2Token", Layer: "the console sign-in session", Err: err}
	}
	return out, nil
}
