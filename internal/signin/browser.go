package signin

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/codecmd"
	"github.com/cli/browser"
)

// An Opener opens url in the person's browser.
type Opener func(url string) error

// BrowserOpener opens URLs as xdg-open and Python's webbrowser do: with
// the commands of the BROWSER variable (a colon-separated list, each
// tried in turn; "%s" in a command stands for the URL, else the URL is its
// last argument; never run by a shell), else the system's opener. env is
// the session's environment; the command runs in it.
func BrowserOpener(getenv func(string) string, environ []string) Opener {
	list := getenv("BROWSER")
	if list == "" {
		return browser.OpenURL
	}
	return func(url string) error {
		var errs []error
		for _, command := range strings.Split(list, string(listSeparator)) {
			argv, err := codecmd.Split(command)
			if err != nil {
				errs = append(errs, fmt.Errorf("BROWSER command %q: %w", command, err))
				continue
			}
			if !replaceURL(argv, url) {
				argv = append(argv, url)
			}
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Env = environ
			if err := startDetached(cmd); err != nil {
				errs = append(errs, fmt.Errorf("BROWSER command %q: %w", argv[0], err))
				continue
			}
			return nil
		}
		return errors.Join(errs...)
	}
}

// startDetached starts cmd and waits a moment for a quick failure (a
// missing program, a browser that cannot start), then lets it run.
func startDetached(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(2 * time.Second):
		return nil // still running: a browser window
	}
}

func replaceURL(argv []string, url string) bool {
	found := false
	for i, a := range argv {
		if strings.Contains(a, "%s") {
			argv[i], found = strings.ReplaceAll(a, "%s", url), true
		}
	}
	return found
}

// CanOpen reports whether a browser can open for this person: on a
// machine with a desktop (macOS, Windows, a Linux DISPLAY or
// WAYLAND_DISPLAY) and not over SSH, or wherever BROWSER names one. Where
// none can, the device code flow is the one that works.
func CanOpen(getenv func(string) string, goos string) bool {
	switch {
	case getenv("BROWSER") != "":
		return true
	case getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "" || getenv("SSH_CLIENT") != "":
		return false
	case goos == "darwin" || goos == "windows":
		return true
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}
