package awssession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/awssession/awssession/internal/stsrules"
)

// Provider names, reported in aws.Credentials.Source.
const (
	sessionTokenSource = "awssession.GetSessionToken"
	assumeRoleSource   = "awssession.AssumeRole"
)

// Every STS layer does its work in one order: the credentials of the
// layer below first (which may ask for a passphrase, a sign-in or a code
// of its own, and may fail without the network), then this layer's MFA
// code, then the call, bounded by the session's timeout. So nothing that
// can fail below spends a person's code, and no deadline runs while
// anyone types.

// sessionTokenProvider is the MFA session layer: STS GetSessionToken,
// signed by the layer below, with an MFA code when mfa is set. It never
// changes after construction, so it is safe for concurrent use.
type sessionTokenProvider struct {
	sts      *stsService
	below    aws.CredentialsProvider
	duration time.Duration
	mfa      *mfaSource // nil: no MFA
	now      func() time.Time
}

var _ aws.CredentialsProvider = (*sessionTokenProvider)(nil)

func (p *sessionTokenProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	signer, err := p.below.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	in := &sts.GetSessionTokenInput{DurationSeconds: seconds(p.duration)}
	attrs := []slog.Attr{slog.Duration("duration", p.duration)}
	serial, err := p.mfa.attach(ctx, &in.SerialNumber, &in.TokenCode, &attrs)
	if err != nil {
		return aws.Credentials{}, &CallError{Call: "GetSessionToken", Layer: "the MFA session", Err: err}
	}
	var out *sts.GetSessionTokenOutput
	err = p.sts.call(ctx, "GetSessionToken", &signer, attrs, func(ctx context.Context, c *sts.Client, sign func(*sts.Options)) (middleware.Metadata, error) {
		if out, err = c.GetSessionToken(ctx, in, sign); err != nil {
			return middleware.Metadata{}, err
		}
		return out.ResultMetadata, nil
	})
	if err != nil {
		return aws.Credentials{}, &CallError{Call: "GetSessionToken", Layer: "the MFA session", Err: classifyMFA(serial, err)}
	}
	return credentialsFromSTS(out.Credentials, sessionTokenSource, "", p.now())
}

// assumeRoleProvider is one role hop: STS AssumeRole signed by the layer
// below. It never changes after construction, so it is safe for
// concurrent use.
type assumeRoleProvider struct {
	sts         *stsService
	below       aws.CredentialsProvider
	layer       string // the hop as the plan names it, for errors
	role        AssumeRole
	sessionName string
	duration    time.Duration
	mfa         *mfaSource // nil: no MFA on this hop
	now         func() time.Time
	// clampToRoleMax retries at 1 h when STS says the role allows less
	// than duration (DurationPolicy ClampDurations).
	clampToRoleMax bool
}

var _ aws.CredentialsProvider = (*assumeRoleProvider)(nil)

func (p *assumeRoleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	signer, err := p.below.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	c, err := p.assume(ctx, signer, p.duration)
	if err != nil && p.clampToRoleMax && p.duration > time.Hour && exceedsRoleMax(err) {
		// Every role allows 1 h (IAM's smallest MaxSessionDuration).
		p.sts.log.LogAttrs(ctx, slog.LevelInfo, "role duration clamped to 1 h: the role's MaxSessionDuration is lower than asked",
			slog.String("role", p.role.RoleARN), slog.Duration("requested", p.duration))
		c, err = p.assume(ctx, signer, time.Hour)
	}
	return c, err
}

func (p *assumeRoleProvider) assume(ctx context.Context, signer aws.Credentials, d time.Duration) (aws.Credentials, error) {
	in := p.input(d)
	attrs := []slog.Attr{slog.String("role", p.role.RoleARN), slog.String("session_name", p.sessionName), slog.Duration("duration", d)}
	layer := "role " + p.role.RoleARN
	if strings.HasPrefix(p.layer, "profile ") {
		layer += " (" + p.layer + ")"
	}
	serial, err := p.mfa.attach(ctx, &in.SerialNumber, &in.TokenCode, &attrs)
	if err != nil {
		return aws.Credentials{}, &CallError{Call: "AssumeRole", Layer: layer, Err: err}
	}
	var out *sts.AssumeRoleOutput
	err = p.sts.call(ctx, "AssumeRole", &signer, attrs, func(ctx context.Context, c *sts.Client, sign func(*sts.Options)) (middleware.Metadata, error) {
		if out, err = c.AssumeRole(ctx, in, sign); err != nil {
			return middleware.Metadata{}, err
		}
		return out.ResultMetadata, nil
	})
	if err != nil {
		return aws.Credentials{}, &CallError{Call: "AssumeRole", Layer: layer, Err: classifyMFA(serial, err)}
	}
	return credentialsFromSTS(out.Credentials, assumeRoleSource, accountOf(out.AssumedRoleUser), p.now())
}

