// Command awssession turns whatever AWS credentials you have (keys, a
// profile, an MFA device, roles to assume) into a session for a shell, a
// command, or an AWS SDK's credential_process. See "awssession --help".
package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
	"golang.org/x/term"
)

func main() {
	// Best effort: a kernel without prctl leaves the process as it was.
	_ = hideFromChildren()
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// notifyInterrupts makes Ctrl-C and SIGTERM cancel the returned context
// instead of killing the process.
func notifyInterrupts(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// run executes the command line args with the process environment and
// returns the exit status; interrupts (Ctrl-C, SIGTERM) cancel what the
// command waits for. Tests call it (or cli.run, to inject an environment
// and their own cancellation) directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := newCLI(stdin, stdout, stderr, os.Environ())
	c.notify = notifyInterrupts
	return c.run(ctx, args)
}

// cli is everything one run of the command sees of the outside world.
// Nothing in this package reads os.Getenv, os.Stdin or os.Stdout directly.
type cli struct {
	keyrings       keyringOfRun
	stdin          io.Reader
	stdout, stderr io.Writer
	// environ is the environment as "NAME=value" entries; getenv reads it
	// and exec passes an edited copy of it to the child.
	environ []string
	// stdinTerminal reports whether stdin is an interactive terminal.
	stdinTerminal bool
	// openTTY, when tests set it, stands for the controlling terminal:
	// prompts read the code from what it returns and write the question
	// on stderr; an error means there is no terminal. nil: the real one
	// (awssession.TerminalToken). See promptTokens.
	openTTY func() (io.ReadCloser, error)
	// goos is runtime.GOOS; it picks the GUI prompt.
	goos string
	// mfaProcessTimeout bounds each run of an MFA process; 0 means the
	// library's default.
	mfaProcessTimeout time.Duration
	terminal          awssession.TokenProvider // see terminalTokens
	// prepared is the run's one planned session (see prepare): the MFA
	// code sources read its plan (the profile's mfa_process, the base
	// profile whose keyring may hold a seed) when a code is needed.
	prepared *awssession.Prepared
	// prompts counts MFA code requests in flight; see interruptibleTokens.
	prompts sync.WaitGroup

	// startBrowser opens url in the system browser (console), in a
	// process environment of env; tests replace openInBrowser.
	startBrowser func(ctx context.Context, url string, env []string) error

	lines   *bufio.Reader // stdin, once read; see stdinReader
	closers []io.Closer   // closed when the run ends (an opened terminal)
	log     *slog.Logger  // see logger

	// notify, when set, makes interrupts cancel a context (main sets it;
	// tests cancel their own); see interruptible. stopNotify undoes it.
	notify     func(context.Context) (context.Context, context.CancelFunc)
	stopNotify context.CancelFunc
	// ctx is the run's context, cancelled by interrupts once the command
	// is interruptible: what prompts that are not given one wait on.
	ctx context.Context

	// Set by the global flags.
	debug, silent bool
	// keyringBackend is --keyring-backend; passphrase reads the keyring
	// file's passphrase once per run (see keyringSettings).
	keyringBackend string
	passphrase     func() (keyring.Secret, error)
	// started is set when a subcommand begins its work: an error before
	// that is a usage error (flags, arguments).
	started bool
}

func newCLI(stdin io.Reader, stdout, stderr io.Writer, environ []string) *cli {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ, goos: runtime.GOOS, startBrowser: openInBrowser}
	if f, ok := stdin.(*os.File); ok {
		c.stdinTerminal = term.IsTerminal(int(f.Fd()))
	}
	return c
}

// getenv returns the value of the environment variable name, or "".
// Later entries win, as in the process environment.
func (c *cli) getenv(name string) string {
	for i := len(c.environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(c.environ[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}
