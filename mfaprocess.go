package awssession

import (
	"context"
	"io"
	"time"

	"github.com/awssession/awssession/internal/codecmd"
)

// DefaultMFAProcessTimeout is how long an [MFAProcess] may take to print a
// code when its Timeout is 0: time to find and touch a hardware key.
const DefaultMFAProcessTimeout = 60 * time.Second

// MFAProcess is a command that prints the current MFA code on its stdout,
// such as "ykman oath accounts code -s NAME" (aws-vault's mfa_process).
// It is a plain value: [ProcessToken] runs it.
type MFAProcess struct {
	// Command is the command line. It is split into words as a POSIX
	// shell splits a simple command ('single' and "double" quotes,
	// backslash escapes) and run directly, never by a shell: no
	// variables, globs, pipes, redirections or ';'. On Windows, put paths
	// with backslashes in single quotes.
	Command string
	// Env is the command's environment, and its PATH finds the program.
	// nil means this process's environment.
	Env []string
	// Timeout bounds one run; 0 means [DefaultMFAProcessTimeout].
	Timeout time.Duration
	// Stderr receives the command's stderr (a YubiKey's "Touch your key"
	// note); nil means os.Stderr.
	Stderr io.Writer
}

// ProcessToken returns a provider that runs p for each code and reads one
// six-digit code: the first line of its stdout that is not blank, the code
// alone on it but for surrounding whitespace. The command's stdin is
// empty. It runs in a process group of its own (on Unix), so it cannot
// read the terminal; once it printed its code and exited, or when it runs
// past its timeout, that group is killed: no child it started outlives
// it, and a child that holds its stdout open does not hold up the code.
// What it prints is never logged nor quoted in an error. A command line
// that cannot be split (an unbalanced quote, nothing to run) is an error
// matching [ErrInvalidInput] naming "MFA process". The provider is safe
// for concurrent use (each call runs the command once).
func ProcessToken(p MFAProcess) (TokenProvider, error) {
	argv, err := codecmd.Split(p.Command)
	if err != nil {
		return nil, invalid(namedAt("MFA process"), "%v", err)
	}
	r := codecmd.Command{Env: p.Env, Timeout: p.Timeout, Stderr: p.Stderr}
	if r.Timeout <= 0 {
		r.Timeout = DefaultMFAProcessTimeout
	}
	return func(ctx context.Context, _ string) (string, error) { return r.Run(ctx, argv) }, nil
}
