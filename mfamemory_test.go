package awssession

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// Two sessions in one process, each with its own TOTP provider for the
// same device, with or without a shared cache, ask for codes in the same
// 30 s step: the second waits for the next code (and says so, once)
// instead of sending one STS already accepted.
func TestTwoTOTPProvidersOneDeviceOneProcess(t *testing.T) {
	t.Parallel()
	for _, withCache := range []bool{false, true} {
		t.Run(fmt.Sprintf("cache %v", withCache), func(t *testing.T) {
			t.Parallel()
			clock := ststest.NewClock(time.Now())
			srv := ststest.NewServer(t, ststest.WithClock(clock.Now))
			alice := srv.AddUser("alice")
			dev := srv.AddMFADevice("alice")
			dir := t.TempDir()
			var logs bytes.Buffer
			opts := []Option{WithEnvironment(nil), WithSharedConfigFiles([]string{filepath.Join(dir, "config")}, []string{filepath.Join(dir, "credentials")}),
				WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""), WithRegion("us-east-1"), WithSTSEndpoint(srv.URL),
				WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})))}
			if withCache {
				cache, err := NewFileCache(filepath.Join(dir, "cache"))
				require.NoError(t, err)
				opts = append(opts, WithCache(cache))
			}
			ctx := context.Background()
			for _, d := range []time.Duration{time.Hour, 2 * time.Hour} { // two keys: both call STS
				totp := newTOTP(secret(dev.Secret), serverClock{clock})
				cfg, err := CreateSession(ctx, append(opts, WithMFA(dev.SerialNumber, totp.code), WithGetSessionToken(d))...)
				require.NoError(t, err)
				_, err = cfg.Credentials.Retrieve(ctx)
				require.NoError(t, err, "a reused code would be refused")
			}
			reqs := srv.Requests()
			require.Len(t, reqs, 2)
			assert.NotEqual(t, reqs[0].Params.Get("TokenCode"), reqs[1].Params.Get("TokenCode"))
			assert.Equal(t, reqs[0].Time.Unix()/30+1, reqs[1].Time.Unix()/30, "the second code is the next step's")
			assert.Regexp(t, `level=INFO msg="waiting [0-9]+ s for a fresh MFA code" serial=`+dev.SerialNumber, logs.String())
			assert.Equal(t, 1, strings.Count(logs.String(), "waiting"), "one note per wait: %s", logs.String())
			assert.NotContains(t, logs.String(), reqs[0].Params.Get("TokenCode"))
		})
	}
}

// Codes used for a device at one STS endpoint say nothing about another
// endpoint's device of the same serial (fake servers reuse serials).
func TestDeviceMemoryPerEndpoint(t *testing.T) {
	t.Parallel()
	serial := fmt.Sprintf("arn:aws:iam::123456789012:mfa/memory-%d", serialisedRuns.Add(1)) // the memory is the process's: a device of this run's own
	for _, endpoint := range []string{"https://one.example", "https://two.example"} {
		m := newTestMFASource(serial, StaticToken("123456"))
		m.endpoint = endpoint
		_, err := m.code(context.Background())
		require.NoError(t, err, endpoint)
	}
	again := newTestMFASource(serial, StaticToken("123456"))
	again.endpoint = "https://one.example"
	_, err := again.code(context.Background())
	require.ErrorIs(t, err, ErrMFATokenUsed, "a second provider of the same code for the same device")
}

// Entries nobody holds are dropped once STS can no longer accept their
// code, so the memory holds only the devices of the last 90 s.
func TestDeviceMemoryPrunes(t *testing.T) {
	t.Parallel()
	mem := &deviceMemory{devices: map[deviceKey]*device{}}
	now := time.Now()
	dev, err := mem.acquire(context.Background(), deviceKey{serial: "a"}, now)
	require.NoError(t, err)
	dev.last = mfaEntry{UsedAt: now}
	mem.release(dev)
	_, err = mem.acquire(context.Background(), deviceKey{serial: "b"}, now.Add(time.Minute))
	require.NoError(t, err)
	assert.Len(t, mem.devices, 2, "a's code is still fresh")
	_, err = mem.acquire(context.Background(), deviceKey{serial: "c"}, now.Add(mfaReuseWindow))
	require.NoError(t, err)
	assert.NotContains(t, mem.devices, deviceKey{serial: "a"})
	assert.Contains(t, mem.devices, deviceKey{serial: "b"}, "held: never dropped")
}
