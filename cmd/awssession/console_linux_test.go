//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConsoleBrowser opens the URL with xdg-open where there is a display
// (a fake xdg-open that records its arguments: the URL is one argument,
// no shell in between), and prints it where there is none, with --print,
// or when the opener fails.
func TestConsoleBrowser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	opener := func(script string) string {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\n"+script+"\n"), 0o700))
		return dir
	}
	records := opener(`printf '%s\n' "$#" "$1" > "$OPENED"`)
	fails := opener("exit 3")
	tests := []struct {
		name      string
		env       []string
		print     bool
		opened    bool
		wantNote  string
		emptyNote bool
	}{
		{"X11", []string{"DISPLAY=:0", "PATH=" + records}, false, true, "opened the console sign-in page in your browser", false},
		{"Wayland", []string{"WAYLAND_DISPLAY=wayland-0", "PATH=" + records}, false, true, "opened the console", false},
		{"no display", []string{"PATH=" + records}, false, false, "no browser to open", false},
		{"--print", []string{"DISPLAY=:0", "PATH=" + records}, true, false, "", true},
		{"opener fails", []string{"DISPLAY=:0", "PATH=" + fails}, false, false, "cannot open a browser (xdg-open: exit status 3)", false},
		{"no opener", []string{"DISPLAY=:0", "PATH=" + t.TempDir()}, false, false, "cannot open a browser (exec xdg-open: executable file not found", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			record := filepath.Join(t.TempDir(), "opened")
			args := []string{"console", "--federation-endpoint", f.srv.FederationURL()}
			if tt.print {
				args = append(args, "--print")
			}
			r := f.run(t, append(tt.env, "OPENED="+record), "", append(args, f.aliceArgs("--role-arn", f.reader.ARN)...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			got, err := os.ReadFile(record)
			if tt.opened {
				require.NoError(t, err, "xdg-open was not run; stderr: %s", r.stderr)
				argc, link, _ := strings.Cut(string(got), "\n")
				assert.Equal(t, "1", argc, "got %s arguments, want the URL alone", argc)
				token := checkSigninURL(t, f.srv.FederationURL(), link)
				_, ok := f.srv.SigninSession(token)
				assert.True(t, ok)
				assert.Empty(t, r.stdout)
			} else {
				assert.ErrorIs(t, err, os.ErrNotExist, "xdg-open was run")
				checkSigninURL(t, f.srv.FederationURL(), r.stdout)
			}
			if tt.emptyNote {
				assert.Empty(t, r.stderr)
			}
			assert.Contains(t, r.stderr, tt.wantNote)
			assert.NotContains(t, r.stderr, "SigninToken")
		})
	}
}
