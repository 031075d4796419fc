package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestGUIPromptCannotOpenDisplay: zenity that cannot open its display
// exits with status 1, as when the person cancels; the run is a prompt
// failure naming the flags that give a code (exit 2), not an interrupt
// (130). The fake prints what zenity 3.44 prints with DISPLAY=:99 and no
// X server.
func TestGUIPromptCannotOpenDisplay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	bin := fakeTool(t, "zenity", `echo "(zenity:31033): Gtk-WARNING **: 09:27:16.191: cannot open display: :99" >&2; exit 1`)
	for _, args := range [][]string{nil, {"--prompt", "zenity"}} {
		r := f.run(t, []string{"PATH=" + bin + ":/usr/bin:/bin", "DISPLAY=:99"}, "",
			append(append([]string{"env"}, args...), f.aliceArgs("--no-cache", "--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN)...)...)
		assert.Equal(t, exitUsage, r.code, "%v: got exit %d, want 2; stderr: %s", args, r.code, r.stderr)
		assert.Contains(t, r.stderr, "zenity could not open the display")
		assert.Contains(t, r.stderr, "--mfa-token")
		assert.Contains(t, r.stderr, "--mfa-process")
		assert.NotContains(t, r.stderr, "interrupted")
	}
	assert.Zero(t, f.srv.CountRequests(""), "no STS call without a code")
}
