package awssession

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

// build turns the plan into providers on top of the source. Each layer is
// kept in memory (and, with a cache, on disk) on its own, so a role refresh
// reuses the MFA session below it instead of asking for a new code; the
// top is the *aws.CredentialsCache callers see.
func (s *session) build(cfg aws.Config) aws.CredentialsProvider {
	o, p := s.o, s.plan
	log := o.logger
	debug := log.Enabled(context.Background(), slog.LevelDebug)
	if debug {
		log.Debug("session layer", slog.String("layer", "source"), slog.String("source", p.src.name))
	}
	var mfa *mfaSource
	if p.mfaSerial != "" {
		mfa = o.mfaSource(p.mfaSerial)
	}
	src := s.sourceProvider(cfg)
	if len(p.layers) == 0 && o.expectedAccount != "" {
		src = &accountCheck{next: src, expected: o.expectedAccount, cfg: cfg, endpoint: o.stsEndpoint}
	}
	prov := inMemory(src)
	for i, l := range p.layers {
		if debug {
			log.Debug("session layer", slog.String("layer", l.name), slog.String("role", l.role.RoleARN),
				slog.Duration("duration", l.duration), slog.Bool("chained", l.chained), slog.Bool("mfa", l.mfaSerial != ""))
		}
		client := newLazySTSClient(cfg, prov, o.stsEndpoint)
		var next aws.CredentialsProvider
		switch l.kind {
		case LayerGetSessionToken:
			st := &sessionTokenProvider{client: client, duration: l.duration, log: log, timeout: o.stsTimeout, now: o.world.clock.Now}
			if l.mfaSerial != "" {
				st.mfa = mfa
			}
			next = st
		case LayerAssumeRole:
			ar := &assumeRoleProvider{client: client, role: l.role, sessionName: l.sessionName, duration: l.duration,
				log: log, timeout: o.stsTimeout, now: o.world.clock.Now, clampToRoleMax: o.durations == ClampDurations}
			if l.mfaSerial != "" {
				ar.mfa = mfa
			}
			next = ar
		}
		account := s.layerAccount(i)
		if account != "" && l.kind != LayerAssumeRole {
			// The answer does not name the account: learn it before the
			// credentials are kept or used.
			next = &accountCheck{next: next, expected: account, cfg: cfg, endpoint: o.stsEndpoint}
		}
		if o.cache != nil {
			next = &cachedLayer{name: l.name, key: l.key, account: account, cache: o.cache, next: next, log: log, now: o.world.clock.Now}
		}
		prov = inMemory(next)
	}
	return prov
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

// mfaSource hands out the codes of WithMFA's or WithProfileMFA's provider
// for device serial.
func (o *options) mfaSource(serial string) *mfaSource {
	memory := o.mfaMemory
	if memory == nil {
		memory = o.cache
	}
	return &mfaSource{serial: serial, endpoint: o.stsEndpoint, tokens: o.mfa.Tokens, cache: memory, log: o.logger, now: o.world.clock.Now}
}

// sourceProvider returns the provider of the plan's source.
func (s *session) sourceProvider(cfg aws.Config) aws.CredentialsProvider {
	src := s.plan.src
	switch src.kind {
	case sourceKeys:
		return src.keys.provider(staticSource)
	case sourceCustom:
		return src.custom
	case sourceCredentialSource:
		return s.credentialSource(cfg)
	case sourceSDKProfile:
		if c := src.profile; c.kind == baseNone && len(c.hops) > 0 {
			// The SDK refuses such a chain; its top-level empty profile
			// would fall back to the EC2 instance role.
			return failingProvider{invalid(profileAt(c.base.Profile, ""),
				"holds no credentials to sign the roles above it (profile %q)", c.top).advise(RemedyProfileSource)}
		}
		return &sdkProfileProvider{cfg: cfg, profile: src.profile.base.Profile, files: s.plan.files}
	}
	return cfg.Credentials // the SDK's default chain, resolved by LoadDefaultConfig
}

// credentialSource returns the provider a profile's credential_source
// names, as the SDK builds it.
func (s *session) credentialSource(cfg aws.Config) aws.CredentialsProvider {
	g := s.o.world.getenv
	switch cs := s.plan.src.profile.base.CredentialSource; cs {
	case "Environment":
		if k := s.o.envKeys(); k != nil {
			return k.provider("awssession.Environment")
		}
		return failingProvider{fmt.Errorf("credential_source Environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")}
	case "Ec2InstanceMetadata":
		return ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = imds.NewFromConfig(cfg) })
	case "EcsContainer":
		url := g("AWS_CONTAINER_CREDENTIALS_FULL_URI")
		if rel := g("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
			url = "http://169.254.170.2" + rel
		}
		if url == "" {
			return failingProvider{fmt.Errorf("credential_source EcsContainer: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set")}
		}
		return endpointcreds.New(url, func(o *endpointcreds.Options) {
			o.HTTPClient = cfg.HTTPClient
			o.AuthorizationToken = g("AWS_CONTAINER_AUTHORIZATION_TOKEN")
		})
	default:
		return failingProvider{fmt.Errorf("credential_source %q: must be Environment, Ec2InstanceMetadata or EcsContainer", cs)}
	}
}

// sdkProfileProvider fetches a base profile's credentials (SSO,
// credential_process, web identity, …) with the SDK's own providers: it
// loads that profile's config on first use, so a session served from the
// cache never does. It is safe for concurrent use.
type sdkProfileProvider struct {
	cfg     aws.Config
	profile string
	files   sharedFiles

	once sync.Once
	prov aws.CredentialsProvider
	err  error
}

func (p *sdkProfileProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	p.once.Do(func() {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(p.profile),
			config.WithSharedConfigFiles(nonNil(p.files.config)), config.WithSharedCredentialsFiles(nonNil(p.files.credentials)),
			config.WithRegion(p.cfg.Region), config.WithHTTPClient(p.cfg.HTTPClient), config.WithRetryer(p.cfg.Retryer))
		p.prov, p.err = cfg.Credentials, err
	})
	if p.err != nil {
		return aws.Credentials{}, fmt.Errorf("profile %q: %w", p.profile, loadError(p.err))
	}
	return p.prov.Retrieve(ctx)
}

// failingProvider reports a source that cannot work, when it is first
// needed (a session served from the cache never asks).
type failingProvider struct{ err error }

func (f failingProvider) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, f.err
}

// inMemory wraps p in the SDK's credentials cache unless it is one already.
func inMemory(p aws.CredentialsProvider) aws.CredentialsProvider {
	if c, ok := p.(*aws.CredentialsCache); ok {
		return c
	}
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = expiryWindow })
}
