package awssession

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeInner stands in for the SDK's credentials cache: it counts calls and
// hands out credentials expiring at exp (moved by the test), numbered so
// that a refresh is visible.
type fakeInner struct {
	calls       atomic.Int32
	invalidated atomic.Int32
	exp         atomic.Int64 // Unix ns; 0: credentials that never expire
	err         atomic.Pointer[error]
	block       chan struct{} // when set, Retrieve waits for it
}

func (f *fakeInner) Retrieve(context.Context) (aws.Credentials, error) {
	n := f.calls.Add(1)
	if f.block != nil {
		<-f.block
	}
	if err := f.err.Load(); err != nil {
		return aws.Credentials{}, *err
	}
	c := aws.Credentials{AccessKeyID: fmt.Sprintf("ASIAFAKE%08d", n), SecretAccessKey: "s", SessionToken: "t"}
	if e := f.exp.Load(); e != 0 {
		c.CanExpire, c.Expires = true, time.Unix(0, e)
	}
	return c, nil
}

func (f *fakeInner) Invalidate() { f.invalidated.Add(1) }

// tickingClock is the coarseClock of a sessionCredentials, on a wall
// clock and ticks the test moves.
type tickingClock struct {
	*coarseClock
	wallNS  atomic.Int64
	ticks   chan time.Time
	started atomic.Int32
	stopped atomic.Int32
}

func newTickingClock(t *testing.T, wall time.Time) *tickingClock {
	f := &tickingClock{ticks: make(chan time.Time)}
	f.wallNS.Store(wall.UnixNano())
	t.Cleanup(func() { // let a running goroutine go idle and end
		for f.coarseClock != nil && f.running.Load() {
			select {
			case f.ticks <- time.Time{}:
			case <-time.After(10 * time.Millisecond):
			}
		}
	})
	return f
}

// heldSession is a sessionCredentials on a tickingClock at t0, over a
// fakeInner whose credentials expire lifetime after t0 (0: never).
func heldSession(t *testing.T, t0 time.Time, lifetime time.Duration) (*sessionCredentials, *tickingClock, *fakeInner) {
	clock := newTickingClock(t, t0)
	inner := &fakeInner{}
	if lifetime != 0 {
		inner.exp.Store(t0.Add(lifetime).UnixNano())
	}
	return clock.session(inner), clock, inner
}

// session returns a sessionCredentials over inner that runs on this clock.
func (f *tickingClock) session(inner credentialsCache) *sessionCredentials {
	s := newSessionCredentials(inner)
	s.clock.wall = func() time.Time { return time.Unix(0, f.wallNS.Load()) }
	s.clock.ticker = func() (<-chan time.Time, func()) {
		f.started.Add(1)
		return f.ticks, func() { f.stopped.Add(1) }
	}
	f.coarseClock = &s.clock
	return s
}

// tick delivers one tick and waits until the goroutine has handled it.
func (f *tickingClock) tick(t *testing.T) {
	t.Helper()
	f.ticks <- time.Time{}
	f.ticks <- time.Time{} // received only once the first one is handled
	// The second tick was a tick too; that is fine for every test here.
}

func (f *tickingClock) advance(d time.Duration) { f.wallNS.Add(int64(d)) }

func TestSessionCredentialsHitsBypassTheSDKCache(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s, clock, inner := heldSession(t, t0, 10*time.Minute)
	ctx := context.Background()

	first, err := s.Retrieve(ctx)
	require.NoError(t, err)
	for range 1000 {
		got, err := s.Retrieve(ctx)
		require.NoError(t, err)
		require.Equal(t, first, got)
	}
	assert.Equal(t, int32(1), inner.calls.Load(), "inner Retrieve calls for 1,001 Retrieves")
	assert.Equal(t, int32(1), clock.started.Load(), "clock starts")

	// Still before the deadline at the next ticks: still hits.
	clock.advance(10*time.Minute - clockMargin - time.Nanosecond)
	clock.tick(t)
	_, err = s.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(1), inner.calls.Load(), "inner calls just before the deadline")

	// The deadline is clockMargin before the SDK cache's (Expires, already
	// moved by its window): from there on, the SDK's cache decides, by
	// time.Now, so nothing past Expires is ever handed out.
	clock.advance(time.Nanosecond)
	clock.tick(t)
	inner.exp.Store(t0.Add(time.Hour).UnixNano())
	second, err := s.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(2), inner.calls.Load(), "inner calls at the deadline")
	assert.NotEqual(t, first.AccessKeyID, second.AccessKeyID)
	got, err := s.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, second, got, "the refreshed credentials are held")
	assert.Equal(t, int32(2), inner.calls.Load())
}

