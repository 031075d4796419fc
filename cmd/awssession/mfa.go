package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/stsrules"
	"github.com/spf13/cobra"
)

// tokenProvider returns where MFA codes for serial (or, with anyDevice,
// for whatever device the profile names) come from: --mfa-token (or
// stdin, or $AWSSESSION_MFA_TOKEN), a TOTP seed in the environment, or
// else a prompt on the terminal. It reads a "-" code from stdin even when
// no device needs it, so that stdin is consumed in flag order.
func (c *cli) tokenProvider(cmd *cobra.Command, f *sessionFlags, serial string, anyDevice bool) (awssession.TokenProvider, error) {
	code, err := c.secretValue(cmd, "mfa-token", f.mfaToken, "")
	if err != nil {
		return nil, err
	}
	if code == "" && f.totpEnv == "" {
		code = c.getenv(envMFAToken)
	}
	switch needed := serial != "" || anyDevice; {
	case !needed && f.mfaToken != "":
		return nil, usageErrorf(cmd, "--mfa-token needs --mfa-serial (or a --profile with mfa_serial)")
	case !needed && f.totpEnv != "":
		return nil, usageErrorf(cmd, "--mfa-totp-secret-env needs --mfa-serial (or a --profile with mfa_serial)")
	case !needed:
		return nil, nil
	case code != "":
		c.mfaFrom = map[bool]string{true: "--mfa-token", false: "$" + envMFAToken}[f.mfaToken != ""]
		// Checked here, before any cache or network: a cached session
		// would otherwise hide a mistyped code until it expires.
		if stsrules.TokenCode.Check(code) != nil {
			return nil, usageErrorf(cmd, "%s: an MFA code is six digits (got %d characters)", c.mfaFrom, len(code))
		}
		return awssession.StaticToken(code), nil
	case f.totpEnv != "":
		seed := c.getenv(f.totpEnv)
		if seed == "" {
			return nil, usageErrorf(cmd, "--mfa-totp-secret-env: environment variable %s is empty or not set", f.totpEnv)
		}
		c.mfaFrom = "the TOTP seed in $" + f.totpEnv
		return awssession.TOTP(seed), nil
	}
	c.mfaFrom = "a prompt on the terminal"
	return awssession.PromptToken(&lazyReader{ctx: cmd.Context, open: c.promptInput}, c.stderr), nil
}

// promptInput is where a typed MFA code is read: stdin when it is a
// terminal, else the controlling terminal (stdin may be a pipe that
// carried secrets), else whatever is left of stdin.
func (c *cli) promptInput() (io.Reader, error) {
	if !c.stdinTerminal && c.openTTY != nil {
		if tty, err := c.openTTY(); err == nil {
			c.closers = append(c.closers, tty)
			return tty, nil
		}
	}
	return c.stdinReader(), nil
}

// stdinReader is the one buffered reader of stdin, shared by "-" flags and
// prompts so that no line is lost between them.
func (c *cli) stdinReader() *bufio.Reader {
	if c.lines == nil {
		c.lines = bufio.NewReader(c.stdin)
	}
	return c.lines
}

// readLine reads one line of stdin, without surrounding whitespace.
func (c *cli) readLine() (string, error) {
	line, err := c.stdinReader().ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		if errors.Is(err, io.EOF) {
			return "", errors.New("stdin has no more lines")
		}
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// lazyReader opens its source on the first Read, so that the terminal is
// opened only when a prompt is actually shown. A Read gives up when the
// context ctx returns at that time is done (Ctrl-C at the prompt; asked
// then, because env makes interrupts cancel it only once it needs STS),
// leaving the blocked read behind: the process is about to exit.
type lazyReader struct {
	ctx  func() context.Context
	open func() (io.Reader, error)
	r    io.Reader
}

func (l *lazyReader) Read(p []byte) (int, error) {
	if l.r == nil {
		r, err := l.open()
		if err != nil {
			return 0, err
		}
		l.r = r
	}
	type result struct {
		n   int
		err error
	}
	buf := make([]byte, len(p))
	done := make(chan result, 1)
	go func() {
		n, err := l.r.Read(buf)
		done <- result{n, err}
	}()
	select {
	case res := <-done:
		return copy(p, buf[:res.n]), res.err
	case <-l.ctx().Done():
		return 0, l.ctx().Err()
	}
}

// profileMFASerial returns the mfa_serial of a profile or of the profiles
// it takes its source credentials from, or "" when there is none or the
// profile cannot be read (CreateSession then reports why).
func (c *cli) profileMFASerial(ctx context.Context, profile string) string {
	sc, err := config.LoadSharedConfigProfile(ctx, profile, c.sharedConfigFiles)
	if err != nil {
		return ""
	}
	for p, depth := &sc, 0; p != nil && depth < 16; p, depth = p.Source, depth+1 {
		if p.MFASerial != "" {
			return p.MFASerial
		}
	}
	return ""
}
