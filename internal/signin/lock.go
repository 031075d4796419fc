package signin

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/awssession/awssession/internal/privfile"
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
	l, err := privfile.Lock(ctx, filepath.Join(dir, ".awssession-"+base+".lock"), 50*time.Millisecond)
	if err != nil {
		return nil, fmt.Errorf("wait for another sign-in: %w", err)
	}
	return func() { _ = l.Unlock() }, nil
}
