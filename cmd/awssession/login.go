package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/configfile"
	"github.com/spf13/cobra"
)

const loginLong = `Sign in to the profile's IAM Identity Center session (sso_session, or a
legacy sso_start_url) and keep its token where the AWS CLI keeps it
(~/.aws/sso/cache), so awssession, the AWS CLI, boto3 and every SDK use it.
With --console, sign in with your console identity instead, as "aws login"
does, and write the session's name into the profile as login_session.

The browser opens on a sign-in page and comes back to this machine (PKCE,
a listener on 127.0.0.1). Where no browser can open (over SSH, no display
and no BROWSER), the device code flow is used: open the printed URL on any
device and confirm the code (--use-device-code asks for it); for the
console, --remote prints the URL and reads back the code the page shows.
BROWSER, if set, is the command that opens URLs (as xdg-open reads it).
The URL and code go to the terminal (or stderr), never stdout.

A token that is good, or renewable without you, is kept: nothing happens
unless --force. Commands that need the session (env, exec, whoami, ...) sign
in by themselves when they find no usable token and a terminal to ask on;
processes started together share one sign-in.`

const loginExample = `  awssession login dev                    # the browser, or the device code where none can open
  awssession login dev --use-device-code  # a code to confirm on any device
  awssession login --console admin --region eu-west-1   # console credentials into profile admin
  awssession logout dev`

// loginFlags are login's choices of flow.
type loginFlags struct {
	console, deviceCode, noBrowser, remote, force bool
}

func (c *cli) loginCmd() *cobra.Command {
	var f sessionFlags
	var s loginFlags
	cmd := &cobra.Command{
		Use:     "login [PROFILE]",
		Short:   "Sign in to IAM Identity Center, or with console credentials (--console)",
		Long:    loginLong,
		Example: loginExample,
		Args:    profileArgs(&f),
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			if s.remote && !s.console {
				return usageErrorf(cmd, "--remote is for --console; for IAM Identity Center use --use-device-code")
			}
			if s.deviceCode && s.console {
				return usageErrorf(cmd, "--use-device-code is for IAM Identity Center; for --console use --remote")
			}
			if f.profile == "" {
				f.profile = firstNonEmpty(c.getenv("AWS_PROFILE"), "default")
			}
			how := c.signInOptions(s)
			opts := c.signInSessionOptions(&f)
			if s.console {
				return c.loginConsole(cmd, &f, how, opts)
			}
			done, err := awssession.SignIn(cmd.Context(), how, opts...)
			if err != nil {
				return err
			}
			c.reportSignIn(f.profile, done)
			return nil
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&f.profile, "profile", "", "the profile to sign in for (default: $AWS_PROFILE, else default)")
	fs.StringVar(&f.region, "region", "", "with --console: the region of the sign-in (default: the profile's, AWS_REGION)")
	fs.Var(&f.stsTimeout, "sts-timeout", "give up on each request to AWS after this long (default 30s); never times you")
	fs.BoolVar(&s.console, "console", false, "sign in with your console identity (aws login) and write login_session into the profile")
	fs.BoolVar(&s.deviceCode, "use-device-code", false, "the device code flow: confirm a code on any device")
	fs.BoolVar(&s.noBrowser, "no-browser", false, "print the sign-in URL instead of opening a browser")
	fs.BoolVar(&s.remote, "remote", false, "with --console: print the URL and read back the code the page shows (no browser here)")
	fs.BoolVar(&s.force, "force", false, "sign in again although the token is good")
	return cmd
}

// signInSessionOptions are the library options of a sign-in for the
// profile: the run's environment, the region and timeout flags.
func (c *cli) signInSessionOptions(f *sessionFlags) []awssession.Option {
	opts := []awssession.Option{awssession.WithEnvironment(c.environ), awssession.WithProfile(f.profile), awssession.WithLogger(c.sessionLogger())}
	if f.region != "" {
		opts = append(opts, awssession.WithRegion(f.region))
	}
	if f.stsTimeout != 0 {
		opts = append(opts, awssession.WithSTSTimeout(time.Duration(f.stsTimeout)))
	}
	return opts
}

// loginConsole signs in with console credentials and names the session
// in the profile (login_session), creating the profile if need be; a
// profile that holds credentials of another kind is left alone.
func (c *cli) loginConsole(cmd *cobra.Command, f *sessionFlags, how awssession.SignInOptions, opts []awssession.Option) error {
	ctx := cmd.Context()
	if plan, err := awssession.Explain(ctx, opts...); err == nil && plan.BaseCredentials != "" && plan.BaseCredentials != "login" {
		return usageErrorf(cmd, "profile %s holds %s credentials; a console sign-in needs a profile of its own (login_session)", f.profile, plan.BaseCredentials)
	}
	res, err := awssession.SignInConsole(ctx, how, opts...)
	if err != nil {
		return err
	}
	configFile, _ := c.sharedFilePaths()
	section := "profile " + f.profile
	if f.profile == "default" {
		section = "default"
	}
	keys := []configfile.KeyValue{{Key: "login_session", Value: res.Session}}
	if f.region != "" {
		keys = append(keys, configfile.KeyValue{Key: "region", Value: f.region})
	}
	if _, err := configfile.Edit(ctx, configFile, func(cf *configfile.File) error { return cf.Set(section, keys...) }); err != nil {
		return fmt.Errorf("write login_session into profile %s of %s: %w", f.profile, configFile, err)
	}
	c.notef("signed in to the console as %s: profile %s uses it (login_session); its credentials renew until the session ends (12 h)", res.Session, f.profile)
	return nil
}

