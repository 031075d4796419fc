package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

const envLong = `Print the session as environment variables: AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (temporary keys), AWS_REGION and
AWS_DEFAULT_REGION (when known) and AWS_CREDENTIAL_EXPIRATION (RFC 3339, UTC,
when the keys expire). Shell formats also clear stale AWS_SESSION_TOKEN,
AWS_SECURITY_TOKEN and AWS_CREDENTIAL_EXPIRATION.

Formats (--format, or --json for json):
  bash (also zsh, sh; the default), fish, powershell
           statements that set (and clear) the variables; values are quoted
           so that they come back as they are and no part of them runs
           (PowerShell's in ASCII alone, readable in any code page)
  dotenv   NAME='value' lines for "set -a; . FILE", docker compose and the
           dotenv libraries; a value single quotes cannot carry for all of
           them (a quote, backslash, control character or ${) is refused
  json     one JSON object that maps each variable's name to its value, e.g.
           {"AWS_ACCESS_KEY_ID": "ASIA...", "AWS_CREDENTIAL_EXPIRATION": "...", ...}
           (with AWSSESSION, the session's name); variables to clear are not in it
  process  the credential_process document (Version 1), as credential-process
           and "aws configure export-credentials --format process" print it:
           {"Version":1,"AccessKeyId":"...","SecretAccessKey":"...",
            "SessionToken":"...","Expiration":"RFC 3339"}
  github   appends the variables to the file named by $GITHUB_ENV and prints
           ::add-mask:: commands for the secrets
Only the result goes to stdout; MFA prompts, notes and errors go to stderr.

--unset prints the statements that clear all these variables and
AWSSESSION, without building a session.

Inside a session (AWSSESSION set by exec or an earlier env) env refuses
(exit 2): the new session could be built from the old one's keys. Leave
it first (eval "$(awssession env --unset)"), or pass --nested.`

const envExample = `  # MFA session (GetSessionToken), code asked on the terminal
  eval "$(awssession env --profile dev --mfa-serial arn:aws:iam::111111111111:mfa/alice)"

  # A role, keys from the environment and the code from a TOTP seed (CI)
  AWSSESSION_ACCESS_KEY=AKIA... AWSSESSION_SECRET_KEY=... MFA_SEED=... \
    awssession env --mfa-serial arn:aws:iam::111111111111:mfa/ci --mfa-totp-secret-env MFA_SEED \
      --role-arn arn:aws:iam::123456789012:role/Deploy --format github

  # fish, PowerShell
  awssession env --profile dev --format fish | source
  awssession env --profile dev --format powershell | Invoke-Expression

  # Forget the session
  eval "$(awssession env --unset)"`

func (c *cli) envCmd() *cobra.Command {
	var f sessionFlags
	var out outputFlags
	var unset, nested bool
	cmd := &cobra.Command{
		Use:     "env [PROFILE]",
		Short:   "Print the session as environment variables for eval",
		Long:    envLong,
		Example: envExample,
		Args:    profileArgs(&f),
		RunE: c.quickAction(func(cmd *cobra.Command, _ []string) error {
			name, err := out.name(cmd)
			if err != nil {
				return err
			}
			name = canonicalFormat(name)
			sf, shell := shellFormats[name]
			if unset {
				if !shell || sf.unset == nil {
					return usageErrorf(cmd, "--unset works with --format bash, fish or powershell, not %s", name)
				}
				return writeShell(c.stdout, sf, nil, sessionVarNames)
			}
			if err := c.refuseNested(cmd, nested); err != nil {
				return err
			}
			var envFile string
			if name == "github" {
				if envFile = c.getenv("GITHUB_ENV"); envFile == "" {
					return usageErrorf(cmd, "--format github needs $GITHUB_ENV, the file GitHub Actions reads variables from")
				}
			}
			region, creds, err := c.credentials(cmd, &f)
			if err != nil {
				return err
			}
			set, clear := sessionVars(creds, region)
			set = append(set, marker(&f))
			switch {
			case shell:
				err = writeShell(c.stdout, sf, set, clear)
			case name == "json":
				err = writeJSON(c.stdout, set)
			case name == "process":
				err = writeProcess(c.stdout, creds)
			default:
				err = c.appendGitHubEnv(envFile, set)
			}
			if err != nil {
				return err
			}
			if creds.CanExpire && !c.silent { // Local() reads the zone file
				c.notef("session valid until %s (%s)", creds.Expires.Local().Format(time.DateTime), untilText(creds.Expires))
			}
			return nil
		}),
	}
	f.register(cmd)
	out.register(cmd, formatNames, " (json: the variables as one object; process: the credential_process document)")
	cmd.Flags().BoolVar(&unset, "unset", false, "print statements that clear the session's variables and $"+markerVar+" (no credentials needed)")
	nestedFlag(cmd, &nested)
	return cmd
}

func (c *cli) appendGitHubEnv(path string, set []envVar) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open $GITHUB_ENV: %w", err)
	}
	if err := writeGitHub(c.stdout, f, set); err != nil {
		_ = f.Close()
		return fmt.Errorf("write $GITHUB_ENV: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write $GITHUB_ENV: %w", err)
	}
	c.notef("wrote %d variables to $GITHUB_ENV", len(set))
	return nil
}

// choice is a flag whose value is one of allowed; a bad value is a flag
// error that names the flag and the choices.
type choice struct {
	value   string
	allowed []string
}

func (c *choice) String() string { return c.value }
func (c *choice) Type() string   { return "string" }
func (c *choice) Set(v string) error {
	for _, a := range c.allowed {
		if v == a {
			c.value = v
			return nil
		}
	}
	return fmt.Errorf("want one of %s", strings.Join(c.allowed, ", "))
}

// untilText says how long until t, to the minute: "59m", "11h59m".
func untilText(t time.Time) string {
	return durationText(time.Until(t).Round(time.Minute))
}
