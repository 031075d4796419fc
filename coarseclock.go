package awssession

import (
	"sync/atomic"
	"time"
)

// clockTick is how often a running coarseClock reads the wall clock, and
// so how stale its reading can be: after a suspend and resume, at most
// this long (see sessionCredentials). idleTicks ticks without a reading
// being used stop it.
const (
	clockTick = 100 * time.Millisecond
	idleTicks = 10
)

// coarseClock is a wall clock that costs an atomic load to read: one
// goroutine stores time.Now every clockTick while readings are being
// used, and stops after idleTicks ticks in which none was. Stopped, it
// reads as unknown and callers ask their exact source instead.
//
// Its goroutine runs on Go's timers, which follow the monotonic clock: on
// Linux that clock stands still while the machine sleeps, so after a
// resume the reading is the time the machine went to sleep until the next
// tick, at most clockTick later. Wall-clock steps (NTP) are picked up at
// the next tick the same way.
//
// A coarseClock is safe for concurrent use once wall and ticker are set;
// it must not be copied.
type coarseClock struct {
	now     atomic.Int64 // Unix nanoseconds at the last tick; 0 while stopped
	used    atomic.Bool  // a reading was used since the last tick
	running atomic.Bool  // a goroutine owns now

	wall   func() time.Time
	ticker func() (ticks <-chan time.Time, stop func())
}

// realTicker is the ticker of a coarseClock outside tests.
func realTicker() (<-chan time.Time, func()) {
	t := time.NewTicker(clockTick)
	return t.C, t.Stop
}

// before reports whether the clock is running and reads earlier than
// deadline (Unix nanoseconds). false means "past it, or not known".
func (c *coarseClock) before(deadline int64) bool {
	now := c.now.Load()
	if now == 0 || now >= deadline {
		return false
	}
	if !c.used.Load() { // a store only once per tick, not per reading
		c.used.Store(true)
	}
	return true
}

// start makes sure the clock is running. It is cheap when it is.
func (c *coarseClock) start() {
	if c.running.Load() || !c.running.CompareAndSwap(false, true) {
		return
	}
	c.now.Store(c.wall().UnixNano())
	ticks, stop := c.ticker()
	go c.run(ticks, stop)
}

func (c *coarseClock) run(ticks <-chan time.Time, stop func()) {
	defer stop()
	idle := 0
	for range ticks {
		if c.used.Swap(false) {
			idle = 0
		} else if idle++; idle >= idleTicks {
			break
		}
		c.now.Store(c.wall().UnixNano())
	}
	// Unknown first, then free for the next start, whose own reading
	// therefore lands after this one.
	c.now.Store(0)
	c.running.Store(false)
}
