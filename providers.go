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

// sessionTokenAPI is the part of *sts.Client sessionTokenProvider uses.
type sessionTokenAPI interface {
	GetSessionToken(context.Context, *sts.GetSessionTokenInput, ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error)
}

// assumeRoleAPI is the part of *sts.Client assumeRoleProvider uses.
type assumeRoleAPI interface {
	AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// sessionTokenProvider is the MFA session layer: STS GetSessionToken,
// signed by the source layer (through client), with an MFA code when mfa is
// set. It is safe for concurrent use.
type sessionTokenProvider struct {
	client   sessionTokenAPI
	duration time.Duration
	mfa      *mfaSource // nil: no MFA
	log      *slog.Logger
	timeout  time.Duration // per call, retries included; see WithSTSTimeout
	now      func() time.Time
}

var _ aws.CredentialsProvider = (*sessionTokenProvider)(nil)

func (p *sessionTokenProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	in := &sts.GetSessionTokenInput{DurationSeconds: seconds(p.duration)}
	attrs := []slog.Attr{slog.Duration("duration", p.duration)}
	serial, err := p.mfa.attach(ctx, &in.SerialNumber, &in.TokenCode, &attrs)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("get session token: %w", err)
	}
	start := time.Now()
	callCtx, cancel := withSTSTimeout(ctx, p.timeout)
	defer cancel()
	out, err := p.client.GetSessionToken(callCtx, in)
	if err != nil {
		logCall(ctx, p.log, "GetSessionToken", start, middleware.Metadata{}, err, attrs...)
		return aws.Credentials{}, fmt.Errorf("get session token: %w", classifyMFA(serial, err))
	}
	logCall(ctx, p.log, "GetSessionToken", start, out.ResultMetadata, nil, attrs...)
	return credentialsFromSTS(out.Credentials, sessionTokenSource, "", p.now())
}

// assumeRoleProvider is one role hop: STS AssumeRole signed by the layer
// below (through client). It never changes after construction, so it is
// safe for concurrent use.
type assumeRoleProvider struct {
	client      assumeRoleAPI
	role        AssumeRole
	sessionName string
	duration    time.Duration
	mfa         *mfaSource // nil: no MFA on this hop
	log         *slog.Logger
	timeout     time.Duration // per call, retries included; see WithSTSTimeout
	now         func() time.Time
	// clampToRoleMax retries at 1 h when STS says the role allows less
	// than duration (DurationPolicy ClampDurations).
	clampToRoleMax bool
}

var _ aws.CredentialsProvider = (*assumeRoleProvider)(nil)

func (p *assumeRoleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := p.assume(ctx, p.duration)
	if err != nil && p.clampToRoleMax && p.duration > time.Hour && exceedsRoleMax(err) {
		// Every role allows 1 h (IAM's smallest MaxSessionDuration).
		p.log.LogAttrs(ctx, slog.LevelInfo, "role duration clamped to 1 h: the role's MaxSessionDuration is lower than asked",
			slog.String("role", p.role.RoleARN), slog.Duration("requested", p.duration))
		c, err = p.assume(ctx, time.Hour)
	}
	return c, err
}

func (p *assumeRoleProvider) assume(ctx context.Context, d time.Duration) (aws.Credentials, error) {
	in := p.input(d)
	attrs := []slog.Attr{slog.String("role", p.role.RoleARN), slog.String("session_name", p.sessionName), slog.Duration("duration", d)}
	serial, err := p.mfa.attach(ctx, &in.SerialNumber, &in.TokenCode, &attrs)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("assume role %s: %w", p.role.RoleARN, err)
	}
	start := time.Now()
	callCtx, cancel := withSTSTimeout(ctx, p.timeout)
	defer cancel()
	out, err := p.client.AssumeRole(callCtx, in)
	if err != nil {
		logCall(ctx, p.log, "AssumeRole", start, middleware.Metadata{}, err, attrs...)
		return aws.Credentials{}, fmt.Errorf("assume role %s: %w", p.role.RoleARN, classifyMFA(serial, err))
	}
	logCall(ctx, p.log, "AssumeRole", start, out.ResultMetadata, nil, attrs...)
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

// withSTSTimeout bounds one STS call, retries included: d, or
// DefaultSTSTimeout for 0; a negative d leaves only ctx.
func withSTSTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	switch {
	case d < 0:
		return ctx, func() {}
	case d == 0:
		d = DefaultSTSTimeout
	}
	return context.WithTimeout(ctx, d)
}
