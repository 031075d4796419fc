package main

import (
	"context"
	"io"
	"os"
	"strings"

	"github.com/cli/browser"
)

// browserAvailable reports whether a browser can be opened: always on
// macOS and Windows; elsewhere only in a graphical session ($DISPLAY,
// $WAYLAND_DISPLAY) or under WSL, where the opener hands the URL to the
// Windows browser. On a server over ssh the URL is printed instead of
// starting a text browser in the terminal.
func (c *cli) browserAvailable() bool {
	switch c.goos {
	case "darwin", "windows":
		return true
	}
	return c.getenv("DISPLAY") != "" || c.getenv("WAYLAND_DISPLAY") != "" || c.getenv("WSL_DISTRO_NAME") != ""
}

// openInBrowser is the real cli.startBrowser: github.com/cli/browser
// (xdg-open, x-www-browser, www-browser or wslview on Linux and the BSDs,
// open on macOS, ShellExecute on Windows), the URL an argument, never
// through a shell. That library starts the opener with the process's own
// environment and writes its output to package variables, so this
// function, which runs once at the end of a process and never in tests,
// first makes the environment env (removing awssession's secrets and the
// TOTP seed variable, so the browser never inherits them) and discards
// the opener's output (it may repeat the URL in an error message). ctx
// is not used: the library waits for the opener, which returns at once
// for a graphical browser.
func openInBrowser(_ context.Context, url string, env []string) error {
	keep := map[string]bool{}
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		keep[name] = true
	}
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !keep[name] {
			_ = os.Unsetenv(name)
		}
	}
	browser.Stdout, browser.Stderr = io.Discard, io.Discard
	return browser.OpenURL(url)
}
