package main

import (
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/awssession/awssession"
)

// badInput is one invalid input: try returns the error text a user sees
// (a library error, or the CLI's stderr) and whether the input was
// refused as bad input (ErrInvalidInput, exit status 2).
type badInput struct {
	kind, name string
	// want is in the error text: the field, flag or file at fault.
	want string
	// invalid requires ErrInvalidInput (library) or exit status 2 (CLI).
	invalid bool
	try     func(t *testing.T) outcome
	// repair marks a cache case: the bad entry is a miss that one STS call
	// replaces, not an error.
	repair bool
	// cli runs a library or profile case's input through the CLI, with
	// cliArgs added, and its stderr names cliWant: the flag or profile key
	// the user typed. A library case without it has no flag; its error is
	// worded by the CLI's cliText instead.
	cli     func(t *testing.T, args ...string) result
	cliArgs []string
	cliWant string
}

// outcome is what a bad input came to: the text a user sees, whether it
// was refused as bad input, and the library's error.
type outcome struct {
	text    string
	invalid bool
	err     error
}

// goTerms are Go names a person at a shell cannot type: options
// (WithMFA), fields (cfg.Credentials, .SerialNumber), role hops
// (AssumeRole[1].Duration), types and functions.
var goTerms = regexp.MustCompile(`With[A-Z]|cfg\.|\[\d+\]\.|AssumeRole[\[{]|ClampDurations|StaticToken|PromptToken|ConsoleURL|` +
	`\.(AccessKeyID|SecretAccessKey|SessionToken|SerialNumber|RoleARN|RoleSessionName|ExternalID|Duration|Tokens|Name|Policy)\b`)

// speaksFlags fails the test if text names a Go identifier.
func speaksFlags(t *testing.T, text string) {
	t.Helper()
	if m := goTerms.FindString(text); m != "" {
		t.Errorf("the message names Go's %q, not a flag or profile key: %s", m, text)
	}
}

func isInvalid(err error) bool { return err != nil && errors.Is(err, awssession.ErrInvalidInput) }

// library is the outcome of a library call.
func library(err error) outcome {
	if err == nil {
		return outcome{}
	}
	return outcome{text: err.Error(), invalid: isInvalid(err), err: err}
}

// flags gives a library case its CLI form: args to the CLI (with env),
// whose stderr names want.
func (b badInput) flags(f *fixture, want string, env []string, args ...string) badInput {
	b.cliWant = want
	b.cli = func(t *testing.T, extra ...string) result {
		return f.run(t, append([]string{"DUMMY_EMPTY=", envCacheDir + "=" + t.TempDir()}, env...), "", append(args, extra...)...)
	}
	return b
}

// withArgs adds CLI arguments to a profile case's CLI form, whose stderr
// names want.
func (b badInput) withArgs(want string, args ...string) badInput {
	b.cliWant, b.cliArgs = want, args
	return b
}

func tagMap(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("k%d", i)] = "v"
	}
	return m
}
