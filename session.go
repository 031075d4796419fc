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

// A session is built in four steps, all in this file:
//
//  1. readSnapshot reads the outside world once (environment, time,
//     shared files, sign-in tokens, a WithProfileSource lookup);
//  2. makePlan, a pure function of the options and the snapshot, plans
//     the source and the STS layers above it, with every endpoint
//     checked;
//  3. loadConfig loads the SDK's config for the clients;
//  4. build turns the plan into providers, bottom up, each layer in its
//     own aws.CredentialsCache (and, with a cache, in the file cache), so
//     that a role refresh reuses the MFA session below it; the top one is
//     what the config's Credentials hold.
//
// Explain and PeekSession stop after step 2 and read the cache.

// expiryWindow is how long before expiry in-memory credentials are
// refreshed, so that a call signed just before expiry does not fail in
// flight.
const expiryWindow = time.Minute

// CreateSession returns a config whose credentials come from the layers the
// options describe (see the package documentation). It validates every
// option and reads the shared files before any network call, then loads
// the SDK's config once; credentials are fetched on first use and
// refreshed before they expire, one call at a time however many
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
	return s.config(ctx)
}

// session is a checked set of options with its plan, ready to explain,
// peek at or build.
type session struct {
	o      *options
	plan   *plan
	getenv func(string) string // the snapshot's environment
	home   string              // the snapshot's home directory
}

// prepare does all the work that needs neither the network nor the SDK's
// config: checks the options, reads the outside world and plans.
func prepare(ctx context.Context, opts []Option) (*session, error) {
	o := collect(opts)
	if err := o.validate(); err != nil {
		return nil, err
	}
	snap, err := readSnapshot(ctx, o)
	if err != nil {
		return nil, err
	}
	p, err := makePlan(o, snap)
	if err != nil {
		return nil, err
	}
	return &session{o: o, plan: p, getenv: snap.getenv, home: snap.home}, nil
}

