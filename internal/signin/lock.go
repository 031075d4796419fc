package signin

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// Lock takes the lock of a token file, across processes, waiting until
// ctx is done: processes that find no usable token at once take turns,
// and each looks at the token again once it holds the lock, so one of
// them signs the person in and the others use its token. The lock file
// sits beside the token file, a dotfile of its own.
func Lock(ctx context.Context, tokenFile string) (unlock func(), err error) {
	dir, base := filepath.Split(tokenFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	l := flock.New(filepath.Join(dir, ".awssession-"+base+".lock"))
	ok, err := l.TryLockContext(ctx, 50*time.Millisecond)
	switch {
	case err != nil:
		return nil, fmt.Errorf("wait for another sign-in: %w", err)
	case !ok:
		return nil, fmt.Errorf("wait for another sign-in: %w", ctx.Err())
	}
	return func() { _ = l.Unlock() }, nil
}
