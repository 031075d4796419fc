package ststest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// newClient returns the real SDK STS client, signing with the given keys
// and retrying with the standard retryer, its backoff shortened so that
// tests stay fast.
func newClient(srv *ststest.Server, accessKeyID, secret, token string) *sts.Client {
	return sts.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secret, token),
		BaseEndpoint: aws.String(srv.URL),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = 5 * time.Millisecond })
		},
	})
}

func clientCredentials(u ststest.User) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(u.AccessKeyID, u.SecretAccessKey, "")
}

func clientFor(srv *ststest.Server, u ststest.User) *sts.Client {
	return newClient(srv, u.AccessKeyID, u.SecretAccessKey, "")
}

func clientForCreds(srv *ststest.Server, c *types.Credentials) *sts.Client {
	return newClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// requireAPIError checks that err is the STS error with this code, message
// and HTTP status.
func requireAPIError(t *testing.T, err error, code, message string, status int) {
	t.Helper()
	require.Error(t, err, "got success, want %s", code)
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "got %v, want an smithy.APIError", err)
	require.Equal(t, code, apiErr.ErrorCode(), "got code %q, want %q (%v)", apiErr.ErrorCode(), code, err)
	if message != "" {
		require.Equal(t, message, apiErr.ErrorMessage(), "got message %q, want %q", apiErr.ErrorMessage(), message)
	}
	var respErr *awshttp.ResponseError
	require.True(t, errors.As(err, &respErr), "got %v, want an *awshttp.ResponseError", err)
	require.Equal(t, status, respErr.HTTPStatusCode(), "got status %d, want %d", respErr.HTTPStatusCode(), status)
}

// fixture is a server with a user alice who has an MFA device and a fake
// clock tests can move.
type fixture struct {
	srv   *ststest.Server
	clock *ststest.Clock
	alice ststest.User
	mfa   ststest.MFADevice
}

func newFixture(t *testing.T, opts ...ststest.ServerOption) *fixture {
	clock := ststest.NewClock(time.Now())
	srv := ststest.NewServer(t, append([]ststest.ServerOption{ststest.WithClock(clock.Now)}, opts...)...)
	alice := srv.AddUser("alice")
	return &fixture{srv: srv, clock: clock, alice: alice, mfa: srv.AddMFADevice("alice")}
}

// code returns a fresh TOTP code: it moves the clock to the next 30 s step
// first, as a person waits for a new code.
func (f *fixture) code() string {
	f.clock.Advance(30 * time.Second)
	return f.srv.TOTPCode(f.mfa.SerialNumber)
}

// mfaSession returns alice's GetSessionToken credentials, taken with MFA.
func (f *fixture) mfaSession(t *testing.T) *types.Credentials {
	t.Helper()
	out, err := clientFor(f.srv, f.alice).GetSessionToken(ctxT(t), &sts.GetSessionTokenInput{
		SerialNumber: aws.String(f.mfa.SerialNumber), TokenCode: aws.String(f.code()),
	})
	require.NoError(t, err)
	return out.Credentials
}
