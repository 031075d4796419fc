package main

import (
	"context"
	"fmt"
	"os"

	"github.com/awssession/awssession/internal/termline"
	"github.com/spf13/cobra"
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
// terminal in without echo (off before the prompt shows). When ctx is done
// first it restores the echo at once and returns ctx's error; the read
// itself cannot be cancelled and ends, unseen, with the next line typed
// (as the library's terminal MFA prompt does).
func (c *cli) readHiddenLine(ctx context.Context, in *os.File, prompt string) (string, error) {
	line, err := termline.Hidden(ctx, in, c.stderr, prompt)
	switch {
	case ctx.Err() != nil && err == ctx.Err():
		return "", err
	case err != nil:
		return "", fmt.Errorf("read from the terminal: %w", err)
	}
	return line, nil
}
