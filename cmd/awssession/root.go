package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const rootLong = `awssession turns whatever AWS credentials you have into a session:
static keys, a profile, or the SDK's default chain as the source; an MFA
session (STS GetSessionToken) on top; then any number of roles (AssumeRole).

Secrets need not appear on the command line (and in your shell history):
  --secret-key -, --session-token -, --mfa-token -   typed without echo when stdin
                                                     is a terminal, else one line
                                                     of stdin each (in that order)
  AWSSESSION_ACCESS_KEY, AWSSESSION_SECRET_KEY,
  AWSSESSION_SESSION_TOKEN, AWSSESSION_MFA_TOKEN     used when the flag is absent
  --mfa-totp-secret-env NAME                         computes codes from the base32
                                                     seed in $NAME
  --mfa-process CMD (or mfa_process in the profile) runs CMD, e.g.
                                                     "ykman oath accounts code -s NAME",
                                                     and reads the code from its stdout
Without any of these, the MFA code is asked for on the terminal (/dev/tty,
also under a credential_process), else in a GUI dialog (--prompt chooses);
never on stdout, so eval "$(awssession env ...)" stays clean.

Profiles (--profile, or AWS_PROFILE) are read from ~/.aws/config and
~/.aws/credentials and planned as layers: the base profile's credentials,
then one AssumeRole per role_arn of the source_profile chain, each cached
on its own. mfa_serial on a role asks for a code for that role; on a
profile that holds only keys it adds an MFA session (12 h) instead of
handing out the long-term keys.

MFA sessions by default: when a role needs an MFA code and the source is
long-term keys, an MFA session (GetSessionToken, 12 h, or
--session-token-duration) goes under the roles, so one code serves every
role of every run for 12 h. --no-session sends the code to AssumeRole
instead (each role refresh then needs a new code); a role duration over
1 h does too, with a note.

Every MFA code sent is recorded (a hash, per device, in the cache
directory, also with --no-cache): a code already used is refused before it
is sent, saying when the next one comes; a prompt asks again and says why.

A profile may be given as the first argument of every session command
(env, exec, serve, credential-process, console, explain, whoami); a
misspelt profile or flag gets the names it may stand for. Output: every
command whose output is structured takes --format (text, json, or its own
formats) and --json, the short form of --format json.

Exit status: 0 ok, 2 bad input (also an MFA code already used, found before
it is sent), 3 refused by STS (wrong MFA code, access denied, unknown or
expired keys), 130 interrupted, 1 anything else. exec returns the command's
own status (127: not found, 126: not runnable).`

const rootExample = `  # A profile of ~/.aws/config (role_arn, mfa_serial, source_profile), as aws-vault users type it
  awssession exec admin -- aws s3 ls
  eval "$(awssession env admin)"
  awssession console admin

  # The whole MFA + assume-role flow against a local fake STS, no account needed
  awssession demo

  # A role session with MFA in this shell, from flags
  eval "$(awssession env --profile dev --mfa-serial arn:aws:iam::111111111111:mfa/alice \
      --role-arn arn:aws:iam::123456789012:role/Admin)"

  # Run one command with a session
  awssession exec --profile dev --role-arn arn:aws:iam::123456789012:role/ReadOnly -- aws s3 ls

  # A long run that outlives role sessions: the command gets a local credential
  # endpoint that keeps the session fresh, no keys
  awssession exec --server --profile dev --mfa-serial arn:aws:iam::111111111111:mfa/alice \
      --session-token-duration 12h --role-arn arn:aws:iam::123456789012:role/Deploy -- terraform apply

  # The console, signed in as a role
  awssession console --profile dev --role-arn arn:aws:iam::123456789012:role/Admin`

