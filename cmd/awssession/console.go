package main

import (
	"context"
	"fmt"
	"net/netip"
	neturl "net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awssession/awssession"
	"github.com/spf13/cobra"
)

const consoleLong = `Sign in to the AWS console as the session: get a sign-in token from the
federation endpoint of the session's partition (aws, aws-cn, aws-us-gov)
and open the login URL in the system browser, or print it with --print (the
default where no browser can be opened: on Linux, without $DISPLAY,
$WAYLAND_DISPLAY or WSL).

A session from an STS on loopback (--sts-endpoint, endpoint_url or
AWS_ENDPOINT_URL_STS naming sts-server or ststest) signs in at that
server's own federation endpoint (URL/federation), never at AWS.

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
			if endpoint == "" {
				endpoint = localFederation(f.stsEndpoint)
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
			if endpoint == "" {
				// STS on loopback from endpoint_url or AWS_ENDPOINT_URL_STS.
				if local := localFederation(aws.ToString(sts.NewFromConfig(cfg).Options().BaseEndpoint)); local != "" {
					opts = append(opts, awssession.WithFederationEndpoint(local))
				}
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
	fs.StringVar(&endpoint, "federation-endpoint", "", "federation endpoint URL (default: the partition's; with --sts-endpoint on loopback, that server's, as sts-server serves it)")
	return cmd
}

// openURL opens url in the system browser and reports whether it did. It
// says why not on stderr, without the URL.
func (c *cli) openURL(ctx context.Context, f *sessionFlags, url string) bool {
	if !c.browserAvailable() {
		c.notef("no browser to open (no $DISPLAY, $WAYLAND_DISPLAY or $BROWSER, or over SSH); the sign-in URL follows, valid for 15 minutes")
		return false
	}
	// The browser gets the caller's environment without awssession's
	// secrets.
	if err := c.startBrowser(ctx, url, c.childEnv(f, nil)); err != nil {
		c.notef("cannot open a browser (%v); the sign-in URL follows, valid for 15 minutes", err)
		return false
	}
	c.notef("opened the console sign-in page in your browser")
	return true
}

// federationPath is where ststest (and so sts-server) serves the console
// federation endpoint under its URL; see ststest.Server.FederationURL.
const federationPath = "/federation"

// localFederation returns the federation endpoint that belongs to an STS
// endpoint on loopback (ststest, sts-server): the server's own, since a
// fake session means nothing to signin.aws.amazon.com. It returns "" for
// any other STS endpoint (a VPC endpoint, a regional one), whose sessions
// sign in at their partition's endpoint.
func localFederation(stsEndpoint string) string {
	u, err := neturl.Parse(stsEndpoint)
	if err != nil || u.Host == "" {
		return ""
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); !(host == "localhost" || err == nil && ip.IsLoopback()) {
		return ""
	}
	return strings.TrimSuffix(u.Scheme+"://"+u.Host+u.Path, "/") + federationPath
}
