package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/stsrules"
	"github.com/spf13/cobra"
)

// tokenProvider returns where MFA codes for serial (or, with anyDevice,
// for whatever device the profile names) come from: --mfa-token (or
// stdin, or $AWSSESSION_MFA_TOKEN), a TOTP seed in the environment,
// --mfa-process, or else a prompt (see promptTokens). It reads a "-" code
// from stdin even when no device needs it, so that stdin is consumed in
// flag order.
// It also says where the codes come from, for explain and notes.
func (c *cli) tokenProvider(cmd *cobra.Command, f *sessionFlags, serial string, anyDevice bool) (awssession.TokenProvider, string, error) {
	tokens, from, err := c.tokenSource(cmd, f, serial, anyDevice)
	if tokens == nil || err != nil {
		return nil, "", err
	}
	return c.interruptibleTokens(cmd, tokens), from, nil
}

// tokenSource is tokenProvider without the interrupt handling.
func (c *cli) tokenSource(cmd *cobra.Command, f *sessionFlags, serial string, anyDevice bool) (awssession.TokenProvider, string, error) {
	code, err := c.secretValue(cmd, "mfa-token", f.mfaToken, "")
	if err != nil {
		return nil, "", err
	}
	if cmd.Flags().Changed("mfa-totp-secret-env") && f.totpEnv == "" {
		return nil, "", usageErrorf(cmd, `--mfa-totp-secret-env: give the name of the environment variable that holds the seed, not ""`)
	}
	if f.prompt != "" && f.prompt != promptTerminal && !slices.Contains(guiTools, f.prompt) {
		return nil, "", usageErrorf(cmd, "--prompt %q: want terminal, %s", f.prompt, strings.Join(guiTools, ", "))
	}
	if code == "" && f.totpEnv == "" && f.mfaProcess == "" {
		code = c.getenv(envMFAToken)
	}
	switch needed := serial != "" || anyDevice; {
	case !needed && f.mfaToken != "":
		return nil, "", usageErrorf(cmd, "--mfa-token needs --mfa-serial (or a --profile with mfa_serial)")
	case !needed && f.totpEnv != "":
		return nil, "", usageErrorf(cmd, "--mfa-totp-secret-env needs --mfa-serial (or a --profile with mfa_serial)")
	case !needed && f.mfaProcess != "":
		return nil, "", usageErrorf(cmd, "--mfa-process needs --mfa-serial (or a --profile with mfa_serial)")
	case !needed:
		return nil, "", nil
	case code != "":
		from := map[bool]string{true: "--mfa-token", false: "$" + envMFAToken}[f.mfaToken != ""]
		// Checked here, before any cache or network: a cached session
		// would otherwise hide a mistyped code until it expires.
		if stsrules.TokenCode.Check(code) != nil {
			return nil, "", usageErrorf(cmd, "%s: an MFA code is six digits (got %d characters)", from, len(code))
		}
		return awssession.StaticToken(code), from, nil
	case f.totpEnv != "":
		seed := c.getenv(f.totpEnv)
		if seed == "" {
			return nil, "", usageErrorf(cmd, "--mfa-totp-secret-env: environment variable %s is empty or not set", f.totpEnv)
		}
		return flagErrors(cmd, "--mfa-totp-secret-env $"+f.totpEnv, awssession.TOTP(seed)), "the TOTP seed in $" + f.totpEnv, nil
	case f.mfaProcess != "":
		tokens, err := c.processTokens(f, f.mfaProcess)
		if err != nil {
			return nil, "", usageErrorf(cmd, "--mfa-process: %v", err)
		}
		return tokens, "--mfa-process", nil
	}
	return c.promptTokens(cmd, f), fromPrompt, nil
}

// fromPrompt is tokenSource's "from" for codes a person types (or picks
// in a dialog): the one source a TOTP seed in the keyring replaces.
const fromPrompt = "a prompt on the terminal"

// processTokens runs command for each code, in the run's environment
// without its secrets (helperEnv), its stderr on ours (a YubiKey's "touch
// your key").
func (c *cli) processTokens(f *sessionFlags, command string) (awssession.TokenProvider, error) {
	return awssession.ProcessToken(awssession.MFAProcess{Command: command, Env: c.helperEnv(f), Timeout: c.mfaProcessTimeout, Stderr: c.stderr})
}

// flagErrors makes the invalid-input errors of tokens (a TOTP seed too
// short) speak of the flag that supplied them.
func flagErrors(cmd *cobra.Command, flag string, tokens awssession.TokenProvider) awssession.TokenProvider {
	return func(ctx context.Context, serial string) (string, error) {
		code, err := tokens(ctx, serial)
		if errors.Is(err, awssession.ErrInvalidInput) {
			return "", &usageError{cmd: cmd.CommandPath(), err: fmt.Errorf("%s: %w", flag, err)}
		}
		return code, err
	}
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
