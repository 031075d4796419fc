package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// flagPrompts are the questions asked on a terminal for secrets given as
// "-".
var flagPrompts = map[string]string{
	"secret-key":    "Secret access key: ",
	"session-token": "Session token: ",
	"mfa-token":     "MFA code: ",
}

// readFlagSecret reads the value of a secret flag given as "-": typed
// without echo when stdin is a terminal (the question on stderr; Ctrl-C
// ends the run with the echo restored), else one line of stdin (a pipe,
// a here-string), in flag order.
func (c *cli) readFlagSecret(cmd *cobra.Command, flag string) (string, error) {
	f, isFile := c.stdin.(*os.File)
	if !c.stdinTerminal || !isFile {
		return c.readLine()
	}
	prompt, ok := flagPrompts[flag]
	if !ok {
		prompt = "--" + flag + ": "
	}
	c.interruptible(cmd)
	return c.readHiddenLine(cmd.Context(), f, prompt)
}

// readHiddenLine asks prompt on stderr and reads a line typed on the
// terminal in without echo. When ctx is done first it restores the echo
// at once and returns ctx's error; the read itself cannot be cancelled
// and ends, unseen, with the next line typed (as the library's terminal
// MFA prompt does).
func (c *cli) readHiddenLine(ctx context.Context, in *os.File, prompt string) (string, error) {
	fd := int(in.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("read from the terminal: %w", err)
	}
	type result struct {
		line []byte
		err  error
	}
	done := make(chan result, 1)
	fmt.Fprint(c.stderr, prompt)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		fmt.Fprintln(c.stderr) // the newline typed was not echoed
		if r.err != nil {
			return "", fmt.Errorf("read from the terminal: %w", r.err)
		}
		return strings.TrimSpace(string(r.line)), nil
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		fmt.Fprintln(c.stderr)
		return "", ctx.Err()
	}
}