// exceedsRoleMax reports STS's refusal of a duration over the role's
// MaxSessionDuration.
func exceedsRoleMax(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" &&
		strings.Contains(ae.ErrorMessage(), "exceeds the MaxSessionDuration")
}

// input builds the request without the MFA code.
func (p *assumeRoleProvider) input(d time.Duration) *sts.AssumeRoleInput {
	r := p.role
	in := &sts.AssumeRoleInput{
		RoleArn:         aws.String(r.RoleARN),
		RoleSessionName: aws.String(p.sessionName),
		DurationSeconds: seconds(d),
		ExternalId:      optional(r.ExternalID),
		SourceIdentity:  optional(r.SourceIdentity),
		Policy:          optional(r.Policy),
	}
	for _, a := range r.PolicyARNs {
		in.PolicyArns = append(in.PolicyArns, types.PolicyDescriptorType{Arn: aws.String(a)})
	}
	for _, k := range slices.Sorted(maps.Keys(r.Tags)) {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(r.Tags[k])})
	}
	in.TransitiveTagKeys = r.TransitiveTagKeys
	return in
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// accountOf returns the account field of an assumed-role ARN.
func accountOf(u *types.AssumedRoleUser) string {
	if u == nil || u.Arn == nil {
		return ""
	}
	a, err := stsrules.ParseARN(*u.Arn)
	if err != nil {
		return ""
	}
	return a.Account
}

// Identity is who a set of credentials belongs to, as STS
// GetCallerIdentity reports it.
type Identity struct {
	Account string `json:"Account"`
	ARN     string `json:"Arn"`
	UserID  string `json:"UserId"`
}

// CallerIdentity asks STS who cfg's credentials belong to. With a config
// from [CreateSession] the call goes where the session's STS calls go,
// bounded by its [WithSTSTimeout] (the credentials are fetched first,
// without that bound: fetching them may ask for an MFA code). It is one
// STS call (GetCallerIdentity needs no permission).
func CallerIdentity(ctx context.Context, cfg aws.Config) (Identity, error) {
	if cfg.Credentials == nil {
		return Identity{}, fmt.Errorf("get caller identity: the config has no credentials")
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return Identity{}, err
	}
	return stsOf(cfg).callerIdentity(ctx, creds, "the session")
}

// callerIdentity makes one GetCallerIdentity call signed with creds.
func (s *stsService) callerIdentity(ctx context.Context, creds aws.Credentials, layer string) (Identity, error) {
	var out *sts.GetCallerIdentityOutput
	err := s.call(ctx, "GetCallerIdentity", &creds, nil, func(ctx context.Context, c *sts.Client, sign func(*sts.Options)) (middleware.Metadata, error) {
		var err error
		if out, err = c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, sign); err != nil {
			return middleware.Metadata{}, err
		}
		return out.ResultMetadata, nil
	})
	if err != nil {
		return Identity{}, &CallError{Call: "GetCallerIdentity", Layer: layer, Err: err}
	}
	return Identity{Account: deref(out.Account), ARN: deref(out.Arn), UserID: deref(out.UserId)}, nil
}

// validateExpectedAccount checks WithExpectedAccount's form.
func (o *options) validateExpectedAccount() error {
	if o.expectedAccount != "" && !stsrules.IsAccountID(o.expectedAccount) {
		return invalid(optionAt(OptionWithExpectedAccount, ""), "%q is not a 12-digit account ID", o.expectedAccount)
	}
	return nil
}

// checkPlannedAccount compares the account of the plan's top role with
// the expected one, before any call.
func (o *options) checkPlannedAccount(p *plan) error {
	if o.expectedAccount == "" || len(p.layers) == 0 {
		return nil
	}
	top := p.layers[len(p.layers)-1]
	if got := top.account(); got != "" && got != o.expectedAccount {
		return invalid(optionAt(OptionWithExpectedAccount, ""), "the session's role %s is in account %s, not the expected %s", top.role.RoleARN, got, o.expectedAccount)
	}
	return nil
}

// accountCheck guards the top of a session whose account is not known
// from a role ARN: it learns the account of the credentials next returns
// (from the credentials, else from GetCallerIdentity signed by them) and
// refuses any but the expected one. The account is kept in the
// credentials, so a cached entry carries it. It is safe for concurrent
// use.
type accountCheck struct {
	next     aws.CredentialsProvider
	expected string
	sts      *stsService
}

var _ aws.CredentialsProvider = (*accountCheck)(nil)

func (a *accountCheck) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := a.next.Retrieve(ctx)
	if err != nil || c.AccountID == a.expected {
		return c, err
	}
	if c.AccountID == "" {
		id, err := a.sts.callerIdentity(ctx, c, "the expected-account check")
		if err != nil {
			return aws.Credentials{}, err
		}
		c.AccountID = id.Account
	}
	if c.AccountID != a.expected {
		return aws.Credentials{}, invalid(optionAt(OptionWithExpectedAccount, ""), "the session's credentials are for account %s, not the expected %s", c.AccountID, a.expected)
	}
	return c, nil
}
