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

// TestExplainProfilesRefusesUnreadableFiles: a shared file that is a FIFO
// or /dev/zero is refused before anything reads it, naming the file, as a
// session refuses it; no plan is returned.
func TestExplainProfilesRefusesUnreadableFiles(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "config")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	for _, path := range []string{fifo, "/dev/zero"} {
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
