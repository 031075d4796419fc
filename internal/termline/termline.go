// Package termline reads one line a person types for a prompt: hidden on a
// terminal, where echo is turned off before the prompt shows (a code or
// key typed the moment the prompt appears is never echoed; reading first
// and prompting after raced with a fast typist), visible elsewhere (a
// pipe), or refused (Hidden, for secrets). The MFA prompt and the CLI's
// secret prompts share it.
package termline

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrNoTerminal is Hidden's error for input that is no terminal.
var ErrNoTerminal = errors.New("not a terminal")

// Hidden is Read for a secret: it returns ErrNoTerminal, before
// prompting, unless in is a terminal it can hide the line on.
func Hidden(ctx context.Context, in *os.File, out io.Writer, prompt string) (string, error) {
	restore, err := echoOff(in)
	if err != nil {
		return "", fmt.Errorf("%s: %w", in.Name(), ErrNoTerminal)
	}
	return read(ctx, in, out, prompt, restore, nil)
}

// Read writes prompt to out and reads a line from in. On a terminal the
// line is hidden and the newline it ended with is written to out. When
// ctx is done first, the terminal is restored at once and ctx's error
// returned; the read itself cannot be cancelled and ends, unseen, with the
// next line typed, after which ended (if not nil) is called. Without a
// cancel, ended is called before Read returns.
func Read(ctx context.Context, in *os.File, out io.Writer, prompt string, ended func()) (string, error) {
	restore, err := echoOff(in)
	if err != nil {
		restore = nil // visible: a pipe
	}
	return read(ctx, in, out, prompt, restore, ended)
}

// read is Read with echo already off when restore is not nil.
func read(ctx context.Context, in *os.File, out io.Writer, prompt string, restore, ended func()) (string, error) {
	if ended == nil {
		ended = func() {}
	}
	hidden := restore != nil
	if _, err := io.WriteString(out, prompt); err != nil {
		if hidden {
			restore()
		}
		ended()
		return "", err
	}
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		l, err := bufio.NewReader(in).ReadString('\n')
		if errors.Is(err, io.EOF) && l != "" {
			err = nil
		}
		done <- result{l, err}
	}()
	select {
	case r := <-done:
		if hidden {
			restore()
			_, _ = fmt.Fprintln(out) // the newline typed was not echoed
		}
		ended()
		return strings.TrimSpace(r.line), r.err
	case <-ctx.Done():
		if hidden {
			restore()
		}
		_, _ = fmt.Fprintln(out)
		go func() { <-done; ended() }()
		return "", ctx.Err()
	}
}
