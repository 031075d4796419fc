package main

import (
	"fmt"

	"github.com/awssession/awssession"
	"github.com/spf13/cobra"
)

func (c *cli) whoamiCmd() *cobra.Command {
	var f sessionFlags
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "whoami [PROFILE]",
		Short: "Show who the session is (STS GetCallerIdentity)",
		Long: `Build the session and ask STS who it belongs to: the account, the ARN (an
assumed-role ARN when roles are assumed) and the user ID. GetCallerIdentity
needs no IAM permission.`,
		Example: `  awssession whoami --profile dev
  awssession whoami --profile dev --role-arn arn:aws:iam::123456789012:role/Admin --json`,
		Args: profileArgs(&f),
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			asJSON, err := out.asJSON(cmd)
			if err != nil {
				return err
			}
			cfg, _, err := c.session(cmd.Context(), cmd, &f)
			if err != nil {
				return err
			}
			id, err := awssession.CallerIdentity(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(c.stdout, id)
			}
			// STS, or anything at --sts-endpoint, chose these.
			_, err = fmt.Fprintf(c.stdout, "Account  %s\nArn      %s\nUserId   %s\n", safeName(id.Account), safeName(id.ARN), safeName(id.UserID))
			return err
		}),
	}
	f.register(cmd)
	out.register(cmd, textOrJSON, ` (json: {"Account","Arn","UserId"})`)
	return cmd
}
