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

// A used code from a provider that would give it again (one code, an MFA
// process, a provider of the caller's own) is an *MFACodeUsedError at
// once, the provider asked once; a provider that gives fresh codes (it
// calls askedAgain, as prompts and TOTP do) is asked again, told why, at
// most maxReusedCodes times in all.
func TestUsedCodeOnceOrAskedAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, fresh := range []bool{false, true} {
		t.Run(fmt.Sprintf("fresh %v", fresh), func(t *testing.T) {
			t.Parallel()
			serial := fmt.Sprintf("arn:aws:iam::123456789012:mfa/used-%d", serialisedRuns.Add(1))
			_, err := newTestMFASource(serial, StaticToken("123456")).code(ctx)
			require.NoError(t, err)
			var calls int
			var reasons []*MFACodeUsedError
			again := newTestMFASource(serial, func(ctx context.Context, _ string) (string, error) {
				calls++
				if fresh {
					reasons = append(reasons, askedAgain(ctx))
				}
				return "123456", nil
			})
			_, err = again.code(ctx)
			var used *MFACodeUsedError
			require.ErrorAs(t, err, &used)
			require.ErrorIs(t, err, ErrMFATokenUsed)
			assert.Equal(t, serial, used.SerialNumber)
			assert.WithinDuration(t, time.Now(), used.UsedAt, time.Minute)
			assert.LessOrEqual(t, used.NextCode, TOTPPeriod)
			assert.Regexp(t, `already used at \d\d:\d\d:\d\d \(STS takes each code once\); (the next code comes in \d+ s|the device shows a new one now)$`, err.Error())
			if !fresh {
				assert.Equal(t, 1, calls, "a provider of the same code is not asked again")
				return
			}
			assert.Equal(t, maxReusedCodes, calls)
			require.Len(t, reasons, maxReusedCodes)
			assert.Nil(t, reasons[0], "no reason on the first ask")
			assert.NotNil(t, reasons[1])
			assert.Contains(t, promptText(context.WithValue(ctx, codeRequestKey{}, &codeRequest{retry: used}), serial),
				"Type the next code.\nMFA code for "+serial+":")
		})
	}
}

// The next code comes when the 30 s step of the clock ends, unless the
// used code was of an earlier step: then the device shows a new one.
func TestUsedErrorNextCode(t *testing.T) {
	t.Parallel()
	step := time.Unix(1_800_000_000, 0) // a step boundary: 1.8e9 is a multiple of 30
	for _, tt := range []struct {
		used, now time.Time
		next      time.Duration
	}{
		{step.Add(5 * time.Second), step.Add(18 * time.Second), 12 * time.Second},
		{step.Add(-2 * time.Second), step.Add(3 * time.Second), 0},
	} {
		m := &mfaSource{serial: "s", now: func() time.Time { return tt.now }}
		assert.Equal(t, tt.next, m.usedError(mfaEntry{UsedAt: tt.used}).NextCode)
	}
}

// WithMFAMemory keeps the record of used codes in its cache, also for a
// session without WithCache, and no credentials there.
func TestWithMFAMemory(t *testing.T) {
	t.Parallel()
	srv := ststest.NewServer(t)
	alice := srv.AddUser("alice")
	dev := srv.AddMFADevice("alice")
	dir := t.TempDir()
	memory, err := NewFileCache(filepath.Join(dir, "memory"))
	require.NoError(t, err)
	cfg, err := CreateSession(context.Background(), WithEnvironment(nil),
		WithSharedConfigFiles([]string{filepath.Join(dir, "config")}, []string{filepath.Join(dir, "credentials")}),
		WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""), WithRegion("us-east-1"), WithSTSEndpoint(srv.URL),
		WithMFA(dev.SerialNumber, StaticToken(srv.TOTPCode(dev.SerialNumber))), WithGetSessionToken(0), WithMFAMemory(memory))
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	records, err := filepath.Glob(filepath.Join(dir, "memory", "mfa-*.json"))
	require.NoError(t, err)
	assert.Len(t, records, 1)
	layers, err := filepath.Glob(filepath.Join(dir, "memory", "session-*"))
	require.NoError(t, err)
	assert.Empty(t, layers, "WithMFAMemory caches no session")
}
