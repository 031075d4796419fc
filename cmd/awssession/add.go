package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
	"github.com/awssession/awssession/internal/loopback"
	"github.com/spf13/cobra"
)

// addFlags are the flags of add.
type addFlags struct {
	fromEnv, noVerify, totpSeed bool
	stsEndpoint, region         string
	stsTimeout                  duration
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
stored, unless --no-verify, with PROFILE's settings when it is a profile of
the shared files (its region, endpoint_url and [services] section), and
gives up after --sts-timeout. The key ID, secret and PROFILE are checked in
any case: a secret is one word of at most 128 characters, a profile name at
most 128 bytes.

--totp-seed stores the base32 seed of PROFILE's virtual MFA device instead,
so that MFA codes come from the keyring: at least 16 base32 characters (80
bits, the least RFC 4226 accepts).`,
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
	fs.Var(&f.stsTimeout, "sts-timeout", "give up on the check (retries included) after this long (default 30s)")
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
	if err := keyring.CheckProfile(args[0]); err != nil {
		return usageErrorf(cmd, "%q is not a profile name: %v", args[0], err)
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
		check := keyCheck{endpoint: f.stsEndpoint, region: f.region, env: c.profileEnv(profile), timeout: time.Duration(f.stsTimeout)}
		if f.stsEndpoint != "" {
			if err := loopback.CheckURL(f.stsEndpoint); err != nil {
				return usageErrorf(cmd, "--sts-endpoint: %v", err)
			}
		}
		arn, err := c.callerARN(cmd.Context(), key, check)
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
	key := keyring.AccessKey{ID: id, Secret: keyring.Secret(secret)}
	if err := key.Check(); err != nil {
		return keyring.AccessKey{}, usageErrorf(cmd, "%v", err)
	}
	return key, nil
}

// keyCheck says how a key is checked with STS: the endpoint and region
// flags, the environment with the profile whose settings apply (its
// region, endpoint_url and [services] section, when the shared files hold
// it: profileEnv, worked out once for every check), and --sts-timeout (0:
// the default). Without --region the library finds the region as for any
// session, so an error names where it came from.
type keyCheck struct {
	endpoint, region string
	env              []string // the run's, with the profile's settings (profileEnv)
	timeout          time.Duration
}

// verifyKey asks STS whether it knows key (GetCallerIdentity).
func (c *cli) verifyKey(ctx context.Context, key keyring.AccessKey, check keyCheck) error {
	_, err := c.callerARN(ctx, key, check)
	return err
}

// callerARN asks STS who key belongs to and returns the ARN. The call,
// retries included, gives up after check.timeout.
func (c *cli) callerARN(ctx context.Context, key keyring.AccessKey, check keyCheck) (string, error) {
	timeout := check.timeout
	if timeout == 0 {
		timeout = awssession.DefaultSTSTimeout
	}
	opts := []awssession.Option{
		awssession.WithEnvironment(check.env),
		awssession.WithStaticCredentials(key.ID, key.Secret.Reveal(), ""),
		awssession.WithSTSTimeout(timeout),
	}
	if check.region != "" {
		opts = append(opts, awssession.WithRegion(check.region))
	}
	if check.endpoint != "" {
		opts = append(opts, awssession.WithSTSEndpoint(check.endpoint))
	}
	cfg, err := awssession.CreateSession(ctx, opts...)
	if err != nil {
		return "", err
	}
	id, err := awssession.CallerIdentity(ctx, cfg) // each request bounded by --sts-timeout
	return id.ARN, err
}

// profileEnv is the run's environment with AWS_PROFILE naming profile
// when the shared files hold it: the profile's settings (endpoint_url,
// [services], region) then apply, as the SDK takes them for keys.
func (c *cli) profileEnv(profile string) []string {
	names, err := c.profileNames()
	if err != nil || !slices.Contains(names, profile) {
		return c.environ
	}
	return append(c.environ[:len(c.environ):len(c.environ)], "AWS_PROFILE="+profile)
}

// addTOTPSeed reads, checks and stores a profile's TOTP seed.
func (c *cli) addTOTPSeed(cmd *cobra.Command, profile string) error {
	seed, err := c.readSecretLine(cmd, "Base32 TOTP seed of the MFA device: ")
	if err != nil {
		return err
	}
	seed = strings.ToUpper(strings.Join(strings.Fields(seed), ""))
	// The library's rule for seeds: base32, 16 to 1024 characters.
	if _, err := awssession.TOTP(seed)(cmd.Context(), "the device"); err != nil {
		var ie *awssession.InputError
		if errors.As(err, &ie) {
			return usageErrorf(cmd, "--totp-seed: %s", ie.Problem)
		}
		return err
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
