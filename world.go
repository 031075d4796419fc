package awssession

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// world is everything a session reads of the outside world other than the
// network and the cache: the environment, the clock and the home directory
// (where the shared files are by default). It is the one seam tests and the
// CLI set ([WithEnvironment]) for what awssession decides itself. Two
// readings stay outside it on purpose: elapsed times for logs, and the
// process environment where the SDK reads it too (naming the route of an
// endpoint the SDK chose, in checkSTSRoute).
type world struct {
	getenv func(string) string
	clock  clock // the package's one time source; TOTP providers take one too
	home   func() (string, error)
}

// processWorld is the world of a program that sets nothing.
func processWorld() world {
	return world{getenv: os.Getenv, clock: realClock{}, home: os.UserHomeDir}
}

// sharedFile returns the shared config or credentials file the SDK would
// read: the named environment variable's, else the default under the home
// directory. def is "config" or "credentials".
func (w world) sharedFile(env, def string) []string {
	if p := w.getenv(env); p != "" {
		return []string{p}
	}
	home, err := w.home()
	if err != nil || home == "" {
		return nil
	}
	return []string{filepath.Join(home, ".aws", def)}
}

type environmentOption []string

func (e environmentOption) apply(o *options) {
	env := make(map[string]string, len(e))
	for _, kv := range e {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v // later entries win, as in a process environment
		}
	}
	o.world.getenv = func(k string) string { return env[k] }
	o.world.home = func() (string, error) {
		if h := env["HOME"]; h != "" {
			return h, nil
		}
		if h := env["USERPROFILE"]; h != "" {
			return h, nil
		}
		return "", fmt.Errorf("no HOME in the session's environment")
	}
}

// Format prints the variables' names only: values may be secrets.
func (e environmentOption) Format(f fmt.State, _ rune) {
	names := make([]string, 0, len(e))
	for _, kv := range e {
		k, _, _ := strings.Cut(kv, "=")
		names = append(names, k)
	}
	_, _ = fmt.Fprintf(f, "WithEnvironment(%s)", strings.Join(names, " "))
}

// WithEnvironment makes the session read environ ("NAME=value" entries, as
// os.Environ returns them) instead of the process environment, for every
// variable awssession itself reads: AWS_PROFILE, AWS_DEFAULT_PROFILE,
// AWS_REGION, AWS_DEFAULT_REGION, AWS_CONFIG_FILE,
// AWS_SHARED_CREDENTIALS_FILE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL and HOME. It is
// how a command passes on the environment it was given, and how tests run
// in parallel without t.Setenv. Settings only config.LoadDefaultConfig
// reads (AWS_CA_BUNDLE, AWS_MAX_ATTEMPTS, …) still come from the process.
func WithEnvironment(environ []string) Option { return environmentOption(environ) }

// check refuses shared files that are not regular files before the SDK
// reads them (a FIFO blocks forever, /dev/zero never ends).
func (f sharedFiles) check() error {
	for _, p := range slices.Concat(f.config, f.credentials) {
		if err := checkSharedFile(p); err != nil {
			return err
		}
	}
	return nil
}

// maxSharedFile caps the shared config and credentials files: the SDK
// reads a file whole before parsing it, and real ones are a few KiB.
const maxSharedFile = 10 << 20

// checkSharedFile returns an [*InputError] naming path unless it is a
// regular file of at most maxSharedFile bytes, or missing (the SDK then
// goes on without it), or the null device (AWS_CONFIG_FILE=/dev/null is
// the usual way to say "no config"). It is for AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE before the SDK reads them: /dev/zero or a
// FIFO there would grow memory or block forever. Symbolic links are
// followed (dotfile managers link ~/.aws/config).
func checkSharedFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return invalid(namedAt(path), "%v", err)
	case fi.Mode().IsRegular():
		if fi.Size() > maxSharedFile {
			return invalid(namedAt(path), "is %d bytes; a shared config or credentials file of over %d MiB is not one", fi.Size(), maxSharedFile>>20)
		}
		return nil
	case isNullDevice(fi):
		return nil
	}
	return invalid(namedAt(path), "is not a regular file (%v); the AWS SDK would read it as a shared config or credentials file", fi.Mode().Type())
}

// isNullDevice reports whether fi is the null device, which reads as
// empty.
func isNullDevice(fi fs.FileInfo) bool {
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}

// clock is the package's one time source: a session's (in world) and a
// TOTP provider's; tests replace it.
type clock interface {
	Now() time.Time
	// After is time.After, honouring the caller's context.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