// reportSignIn says on stderr what a sign-in did.
func (c *cli) reportSignIn(profile string, done awssession.SignedIn) {
	what := "IAM Identity Center session " + done.Session
	if done.Kind == awssession.SourceLogin {
		what = "console session " + done.Session
	}
	if done.Already {
		c.notef("profile %s: already signed in to %s (token valid until %s; --force signs in again)", profile, what, done.Expires.Local().Format(time.DateTime))
		return
	}
	c.notef("profile %s: signed in to %s (token valid until %s)", profile, what, done.Expires.Local().Format(time.DateTime))
}

func (c *cli) logoutCmd() *cobra.Command {
	var f sessionFlags
	var console bool
	cmd := &cobra.Command{
		Use:   "logout [PROFILE]",
		Short: "End the profile's IAM Identity Center or console sign-in, and forget its token",
		Long: `End the sign-in of the profile's IAM Identity Center session (the portal's
Logout: the token stops working everywhere, the AWS CLI's too) and delete its
token file; for a console sign-in (login_session, --console), delete its
cache. The sessions awssession cached on it are removed too.`,
		Args: profileArgs(&f),
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			if f.profile == "" {
				f.profile = firstNonEmpty(c.getenv("AWS_PROFILE"), "default")
			}
			opts := c.signInSessionOptions(&f)
			plan, err := awssession.Explain(cmd.Context(), opts...)
			if err != nil {
				return err
			}
			if console && plan.SourceLayer.Kind != awssession.SourceLogin {
				return usageErrorf(cmd, "--console: profile %s is not a console sign-in (login_session)", f.profile)
			}
			if err := awssession.SignOut(cmd.Context(), opts...); err != nil {
				return err
			}
			n := c.forgetSessionsOn(cmd.Context(), plan.SourceLayer)
			c.notef("profile %s: signed out of %s; %d cached session(s) built on it removed", f.profile, plan.SourceLayer.Session, n)
			return nil
		}),
	}
	cmd.Flags().StringVar(&f.profile, "profile", "", "the profile to sign out of (default: $AWS_PROFILE, else default)")
	cmd.Flags().BoolVar(&console, "console", false, "the profile's console sign-in (login_session)")
	cmd.Flags().Var(&f.stsTimeout, "sts-timeout", "give up on the Logout request after this long (default 30s)")
	return cmd
}

// forgetSessionsOn removes the cached sessions of every profile whose
// source is src's sign-in session, and says how many layers went.
func (c *cli) forgetSessionsOn(ctx context.Context, src awssession.PlannedSource) int {
	l, err := c.sessionsWhere(ctx, nil, func(p awssession.Plan) bool {
		return p.SourceLayer.Kind == src.Kind && p.SourceLayer.Session == src.Session
	})
	if err != nil {
		return 0
	}
	return c.dropSessions(ctx, l)
}

// autoSignIn is how commands that need a session sign the person in when
// its source has no usable token: as login does by default, on the
// terminal, which is opened only then; where there is none (CI), the run
// fails at once naming awssession login.
func (c *cli) autoSignIn() awssession.SignInOptions {
	t := &terminalIO{c: c}
	how := c.signInFlow(loginFlags{}, t, t)
	how.Available = t.open
	return how
}

// signInOptions are login's: on the terminal now (else stderr for the
// URL, and no pasted code).
func (c *cli) signInOptions(s loginFlags) awssession.SignInOptions {
	t := &terminalIO{c: c}
	var in io.Reader = t
	if t.open() != nil {
		in = nil
	}
	return c.signInFlow(s, in, t)
}

// signInFlow picks the flow and the browser: the browser opened with
// BROWSER or the system's opener unless --no-browser or none can open, the
// device code (or, for the console, the remote) flow where none can.
func (c *cli) signInFlow(s loginFlags, in io.Reader, out io.Writer) awssession.SignInOptions {
	open, canOpen := awssession.BrowserOpener(c.helperEnv(nil), c.goos)
	how := awssession.SignInOptions{Open: open, Force: s.force, In: in, Out: out}
	switch {
	case s.remote || (s.console && !canOpen):
		how.Flow, how.Open = awssession.SignInRemote, nil
	case s.deviceCode || !canOpen:
		how.Flow = awssession.SignInDeviceCode
	}
	if s.noBrowser || !canOpen {
		how.Open = nil
	}
	return how
}

// terminalIO is where a sign-in talks to the person, opened on first use:
// the controlling terminal, so that the URL shows even under a
// credential_process (in tests, what openTTY gives, with the URL on
// stderr); stderr for the URL when there is none.
type terminalIO struct {
	c      *cli
	opened bool
	err    error
	in     io.Reader
	out    io.Writer
}

// open opens the terminal once; its error says there is none.
func (t *terminalIO) open() error {
	if t.opened {
		return t.err
	}
	t.opened = true
	if t.in, t.out, t.err = t.c.openTerminal(); t.err != nil {
		t.out = t.c.stderr
	}
	return t.err
}

func (t *terminalIO) Read(b []byte) (int, error) {
	if err := t.open(); err != nil {
		return 0, err
	}
	return t.in.Read(b)
}

func (t *terminalIO) Write(b []byte) (int, error) {
	_ = t.open() // no terminal: stderr
	return t.out.Write(b)
}
