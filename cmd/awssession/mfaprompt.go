package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/awssession/awssession"
	"github.com/spf13/cobra"
)

// --prompt values: the terminal, or a GUI dialog tool.
const promptTerminal = "terminal"

// guiTools are the dialogs --prompt names, in the order they are tried
// where a display exists.
var guiTools = []string{"zenity", "kdialog", "osascript"}

// promptTokens returns the provider of codes when no flag gives one. At
// the first code it needs (never on the warm path) it picks, once:
// --prompt's choice; else the profile's mfa_process; else the controlling
// terminal; else, with no terminal, a GUI dialog (osascript on macOS,
// zenity or kdialog where DISPLAY or WAYLAND_DISPLAY is set); else a usage
// error naming the flags that give a code. It is used by one run, from
// one goroutine at a time (the session serialises MFA codes).
func (c *cli) promptTokens(cmd *cobra.Command, f *sessionFlags) awssession.TokenProvider {
	var chosen awssession.TokenProvider
	return func(ctx context.Context, serial string) (string, error) {
		if chosen != nil {
			return chosen(ctx, serial)
		}
		if f.prompt == "" && c.prepared != nil {
			// The profile that names the device may name the command
			// that prints its codes (aws-vault's mfa_process).
			if command := c.prepared.Plan(ctx).MFAProcess; command != "" {
				tokens, err := c.processTokens(f, command)
				if err != nil {
					return "", &usageError{cmd: cmd.CommandPath(), err: fmt.Errorf("mfa_process of profile %s: %w", f.profile, err)}
				}
				chosen = tokens
				return chosen(ctx, serial)
			}
		}
		if f.prompt == "" || f.prompt == promptTerminal {
			code, err := c.terminalTokens()(ctx, serial)
			if !errors.Is(err, awssession.ErrNoTerminal) || f.prompt == promptTerminal {
				chosen = c.terminalTokens()
				return code, err
			}
		}
		gui, err := c.guiTokens(f, f.prompt)
		if err != nil {
			return "", &usageError{cmd: cmd.CommandPath(), err: fmt.Errorf("no terminal to ask for the MFA code for %s on, %v; "+
				"give the code with --mfa-token (or $%s), --mfa-totp-secret-env or --mfa-process", serial, err, envMFAToken)}
		}
		chosen = promptFailures(cmd, gui)
		return chosen(ctx, serial)
	}
}

// promptFailures makes a GUI prompt's failure (a dialog that cannot open
// the display, one left unanswered past its timeout) a usage error that
// names the flags giving a code without a prompt. A dialog the person
// cancelled (or Ctrl-C) stays an interrupt.
func promptFailures(cmd *cobra.Command, tokens awssession.TokenProvider) awssession.TokenProvider {
	return func(ctx context.Context, serial string) (string, error) {
		code, err := tokens(ctx, serial)
		if err != nil && !errors.Is(err, context.Canceled) {
			return "", &usageError{cmd: cmd.CommandPath(), err: fmt.Errorf("no MFA code for %s from the GUI prompt: %w; "+
				"give the code with --mfa-token (or $%s), --mfa-totp-secret-env or --mfa-process", serial, err, envMFAToken)}
		}
		return code, err
	}
}

// terminalTokens prompts on the controlling terminal, or on what openTTY
// returns when tests set it.
func (c *cli) terminalTokens() awssession.TokenProvider {
	if c.terminal == nil {
		if c.openTTY == nil {
			c.terminal = awssession.TerminalToken()
		} else {
			c.terminal = func(ctx context.Context, serial string) (string, error) {
				tty, err := c.openTTY()
				if err != nil {
					return "", fmt.Errorf("%w: %v", awssession.ErrNoTerminal, err)
				}
				c.closers = append(c.closers, tty)
				return awssession.PromptToken(tty, c.stderr)(ctx, serial)
			}
		}
	}
	return c.terminal
}

// guiTokens returns a dialog: tool's, or the first one found where a
// display is (osascript on macOS), run without the run's secrets
// (helperEnv).
func (c *cli) guiTokens(f *sessionFlags, tool string) (awssession.TokenProvider, error) {
	env := c.helperEnv(f)
	if tool != "" {
		return awssession.GUIToken(tool, env)
	}
	tools := []string{"osascript"}
	if c.goos != "darwin" {
		if c.getenv("DISPLAY") == "" && c.getenv("WAYLAND_DISPLAY") == "" {
			return nil, errors.New("and no display for a GUI prompt (DISPLAY, WAYLAND_DISPLAY)")
		}
		tools = guiTools[:2]
	}
	for _, t := range tools {
		if tokens, err := awssession.GUIToken(t, env); err == nil {
			return tokens, nil
		}
	}
	return nil, fmt.Errorf("and no GUI prompt (%s) in PATH", tools)
}

// interruptibleTokens lets Ctrl-C reach tokens. The SDK's credentials
// cache calls providers with a context that is never done and returns to
// its caller at once when the caller's is, so on its own a prompt would
// never learn of the interrupt: the process would exit with the
// terminal's echo off, or a dialog or MFA process left running. Each call
// here is also done when the command's context (asked at the call,
// because env makes interrupts cancel it only once it needs STS) is, and
// run waits for calls in flight (c.prompts) before the process exits.
func (c *cli) interruptibleTokens(cmd *cobra.Command, tokens awssession.TokenProvider) awssession.TokenProvider {
	return func(ctx context.Context, serial string) (string, error) {
		c.prompts.Add(1)
		defer c.prompts.Done()
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stop := context.AfterFunc(cmd.Context(), cancel)
		defer stop()
		return tokens(ctx, serial)
	}
}
