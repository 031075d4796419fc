//go:build linux

package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"
)

// testWhatMotoDoesNotCheck is the evidence for the package documentation's
// list: with authentication on, moto accepts each of these requests, which
// STS (and ststest) refuse. Should a moto release start refusing one, this
// fails: the list in doc.go is then out of date.
func (w *world) testWhatMotoDoesNotCheck(t *testing.T) {
	user := w.userSTS()
	assume := func(mutate func(*sts.AssumeRoleInput)) func(context.Context) error {
		return func(ctx context.Context) error {
			in := &sts.AssumeRoleInput{RoleArn: aws.String(w.roleARN), RoleSessionName: aws.String("lenient")}
			mutate(in)
			_, err := user.AssumeRole(ctx, in)
			return err
		}
	}
	withCode := func(code string) func(*sts.AssumeRoleInput) {
		return func(in *sts.AssumeRoleInput) {
			in.SerialNumber, in.TokenCode = aws.String(w.mfaSerial), aws.String(code)
		}
	}
	code, err := totp.GenerateCode(w.mfaSeed, time.Now())
	require.NoError(t, err)

	tests := []struct {
		unchecked string
		call      func(context.Context) error
	}{
		{"a wrong MFA code (AssumeRole)", assume(withCode("000000"))},
		{"a wrong MFA code (GetSessionToken)", func(ctx context.Context) error {
			_, err := user.GetSessionToken(ctx, &sts.GetSessionTokenInput{
				SerialNumber: aws.String(w.mfaSerial), TokenCode: aws.String("000000"),
			})
			return err
		}},
		{"an MFA code used twice", func(ctx context.Context) error {
			if err := assume(withCode(code))(ctx); err != nil {
				return err
			}
			return assume(withCode(code))(ctx)
		}},
		{"an MFA serial that does not exist", assume(func(in *sts.AssumeRoleInput) {
			in.SerialNumber, in.TokenCode = aws.String("arn:aws:iam::"+w.accountID+":mfa/nobody"), aws.String(code)
		})},
		{"the trust policy's MFA condition (no MFA at all)", assume(func(*sts.AssumeRoleInput) {})},
		{"a role duration under 15 min", assume(func(in *sts.AssumeRoleInput) { in.DurationSeconds = aws.Int32(60) })},
		{"a role duration over the role's 1 h maximum", assume(func(in *sts.AssumeRoleInput) { in.DurationSeconds = aws.Int32(100000) })},
		{"a GetSessionToken duration over 36 h", func(ctx context.Context) error {
			_, err := user.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(1000000)})
			return err
		}},
		{"a role session name outside [\\w+=,.@-]", assume(func(in *sts.AssumeRoleInput) { in.RoleSessionName = aws.String("bad name!") })},
		{"a signature made 2 h ago", func(ctx context.Context) error {
			_, err := w.userSTS(func(o *sts.Options) {
				o.HTTPSignerV4 = skewedSigner{v4.NewSigner(), -2 * time.Hour}
			}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}},
		{"expired role credentials", func(ctx context.Context) error {
			out, err := user.AssumeRole(ctx, &sts.AssumeRoleInput{
				RoleArn: aws.String(w.roleARN), RoleSessionName: aws.String("expired"), DurationSeconds: aws.Int32(1),
			})
			if err != nil {
				return err
			}
			time.Sleep(time.Until(aws.ToTime(out.Credentials.Expiration)) + time.Second)
			c := out.Credentials
			_, err = w.listBuckets(ctx, aws.Config{
				Region:      region,
				Credentials: credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)),
			})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.unchecked, func(t *testing.T) {
			require.NoError(t, tt.call(testContext(t)), "got moto refusing %s, want it accepted: update the list in doc.go", tt.unchecked)
		})
	}
}

// userSTS is an STS client that signs with the user's own keys and does
// not retry, so that a refusal shows at once (nor correct its clock).
func (w *world) userSTS(optFns ...func(*sts.Options)) *sts.Client {
	return sts.NewFromConfig(aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(w.accessKeyID, w.secretAccessKey, ""),
		BaseEndpoint:     aws.String(w.moto.URL),
		RetryMaxAttempts: 1,
	}, optFns...)
}

// skewedSigner signs as if its clock were off by skew.
type skewedSigner struct {
	*v4.Signer
	skew time.Duration
}

func (s skewedSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, t time.Time, opts ...func(*v4.SignerOptions)) error {
	return s.Signer.SignHTTP(ctx, creds, r, payloadHash, service, region, t.Add(s.skew), opts...)
}
