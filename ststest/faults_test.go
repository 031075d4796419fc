package ststest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/internal/poll"
	"github.com/awssession/awssession/ststest"
)

func TestFaultsAndTheSDKRetryer(t *testing.T) {
	tests := []struct {
		name         string
		fault        ststest.Fault
		wantErr      bool
		wantCode     string
		wantStatus   int
		wantRequests int
	}{
		{"5xx is retried, three attempts in all", ststest.ServerError(5), true, "InternalFailure", 500, 3},
		{"503 is retried", ststest.Unavailable(5), true, "ServiceUnavailable", 503, 3},
		{"throttling is retried until it passes", ststest.Throttle(2), false, "", 0, 3},
		{"a fault for another action does not apply", ststest.ServerError(5).ForAction("AssumeRole"), false, "", 0, 1},
		{"AccessDenied is not retried", ststest.Fault{Count: 5, Status: 403, Code: "AccessDenied", Message: "no"}, true, "AccessDenied", 403, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.InjectFault(tt.fault)
			_, err := clientFor(f.srv, f.alice).GetCallerIdentity(ctxT(t), nil)
			if tt.wantErr {
				requireAPIError(t, err, tt.wantCode, "", tt.wantStatus)
			} else {
				require.NoError(t, err)
			}
			got := f.srv.CountRequests("GetCallerIdentity")
			require.Equal(t, tt.wantRequests, got, "got %d requests, want %d", got, tt.wantRequests)
			for i, r := range f.srv.Requests() {
				if i < got-1 || tt.wantErr {
					require.True(t, r.Fault, "request %d: got Fault false, want true", i)
				}
			}
		})
	}
}

func TestLatencyHonoursTheClientDeadline(t *testing.T) {
	f := newFixture(t)
	f.srv.InjectFault(ststest.Latency(1, time.Minute))
	client := clientFor(f.srv, f.alice)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client.GetCallerIdentity(ctx, nil)
	require.Error(t, err)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "got %v, want a deadline error", err)
	require.Less(t, time.Since(start), 5*time.Second)
	require.NoError(t, poll.Until(2*time.Second, 10*time.Millisecond, func() (bool, error) {
		reqs := f.srv.Requests()
		return len(reqs) == 1 && reqs[0].Fault && reqs[0].Status == 0, nil
	}), "the delayed request is recorded, with no status")

	// The fault is used up: the next call is served at once.
	_, err = client.GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
}

func TestLatencyThenServe(t *testing.T) {
	f := newFixture(t)
	f.srv.InjectFault(ststest.Latency(1, 50*time.Millisecond).ForAction("GetCallerIdentity"))
	start := time.Now()
	out, err := clientFor(f.srv, f.alice).GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	require.Equal(t, f.alice.ARN, aws.ToString(out.Arn))
	require.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
}

func TestClearFaults(t *testing.T) {
	f := newFixture(t)
	f.srv.InjectFault(ststest.ServerError(10))
	f.srv.ClearFaults()
	_, err := clientFor(f.srv, f.alice).GetSessionToken(ctxT(t), &sts.GetSessionTokenInput{})
	require.NoError(t, err)
}
