package signin

import (
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/codecmd"
)

// An Opener opens url in the person's browser.
type Opener func(url string) error

// BrowserOpener opens URLs as xdg-open and Python's webbrowser do: with
// the commands of the BROWSER variable (a colon-separated list, each
// tried in turn; "%s" in a command stands for the URL, else the URL is its
// last argument; never run by a shell), else the system's opener for goos
// (xdg-open, x-www-browser, www-browser or wslview; open; rundll32's URL
// handler). Each runs in environ (the session's environment, found in its
// PATH) with no stdout or stderr: an opener's messages would land in
// output meant for eval or for the AWS CLI, and the process's own
// environment (secrets included) is never handed on.
func BrowserOpener(getenv func(string) string, environ []string, goos string) Opener {
	commands := systemOpeners(goos)
	var errs []error // BROWSER commands that do not parse
	if list := getenv("BROWSER"); list != "" {
		commands = nil
		for _, command := range strings.Split(list, string(listSeparator)) {
			argv, err := codecmd.Split(command)
			if err != nil {
				errs = append(errs, fmt.Errorf("BROWSER command %q: %w", command, err))
				continue
			}
			commands = append(commands, argv)
		}
	}
	return func(url string) error {
		tried := slices.Clone(errs)
		for _, argv := range commands {
			err := openWith(argv, url, environ)
			if err == nil {
				return nil
			}
			tried = append(tried, err)
		}
		return errors.Join(tried...)
	}
}

// systemOpeners are the commands that open a URL in the desktop's browser,
// in the order tried (as github.com/cli/browser tries them).
func systemOpeners(goos string) [][]string {
	switch goos {
	case "darwin":
		return [][]string{{"open"}}
	case "windows":
		return [][]string{{"rundll32", "url.dll,FileProtocolHandler"}}
	}
	return [][]string{{"xdg-open"}, {"x-www-browser"}, {"www-browser"}, {"wslview"}}
}

// openWith runs argv for url in environ.
func openWith(argv []string, url string, environ []string) error {
	argv = slices.Clone(argv)
	if !replaceURL(argv, url) {
		argv = append(argv, url)
	}
	path, err := codecmd.LookPath(argv[0], environ)
	if err != nil {
		return fmt.Errorf("browser %q: %w", argv[0], err)
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env = environ
	if err := startDetached(cmd); err != nil {
		return fmt.Errorf("browser %q: %w", argv[0], err)
	}
	return nil
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
// WAYLAND_DISPLAY, or WSL, whose opener hands the URL to Windows) and not
// over SSH, or wherever BROWSER names one. Where none can, the device code
// flow is the one that works.
func CanOpen(getenv func(string) string, goos string) bool {
	switch {
	case getenv("BROWSER") != "":
		return true
	case getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "" || getenv("SSH_CLIENT") != "":
		return false
	case goos == "darwin" || goos == "windows":
		return true
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != "" || getenv("WSL_DISTRO_NAME") != ""
}