// config loads the SDK's config and builds the session's credentials.
func (s *session) config(ctx context.Context) (aws.Config, error) {
	cfg, err := s.loadConfig(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	for _, n := range s.plan.notes {
		s.o.logger.Info(n)
	}
	b := s.newBuilder(cfg)
	cfg.Credentials = b.build()
	// STS clients made later from cfg (CallerIdentity, ConsoleURL, the
	// caller's own) go where the session's do, within its timeout.
	cfg.ConfigSources = append([]any{sessionSource{b.sts}}, cfg.ConfigSources...)
	return cfg, nil
}

// loadConfig loads the SDK's config the session's clients use, with the
// plan's region, profile and files. The SDK resolves no credentials: the
// session builds them all.
func (s *session) loadConfig(ctx context.Context) (_ aws.Config, err error) {
	p := s.plan
	defer sdkParserPanic(p.files.config, p.files.credentials, &err)
	fns := make([]func(*config.LoadOptions) error, 0, 6+len(s.o.loadOptions))
	fns = append(fns, config.WithSharedConfigFiles(p.files.config), config.WithSharedCredentialsFiles(p.files.credentials),
		// The SDK's own warnings go to the session's logger (discarded
		// without WithLogger), never straight to stderr.
		config.WithLogger(sdkLogger(s.o.logger)),
		config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	if p.region != "" {
		fns = append(fns, config.WithRegion(p.region))
	}
	if p.profile != "" {
		// The profile's other settings (retries, CA bundle) apply to the
		// clients.
		fns = append(fns, config.WithSharedConfigProfile(p.profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, append(fns, s.o.loadOptions...)...)
	if err != nil {
		return aws.Config{}, loadError(p.profile, err)
	}
	return cfg, nil
}

// build turns the plan into providers on top of the source. Each layer is
// kept in memory (and, with a cache, on disk) on its own; the top is the
// *aws.CredentialsCache callers see.
func (b *builder) build() aws.CredentialsProvider {
	o, p := b.o, b.plan
	log := o.logger
	debug := log.Enabled(context.Background(), slog.LevelDebug)
	if debug {
		log.Debug("session layer", slog.String("layer", "source"), slog.String("kind", string(p.src.kind)), slog.String("source", p.src.name))
	}
	var mfa *mfaSource
	if p.mfaSerial != "" {
		mfa = o.mfaSource(p.mfaSerial)
		mfa.endpoint = p.endpointOf(serviceSTS).url // a fake STS is a world of its own
	}
	src := b.source()
	if len(p.layers) == 0 && o.expectedAccount != "" {
		src = &accountCheck{next: src, expected: o.expectedAccount, sts: b.sts}
	}
	prov := inMemory(src)
	for i, l := range p.layers {
		if debug {
			log.Debug("session layer", slog.String("layer", l.name), slog.String("role", l.role.RoleARN),
				slog.Duration("duration", l.duration), slog.Bool("chained", l.chained), slog.Bool("mfa", l.mfaSerial != ""))
		}
		var layerMFA *mfaSource
		if l.mfaSerial != "" {
			layerMFA = mfa
		}
		var next aws.CredentialsProvider
		switch l.kind {
		case LayerGetSessionToken:
			next = &sessionTokenProvider{sts: b.sts, below: prov, duration: l.duration, mfa: layerMFA, now: o.world.clock.Now}
		case LayerAssumeRole:
			next = &assumeRoleProvider{sts: b.sts, below: prov, layer: l.name, role: l.role, sessionName: l.sessionName, duration: l.duration,
				mfa: layerMFA, now: o.world.clock.Now, clampToRoleMax: o.durations == ClampDurations}
		}
		account := b.layerAccount(i)
		if account != "" && l.kind != LayerAssumeRole {
			// The answer does not name the account: learn it before the
			// credentials are kept or used.
			next = &accountCheck{next: next, expected: account, sts: b.sts}
		}
		if o.cache != nil {
			next = &cachedLayer{name: l.name, key: l.key, account: account, cache: o.cache, next: next, log: log, now: o.world.clock.Now}
		}
		prov = inMemory(next)
	}
	return prov
}

// mfaSource hands out the codes of WithMFA's or WithProfileMFA's provider
// for device serial.
func (o *options) mfaSource(serial string) *mfaSource {
	memory := o.mfaMemory // the memory of used codes applies without a cache of sessions
	if memory == nil {
		memory = o.cache
	}
	return &mfaSource{serial: serial, endpoint: o.stsEndpoint, tokens: o.mfa.Tokens, cache: memory, log: o.logger, now: o.world.clock.Now}
}

// layerAccount is the account layer i's credentials must belong to, ""
// when not known: a role's, or WithExpectedAccount's for the top layer.
func (s *session) layerAccount(i int) string {
	l := s.plan.layers[i]
	if a := l.account(); a != "" {
		return a
	}
	if i == len(s.plan.layers)-1 {
		return s.o.expectedAccount
	}
	return ""
}

// inMemory wraps p in the SDK's credentials cache unless it is one already.
func inMemory(p aws.CredentialsProvider) aws.CredentialsProvider {
	if c, ok := p.(*aws.CredentialsCache); ok {
		return c
	}
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = expiryWindow })
}

// sessionSource is the config source through which STS clients made from
// a session's config find its STS: the endpoint (as a config source,
// which the SDK's clients ask), and its timeout and log for CallerIdentity
// and ConsoleURL.
type sessionSource struct{ sts *stsService }

func (s sessionSource) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	return s.sts.endpoint.url, sdkID == "STS" && s.sts.endpoint.url != "", nil
}

// stsOf returns the STS of the session cfg came from, or one for cfg
// alone (the SDK's endpoint resolution, the default timeout).
func stsOf(cfg aws.Config) *stsService {
	for _, src := range cfg.ConfigSources {
		if s, ok := src.(sessionSource); ok {
			return s.sts
		}
	}
	return &stsService{caller: caller{log: discard}, cfg: &cfg, region: cfg.Region, foreign: true}
}

// discard is the logger of sessions without WithLogger. It never changes.
var discard = slog.New(slog.DiscardHandler)

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
		l = discard
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

// builder loads the SDK's config for the session's clients.
func (s *session) builder(ctx context.Context) (*builder, error) {
	cfg, err := s.loadConfig(ctx)
	if err != nil {
		return nil, err
	}
	return s.newBuilder(cfg), nil
}

// newBuilder is the builder of the session's providers and clients on cfg.
func (s *session) newBuilder(cfg aws.Config) *builder {
	b := &builder{session: s, cfg: cfg, caller: caller{timeout: s.o.stsTimeout, log: s.o.logger}, getenv: s.getenv}
	b.sts = &stsService{caller: b.caller, cfg: &b.cfg, endpoint: s.plan.endpointOf(serviceSTS), region: s.plan.region}
	return b
}
