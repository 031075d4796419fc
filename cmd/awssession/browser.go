package main

import (
	"context"
	"runtime"

	"github.com/awssession/awssession"
)

// browserAvailable reports whether a browser can be opened here, by the
// rule sign-in uses (awssession.BrowserOpener): wherever BROWSER names
// one; else not over SSH; always on macOS and Windows; elsewhere only in
// a graphical session ($DISPLAY, $WAYLAND_DISPLAY) or under WSL. On a
// server the URL is printed instead of starting a text browser in the
// terminal.
func (c *cli) browserAvailable() bool {
	_, ok := awssession.BrowserOpener(c.environ, c.goos)
	return ok
}

// openInBrowser is the real cli.startBrowser: the opener sign-in uses
// (BROWSER's commands, else xdg-open and its kin, open on macOS,
// rundll32's URL handler on Windows), the URL an argument, never through
// a shell, run in env (the caller's environment without awssession's
// secrets and the TOTP seed variable) with no output of its own. ctx is
// not used: an opener returns at once for a graphical browser.
func openInBrowser(_ context.Context, url string, env []string) error {
	open, _ := awssession.BrowserOpener(env, runtime.GOOS)
	return open(url)
}
