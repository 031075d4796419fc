package awssession

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// expiryWindow is how long before expiry in-memory credentials are
// refreshed, so that a call signed just before expiry does not fail in
// flight.
const expiryWindow = time.Minute

// CreateSession returns a config whose credentials come from the layers the
// options describe (see the package documentation). It loads the shared
// configuration once, validates every option, and makes no network call:
// credentials are fetched on first use and refreshed before they expire,
// one STS call at a time however many goroutines ask.
//
// The config's Credentials are safe for concurrent use and behave as the
// SDK's aws.CredentialsCache does (Invalidate; aws.IsCredentialsProvider
// sees the provider underneath), with cheaper hits: a Retrieve of
// credentials in memory costs two atomic loads and reads no clock. A
// goroutine of the session reads the clock ten times a second while the
// credentials are in use and stops a second after they are not; hits end
// 200 ms before the SDK's cache would refresh, so none hands out
// credentials past their Expires. The price: credentials that expired
// while the machine slept can still be handed out for up to 100 ms after
// it wakes.
//
// Errors from bad options match [ErrInvalidInput] (and
// [ErrConflictingOptions] for options that exclude each other) and name the
// field.
func CreateSession(ctx context.Context, opts ...Option) (aws.Config, error) {
	s, err := prepare(ctx, opts)
	if err != nil {
		return aws.Config{}, err
	}
	cfg := s.cfg
	cfg.Credentials = s.credentials()
	s.writeStamp(ctx)
	if s.o.stsEndpoint != "" {
		// STS clients built later from cfg (CallerIdentity, the caller's
		// own) go to the same endpoint; other services are untouched.
		cfg.ConfigSources = append([]any{stsEndpointSource(s.o.stsEndpoint)}, cfg.ConfigSources...)
	}
	return cfg, nil
}

// credentials is what the config of CreateSession hands out: the built
// layers behind sessionCredentials, whose hits skip the SDK cache's clock
// read.
func (s *session) credentials() aws.CredentialsProvider {
	top := s.build()
	c, ok := top.(credentialsCache)
	if !ok {
		return top
	}
	return newSessionCredentials(c)
}

// session is a checked set of options with its loaded config and plan,
// ready to build or explain.
type session struct {
	o     *options
	cfg   aws.Config
	plan  *plan
	mfa   *mfaSource
	stamp *sessionStamp // nil: no plan stamp for this session
	roles profileRoles  // the SDK's profile roles, seen through its hook
}

// prepare does all the work that needs no network: checks the options,
// loads the shared config once and plans the layers.
func prepare(ctx context.Context, opts []Option) (*session, error) {
	o := collect(opts)
	if err := o.validate(); err != nil {
		return nil, err
	}
	s := &session{o: o, stamp: o.takeStamp(), mfa: o.newMFASource()}
	s.roles = profileRoles{mfa: s.mfa, endpoint: o.stsEndpoint, log: o.logger, clamp: o.durations == ClampDurations}
	cfg, err := config.LoadDefaultConfig(ctx, o.configOptions(&s.roles)...)
	if err != nil {
		return nil, loadError(err)
	}
	s.cfg = cfg
	if s.plan, err = o.plan(cfg, &s.roles); err != nil {
		return nil, err
	}
	if s.mfa != nil {
		s.mfa.serial = o.mfaSerial // resolved from the profile when WithMFA gave ""
	}
	return s, nil
}

func collect(opts []Option) *options {
	o := &options{logger: discard, getenv: os.Getenv, environ: os.Environ, now: time.Now}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(o)
		}
	}
	return o
}

// discard is the logger of sessions without WithLogger. It never changes.
var discard = slog.New(slog.DiscardHandler)

// configOptions are the options of the one LoadDefaultConfig call.
func (o *options) configOptions(roles *profileRoles) []func(*config.LoadOptions) error {
	fns := make([]func(*config.LoadOptions) error, 0, 4+len(o.loadOptions))
	if s := o.static; s == nil {
		// Only a profile (named or from the environment) can carry role_arn.
		fns = append(fns, config.WithAssumeRoleCredentialOptions(roles.apply))
	} else {
		// A pointer, so that printing the config (its ConfigSources hold
		// the load options) shows an address, not the keys.
		fns = append(fns, config.WithCredentialsProvider(inMemory(credentials.NewStaticCredentialsProvider(
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

func (o *options) newMFASource() *mfaSource {
	if o.mfa == nil {
		return nil
	}
	return &mfaSource{serial: o.mfa.SerialNumber, endpoint: o.stsEndpoint, tokens: o.mfa.Tokens, mu: newCtxMutex(),
		cache: o.cache, log: o.logger, now: o.now}
}

// stsEndpointSource is a config source that names the STS endpoint and
// nothing else; the SDK asks config sources in order.
type stsEndpointSource string

func (s stsEndpointSource) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	return string(s), sdkID == "STS", nil
}
