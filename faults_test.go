package awssession_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaultsAreRetriedWithinBounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    ststest.Fault
		wantErr  string // STS error code when the session fails; "" when it recovers
		requests int
	}{
		{"two throttles then success", ststest.Throttle(2), "", 3},
		{"one 500 then success", ststest.ServerError(1), "", 2},
		{"two 503 then success", ststest.Unavailable(2), "", 3},
		{"throttled throughout", ststest.Throttle(10), "Throttling", 3},
		{"500 throughout", ststest.ServerError(10), "InternalFailure", 3},
		{"503 throughout", ststest.Unavailable(10), "ServiceUnavailable", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(), quickRetries(),
				awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
			require.NoError(t, err)
			f.srv.InjectFault(tt.fault)
			_, err = cfg.Credentials.Retrieve(ctx)
			assert.Len(t, f.srv.Requests(), tt.requests, "attempts")
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			var ae smithy.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.wantErr, ae.ErrorCode())
			assert.Contains(t, err.Error(), "AssumeRole for role "+f.open.ARN, "the error says which layer failed")

			// The fault is gone: the next Retrieve succeeds.
			f.srv.ClearFaults()
			_, err = cfg.Credentials.Retrieve(ctx)
			require.NoError(t, err)
		})
	}
}

// A wrong MFA code is refused once and never retried: a retry would burn
// another code (or reuse this one) for nothing.
func TestWrongMFACodeIsNotRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	tokens, calls := counted(func(context.Context, string) (string, error) { return wrongCode(f), nil })
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithMFA(f.device.SerialNumber, tokens),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN}))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.ErrorIs(t, err, awssession.ErrMFAFailed)
	assert.Len(t, f.srv.Requests(), 1)
	assert.Equal(t, int32(1), calls.Load())
}

func wrongCode(f *fixture) string {
	if f.srv.TOTPCode(f.device.SerialNumber) == "000000" {
		return "111111"
	}
	return "000000"
}

// An STS that hangs cannot hold a caller past its deadline.
func TestHungSTSRespectsDeadline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg, err := awssession.CreateSession(context.Background(), f.base(f.aliceKeys(),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	const hang = time.Minute
	f.srv.InjectFault(ststest.Latency(10, hang))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = cfg.Credentials.Retrieve(ctx)
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	// A correctness bound, not a performance one: it did not wait for STS.
	assert.Less(t, elapsed, hang)
	t.Logf("returned %v after the deadline", elapsed-200*time.Millisecond)
}

// quickRetries keeps the SDK's standard retryer (3 attempts, the same
// retryable errors) with backoffs short enough for tests.
func quickRetries() awssession.Option {
	return awssession.WithConfigOptions(config.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = 5 * time.Millisecond })
	}))
}
