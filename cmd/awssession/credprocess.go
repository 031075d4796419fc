package main

import (
	"encoding/json"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"
)

const credentialProcessLong = `Print the session as the JSON document (Version 1) that the AWS CLI and
SDKs read from a credential_process command:

  {"Version":1,"AccessKeyId":"...","SecretAccessKey":"...","SessionToken":"...","Expiration":"RFC 3339"}

Keep secrets out of ~/.aws/config: put the source in a profile of the
credentials file (--profile), or in AWSSESSION_ACCESS_KEY and
AWSSESSION_SECRET_KEY in the environment the AWS tool runs in. An MFA code
is asked for on the terminal, or computed with --mfa-totp-secret-env.`

const credentialProcessExample = `  # ~/.aws/config
  [profile admin]
  credential_process = awssession credential-process --profile dev --mfa-serial arn:aws:iam::111111111111:mfa/alice --role-arn arn:aws:iam::123456789012:role/Admin

  aws s3 ls --profile admin`

// processCredentials is the credential_process output, version 1.
type processCredentials struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken,omitempty"`
	Expiration      string `json:"Expiration,omitempty"`
	AccountID       string `json:"AccountId,omitempty"`
}

// writeProcess prints creds as the credential_process document, as
// credential-process, env --format process and "aws configure
// export-credentials --format process" print it.
func writeProcess(w io.Writer, creds aws.Credentials) error {
	out := processCredentials{Version: 1, AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey,
		SessionToken: creds.SessionToken, AccountID: creds.AccountID}
	if creds.CanExpire && !creds.Expires.IsZero() {
		out.Expiration = creds.Expires.UTC().Format(time.RFC3339)
	}
	return json.NewEncoder(w).Encode(out)
}

func (c *cli) credentialProcessCmd() *cobra.Command {
	var f sessionFlags
	cmd := &cobra.Command{
		Use:     "credential-process [PROFILE]",
		Short:   "Print the session for credential_process in ~/.aws/config",
		Long:    credentialProcessLong,
		Example: credentialProcessExample,
		Args:    profileArgs(&f),
		RunE: c.quickAction(func(cmd *cobra.Command, _ []string) error {
			_, creds, err := c.credentials(cmd, &f)
			if err != nil {
				return err
			}
			return writeProcess(c.stdout, creds)
		}),
	}
	f.register(cmd)
	return cmd
}
