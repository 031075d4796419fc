package awssession

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/codecmd"
	"github.com/awssession/awssession/internal/termline"
	"golang.org/x/term"
)

// ErrNoTerminal is returned (wrapped) by a [TerminalToken] provider in a
// process without a controlling terminal: a service, a GUI application,
// a pipeline started with setsid. Match it with [errors.Is] to fall back
// to another source of codes.
var ErrNoTerminal = errors.New("no terminal to ask for an MFA code on")

// PromptToken returns a provider that writes "MFA code for SERIAL: " to out
// and reads one line from in. Whitespace around the code is ignored. A
// call returns when ctx is done (Ctrl-C at the prompt); the line it was
// reading then goes to the next call. It is safe for concurrent use:
// prompts never interleave. For a person at a terminal use
// [TerminalToken], which shows the prompt even when stdin, stdout and
// stderr are captured; never write a prompt to os.Stdout (it may be
// captured by eval).
func PromptToken(in io.Reader, out io.Writer) TokenProvider {
	type line struct {
		text string
		err  error
	}
	mu := newCtxMutex()
	r := bufio.NewReader(in)
	var pending chan line // a read in progress; guarded by mu
	return func(ctx context.Context, serialNumber string) (string, error) {
		if err := mu.Lock(ctx); err != nil {
			return "", fmt.Errorf("prompt for MFA code: %w", err)
		}
		defer mu.Unlock()
		if _, err := fmt.Fprint(out, promptText(ctx, serialNumber)+" "); err != nil {
			return "", fmt.Errorf("prompt for MFA code: %w", err)
		}
		if pending == nil {
			pending = make(chan line, 1)
			go func(ch chan<- line) {
				text, err := r.ReadString('\n')
				ch <- line{text, err}
			}(pending)
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("prompt for the MFA code for %s: %w", serialNumber, ctx.Err())
		case l := <-pending:
			pending = nil
			if l.err != nil && !(errors.Is(l.err, io.EOF) && l.text != "") {
				return "", fmt.Errorf("read MFA code for %s: %w", serialNumber, l.err)
			}
			return strings.TrimSpace(l.text), nil
		}
	}
}

// TerminalToken returns a provider that asks "MFA code for SERIAL: " on
// the controlling terminal (/dev/tty; CONIN$ and CONOUT$ on Windows) and
// reads the answer there, without echo, whatever stdin, stdout and stderr
// are: the prompt shows even where they are captured, as under the AWS
// CLI's credential_process. The terminal is opened for each prompt and
// closed after it. Without a terminal a call returns an error matching
// [ErrNoTerminal]. When ctx is done during a prompt (Ctrl-C, with
// signal.NotifyContext) the call restores the terminal's echo at once and
// returns ctx's error; the read itself cannot be cancelled and ends,
// unseen, with the next line typed. It is safe for concurrent use:
// prompts never interleave.
func TerminalToken() TokenProvider {
	mu := newCtxMutex()
	return func(ctx context.Context, serialNumber string) (string, error) {
		if err := mu.Lock(ctx); err != nil {
			return "", fmt.Errorf("prompt for MFA code: %w", err)
		}
		defer mu.Unlock()
		in, out, err := OpenTerminal()
		if err != nil {
			return "", fmt.Errorf("prompt for the MFA code for %s: %w (%v)", serialNumber, ErrNoTerminal, err)
		}
		return askTerminal(ctx, in, out, serialNumber)
	}
}

// askTerminal prompts on out and reads a line from in, without echo when
// in is a terminal (off before the prompt shows). It closes in and out
// once the read ends.
func askTerminal(ctx context.Context, in, out *os.File, serialNumber string) (string, error) {
	line, err := termline.Read(ctx, in, out, promptText(ctx, serialNumber)+" ", func() {
		_ = in.Close()
		if out != in {
			_ = out.Close()
		}
	})
	switch {
	case ctx.Err() != nil && err == ctx.Err():
		return "", fmt.Errorf("prompt for the MFA code for %s: %w", serialNumber, err)
	case err != nil:
		return "", fmt.Errorf("read the MFA code for %s: %w", serialNumber, err)
	}
	return line, nil
}

// guiTimeout bounds how long a dialog waits for the person.
const guiTimeout = 5 * time.Minute

// GUIToken returns a provider that asks "MFA code for SERIAL:" in a dialog
// with hidden input, shown by tool: "zenity" or "kdialog" (Linux and the BSDs,
// with a display) or "osascript" (macOS), for
// applications without a terminal (an IDE or a GUI running the AWS CLI).
// env is the dialog's environment: its PATH finds the tool, and DISPLAY or
// WAYLAND_DISPLAY say where it shows; nil means this process's. A dialog
// the person cancels is an error matching [context.Canceled], as an
// interrupt is; one left open for five minutes is closed. An unknown tool
// is an error matching [ErrInvalidInput], a tool not in PATH one matching
// [os/exec.ErrNotFound]. The provider is safe for
// concurrent use: dialogs never overlap.
func GUIToken(tool string, env []string) (TokenProvider, error) {
	dialog, ok := dialogs[tool]
	if !ok {
		return nil, invalid(namedAt("GUI prompt"), "unknown tool %q; want zenity, kdialog or osascript", tool)
	}
	if _, err := codecmd.LookPath(tool, env); err != nil {
		return nil, fmt.Errorf("GUI prompt: %w", err)
	}
	r := codecmd.Command{Env: env, Timeout: guiTimeout}
	mu := newCtxMutex()
	return func(ctx context.Context, serialNumber string) (string, error) {
		if err := mu.Lock(ctx); err != nil {
			return "", fmt.Errorf("prompt for MFA code: %w", err)
		}
		defer mu.Unlock()
		code, err := r.Run(ctx, dialog(promptText(ctx, serialNumber)))
		var exit *codecmd.ExitError
		if errors.As(err, &exit) && exit.Status == 1 {
			// All three exit with 1 when the person cancels.
			return "", fmt.Errorf("%s: MFA prompt cancelled: %w", tool, context.Canceled)
		}
		return code, err
	}, nil
}

// dialogs build each tool's command line for a question. It never
// changes.
var dialogs = map[string]func(text string) []string{
	"zenity": func(text string) []string {
		return []string{"zenity", "--entry", "--hide-text", "--title", "awssession", "--text", text}
	},
	"kdialog": func(text string) []string {
		return []string{"kdialog", "--title", "awssession", "--password", text}
	},
	"osascript": func(text string) []string {
		quoted := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(text) + `"`
		return []string{"osascript", "-e",
			"text returned of (display dialog " + quoted + ` default answer "" with hidden answer with title "awssession")`}
	},
}

// OpenTerminal opens the controlling terminal for a question that must
// reach the person even when stdin and stderr are captured (under a
// credential_process): /dev/tty, or the console's CONIN$ (in) and CONOUT$
// (out) on Windows. The caller closes both (they may be one file). It
// fails when the process has no terminal.
func OpenTerminal() (in, out *os.File, err error) {
	if runtime.GOOS == "windows" {
		if in, err = os.OpenFile("CONIN$", os.O_RDWR, 0); err != nil {
			return nil, nil, err
		}
		if out, err = os.OpenFile("CONOUT$", os.O_WRONLY, 0); err != nil {
			_ = in.Close()
			return nil, nil, err
		}
		return in, out, nil
	}
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	if !term.IsTerminal(int(f.Fd())) {
		_ = f.Close()
		return nil, nil, errors.New("/dev/tty is not a terminal")
	}
	return f, f, nil
}

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
