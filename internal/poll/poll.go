// Package poll is the one way tests wait for something they cannot be
// told about (a line a process prints, a server's request count, a
// process that is gone): a condition checked at an interval, with a bound
// for a hang. It is not a timing assertion: the bound only ends a test
// that would otherwise hang.
package poll

import (
	"errors"
	"fmt"
	"time"
)

// ErrTimeout is Until's error when the bound passed.
var ErrTimeout = errors.New("condition not met in time")

// Until checks cond every interval until it reports done, or returns an
// error (say, the process it waits on ended), or timeout passes.
func Until(timeout, interval time.Duration, cond func() (done bool, err error)) error {
	bound := time.NewTimer(timeout)
	defer bound.Stop()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		done, err := cond()
		switch {
		case err != nil:
			return err
		case done:
			return nil
		}
		select {
		case <-bound.C:
			return fmt.Errorf("%w (%s)", ErrTimeout, timeout)
		case <-tick.C:
		}
	}
}
