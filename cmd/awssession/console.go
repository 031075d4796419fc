package main

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"time"

	"github.com/awssession/awssession"
	"github.com/spf13/cobra"
)

const consoleLong = `Sign in to the AWS console as the session: get a sign-in token from the
federation endpoint of the session's partition (aws, aws-cn, aws-us-gov)
and open the login URL in the system browser, or print it with --print (the
default where no browser can be opened: on Linux, without $DISPLAY or
$WAYLAND_DISPLAY).

Role sessions sign in as they are. Long-term IAM user keys first get
GetFederationToken credentials (--federation-name, --federation-policy;
by default all of the user's own permissions). MFA sessions from
GetSessionToken are refused by the console: add --role-arn.

The URL is a secret for 15 minutes: whoever opens it is signed in as the
session. It goes to stdout or to the browser only, never to stderr or the
--debug log.`

const consoleExample = `  awssession console --profile dev --role-arn arn:aws:iam::123456789012:role/Admin
  awssession console --profile dev --role-arn arn:aws:iam::123456789012:role/ReadOnly --print \
      --destination https://console.aws.amazon.com/s3/home --console-duration 4h`

// browserWait is how long console waits for the command that opens the
// browser: long enough to see it fail, short enough for one that runs the
// browser in the foreground.
const browserWait = 5 * time.Second

func (c *cli) consoleCmd() *cobra.Command {
	var f sessionFlags
	var printURL bool
	var destination, region, issuer, endpoint, fedName, fedPolicy string
	var sessionLength duration
	cmd := &cobra.Command{
		Use:     "console [PROFILE]",
		Short:   "Open the AWS console signed in as the session (or print the sign-in URL)",
		Long:    consoleLong,
		Example: consoleExample,
		Args:    profileArgs(&f),
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			opts := []awssession.ConsoleOption{awssession.WithFederationToken(fedName, fedPolicy)}
			if destination != "" {
				opts = append(opts, awssession.WithDestination(destination))
			}
			if region != "" {
				opts = append(opts, awssession.WithConsoleRegion(region))
			}
			if endpoint != "" {
				opts = append(opts, awssession.WithFederationEndpoint(endpoint))
			}
			if cmd.Flags().Changed("issuer") {
				opts = append(opts, awssession.WithIssuer(issuer))
			}
			if sessionLength != 0 {
				opts = append(opts, awssession.WithConsoleDuration(time.Duration(sessionLength)))
			}
			// A bad console option fails here, before the session costs
			// STS calls and an MFA code.
			if err := awssession.CheckConsoleOptions("", opts...); err != nil {
				return err
			}
			cfg, _, err := c.session(ctx, cmd, &f)
			if err != nil {
				return err
			}
			url, err := awssession.ConsoleURL(ctx, cfg, opts...)
			if err != nil {
				return err
			}
			if !printURL && c.openURL(ctx, &f, url) {
				return nil
			}
			_, err = fmt.Fprintln(c.stdout, url)
			return err
		}),
	}
	f.register(cmd)
	fs := cmd.Flags()
	fs.BoolVar(&printURL, "print", false, "print the sign-in URL on stdout instead of opening a browser")
	fs.StringVar(&destination, "destination", "", "console page to open, an https URL (default: the console home of the region)")
	fs.StringVar(&region, "console-region", "", "region of the console and of its partition's federation endpoint (default: the session's)")
	fs.StringVar(&issuer, "issuer", "awssession", `Issuer of the login URL: where the console links when the session ends ("" leaves it out)`)
	fs.Var(&sessionLength, "console-duration", "console session length: 15m to 12h for roles, to 36h for IAM user keys (default: the credentials' own)")
	fs.StringVar(&fedName, "federation-name", "", "GetFederationToken name, for IAM user keys (default awssession)")
	fs.StringVar(&fedPolicy, "federation-policy", "", "GetFederationToken session policy (JSON), for IAM user keys (default: all the user's permissions)")
	fs.StringVar(&endpoint, "federation-endpoint", "", "federation endpoint URL (default: the partition's; for tests, ststest's)")
	return cmd
}

// openURL opens url in the system browser and reports whether it did. It
// says why not on stderr, without the URL.
func (c *cli) openURL(ctx context.Context, f *sessionFlags, url string) bool {
	argv := c.browserCommand(url)
	if argv == nil {
		c.notef("no browser to open (no $DISPLAY or $WAYLAND_DISPLAY); the sign-in URL follows, valid for 15 minutes")
		return false
	}
	path, err := c.lookPath(argv[0])
	if err == nil {
		// The browser gets the caller's environment without awssession's
		// secrets.
		err = c.startBrowser(ctx, path, argv, c.childEnv(f, nil))
	}
	if err != nil {
		c.notef("cannot open a browser (%v); the sign-in URL follows, valid for 15 minutes", err)
		return false
	}
	c.notef("opened the console sign-in page in your browser")
	return true
}

// browserCommand returns the command that opens url in the system
// browser, or nil when there is none to open.
func (c *cli) browserCommand(url string) []string {
	switch runtime.GOOS {
	case "darwin":
		return []string{"open", url}
	case "windows":
		return []string{"rundll32", "url.dll,FileProtocolHandler", url}
	}
	if c.getenv("DISPLAY") == "" && c.getenv("WAYLAND_DISPLAY") == "" {
		return nil
	}
	return []string{"xdg-open", url}
}

// startBrowser runs argv, the URL an argument and never through a shell,
// and waits up to browserWait for it to fail. Its output is discarded: an
// opener may repeat the URL in an error message.
func startBrowser(ctx context.Context, path string, argv, env []string) error {
	cmd := &exec.Cmd{Path: path, Args: argv, Env: env}
	if err := cmd.Start(); err != nil {
		return err // names the path, not the arguments
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %v", argv[0], err) // "exit status N": no URL
		}
	case <-time.After(browserWait):
		// Still running: the browser itself, in the foreground.
	case <-ctx.Done():
	}
	return nil
}
