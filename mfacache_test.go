package awssession

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serverClock lets TOTP wait on the fake STS's clock: waiting moves it.
type serverClock struct{ c *ststest.Clock }

func (s serverClock) Now() time.Time { return s.c.Now() }
func (s serverClock) After(d time.Duration) <-chan time.Time {
	s.c.Advance(d)
	ch := make(chan time.Time, 1)
	ch <- s.c.Now()
	return ch
}

// Two sessions that share a cache but not a TOTP provider (as two
// processes would) ask for codes in the same 30 s step: the second waits
// for the next code instead of sending one STS already accepted.
func TestTOTPCodeNeverSentTwiceThroughCache(t *testing.T) {
	t.Parallel()
	clock := ststest.NewClock(time.Now())
	srv := ststest.NewServer(t, ststest.WithClock(clock.Now))
	alice := srv.AddUser("alice")
	dev := srv.AddMFADevice("alice")
	dir := t.TempDir()
	cache, err := NewFileCache(filepath.Join(dir, "cache"))
	require.NoError(t, err)
	files := WithConfigOptions(config.WithSharedConfigFiles([]string{filepath.Join(dir, "config")}),
		config.WithSharedCredentialsFiles([]string{filepath.Join(dir, "credentials")}))

	ctx := context.Background()
	for _, d := range []time.Duration{time.Hour, 2 * time.Hour} { // two keys: both call STS
		totp := newTOTP(secret(dev.Secret), serverClock{clock})
		cfg, err := CreateSession(ctx, files, WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""),
			WithMFA(dev.SerialNumber, totp.code), WithGetSessionToken(d), WithCache(cache),
			WithRegion("us-east-1"), WithSTSEndpoint(srv.URL))
		require.NoError(t, err)
		_, err = cfg.Credentials.Retrieve(ctx)
		require.NoError(t, err, "a reused code would be refused")
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.NotEqual(t, reqs[0].Params.Get("TokenCode"), reqs[1].Params.Get("TokenCode"))
	assert.Equal(t, reqs[0].Time.Unix()/30+1, reqs[1].Time.Unix()/30, "the second code is the next step's")
}
