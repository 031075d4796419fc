package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/credserver"
	"github.com/spf13/cobra"
)

const serveLong = `Serve the session on a loopback port in the container credentials
protocol that every AWS SDK and the AWS CLI read, until interrupted (SIGINT
or SIGTERM; exit status 0). It is the server of "exec --server", for
programs you start yourself: IDEs, several shells, a long-lived tmux pane.

On start it prints, on stdout, the variables clients need:
AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN, the
region when known, and (shell formats) statements that clear the variables
that would take precedence (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...). The token
is a secret: whoever has it gets the session's credentials. It is printed on
stdout, on purpose, and nowhere else. Every request needs it; requests whose
Host is not a loopback name (DNS rebinding) are refused.

The session is refreshed before it expires; an MFA code is asked for, on
this terminal, only when the MFA session below the roles ends.

serve runs in the foreground: start it in its own terminal and paste the
lines into others (eval "$(awssession serve)" would wait for it to end).`

const serveExample = `  awssession serve admin       # a profile of ~/.aws/config, as with exec and env

  awssession serve --profile dev --mfa-serial arn:aws:iam::111111111111:mfa/alice \
      --session-token-duration 12h --role-arn arn:aws:iam::123456789012:role/Admin
  # in another terminal, paste the printed lines, then: aws s3 ls

  awssession serve --addr 127.0.0.1:9911 --profile dev --format fish`

// serveFormats are the --format values of serve (github makes no sense
// for a server in the foreground).
var serveFormats = []string{"bash", "zsh", "sh", "fish", "powershell", "dotenv", "json"}

func (c *cli) serveCmd() *cobra.Command {
	var f sessionFlags
	addr := "127.0.0.1:0"
	var out outputFlags
	cmd := &cobra.Command{
		Use:     "serve [PROFILE]",
		Short:   "Serve the session to AWS SDKs on a loopback port until interrupted",
		Long:    serveLong,
		Example: serveExample,
		Args:    profileArgs(&f),
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			format, err := out.name(cmd) // before the server starts
			if err != nil {
				return err
			}
			srv, region, err := c.startServer(ctx, cmd, &f, addr)
			if err != nil {
				return err
			}
			defer srv.Close()
			set := serverVars(srv, region)
			if name := canonicalFormat(format); name == "json" {
				err = writeJSON(c.stdout, set)
			} else {
				err = writeShell(c.stdout, shellFormats[name], set, unsetVars(set))
			}
			if err != nil {
				return err
			}
			c.notef("serving the session on %s; stop with Ctrl-C", srv.URL)
			<-ctx.Done()
			return srv.Close()
		}),
	}
	f.register(cmd)
	cmd.Flags().StringVar(&addr, "addr", addr, "loopback address to listen on: 127.0.0.1:PORT, [::1]:PORT or localhost:PORT (port 0: a free port)")
	out.register(cmd, serveFormats, " (json: the variables as one object)")
	return cmd
}

// startServer binds addr ("": any free loopback port) first, so that a
// bad or busy address fails before an STS call spends an MFA code, then
// builds the session the flags describe, fetches its credentials once (so
// that a wrong MFA code or refused keys fail here, with their exit status,
// before anything depends on the server) and serves them. It returns the
// server and the session's region.
func (c *cli) startServer(ctx context.Context, cmd *cobra.Command, f *sessionFlags, addr string) (_ *credserver.Server, _ string, err error) {
	ln, err := credserver.Listen(addr)
	switch {
	case err != nil && addr != "":
		return nil, "", usageErrorf(cmd, "--addr: %v", err)
	case err != nil:
		return nil, "", fmt.Errorf("credential server: %w", err)
	}
	defer func() {
		if err != nil {
			_ = ln.Close()
		}
	}()
	p, setup, err := c.prepare(ctx, cmd, f)
	if err != nil {
		return nil, "", err
	}
	c.notePrompts(p.Plan(ctx), setup, f)
	cfg, creds, err := createSession(ctx, p)
	if err != nil {
		return nil, "", err
	}
	if !creds.CanExpire {
		// Container credentials are temporary: botocore (the AWS CLI,
		// boto3) refuses a document without an Expiration.
		return nil, "", usageErrorf(cmd, "the session is long-term keys, and the credential server hands out temporary "+
			"credentials only: add --session-token-duration 12h (with --mfa-serial if you have a device) or --role-arn")
	}
	c.warnDefaultProfile(ctx)
	// cfg.Credentials is the session's cache: the server's Retrieve on
	// every request costs an STS call only when the session needs one.
	srv, err := credserver.StartListener(ln, cfg.Credentials, c.logger())
	if err != nil {
		return nil, "", err
	}
	return srv, cfg.Region, nil
}

// serverVars are the variables that point clients at srv, and the
// region.
func serverVars(srv *credserver.Server, region string) []envVar {
	var set []envVar
	for _, kv := range srv.Env() {
		name, value, _ := strings.Cut(kv, "=")
		set = append(set, envVar{name: name, value: value, secret: name == credserver.EnvAuthToken})
	}
	return append(set, regionVars(region)...)
}

// unsetVars are the competing variables set does not replace.
func unsetVars(set []envVar) []string {
	var unset []string
	for _, name := range competingVars {
		replaced := false
		for _, v := range set {
			replaced = replaced || v.name == name
		}
		if !replaced {
			unset = append(unset, name)
		}
	}
	return unset
}

// notePrompts warns, before a server starts, when refreshing a role needs
// a new MFA code: each refresh then waits for someone to type it (or
// fails, with the one code of --mfa-token).
func (c *cli) notePrompts(plan awssession.Plan, setup sessionSetup, f *sessionFlags) {
	if setup.mfaFrom == "" || strings.HasPrefix(setup.mfaFrom, "the TOTP seed") {
		return
	}
	for _, l := range plan.Layers {
		if l.MFASerial == "" || l.Kind != awssession.LayerAssumeRole {
			continue
		}
		// Advice that works for this session: what keeps the code off
		// the role.
		advice := "leave out --no-session: an MFA session then takes the code once per 12 h"
		switch {
		case !f.noSession && l.Duration > time.Hour:
			advice = "ask for at most 1h (--duration 1h, or duration_seconds = 3600 in the profile): an MFA session can then carry the role and take the code once per 12 h"
		case !f.noSession && !plan.LongTermKeys:
			advice = "the source is not long-term keys, so no MFA session can carry the role; --mfa-totp-secret-env or --mfa-process give codes without typing"
		}
		c.notef("note: role %s takes the MFA code itself, so each of its refreshes (every %s) needs a new code from %s; %s",
			l.RoleARN, durationText(l.Duration), setup.mfaFrom, advice)
	}
}

// warnDefaultProfile warns when the shared files' default profile has
// credentials of its own: AWS SDKs and the AWS CLI use those before a
// container endpoint.
func (c *cli) warnDefaultProfile(ctx context.Context) {
	plan, err := awssession.Explain(ctx, awssession.WithEnvironment(c.environ), awssession.WithProfile("default"))
	if err != nil || (plan.BaseCredentials == "" && len(plan.Layers) == 0) {
		return
	}
	c.notef("warning: the default profile of your shared AWS config has credentials of its own, which AWS SDKs " +
		"and the AWS CLI use before the credential server; clients of this server will not get the session")
}
