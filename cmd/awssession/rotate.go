package main

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
	"github.com/spf13/cobra"
)

// rotateFlags are the flags of rotate.
type rotateFlags struct {
	stsEndpoint, iamEndpoint, region string
}

func (c *cli) rotateCmd() *cobra.Command {
	var f rotateFlags
	cmd := &cobra.Command{
		Use:   "rotate PROFILE",
		Short: "Replace a profile's access key in IAM and in the keyring",
		Long: `Rotate the long-term access key the keyring holds for PROFILE: IAM
CreateAccessKey for the key's own user, wait until STS accepts the new key
(IAM is eventually consistent), store it, then IAM DeleteAccessKey of the old
one. If a step fails, nothing is lost: until the new key is proven and
stored, the old one stays in the keyring and in IAM (a new key that failed
is deleted again). The user needs iam:CreateAccessKey and
iam:DeleteAccessKey on itself, and may hold one other key at most (IAM's
limit is two).`,
		Example: `  awssession rotate dev`,
		Args:    profileArg,
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			profile := args[0]
			kr, err := c.openKeyring()
			if err != nil {
				return err
			}
			old, err := kr.Keys(profile)
			if err != nil {
				return err
			}
			r := rotation{
				iam: func(ctx context.Context, key keyring.AccessKey) (iamAPI, error) { return c.iamClient(ctx, key, &f) },
				prove: func(ctx context.Context, key keyring.AccessKey) error {
					_, err := c.verifyKey(ctx, key, f.stsEndpoint, f.region)
					return err
				},
				store: func(key keyring.AccessKey) error { return kr.StoreKeys(profile, key) },
				wait:  backoff,
			}
			c.interruptible(cmd)
			key, err := r.run(cmd.Context(), old)
			if err != nil {
				return err
			}
			c.notef("rotated the key of profile %s: %s replaces %s (deleted) in the keyring (%s)", profile, key.ID, old.ID, kr.Backend())
			return nil
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&f.stsEndpoint, "sts-endpoint", "", "send the new key's check to this STS URL")
	fs.StringVar(&f.iamEndpoint, "iam-endpoint", "", "send the IAM calls to this URL")
	fs.StringVar(&f.region, "region", "", "region of the STS and IAM calls")
	return cmd
}

// iamClient is an IAM client signed with key.
func (c *cli) iamClient(ctx context.Context, key keyring.AccessKey, f *rotateFlags) (iamAPI, error) {
	cfg, err := awssession.CreateSession(ctx,
		awssession.WithEnvironment(c.environ),
		awssession.WithStaticCredentials(key.ID, key.Secret.Reveal(), ""),
		awssession.WithRegion(firstNonEmpty(f.region, c.getenv("AWS_REGION"), c.getenv("AWS_DEFAULT_REGION"), "us-east-1")),
	)
	if err != nil {
		return nil, err
	}
	return iam.NewFromConfig(cfg, func(o *iam.Options) {
		if f.iamEndpoint != "" {
			o.BaseEndpoint = aws.String(f.iamEndpoint)
		}
	}), nil
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
