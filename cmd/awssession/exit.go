package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	exitOK          = 0
	exitError       = 1   // anything else
	exitUsage       = 2   // bad flags, arguments or input
	exitRefused     = 3   // STS refused the credentials or the MFA code
	exitInterrupted = 130 // Ctrl-C or SIGTERM, as shells and the AWS CLI report it
)

// usageError is a bad flag, argument or input found by the command line.
type usageError struct {
	cmd string // command path, for the hint
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(cmd *cobra.Command, format string, args ...any) error {
	return &usageError{cmd: cmd.CommandPath(), err: fmt.Errorf(format, args...)}
}

// exitStatus is the status of a command run by exec, passed through
// without a message.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// authCodes are STS error codes that mean the credentials or the MFA code
// were refused.
var authCodes = map[string]bool{
	"AccessDenied": true, "AccessDeniedException": true,
	"InvalidClientTokenId": true, "UnrecognizedClientException": true, "InvalidAccessKeyId": true,
	"SignatureDoesNotMatch": true, "IncompleteSignature": true, "MissingAuthenticationToken": true,
	"ExpiredToken": true, "ExpiredTokenException": true, "AuthFailure": true,
}

// exitCode maps an error to the exit status the command documents.
func (c *cli) exitCode(err error) int {
	var status exitStatus
	var start *startError
	var usage *usageError
	var api smithy.APIError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &status):
		return int(status)
	case errors.As(err, &start):
		return start.status()
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &usage), !c.started, errors.Is(err, awssession.ErrInvalidInput), keyring.IsUnusable(err):
		return exitUsage
	case errors.Is(err, awssession.ErrSignInRequired):
		// Nothing was refused: a person has to sign in first.
		return exitUsage
	case errors.Is(err, awssession.ErrMFATokenUsed):
		// Known before it was sent: a code given twice, not a refusal.
		return exitUsage
	case errors.Is(err, awssession.ErrMFAFailed):
		return exitRefused
	case errors.As(err, &api) && authCodes[api.ErrorCode()]:
		return exitRefused
	case errors.As(err, &api) && api.ErrorCode() == "ValidationError":
		// STS refused a parameter: bad input, found late.
		return exitUsage
	}
	return exitError
}

// report prints err as one line on stderr (see terminalText), with a
// hint where one helps, and returns the exit status.
func (c *cli) report(err error) int {
	code := c.exitCode(err)
	var status exitStatus
	if errors.As(err, &status) {
		return code
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(c.stderr, "awssession: interrupted")
		return code
	}
	var call *awssession.CallError
	if errors.As(err, &call) {
		// The call that failed leads, then what AWS said; the whole chain
		// with --debug.
		first, detail := callText(call)
		// What the command was doing when the call failed stays in front.
		prefix := strings.TrimSuffix(strings.TrimSuffix(oneLine(err), oneLine(call)), ": ")
		if prefix != "" && prefix != oneLine(err) {
			first = prefix + ": " + first
		}
		fmt.Fprintf(c.stderr, "awssession: %s\n", terminalText(first))
		if detail != "" {
			fmt.Fprintf(c.stderr, "  %s\n", terminalText(detail))
		}
		if c.debug {
			fmt.Fprintf(c.stderr, "  (all of it: %s)\n", terminalText(oneLine(err)))
		}
	} else {
		fmt.Fprintf(c.stderr, "awssession: %s\n", terminalText(oneLine(err)))
	}
	if h := c.hint(err); h != "" {
		fmt.Fprintf(c.stderr, "hint: %s\n", terminalText(h))
	}
	return code
}

func (c *cli) hint(err error) string {
	var usage *usageError
	var start *startError
	var api smithy.APIError
	var own interface{ hint() string }
	switch {
	case errors.As(err, &own) && own.hint() != "":
		return own.hint() // the error knows better (an IAM call is not STS)
	case errors.As(err, &usage):
		return fmt.Sprintf("run '%s --help' for usage", usage.cmd)
	case !c.started:
		return "run 'awssession --help' for usage"
	case keyring.IsUnusable(err):
		return keyringHint(err)
	}
	if h := c.profileHint(err); h != "" { // reads the shared files: once
		return h
	}
	switch {
	case errors.As(err, &start) && start.notFound():
		return c.commandHint(start.name)
	case errors.Is(err, awssession.ErrSignInRequired):
		return "sign in with `awssession login` (add --console for a login_session profile), then run this again; " +
			"with a terminal, commands sign in by themselves"
	case errors.Is(err, awssession.ErrMFATokenUsed):
		return "give the device's next code (--mfa-token, $AWSSESSION_MFA_TOKEN or mfa_process give one code per run); " +
			"--mfa-totp-secret-env computes fresh codes itself"
	case errors.As(err, &api) && api.ErrorCode() == "ExpiredToken":
		return "the source credentials have expired; get new ones (or drop --session-token)"
	case errors.As(err, &api) && (api.ErrorCode() == "InvalidClientTokenId" || api.ErrorCode() == "SignatureDoesNotMatch"):
		return "STS does not know these keys, or the secret key is wrong; check --access-key/--secret-key or --profile (and --sts-endpoint)"
	case strings.Contains(err.Error(), "failed to retrieve credentials") || strings.Contains(err.Error(), "no EC2 IMDS role found"):
		return "no credentials found: pass --profile, or --access-key with AWSSESSION_SECRET_KEY"
	}
	return ""
}

// oneLine renders err on a single line in the command line's terms (see
// cliText), without the SDK credential cache's repeated prefix.
func oneLine(err error) string {
	s := strings.ReplaceAll(cliText(err), "failed to refresh cached credentials, ", "")
	return strings.TrimPrefix(strings.Join(strings.Fields(s), " "), "awssession: ")
}

// callText words a failed call: the first line names the call and the
// layer it was for, and what went wrong in a person's words (a refused MFA
// code and its likely cause); detail is what the service said (its error
// code, message and request ID), or the transport's error.
func callText(call *awssession.CallError) (first, detail string) {
	first = fmt.Sprintf("%s for %s failed", call.Call, call.Layer)
	var mfa *awssession.MFAError
	var api smithy.APIError
	var withID interface{ ServiceRequestID() string }
	switch {
	case errors.As(call.Err, &mfa):
		first += fmt.Sprintf(": the MFA code for %s was refused (%s)", mfa.SerialNumber, mfa.Hint)
	case errors.Is(call.Err, context.DeadlineExceeded):
		first += ": no answer in the time --sts-timeout allows"
	}
	if errors.As(call.Err, &api) {
		detail = api.ErrorCode() + ": " + api.ErrorMessage()
		if errors.As(call.Err, &withID) && withID.ServiceRequestID() != "" {
			detail += " (request " + withID.ServiceRequestID() + ")"
		}
		return first, detail
	}
	if mfa == nil {
		detail = oneLine(call.Err)
	}
	return first, detail
}
