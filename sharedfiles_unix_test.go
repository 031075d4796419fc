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
// refused before anything reads it, naming the file, by every way in:
// CreateSession, PeekSession, and ExplainProfiles, which returns no plan,
// whichever way the files are named.
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
		for _, files := range []awssession.Option{
			awssession.WithSharedConfigFiles([]string{path}, []string{}),
			awssession.WithSharedConfigFiles([]string{}, []string{path}),
			awssession.WithEnvironment([]string{"AWS_CONFIG_FILE=" + path, "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}),
		} {
			plans, err := awssession.ExplainProfiles(context.Background(), []string{"dev", "prod"}, awssession.WithEnvironment(nil), files)
			require.ErrorIs(t, err, awssession.ErrInvalidInput)
			assert.Contains(t, err.Error(), path)
			assert.Nil(t, plans)
		}
	}
}
