package awssession_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlainHTTPSTSRoutesAreRefused: every way of choosing the STS endpoint
// follows WithSTSEndpoint's rule (https, or http to loopback only), and the
// error names the route. Nothing is sent: the STS client is refused when
// it is made, before its first call.
func TestPlainHTTPSTSRoutesAreRefused(t *testing.T) {
	keys := "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secret\n"
	for _, tc := range []struct {
		name, env, config, want string
	}{
		{"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_STS", "[profile base]\n", "AWS_ENDPOINT_URL_STS"},
		{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL", "[profile base]\n", "AWS_ENDPOINT_URL"},
		{"endpoint_url in the profile", "", "[profile base]\nendpoint_url = http://10.1.2.3\n", "endpoint_url in the profile"},
		{"[services] section", "", "[profile base]\nservices = s\n[services s]\nsts =\n  endpoint_url = http://10.1.2.3\n", "[services]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolateEnv(t) // the SDK reads these variables from the process
			if tc.env != "" {
				t.Setenv(tc.env, "http://10.1.2.3")
			}
			f := &fixture{configDir: t.TempDir()}
			files := f.writeConfig(t, tc.config, keys)
			cfg, err := awssession.CreateSession(context.Background(), awssession.WithEnvironment(nil), files,
				awssession.WithProfile("base"), awssession.WithRegion("us-east-1"), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: "arn:aws:iam::123456789012:role/R"}))
			require.NoError(t, err)
			// The first STS client is refused before it sends anything.
			_, err = cfg.Credentials.Retrieve(context.Background())
			require.ErrorIs(t, err, awssession.ErrInvalidInput)
			var in *awssession.InputError
			require.True(t, errors.As(err, &in))
			assert.Contains(t, in.Field, tc.want)
			assert.Contains(t, in.Reason, "clear text")
		})
	}
	t.Run("loopback http is fine", func(t *testing.T) {
		isolateEnv(t)
		srv := ststest.NewServer(t)
		alice := srv.AddUser("alice")
		t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL)
		cfg, err := awssession.CreateSession(context.Background(), awssession.WithEnvironment(nil), awssession.WithRegion("us-east-1"),
			awssession.WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""), awssession.WithGetSessionToken(time.Hour))
		require.NoError(t, err)
		_, err = cfg.Credentials.Retrieve(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 1, srv.CountRequests("GetSessionToken"))
	})
}

// TestSTSTimeoutBoundsEachCall: a server that accepts and never answers
// fails the call at WithSTSTimeout, with no deadline of the caller's own.
func TestSTSTimeoutBoundsEachCall(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.srv.InjectFault(ststest.Latency(10, time.Hour))
	cfg, err := awssession.CreateSession(context.Background(), f.base(f.aliceKeys(), awssession.WithSTSTimeout(100*time.Millisecond),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(context.Background())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
