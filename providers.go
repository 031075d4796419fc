package awssession

import (
	"context"
	"errors"
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
