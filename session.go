package awssession

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
)

// expiryWindow is how long before expiry in-memory credentials are
// refreshed, so that a call signed just before expiry does not fail in
// flight.
const expiryWindow = time.Minute

// CreateSession returns a config whose credentials come from the layers the
// options describe (see the package documentation). It validates every
// option and reads the shared files before any network call, then loads
// the SDK's config once; credentials are fetched on first use and
// refreshed before they expire, one STS call at a time however many
// goroutines ask.
//
// The config's Credentials are the top layer's *aws.CredentialsCache, safe
// for concurrent use; the session starts no goroutine of its own.
//
// Errors from bad options match [ErrInvalidInput] (and
// [ErrConflictingOptions] for options that exclude each other) and name the
// field.
func CreateSession(ctx context.Context, opts ...Option) (aws.Config, error) {
	s, err := prepare(ctx, opts)
	if err != nil {
		return aws.Config{}, err
	}
	cfg, err := s.loadConfig(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	s.plan.logNotes(s.o.logger)
	cfg.Credentials = s.build(cfg)
	if s.o.stsEndpoint != "" {
		// STS clients built later from cfg (CallerIdentity, the caller's
		// own) go to the same endpoint; other services are untouched.
		cfg.ConfigSources = append([]any{stsEndpointSource(s.o.stsEndpoint)}, cfg.ConfigSources...)
	}
	return cfg, nil
}

// session is a checked set of options with its plan, ready to explain,
// peek at or build.
type session struct {
	o    *options
	plan *plan
}

// prepare does all the work that needs neither the network nor the SDK's
// config: checks the options, reads the shared files and plans the layers.
func prepare(ctx context.Context, opts []Option) (*session, error) {
	o := collect(opts)
	if err := o.validate(); err != nil {
		return nil, err
	}
	in, err := o.load(ctx)
	if err != nil {
		return nil, err
	}
	p, err := makePlan(o, in)
	if err != nil {
		return nil, err
	}
	return &session{o: o, plan: p}, nil
}

func collect(opts []Option) *options {
	o := &options{logger: discard, world: processWorld()}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(o)
		}
	}
	return o
}

// discard is the logger of sessions without WithLogger. It never changes.
var discard = slog.New(slog.DiscardHandler)

// loadConfig loads the SDK's config the session's clients use, with the
// plan's region, profile and files, and checks where it sends STS calls.
func (s *session) loadConfig(ctx context.Context) (aws.Config, error) {
	p := s.plan
	fns := make([]func(*config.LoadOptions) error, 0, 7+len(s.o.loadOptions))
	fns = append(fns, config.WithSharedConfigFiles(nonNil(p.files.config)), config.WithSharedCredentialsFiles(nonNil(p.files.credentials)),
		// The SDK's own warnings go to the session's logger (discarded
		// without WithLogger), never straight to stderr.
		config.WithLogger(sdkLogger(s.o.logger)))
	if p.region != "" {
		fns = append(fns, config.WithRegion(p.region))
	}
	if c := p.src.profile; c != nil {
		// The profile's other settings (retries, CA bundle, endpoints)
		// apply to the session's clients. The SDK cannot parse a role on
		// an empty base profile (keys from WithSource): then the base's.
		name := c.top
		if c.kind == baseNone && len(c.hops) > 0 {
			name = c.base.Profile
		}
		fns = append(fns, config.WithSharedConfigProfile(name))
	}
	if p.src.kind != sourceDefaultChain {
		// build sets the credentials; the SDK must not resolve (or, for
		// a role profile, assume) anything itself.
		fns = append(fns, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	}
	fns = append(fns, s.o.loadOptions...)
	cfg, err := config.LoadDefaultConfig(ctx, fns...)
	if err != nil {
		return aws.Config{}, loadError(err)
	}
	return cfg, nil
}

// applyLoadOptions applies the WithConfigOptions to an empty LoadOptions,
// to read what they set (the shared files).
func (o *options) applyLoadOptions() (config.LoadOptions, error) {
	var lo config.LoadOptions
	for _, fn := range o.loadOptions {
		if err := fn(&lo); err != nil {
			return lo, err
		}
	}
	return lo, nil
}

// stsEndpointSource is a config source that names the STS endpoint and
// nothing else; the SDK asks config sources in order.
type stsEndpointSource string

func (s stsEndpointSource) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	return string(s), sdkID == "STS", nil
}

// sdkLogger returns a logger for aws.Config.Logger that sends the AWS
// SDK's own lines (its classification Warn, such as a response checksum
// it could not validate, and Debug) to l at slog's warn and debug levels,
// with source=aws-sdk; any other classification goes at info. Without it
// the SDK writes its warnings to stderr itself, past WithLogger's discard
// default and the CLI's --silent. A nil l discards. The message is
// formatted only when l is enabled at its level. It adds nothing that the
// SDK does not log: a ClientLogMode that logs requests or bodies would
// log signed requests, and sessions set none. It is safe for concurrent
// use if l's handler is (slog's are).
func sdkLogger(l *slog.Logger) logging.Logger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		level := slog.LevelInfo
		switch c {
		case logging.Warn:
			level = slog.LevelWarn
		case logging.Debug:
			level = slog.LevelDebug
		}
		ctx := context.Background()
		if !l.Enabled(ctx, level) {
			return
		}
		l.LogAttrs(ctx, level, fmt.Sprintf(format, v...), slog.String("source", "aws-sdk"))
	})
}
