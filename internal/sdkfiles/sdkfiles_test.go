package sdkfiles

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSDKHeader: a line is a section header, and has the name, that the
// SDK's parser gives it.
func TestSDKHeader(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]string{
		"[profile dev]":          "profile dev",
		"[ profile\tdev ] # why": "profile dev",
		"  [default];x":          "default",
		"[profile  a  b]\r":      "profile a  b",
		"[sso-session corp]":     "sso-session corp",
		"[]":                     "",
	} {
		got, ok := Header(line)
		assert.True(t, ok, "%q", line)
		assert.Equal(t, want, got, "%q", line)
	}
	for _, line := range []string{"", "  ", "# [profile dev]", " ;[dev]", "[a#b]", "[dev] x", "key = [v]", "[dev"} {
		_, ok := Header(line)
		assert.False(t, ok, "%q", line)
	}
}

// A scratch file reads back what was put last, longer or shorter, through
// its path, and leaves no file behind: on Linux none ever existed.
func TestScratch(t *testing.T) {
	s, err := NewScratch()
	require.NoError(t, err)
	paths, err := s.Put(nil, []byte("[profile a]\nregion = x\n"))
	require.NoError(t, err)
	require.Equal(t, []string{s.Path()}, paths)
	for _, text := range []string{"[b]\n", "[profile c]\nregion = a-much-longer-value\n"} {
		_, err := s.Put(nil, []byte(text))
		require.NoError(t, err)
		b, err := os.ReadFile(s.Path())
		require.NoError(t, err)
		assert.Equal(t, text, string(b))
	}
	paths, err = s.Put([]string{"other"}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"other"}, paths, "nothing to read: no file")
	if strings.HasPrefix(s.Path(), "/dev/fd/") {
		link, err := os.Readlink("/proc/self/fd/" + strings.TrimPrefix(s.Path(), "/dev/fd/"))
		if err == nil {
			assert.True(t, strings.HasPrefix(link, "/memfd:") || strings.HasSuffix(link, "(deleted)"), link)
		}
	}
	path := s.Path()
	s.Close()
	if !strings.HasPrefix(path, "/dev/fd/") {
		assert.NoFileExists(t, path)
	}
}
