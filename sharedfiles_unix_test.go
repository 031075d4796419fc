//go:build unix

package awssession_test

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSharedFilesMustBeRegular: a shared file that is a FIFO (which would
// block the SDK's parser forever) or /dev/zero (which never ends) is
// refused before anything reads it, naming the file.
func TestSharedFilesMustBeRegular(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "config")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	for _, path := range []string{fifo, "/dev/zero"} {
		for _, opts := range [][]awssession.Option{
			{awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", "secret", ""), awssession.WithRegion("us-east-1")},
			{awssession.WithProfile("dev")},
		} {
			opts = append(opts, awssession.WithEnvironment(nil), awssession.WithSharedConfigFiles([]string{path}, nil))
			_, err := awssession.CreateSession(context.Background(), opts...)
			require.ErrorIs(t, err, awssession.ErrInvalidInput)
			assert.Contains(t, err.Error(), path)
			_, _, err = awssession.PeekSession(context.Background(), opts...)
			assert.ErrorIs(t, err, awssession.ErrInvalidInput)
		}
	}
}