func TestSessionCredentialsClockStopsWhenIdle(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s, clock, inner := heldSession(t, t0, time.Hour)
	ctx := context.Background()
	_, err := s.Retrieve(ctx)
	require.NoError(t, err)

	// Used between ticks: it keeps running well past idleTicks. (tick
	// returns once a tick is handled, so each Retrieve lands between two.)
	for range 3 * idleTicks {
		_, err := s.Retrieve(ctx)
		require.NoError(t, err)
		clock.tick(t)
	}
	require.True(t, clock.running.Load(), "running while used")
	assert.Equal(t, int32(1), inner.calls.Load())

	// Unused: it stops within idleTicks ticks and reads as unknown.
	delivered := 0
	for deadline := time.Now().Add(10 * time.Second); clock.running.Load() && time.Now().Before(deadline); {
		select {
		case clock.ticks <- time.Time{}:
			delivered++
		case <-time.After(10 * time.Millisecond): // stopping: nobody receives
		}
	}
	require.False(t, clock.running.Load(), "stopped when unused")
	assert.LessOrEqual(t, delivered, idleTicks, "unused ticks before it stopped")
	assert.Zero(t, clock.now.Load(), "a stopped clock's reading")
	assert.Equal(t, int32(1), clock.stopped.Load(), "ticker stopped")

	// Stopped, a Retrieve asks the SDK's cache and starts it again.
	_, err = s.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(2), inner.calls.Load(), "inner calls after the clock stopped")
	assert.Equal(t, int32(2), clock.started.Load(), "clock restarts")
	_, err = s.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(2), inner.calls.Load(), "hits again once restarted")
}

// TestSessionCredentialsAfterResume pins down the one way the clock is
// staler than time.Now: a sleep that passes the deadline is seen at the
// next tick, not before.
func TestSessionCredentialsAfterResume(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s, clock, inner := heldSession(t, t0, time.Hour)
	ctx := context.Background()
	_, err := s.Retrieve(ctx)
	require.NoError(t, err)

	clock.advance(8 * time.Hour) // the machine slept; no tick came
	_, err = s.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(1), inner.calls.Load(), "before the first tick after resume, the held credentials")
	clock.ticks <- time.Time{}
	require.Eventually(t, func() bool { return clock.now.Load() == clock.wallNS.Load() }, 5*time.Second, time.Millisecond)
	_, err = s.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(2), inner.calls.Load(), "after one tick, the SDK's cache decides")
}

func TestSessionCredentialsNeverExpiring(t *testing.T) {
	s, clock, inner := heldSession(t, time.Now(), 0)
	ctx := context.Background()
	for range 10 {
		_, err := s.Retrieve(ctx)
		require.NoError(t, err)
		clock.advance(1000 * time.Hour)
		clock.tick(t)
	}
	assert.Equal(t, int32(1), inner.calls.Load())
}

func TestSessionCredentialsErrorsAreNotHeld(t *testing.T) {
	s, clock, inner := heldSession(t, time.Now(), 0)
	boom := errors.New("sts unavailable")
	inner.err.Store(&boom)
	ctx := context.Background()
	for range 3 {
		_, err := s.Retrieve(ctx)
		require.ErrorIs(t, err, boom)
	}
	assert.Equal(t, int32(3), inner.calls.Load(), "every failed Retrieve asks again")
	assert.Zero(t, clock.started.Load(), "no clock for a session that has no credentials")

	inner.err.Store(nil)
	_, err := s.Retrieve(ctx)
	require.NoError(t, err)
	_, err = s.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(4), inner.calls.Load(), "recovered and held")
}

