package awssession

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
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
// six-digit code, alone on its stdout but for surrounding whitespace. The
// command's stdin is empty. What it prints is never logged nor quoted in
// an error. A command that runs past its timeout is killed. A command line
// that cannot be split (an unbalanced quote, nothing to run) is an error
// matching [ErrInvalidInput] naming "MFA process". The provider is safe
// for concurrent use (each call runs the command once).
func ProcessToken(p MFAProcess) (TokenProvider, error) {
	argv, err := splitCommand(p.Command)
	if err != nil {
		return nil, invalid(namedAt("MFA process"), "%v", err)
	}
	r := codeCommand{argv: argv, env: p.Env, timeout: p.Timeout, stderr: p.Stderr}
	if r.timeout <= 0 {
		r.timeout = DefaultMFAProcessTimeout
	}
	return func(ctx context.Context, _ string) (string, error) { return r.run(ctx, argv) }, nil
}

// codeCommand runs a program that prints an MFA code: an MFA process or a
// dialog (see GUIToken).
type codeCommand struct {
	argv    []string // the command; run's argv may differ (a dialog's text)
	env     []string // nil: this process's
	timeout time.Duration
	stderr  io.Writer // nil: os.Stderr
}

// maxCodeOutput bounds what is read of a command's stdout: a code and a
// newline, with room for a banner that makes the output wrong anyway.
const maxCodeOutput = 4096

// run runs argv and returns the code it printed.
func (r codeCommand) run(ctx context.Context, argv []string) (string, error) {
	name := filepath.Base(argv[0])
	path, err := lookPath(argv[0], r.env)
	if err != nil {
		return "", fmt.Errorf("MFA process %s: %w", name, err)
	}
	runCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Env = r.env
	cmd.Stderr = r.stderr
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	var out limitedBuffer
	cmd.Stdout = &out
	// A child that outlives the killed command (sh running sleep) keeps
	// stdout open; stop waiting for it soon after the kill.
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("MFA process %s: %w", name, ctx.Err())
	case runCtx.Err() != nil:
		return "", fmt.Errorf("MFA process %s: no code after %s: %w", name, r.timeout, runCtx.Err())
	case errors.As(err, &exit):
		return "", &processError{name: name, status: exit.ExitCode()}
	case err != nil:
		return "", fmt.Errorf("MFA process %s: %w", name, err)
	}
	code := strings.TrimSpace(out.String())
	if stsrules.TokenCode.Check(code) != nil {
		return "", fmt.Errorf("MFA process %s printed no six-digit code (%d bytes on stdout; the code must be alone)", name, len(out.b))
	}
	return code, nil
}

// processError is an MFA process that exited with a non-zero status.
type processError struct {
	name   string
	status int
}

func (e *processError) Error() string {
	return fmt.Sprintf("MFA process %s exited with status %d", e.name, e.status)
}

// limitedBuffer keeps the first maxCodeOutput bytes written to it and
// discards the rest, so a runaway command cannot fill memory.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxCodeOutput - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return string(l.b) }

// lookPath finds a program as exec.LookPath does, in the PATH of env (nil:
// this process's). Relative PATH entries are skipped, as Go's ErrDot rule
// would refuse them.
func lookPath(file string, env []string) (string, error) {
	if env == nil || strings.ContainsAny(file, `/\`) {
		return exec.LookPath(file)
	}
	path := ""
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && (k == "PATH" || runtime.GOOS == "windows" && strings.EqualFold(k, "PATH")) {
			path = v
		}
	}
	exts := []string{""}
	if runtime.GOOS == "windows" {
		exts = []string{".exe", ".cmd", ".bat", ".com", ""}
	}
	for _, dir := range filepath.SplitList(path) {
		if !filepath.IsAbs(dir) {
			continue
		}
		for _, ext := range exts {
			p := filepath.Join(dir, file+ext)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && (runtime.GOOS == "windows" || fi.Mode()&0o111 != 0) {
				return p, nil
			}
		}
	}
	return "", &exec.Error{Name: file, Err: exec.ErrNotFound}
}

// splitCommand splits a command line into words, the way a POSIX shell
// splits a simple command, without the rest of a shell: words are
// separated by unquoted blanks; 'single quotes' keep everything inside
// literally; "double quotes" keep everything but \" and \\, which stand
// for " and \; outside quotes a backslash makes the next character
// literal. Nothing else is special: no variables, globs, pipes,
// redirections or ';', so a command line cannot run a second command.
// On Windows, put paths with backslashes in single quotes.
func splitCommand(line string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\\':
			if i+1 == len(line) {
				return nil, errors.New("ends with a lone backslash")
			}
			i++
			w.WriteByte(line[i])
			inWord = true
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unbalanced single quote")
			}
			w.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			closed := false
			for i++; i < len(line); i++ {
				if line[i] == '"' {
					closed = true
					break
				}
				if line[i] == '\\' && i+1 < len(line) && (line[i+1] == '"' || line[i+1] == '\\') {
					i++
				}
				w.WriteByte(line[i])
			}
			if !closed {
				return nil, errors.New("unbalanced double quote")
			}
			inWord = true
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	if len(words) == 0 {
		return nil, errors.New("empty command")
	}
	return words, nil
}
