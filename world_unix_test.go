//go:build unix

package awssession

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckSharedFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(small, []byte("[default]\nregion = eu-west-1\n"), 0o600))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(small, link))
	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, nil, 0o600))
	require.NoError(t, os.Truncate(big, maxSharedFile+1)) // sparse: no 10 MiB written
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))

	tests := []struct {
		name, path string
		want       string // "" accepts; else in the error
	}{
		{"regular file", small, ""},
		{"symbolic link to one", link, ""},
		{"missing", filepath.Join(dir, "nope"), ""},
		{"null device", os.DevNull, ""},
		{"over the cap", big, "is 10485761 bytes"},
		{"directory", dir, "not a regular file"},
		{"FIFO", fifo, "not a regular file"},
		{"/dev/zero", "/dev/zero", "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkSharedFile(tt.path)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalidInput), "got %v, want ErrInvalidInput", err)
			assert.Contains(t, err.Error(), tt.path)
			assert.Contains(t, err.Error(), tt.want)
			assert.False(t, strings.Contains(err.Error(), "\n"))
		})
	}
}
