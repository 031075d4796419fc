package awssession

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rfcSeed is the RFC 6238 Appendix B SHA1 seed, base32.
const rfcSeed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

// fakeClock jumps forward instead of sleeping; with block set, After never
// fires.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	waited []time.Duration
	block  bool
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.block {
		return nil
	}
	c.waited = append(c.waited, d)
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func TestTOTPMatchesRFC6238(t *testing.T) {
	t.Parallel()
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037", 20000000000: "353130"} {
		src := newTOTP(rfcSeed, &fakeClock{now: time.Unix(unix, 0)})
		got, err := src.code(context.Background(), "serial")
		require.NoError(t, err)
		assert.Equal(t, want, got, "at %d", unix)
	}
}

func TestTOTPSeedFormsAccepted(t *testing.T) {
	t.Parallel()
	c := &fakeClock{now: time.Unix(59, 0)}
	got, err := newTOTP(secret(strings.ToLower("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ")), c).code(context.Background(), "s")
	require.NoError(t, err)
	assert.Equal(t, "287082", got, "lower case and spaces, as apps show seeds")
}

func TestTOTPNeverRepeatsACode(t *testing.T) {
	t.Parallel()
	c := &fakeClock{now: time.Unix(1111111100, 0)} // 20 s into a step
	src := newTOTP(rfcSeed, c)
	first, err := src.code(context.Background(), "s")
	require.NoError(t, err)
	second, err := src.code(context.Background(), "s")
	require.NoError(t, err)
	assert.NotEqual(t, first, second)
	assert.Equal(t, []time.Duration{10 * time.Second}, c.waited, "waits for the next step, no longer")
	assert.Equal(t, "050471", second, "the code of step 0x23523ED")
}

func TestTOTPConcurrentCallersGetDistinctCodes(t *testing.T) {
	t.Parallel()
	c := &fakeClock{now: time.Unix(1111111100, 0)}
	src := newTOTP(rfcSeed, c)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			code, err := src.code(context.Background(), "s")
			assert.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			assert.False(t, seen[code], "code %s handed out twice", code)
			seen[code] = true
		})
	}
	wg.Wait()
	assert.Len(t, seen, 8)
}

func TestTOTPWaitHonoursContext(t *testing.T) {
	t.Parallel()
	c := &fakeClock{now: time.Unix(1111111100, 0)}
	src := newTOTP(rfcSeed, c)
	_, err := src.code(context.Background(), "s")
	require.NoError(t, err)
	c.block = true
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = src.code(ctx, "s")
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestTOTPBadSeed(t *testing.T) {
	t.Parallel()
	const seed = "not-base32-!!"
	_, err := TOTP(seed)(context.Background(), "arn:aws:iam::123456789012:mfa/a")
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Contains(t, err.Error(), "TOTP secret")
	assert.NotContains(t, err.Error(), seed)
}

func TestStaticTokenOneUse(t *testing.T) {
	t.Parallel()
	tp := StaticToken("123456")
	got, err := tp(context.Background(), "s")
	require.NoError(t, err)
	assert.Equal(t, "123456", got)
	_, err = tp(context.Background(), "s")
	require.ErrorIs(t, err, ErrMFATokenUsed)
	assert.NotContains(t, err.Error(), "123456")
}

func TestPromptToken(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	tp := PromptToken(strings.NewReader(" 123456 \n654321"), &out)
	got, err := tp(context.Background(), "arn:aws:iam::123456789012:mfa/alice")
	require.NoError(t, err)
	assert.Equal(t, "123456", got)
	got, err = tp(context.Background(), "arn:aws:iam::123456789012:mfa/alice")
	require.NoError(t, err)
	assert.Equal(t, "654321", got, "last line without newline")
	assert.Equal(t, strings.Repeat("MFA code for arn:aws:iam::123456789012:mfa/alice: ", 2), out.String())
	_, err = tp(context.Background(), "x")
	require.Error(t, err, "end of input")
}

func TestMFASourceChecksCodes(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"", "12345", "1234567", "12345a", "١٢٣٤٥٦"} {
		m := newTestMFASource("GAHTXXXXXXXX", func(context.Context, string) (string, error) { return code, nil })
		_, err := m.code(context.Background())
		require.ErrorIs(t, err, ErrInvalidInput, "code %q", code)
		if code != "" {
			assert.NotContains(t, err.Error(), code)
		}
	}
	m := newTestMFASource("GAHTXXXXXXXX", func(context.Context, string) (string, error) { return "", errors.New("no device") })
	_, err := m.code(context.Background())
	assert.ErrorContains(t, err, "no device")
}

// Calls to a user's provider never overlap, so a prompt is never shown
// twice at once.
var serialisedRuns atomic.Int32

func TestMFASourceSerialisesProvider(t *testing.T) {
	t.Parallel()
	// In a synctest bubble, Wait returns once every caller is blocked:
	// either inside the provider or waiting to enter it. Exactly one may
	// be inside at each step, whatever the scheduler does.
	synctest.Test(t, func(t *testing.T) {
		var active, n atomic.Int32
		release := make(chan struct{})
		// A device of this run's own: the process remembers each device,
		// and a bubble's channels belong to that bubble alone.
		serial := fmt.Sprintf("GAHT%08d", serialisedRuns.Add(1))
		m := newTestMFASource(serial, func(context.Context, string) (string, error) {
			active.Add(1)
			defer active.Add(-1)
			<-release
			return fmt.Sprintf("%06d", n.Add(1)), nil
		})
		const callers = 10
		for range callers {
			go func() { _, _ = m.code(context.Background()) }()
		}
		for i := range callers {
			synctest.Wait()
			require.Equal(t, int32(1), active.Load(), "providers running at step %d", i)
			release <- struct{}{}
		}
		synctest.Wait()
		assert.Equal(t, int32(0), active.Load())
	})
}

func newTestMFASource(serial string, tp TokenProvider) *mfaSource {
	return collect([]Option{WithMFA(serial, tp)}).mfaSource(serial)
}

// Seeds too short to be secure, absurdly long or not base32 are refused
// with an error naming the field, never the seed.
func TestTOTPSeedBounds(t *testing.T) {
	t.Parallel()
	for name, seed := range map[string]string{
		"15 characters":      "GEZDGNBVGY3TQOJ",
		"1025 characters":    strings.Repeat("A", 1025),
		"not base32":         "GEZDGNBVGY3TQOJQ1890",
		"empty":              "",
		"padding only":       "========",
		"spaces and 8 chars": "gezd gnbv",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := TOTP(seed)(context.Background(), "arn:aws:iam::123456789012:mfa/a")
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), "TOTP secret")
			if seed != "" {
				assert.NotContains(t, err.Error(), strings.ToUpper(strings.ReplaceAll(seed, " ", ""))[:8])
			}
		})
	}
	for _, seed := range []string{"GEZDGNBVGY3TQOJQ", strings.Repeat("GEZDGNBV", 128), "gezd gnbv gy3t qojq===="} {
		_, err := TOTP(seed)(context.Background(), "s")
		assert.NoError(t, err, "%d characters", len(seed))
	}
}

// A prompt interrupted by its context hands the line it was reading to the
// next prompt.
func TestPromptTokenInterrupted(t *testing.T) {
	t.Parallel()
	in, typed := io.Pipe()
	var out strings.Builder
	tp := PromptToken(in, &out)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := tp(ctx, "s")
	require.ErrorIs(t, err, context.Canceled)
	go func() { _, _ = typed.Write([]byte("123456\n")) }()
	got, err := tp(context.Background(), "s")
	require.NoError(t, err)
	assert.Equal(t, "123456", got)
}
