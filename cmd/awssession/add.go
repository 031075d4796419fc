package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
	"github.com/pquerna/otp/totp"
	"github.com/spf13/cobra"
)

// addFlags are the flags of add.
type addFlags struct {
	fromEnv, noVerify, totpSeed bool
	stsEndpoint, region         string
}

func (c *cli) addCmd() *cobra.Command {
	var f addFlags
	cmd := &cobra.Command{
		Use:   "add PROFILE",
		Short: "Store a profile's long-term access key (or TOTP seed) in the keyring",
		Long: `Store the access key ID and secret access key of an IAM user in the OS
keyring (or the encrypted file backend) as PROFILE's keys, so that they need
not sit in plaintext in ~/.aws/credentials. PROFILE then works everywhere a
profile with keys in the credentials file does: on its own, as the
source_profile of role profiles, with its mfa_serial.

The keys are typed without echo (or read one per line from stdin when it is
not a terminal), or taken with --env from AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY. One STS GetCallerIdentity checks them before they are
stored, unless --no-verify.

--totp-seed stores the base32 seed of PROFILE's virtual MFA device instead,
so that MFA codes come from the keyring.`,
		Example: `  awssession add dev
  aws-vault exec --no-session dev -- awssession add dev --env
  awssession add dev --totp-seed`,
		Args: profileArg,
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			if f.totpSeed {
				return c.addTOTPSeed(cmd, args[0])
			}
			return c.addKeys(cmd, args[0], &f)
		}),
	}
	fs := cmd.Flags()
	fs.BoolVar(&f.fromEnv, "env", false, "take the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	fs.BoolVar(&f.noVerify, "no-verify", false, "store the keys without checking them with STS")
	fs.BoolVar(&f.totpSeed, "totp-seed", false, "store the base32 TOTP seed of the profile's MFA device instead of keys")
	fs.StringVar(&f.stsEndpoint, "sts-endpoint", "", "send the check to this STS URL")
	fs.StringVar(&f.region, "region", "", "region of the check's STS call")
	cmd.MarkFlagsMutuallyExclusive("totp-seed", "env")
	return cmd
}

// profileArg takes exactly one profile name.
func profileArg(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) != 1:
		return usageErrorf(cmd, "want one PROFILE, got %d arguments", len(args))
	case args[0] == "" || strings.ContainsAny(args[0], "[] \t\r\n"):
		return usageErrorf(cmd, "%q is not a profile name", args[0])
	}
	return nil
}

// addKeys reads, checks and stores a profile's key pair.
func (c *cli) addKeys(cmd *cobra.Command, profile string, f *addFlags) error {
	key, err := c.readKeys(cmd, f.fromEnv)
	if err != nil {
		return err
	}
	kr, err := c.openKeyring()
	if err != nil {
		return err
	}
	if !f.noVerify {
		arn, err := c.verifyKey(cmd.Context(), key, f.stsEndpoint, f.region)
		if err != nil {
			return fmt.Errorf("check the keys with STS GetCallerIdentity (--no-verify skips it): %w", err)
		}
		c.notef("keys of %s", arn)
	}
	if err := kr.StoreKeys(profile, key); err != nil {
		return err
	}
	c.notef("stored the keys of profile %s (%s) in the keyring (%s)", profile, key.ID, kr.Backend())
	return nil
}

// readKeys reads a key pair from the environment or the user.
func (c *cli) readKeys(cmd *cobra.Command, fromEnv bool) (keyring.AccessKey, error) {
	var id, secret string
	if fromEnv {
		id, secret = c.getenv("AWS_ACCESS_KEY_ID"), c.getenv("AWS_SECRET_ACCESS_KEY")
		if id == "" || secret == "" {
			return keyring.AccessKey{}, usageErrorf(cmd, "--env: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set")
		}
		if c.getenv("AWS_SESSION_TOKEN") != "" {
			return keyring.AccessKey{}, usageErrorf(cmd, "--env: AWS_SESSION_TOKEN is set: these are temporary keys, the keyring is for long-term ones")
		}
	} else {
		var err error
		if id, err = c.readSecretLine(cmd, "Access key ID: "); err != nil {
			return keyring.AccessKey{}, err
		}
		if secret, err = c.readSecretLine(cmd, "Secret access key: "); err != nil {
			return keyring.AccessKey{}, err
		}
	}
	switch {
	case !isAccessKeyID(id):
		return keyring.AccessKey{}, usageErrorf(cmd, "the access key ID is not one (16 to 128 upper-case letters and digits, such as AKIA…)")
	case strings.HasPrefix(id, "ASIA"):
		return keyring.AccessKey{}, usageErrorf(cmd, "%s is a temporary key (ASIA…): the keyring is for long-term keys (AKIA…)", id)
	case secret == "":
		return keyring.AccessKey{}, usageErrorf(cmd, "the secret access key is empty")
	}
	return keyring.AccessKey{ID: id, Secret: keyring.Secret(secret)}, nil
}

// isAccessKeyID reports 16-128 upper-case letters and digits.
func isAccessKeyID(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// verifyKey asks STS who key belongs to and returns the ARN.
func (c *cli) verifyKey(ctx context.Context, key keyring.AccessKey, endpoint, region string) (string, error) {
	opts := []awssession.Option{
		awssession.WithEnvironment(c.environ),
		awssession.WithStaticCredentials(key.ID, key.Secret.Reveal(), ""),
		awssession.WithRegion(firstNonEmpty(region, c.getenv("AWS_REGION"), c.getenv("AWS_DEFAULT_REGION"), "us-east-1")),
	}
	if endpoint != "" {
		opts = append(opts, awssession.WithSTSEndpoint(endpoint))
	}
	cfg, err := awssession.CreateSession(ctx, opts...)
	if err != nil {
		return "", err
	}
	id, err := awssession.CallerIdentity(ctx, cfg)
	return id.ARN, err
}

// addTOTPSeed reads, checks and stores a profile's TOTP seed.
func (c *cli) addTOTPSeed(cmd *cobra.Command, profile string) error {
	seed, err := c.readSecretLine(cmd, "Base32 TOTP seed of the MFA device: ")
	if err != nil {
		return err
	}
	seed = strings.ToUpper(strings.ReplaceAll(seed, " ", ""))
	if _, err := totp.GenerateCode(seed, time.Now()); err != nil || seed == "" {
		return usageErrorf(cmd, "the TOTP seed is not base32 (A-Z, 2-7), as the MFA device's set-up shows it")
	}
	kr, err := c.openKeyring()
	if err != nil {
		return err
	}
	if err := kr.StoreTOTPSeed(profile, keyring.Secret(seed)); err != nil {
		return err
	}
	c.notef("stored the TOTP seed of profile %s in the keyring (%s)", profile, kr.Backend())
	return nil
}
