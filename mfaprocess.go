package awssession

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
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
