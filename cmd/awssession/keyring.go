package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
	"github.com/spf13/cobra"
)

// Environment variables of the keyring.
const (
	envKeyringBackend    = "AWSSESSION_KEYRING_BACKEND"
	envKeyringPassphrase = "AWSSESSION_KEYRING_PASSPHRASE"
	envKeyringFileDir    = "AWSSESSION_KEYRING_FILE_DIR"
)

// addKeyringFlag adds --keyring-backend to cmd and its subcommands.
func (c *cli) addKeyringFlag(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&c.keyringBackend, "keyring-backend", "",
		fmt.Sprintf("where long-term keys are kept: %s (or $%s; default: the first the OS offers)",
			strings.Join(keyring.Backends, ", "), envKeyringBackend))
}

// keyringSettings are the keyring the flags and environment name. The
// file backend's passphrase is read once per run, when first needed.
func (c *cli) keyringSettings() keyring.Settings {
	if c.passphrase == nil {
		var once struct {
			done bool
			p    keyring.Secret
			err  error
		}
		c.passphrase = func() (keyring.Secret, error) {
			if !once.done {
				once.p, once.err = c.readPassphrase()
				once.done = true
			}
			return once.p, once.err
		}
	}
	return keyring.Settings{
		Backend:    firstNonEmpty(c.keyringBackend, c.getenv(envKeyringBackend)),
		FileDir:    c.keyringFileDir(),
		Passphrase: c.passphrase,
		RecordDir:  filepath.Join(c.configDir(), "keyring-records"),
	}
}

// keyringNamed reports whether the user chose a backend (flag or
// environment): then a profile with no keys anywhere is an error, not a
// case for the SDK's default chain.
func (c *cli) keyringNamed() bool {
	return firstNonEmpty(c.keyringBackend, c.getenv(envKeyringBackend)) != ""
}

// openKeyring opens the keyring the settings name.
func (c *cli) openKeyring() (*keyring.Keyring, error) {
	if !c.keyrings.opened {
		c.keyrings.opened = true
		c.keyrings.kr, c.keyrings.err = keyring.Open(c.keyringSettings())
	}
	return c.keyrings.kr, c.keyrings.err
}

// keyringOfRun is the keyring as a run opened it, once, and the profiles
// it holds keys for, listed once (list plans thousands of profiles, each
// asking; an OS backend answers each over D-Bus).
type keyringOfRun struct {
	opened bool
	kr     *keyring.Keyring
	err    error
	keys   map[string]bool // nil until listed
}

// keyringFileDir is $AWSSESSION_KEYRING_FILE_DIR, else awssession/keyring
// under the user config directory, from the run's environment.
func (c *cli) keyringFileDir() string {
	if d := c.getenv(envKeyringFileDir); d != "" {
		return d
	}
	return filepath.Join(c.configDir(), "keyring")
}

// configDir is awssession under the user config directory, from the
// run's environment: where the keyring's file backend and the records of
// OS backends' items live (see keyring.Settings.RecordDir).
func (c *cli) configDir() string {
	base := c.getenv("XDG_CONFIG_HOME")
	if base == "" && runtime.GOOS == "linux" && c.getenv("HOME") != "" {
		base = filepath.Join(c.getenv("HOME"), ".config")
	}
	if base == "" {
		base, _ = os.UserConfigDir()
	}
	return filepath.Join(base, "awssession")
}

// readPassphrase is $AWSSESSION_KEYRING_PASSPHRASE, else typed on the
// terminal without echo.
func (c *cli) readPassphrase() (keyring.Secret, error) {
	if p := c.getenv(envKeyringPassphrase); p != "" {
		return keyring.Secret(p), nil
	}
	p, ok, err := c.readHidden("Passphrase of the awssession keyring file: ", true)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", fmt.Errorf("no terminal to ask for the keyring file's passphrase on: set $%s", envKeyringPassphrase)
	}
	return keyring.Secret(p), nil
}

// readHidden reads one line typed on a terminal without echo: stdin when
// it is one, else (with tty) the controlling terminal. The prompt goes to
// stderr; ok is false when there is no terminal.
func (c *cli) readHidden(prompt string, tty bool) (string, bool, error) {
	var in *os.File
	switch f, isFile := c.stdin.(*os.File); {
	case c.stdinTerminal && isFile:
		in = f
	case tty:
		t, _, err := c.openTerminal()
		tf, ok := t.(*os.File)
		if err != nil || !ok {
			return "", false, nil
		}
		in = tf
	default:
		return "", false, nil
	}
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	line, err := c.readHiddenLine(ctx, in, prompt)
	return line, true, err
}

// openTerminal opens the controlling terminal (awssession.OpenTerminal:
// /dev/tty, or CONIN$ and CONOUT$ on Windows), or what openTTY returns
// when tests set it (out is then stderr). It is closed when the run ends.
func (c *cli) openTerminal() (in io.Reader, out io.Writer, err error) {
	if c.openTTY != nil {
		tty, err := c.openTTY()
		if err != nil {
			return nil, nil, err
		}
		c.closers = append(c.closers, tty)
		return tty, c.stderr, nil
	}
	i, o, err := awssession.OpenTerminal()
	if err != nil {
		return nil, nil, err
	}
	c.closers = append(c.closers, i)
	if o != i {
		c.closers = append(c.closers, o)
	}
	return i, o, nil
}

// confirm asks question on a terminal (stdin when it is one, else the
// controlling terminal) and reports whether the answer was yes; ok is
// false when there is no terminal to ask on. The question goes to stderr.
func (c *cli) confirm(ctx context.Context, question string) (yes, ok bool, err error) {
	var in *bufio.Reader
	if _, isFile := c.stdin.(*os.File); c.stdinTerminal && isFile {
		in = c.stdinReader()
	} else {
		t, _, err := c.openTerminal()
		if err != nil {
			return false, false, nil
		}
		in = bufio.NewReader(t)
	}
	fmt.Fprintf(c.stderr, "%s [y/N] ", question)
	answer := make(chan string, 1)
	go func() {
		line, _ := in.ReadString('\n')
		answer <- strings.ToLower(strings.TrimSpace(line))
	}()
	select {
	case a := <-answer:
		return a == "y" || a == "yes", true, nil
	case <-ctx.Done():
		fmt.Fprintln(c.stderr)
		return false, true, ctx.Err()
	}
}

// readSecretLine reads a secret for add: typed without echo when stdin is
// a terminal, else one line of stdin (a pipe).
func (c *cli) readSecretLine(cmd *cobra.Command, prompt string) (string, error) {
	v, ok, err := c.readHidden(prompt, false)
	if err != nil || ok {
		return v, err
	}
	if v, err = c.readLine(); err != nil {
		return "", usageErrorf(cmd, "%s: read stdin: %v", strings.TrimSuffix(prompt, ": "), err)
	}
	return v, nil
}

// keyringHint says what to do about a keyring error.
func keyringHint(err error) string {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return "'awssession add PROFILE' stores a profile's keys; 'awssession list' shows what the keyring holds"
	case errors.Is(err, keyring.ErrWrongPassphrase):
		return fmt.Sprintf("the keyring file was written with another passphrase; check $%s", envKeyringPassphrase)
	case errors.Is(err, keyring.ErrNoBackend):
		return fmt.Sprintf("choose one this machine offers with --keyring-backend or $%s (file works everywhere)", envKeyringBackend)
	case errors.Is(err, keyring.ErrLocked):
		return fmt.Sprintf("unlock the keyring (for the file backend: set $%s or run on a terminal)", envKeyringPassphrase)
	}
	return ""
}