func TestSessionCredentialsInvalidate(t *testing.T) {
	s, _, inner := heldSession(t, time.Now(), time.Hour)
	ctx := context.Background()
	first, err := s.Retrieve(ctx)
	require.NoError(t, err)

	s.Invalidate()
	assert.Equal(t, int32(1), inner.invalidated.Load(), "the SDK cache is invalidated too")
	second, err := s.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, first.AccessKeyID, second.AccessKeyID, "after Invalidate, new credentials")

	// A Retrieve that was already fetching when Invalidate came must not
	// put what it fetched back.
	inner.block = make(chan struct{})
	s.Invalidate()
	done := make(chan aws.Credentials)
	go func() {
		c, _ := s.Retrieve(ctx)
		done <- c
	}()
	require.Eventually(t, func() bool { return inner.calls.Load() == 3 }, 5*time.Second, time.Millisecond)
	s.Invalidate()
	close(inner.block)
	<-done
	_, err = s.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(4), inner.calls.Load(), "credentials fetched across an Invalidate are not held")
}

func TestSessionCredentialsConcurrent(t *testing.T) {
	t0 := time.Now()
	s, clock, inner := heldSession(t, t0, time.Minute)
	ctx := context.Background()
	stop := make(chan struct{})
	var ticker sync.WaitGroup
	ticker.Go(func() { // the wall clock runs a second per tick; the expiry follows now and then
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case clock.ticks <- time.Time{}:
			}
			clock.advance(time.Second)
			if i%20 == 0 {
				inner.exp.Store(clock.wallNS.Load() + int64(30*time.Second))
			}
			if i%50 == 0 {
				s.Invalidate()
			}
		}
	})
	var callers sync.WaitGroup
	for range 8 {
		callers.Go(func() {
			for range 5000 {
				c, err := s.Retrieve(ctx)
				if err != nil || c.AccessKeyID == "" {
					t.Errorf("got %+v, %v; want credentials", c, err)
					return
				}
			}
		})
	}
	callers.Wait()
	close(stop)
	ticker.Wait()
	assert.Less(t, inner.calls.Load(), int32(8*5000), "some Retrieves were hits")
}

func TestDeadline(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 5, time.UTC)
	for _, tc := range []struct {
		name  string
		creds aws.Credentials
		want  int64
	}{
		{"never expires", aws.Credentials{}, math.MaxInt64},
		{"expires", aws.Credentials{CanExpire: true, Expires: at}, at.UnixNano() - int64(clockMargin)},
		{"zero Expires", aws.Credentials{CanExpire: true}, 0},
		{"before 1970", aws.Credentials{CanExpire: true, Expires: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}, 0},
		{"after 2262", aws.Credentials{CanExpire: true, Expires: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}, math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, deadline(tc.creds))
		})
	}
}

// TestCoarseClockRealTicker runs the production clock: it starts, reads
// near time.Now, and stops by itself once unused.
func TestCoarseClockRealTicker(t *testing.T) {
	t.Parallel()
	c := &coarseClock{wall: time.Now, ticker: realTicker}
	before := time.Now().UnixNano()
	c.start()
	c.start() // idempotent
	require.True(t, c.running.Load())
	assert.GreaterOrEqual(t, c.now.Load(), before)
	assert.True(t, c.before(math.MaxInt64))
	assert.False(t, c.before(before), "a reading is never before a time already passed")
	require.Eventually(t, func() bool { return !c.running.Load() }, 20*clockTick*idleTicks, clockTick)
	assert.False(t, c.before(math.MaxInt64), "a stopped clock answers nothing")
}
