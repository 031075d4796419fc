package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
	"github.com/awssession/awssession/internal/loopback"
	"github.com/spf13/cobra"
)

// rotateFlags are the flags of rotate.
type rotateFlags struct {
	stsEndpoint, iamEndpoint, region string
	stsTimeout, iamTimeout           duration
}

// defaultIAMTimeout bounds each IAM call of rotate, retries included, as
// awssession.DefaultSTSTimeout bounds each STS call.
const defaultIAMTimeout = 30 * time.Second

func (c *cli) rotateCmd() *cobra.Command {
	var f rotateFlags
	cmd := &cobra.Command{
		Use:   "rotate PROFILE",
		Short: "Replace a profile's access key in IAM and in the keyring",
		Long: `Rotate the long-term access key the keyring holds for PROFILE: check it with
STS, IAM CreateAccessKey for the key's own user, wait until STS accepts the
new key (IAM is eventually consistent), store it and read it back, then IAM
DeleteAccessKey of the old one. If a step fails, nothing is lost: until the
new key is proven, stored and read back, the old one stays in the keyring
and in IAM (a new key that failed is deleted again), and the error says what
IAM and the keyring hold. The user needs iam:CreateAccessKey and
iam:DeleteAccessKey on itself, and may hold one other key at most (IAM's
limit is two): if a rotate was interrupted and left a key of its own in the
way, the next one names it and, on a terminal, offers to delete it
(iam:ListAccessKeys, if allowed, names any other key).

IAM and STS are reached over https only (plain http to a loopback address,
for a fake, is allowed), whether the URL comes from --iam-endpoint,
AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL or the profile's endpoint_url: any
other is refused before the first call. Each IAM call gives up after
--iam-timeout, each STS check after --sts-timeout.`,
		Example: `  awssession rotate dev`,
		Args:    profileArg,
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			return c.rotate(cmd, args[0], &f)
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&f.stsEndpoint, "sts-endpoint", "", "send the keys' checks to this STS URL")
	fs.StringVar(&f.iamEndpoint, "iam-endpoint", "", "send the IAM calls to this URL")
	fs.StringVar(&f.region, "region", "", "region of the STS and IAM calls")
	fs.Var(&f.stsTimeout, "sts-timeout", "give up on an STS check (retries included) after this long (default 30s)")
	fs.Var(&f.iamTimeout, "iam-timeout", "give up on an IAM call (retries included) after this long (default 30s)")
	return cmd
}

// rotate rotates profile's key. Every route is checked before the keyring
// is opened; the stored key is checked with STS before IAM is called.
func (c *cli) rotate(cmd *cobra.Command, profile string, f *rotateFlags) error {
	ctx := cmd.Context()
	for _, ep := range []struct{ flag, url string }{{"--iam-endpoint", f.iamEndpoint}, {"--sts-endpoint", f.stsEndpoint}} {
		if ep.url == "" {
			continue
		}
		if err := loopback.CheckURL(ep.url); err != nil {
			return usageErrorf(cmd, "%s: %v", ep.flag, err)
		}
	}
	client, err := c.iamClient(cmd, profile, f)
	if err != nil {
		return err
	}
	kr, err := c.openKeyring()
	if err != nil {
		return err
	}
	old, err := kr.Keys(profile)
	if err != nil {
		return err
	}
	pending, err := kr.Rotation(profile)
	if err != nil {
		c.notef("warning: %v; it is replaced", err) // it only names a key left by an interrupted rotate
	}
	check := keyCheck{endpoint: f.stsEndpoint, region: f.region, env: c.profileEnv(profile), timeout: time.Duration(f.stsTimeout)}
	if err := c.verifyKey(ctx, old, check); err != nil {
		return fmt.Errorf("check the stored key %s with STS GetCallerIdentity before rotating (nothing changed): %w", old.ID, err)
	}
	r := rotation{
		iam:   client,
		prove: func(ctx context.Context, key keyring.AccessKey) error { return c.verifyKey(ctx, key, check) },
		store: func(key keyring.AccessKey) error {
			if err := kr.StoreKeys(profile, key); err != nil {
				return err
			}
			switch held, err := kr.Keys(profile); {
			case err != nil:
				return fmt.Errorf("read it back: %w", err)
			case held != key:
				return errors.New("the keyring holds another key than the one stored")
			}
			return nil
		},
		stored:  func() (keyring.AccessKey, error) { return kr.Keys(profile) },
		record:  func(rot *keyring.Rotation) error { return kr.RecordRotation(profile, rot) },
		pending: pending,
		confirm: c.confirm,
		wait:    backoff,
		now:     time.Now,
	}
	key, err := r.run(ctx, old)
	if err != nil {
		return err
	}
	c.notef("rotated the key of profile %s: %s replaces %s (deleted) in the keyring (%s)", profile, key.ID, old.ID, kr.Backend())
	return nil
}

// iamClient is rotate's IAM client, with the profile's settings (its
// endpoint_url and [services] section) when it is a profile of the shared
// files. Its endpoint, wherever it comes from, must pass the route rule
// (loopback.CheckURL): the calls carry a new long-term secret. Each call
// is signed with the key it is given.
func (c *cli) iamClient(cmd *cobra.Command, profile string, f *rotateFlags) (iamClient, error) {
	opts := []awssession.Option{awssession.WithEnvironment(c.profileEnv(profile)), awssession.WithSource(aws.AnonymousCredentials{}, "rotate")}
	if f.region != "" {
		opts = append(opts, awssession.WithRegion(f.region))
	}
	cfg, err := awssession.CreateSession(cmd.Context(), opts...)
	if err != nil {
		return iamClient{}, err
	}
	client := iam.NewFromConfig(cfg, func(o *iam.Options) {
		if f.iamEndpoint != "" {
			o.BaseEndpoint = aws.String(f.iamEndpoint)
		}
		if o.Region == "" {
			o.Region = "us-east-1" // IAM is global; its endpoint is signed there
		}
	})
	if ep := aws.ToString(client.Options().BaseEndpoint); ep != "" {
		if err := loopback.CheckURL(ep); err != nil {
			return iamClient{}, usageErrorf(cmd, "%s: %v", c.endpointRoute(ep, f.iamEndpoint, "--iam-endpoint", "IAM", profile), err)
		}
	}
	timeout := time.Duration(f.iamTimeout)
	if timeout == 0 {
		timeout = defaultIAMTimeout
	}
	return iamClient{client: client, timeout: timeout}, nil
}

// endpointRoute names the setting that chose a service's endpoint url:
// the flag, the environment, or the profile.
func (c *cli) endpointRoute(url, flagValue, flag, service, profile string) string {
	switch {
	case flagValue == url:
		return flag
	case c.getenv("AWS_ENDPOINT_URL_"+service) == url:
		return "AWS_ENDPOINT_URL_" + service
	case c.getenv("AWS_ENDPOINT_URL") == url:
		return "AWS_ENDPOINT_URL"
	}
	return fmt.Sprintf("profile %q: endpoint_url (or its [services] section's %s)", profile, service)
}

// backoff waits 1, 2, 4, 8, 8, … seconds before attempt n+1, or until ctx
// is done.
func backoff(ctx context.Context, n int) error {
	d := time.Second << min(n, 3)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
