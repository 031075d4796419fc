package awssession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// expiryWindow is how long before expiry cached credentials are refreshed,
// so that a call signed just before expiry does not fail in flight.
const expiryWindow = time.Minute

// CreateSession returns a config whose credentials come from the layers the
// options describe (see the package documentation). It loads the shared
// configuration once, validates every option, and makes no network call:
// credentials are fetched on first use and refreshed before they expire,
// one STS call at a time however many goroutines ask.
//
// Errors from bad options match [ErrInvalidInput] (and
// [ErrConflictingOptions] for options that exclude each other) and name the
// field.
func CreateSession(ctx context.Context, opts ...Option) (aws.Config, error) {
	o := collect(opts)
	if err := o.validate(); err != nil {
		return aws.Config{}, err
	}
	mfa := newMFASource(o.mfa)
	roles := &profileRoles{mfa: mfa, endpoint: o.stsEndpoint, log: o.logger}
	cfg, err := config.LoadDefaultConfig(ctx, o.configOptions(roles)...)
	if err != nil {
		var missing config.SharedConfigProfileNotExistError
		if errors.As(err, &missing) {
			return aws.Config{}, invalid("WithProfile", "profile %q is not in the shared config files: %v", missing.Profile, err)
		}
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	p, err := o.plan(cfg, roles)
	if err != nil {
		return aws.Config{}, err
	}
	cfg.Credentials = o.build(cfg, p, mfa)
	if o.stsEndpoint != "" {
		// STS clients built later from cfg (CallerIdentity, the caller's
		// own) go to the same endpoint; other services are untouched.
		cfg.ConfigSources = append([]any{stsEndpointSource(o.stsEndpoint)}, cfg.ConfigSources...)
	}
	return cfg, nil
}

func collect(opts []Option) *options {
	o := &options{logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(o)
		}
	}
	return o
}

// loadOptions are the options of the one LoadDefaultConfig call.
func (o *options) configOptions(roles *profileRoles) []func(*config.LoadOptions) error {
	fns := []func(*config.LoadOptions) error{config.WithAssumeRoleCredentialOptions(roles.apply)}
	if s := o.static; s != nil {
		// A pointer, so that printing the config (its ConfigSources hold
		// the load options) shows an address, not the keys.
		fns = append(fns, config.WithCredentialsProvider(cached(credentials.NewStaticCredentialsProvider(
			s.AccessKeyID, s.SecretAccessKey.reveal(), s.SessionToken.reveal()))))
	}
	if o.profile != nil {
		fns = append(fns, config.WithSharedConfigProfile(*o.profile))
	}
	if o.region != "" {
		fns = append(fns, config.WithRegion(o.region))
	}
	return append(fns, o.loadOptions...)
}

// stsEndpointSource is a config source that names the STS endpoint and
// nothing else; the SDK asks config sources in order.
type stsEndpointSource string

func (s stsEndpointSource) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	return string(s), sdkID == "STS", nil
}