// newRoot builds the command tree for one run of args. The commands run
// from prompts and credential_process get a tree of the root and that
// command alone: building all of them (flag sets, defaults) is a third of
// a warm run's own work. Everything else (help, completion, suggestions
// for a mistyped name) gets the whole tree.
func (c *cli) newRoot(args []string) *cobra.Command {
	root := &cobra.Command{
		Use:           "awssession",
		Short:         "Turn AWS keys, profiles, MFA and roles into a ready session",
		Long:          rootLong,
		Example:       rootExample,
		SilenceErrors: true,
		SilenceUsage:  true,
		// Suggest "env" for "evn".
		SuggestionsMinimumDistance: 2,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			hint := ""
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				hint = fmt.Sprintf(" (did you mean %s?)", strings.Join(s, ", "))
			}
			return usageErrorf(cmd, "unknown command %q%s", args[0], hint)
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.PersistentFlags().BoolVar(&c.debug, "debug", false, "log the session's layers and STS calls to stderr (never secrets)")
	root.PersistentFlags().BoolVar(&c.silent, "silent", false, "print nothing but the result: no notes or warnings on stderr")
	c.addKeyringFlag(root)
	// --role_arn and --role-arn are the same flag, everywhere.
	root.SetGlobalNormalizationFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ReplaceAll(name, "_", "-"))
	})
	root.SetFlagErrorFunc(flagError)
	switch firstCommand(args) {
	case "env":
		root.AddCommand(c.envCmd())
		return root
	case "credential-process":
		root.AddCommand(c.credentialProcessCmd())
		return root
	}
	setVersion(root)
	root.AddCommand(
		c.envCmd(),
		c.execCmd(),
		c.serveCmd(),
		c.credentialProcessCmd(),
		c.whoamiCmd(),
		c.consoleCmd(),
		c.explainCmd(),
		c.demoCmd(),
		c.stsServerCmd(),
		c.cacheCmd(),
		c.addCmd(),
		c.removeCmd(),
		c.listCmd(),
		c.rotateCmd(),
		c.ssoCmd(),
		c.loginCmd(),
		c.logoutCmd(),
		c.versionCmd(),
	)
	c.completeProfiles(root)
	return root
}

// firstCommand returns the first argument that is not a flag: the
// subcommand's name, as the root's flags (--debug, --silent) take no
// value.
func firstCommand(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// run executes args and returns the exit status, reporting any error on
// stderr in one line.
func (c *cli) run(ctx context.Context, args []string) int {
	c.ctx = ctx
	root := c.newRoot(args)
	root.SetArgs(args)
	root.SetIn(c.stdin)
	root.SetOut(c.stdout)
	root.SetErr(c.stderr)
	err := root.ExecuteContext(ctx)
	c.prompts.Wait() // an interrupted prompt restores the terminal, ends its dialog
	for _, cl := range c.closers {
		_ = cl.Close()
	}
	if c.stopNotify != nil {
		c.stopNotify()
	}
	if err == nil {
		return 0
	}
	return c.report(err)
}

// action wraps a subcommand's work: errors before it starts are usage
// errors (flags, arguments), errors after are classified by exitCode.
// Interrupts cancel the command's context from the start.
func (c *cli) action(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		c.started = true
		c.interruptible(cmd)
		return fn(cmd, args)
	}
}

// quickAction is action for the commands of the warm path (env,
// credential-process), which call interruptible themselves only once they
// are about to wait (STS, a prompt): most runs never do. Handling
// signals costs ~1.2 ms per process here (the runtime starts a thread to
// manage signal masks), a sixth of a warm run; until then Ctrl-C ends the
// process as it would any program.
func (c *cli) quickAction(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		c.started = true
		return fn(cmd, args)
	}
}

// interruptible makes Ctrl-C and SIGTERM cancel cmd's context from now on
// (once per run; a no-op without notify).
func (c *cli) interruptible(cmd *cobra.Command) {
	if c.notify == nil || c.stopNotify != nil {
		return
	}
	ctx, stop := c.notify(cmd.Context())
	cmd.SetContext(ctx)
	c.ctx, c.stopNotify = ctx, stop
}

// noArgs refuses positional arguments with a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf(cmd, "unexpected argument %q", args[0])
	}
	return nil
}

// notef prints a note or warning on stderr unless --silent, made safe
// for a terminal (its arguments may be names from files).
func (c *cli) notef(format string, args ...any) {
	if !c.silent {
		fmt.Fprintf(c.stderr, "awssession: %s\n", terminalText(fmt.Sprintf(format, args...)))
	}
}
