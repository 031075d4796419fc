package awssession

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// world is the seam through which a session reads the outside world other
// than the network and the cache: the environment, the clock and the home
// directory. Tests and the CLI set it ([WithEnvironment]); nothing in the
// package reads the process environment but processWorld. Elapsed times
// for debug logs are the one reading that stays outside it.
type world struct {
	getenv  func(string) string
	environ func() []string // the whole environment, for processes a session starts
	clock   clock           // the package's one time source; TOTP providers take one too
	home    func() (string, error)
}

// processWorld is the world of a program that sets nothing.
func processWorld() world {
	return world{getenv: os.Getenv, environ: os.Environ, clock: realClock{}, home: os.UserHomeDir}
}

// envLookup parses "NAME=value" entries into a lookup; later entries win,
// as in a process environment.
func envLookup(entries []string) func(string) string {
	env := make(map[string]string, len(entries))
	for _, kv := range entries {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return func(k string) string { return env[k] }
}

// homeOf is the home directory an environment names.
func homeOf(getenv func(string) string) func() (string, error) {
	return func() (string, error) {
		if h := getenv("HOME"); h != "" {
			return h, nil
		}
		if h := getenv("USERPROFILE"); h != "" {
			return h, nil
		}
		return "", fmt.Errorf("no HOME in the session's environment")
	}
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
