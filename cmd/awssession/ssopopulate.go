package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/configfile"
	"github.com/spf13/cobra"
)

func (c *cli) ssoCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sso",
		Short: "IAM Identity Center: profiles for every account and role of a session",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(c.ssoPopulateCmd())
	return cmd
}

// populateFlags are the flags of sso populate.
type populateFlags struct {
	session, region, template string
	prune, dryRun             bool
	timeout                   duration
	out                       outputFlags
}

const ssoPopulateLong = `Write a profile into the config file for every account and role the IAM
Identity Center session may use (the [sso-session NAME] section), so that
"awssession exec ACCOUNT-ROLE", the AWS CLI and every SDK can use them:

  [profile Production-AdministratorAccess]
  sso_session = NAME
  sso_account_id = 111111111111
  sso_role_name = AdministratorAccess
  awssession_generated = NAME

Every other line of the file, comments and blank lines included, stays as
it is. The file is AWS_CONFIG_FILE, else ~/.aws/config.

Profile names come from --name-template (Go template fields .AccountName,
.AccountID, .RoleName and .SSOSession; functions lower and upper); what is
not a letter, digit or one of _ . + = @ , becomes "-". Names that clash get
"-ACCOUNTID" appended. A profile that sso populate did not write for this
session (no awssession_generated = NAME) is never changed: it is reported as
skipped, as is a name the credentials file holds. Keys of a generated
profile that populate does not set (output, a region set by hand) stay.

--prune removes the profiles an earlier run generated for this session that
this run does not write: assignments that are gone, and names a changed
--name-template no longer makes. Without it they are reported as stale.
Running it again with the same assignments changes nothing.

It signs in with the token "awssession login" (or "aws sso login") keeps for
the session; without a valid one it stops with exit status 2.
What changed goes to stderr; --format json prints it on stdout instead.`

const ssoPopulateExample = `  awssession sso populate --sso-session corp
  awssession sso populate --sso-session corp --region eu-west-1 --prune
  awssession sso populate --sso-session corp --name-template '{{lower .AccountName}}.{{.RoleName}}' --dry-run`

// defaultNameTemplate names a profile for its account and role.
const defaultNameTemplate = "{{.AccountName}}-{{.RoleName}}"

func (c *cli) ssoPopulateCmd() *cobra.Command {
	var f populateFlags
	cmd := &cobra.Command{
		Use:     "populate --sso-session NAME",
		Short:   "Write a profile for every account and role an IAM Identity Center session may use",
		Long:    ssoPopulateLong,
		Example: ssoPopulateExample,
		Args:    noArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			names, err := f.names(cmd)
			if err != nil {
				return err
			}
			asJSON, err := f.out.asJSON(cmd)
			if err != nil {
				return err
			}
			rep, err := c.populate(cmd.Context(), &f, names)
			if err != nil {
				return err
			}
			if asJSON {
				return rep.writeJSON(c.stdout)
			}
			return rep.writeText(c.stderr)
		}),
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&f.session, "sso-session", "", "the [sso-session NAME] of the config file whose accounts and roles to write (required)")
	fs.StringVar(&f.template, "name-template", defaultNameTemplate, "profile name of each account and role (Go template: .AccountName, .AccountID, .RoleName, .SSOSession; lower, upper)")
	fs.StringVar(&f.region, "region", "", "region to write into each profile (default: none)")
	fs.BoolVar(&f.prune, "prune", false, "remove the profiles generated for this session earlier that this run does not write (assignments gone)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print what would change; write nothing")
	fs.Var(&f.timeout, "sts-timeout", "give up on each IAM Identity Center call (retries included) after this long (default 30s)")
	f.out.register(cmd, textOrJSON, ` (json: {"configFile", "added": [...], "updated", "removed", "stale", "skipped", "unchanged"})`)
	return cmd
}

// names checks the flags that need no network and returns the profile
// namer.
func (f *populateFlags) names(cmd *cobra.Command) (*profileNamer, error) {
	if f.session == "" {
		return nil, usageErrorf(cmd, "--sso-session: name the [sso-session NAME] section of the config file")
	}
	n, err := newProfileNamer(f.template, f.session)
	if err != nil {
		return nil, usageErrorf(cmd, "--name-template: %v", err)
	}
	return n, nil
}

// populate lists the session's roles and writes (or, with --dry-run,
// plans) the profiles.
func (c *cli) populate(ctx context.Context, f *populateFlags, names *profileNamer) (*populateReport, error) {
	opts := []awssession.Option{awssession.WithEnvironment(c.environ), awssession.WithLogger(c.sessionLogger()),
		awssession.WithSTSTimeout(time.Duration(f.timeout))}
	if f.region != "" {
		// Checked as a session's region (the portal's is sso_region).
		opts = append(opts, awssession.WithRegion(f.region))
	}
	roles, err := awssession.SSORoles(ctx, f.session, opts...)
	var in *awssession.InputError
	if errors.As(err, &in) && (in.Field == "sso_session" || in.Field == "sso_session "+f.session) {
		// The library names the setting; here the flag gave it.
		return nil, &usageError{cmd: "awssession sso populate", err: fmt.Errorf("--sso-session %s: %s", f.session, in.Problem)}
	}
	if err != nil {
		return nil, err
	}
	configFile, credsFile := c.sharedFilePaths()
	creds, err := configfile.Read(credsFile)
	if err != nil {
		return nil, err
	}
	wanted, err := names.name(roles)
	if err != nil {
		return nil, err
	}
	p := populator{session: f.session, region: f.region, prune: f.prune, credentials: creds, wanted: wanted}
	if err := p.check(); err != nil {
		return nil, err
	}
	rep := &populateReport{ConfigFile: configFile, SSOSession: f.session, DryRun: f.dryRun}
	if f.dryRun {
		file, err := configfile.Read(configFile)
		if err != nil {
			return nil, err
		}
		return rep, p.apply(file, rep)
	}
	_, err = configfile.Edit(ctx, configFile, func(file *configfile.File) error { return p.apply(file, rep) })
	return rep, err
}
