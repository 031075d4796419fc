package privfile

import (
	"context"
	"os"
	"time"

	"github.com/gofrs/flock"
)

// Lock takes the lock file p across processes (created with mode 0600;
// never through a symbolic link, never waiting on a FIFO), trying again
// every retry until ctx is done. The caller unlocks the returned lock.
func Lock(ctx context.Context, p string, retry time.Duration) (*flock.Flock, error) {
	l := flock.New(p, flock.SetPermissions(0o600), flock.SetFlag(os.O_CREATE|os.O_RDONLY|NoFollow))
	ok, err := l.TryLockContext(ctx, retry)
	if err != nil || !ok {
		_ = l.Close()
		if err == nil {
			err = ctx.Err()
		}
		return nil, err
	}
	return l, nil
}
