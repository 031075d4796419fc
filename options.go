package awssession

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// An Option configures [CreateSession]. Options are plain values: they do
// no I/O and are checked together, once, when CreateSession starts.
//
// Options that choose a layer (static credentials, profile, MFA device,
// GetSessionToken) may be given once; giving one twice with different values
// is an [ErrConflictingOptions] error. For the others the last one wins.
type Option interface {
	apply(*options)
}

// options is what the Options add up to.
type options struct {
	static *staticCredentials
	custom *customSource
	// profileSource is WithProfileSource's lookup; nil: none.
	profileSource func(profile string) (aws.CredentialsProvider, string, bool)
	// defaultMFASession is WithDefaultMFASession's duration; nil: off.
	defaultMFASession *time.Duration
	profile           *string
	region            string
	mfa               *mfaDevice
	gst               *time.Duration
	roles             []AssumeRole
	stsEndpoint       string
	stsTimeout        time.Duration
	// expectedAccount is WithExpectedAccount's; "" for any.
	expectedAccount string
	logger          *slog.Logger
	cache           Cache
	mfaMemory       Cache // WithMFAMemory's; nil: cache's
	durations       DurationPolicy
	files           *sharedFiles // WithSharedConfigFiles; nil: the environment's or the defaults
	world           world
	loadOptions     []func(*config.LoadOptions) error
	conflicts       []error
}

func (o *options) conflict(a at, format string, args ...any) {
	o.conflicts = append(o.conflicts, conflict(a, format, args...))
}

// staticCredentials are keys given in code. They print redacted.
type staticCredentials struct {
	AccessKeyID     string
	SecretAccessKey secret
	SessionToken    secret
}

func (s *staticCredentials) apply(o *options) {
	if o.static != nil && *o.static != *s {
		o.conflict(optionAt("WithStaticCredentials", ""), "given twice with different keys")
	}
	if o.profile != nil {
		o.conflict(optionAt("WithStaticCredentials", ""), "static keys and profile %q are two sources; choose one", *o.profile)
	}
	if o.custom != nil {
		o.conflict(optionAt("WithStaticCredentials", ""), "static keys and a source provider are two sources; choose one")
	}
	o.static = s
}

// staticSource names static keys in aws.Credentials.Source.
const staticSource = "awssession.Static"

// credentials are the keys as the SDK's credentials, named source.
func (s *staticCredentials) credentials(source string) aws.Credentials {
	return aws.Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey.reveal(),
		SessionToken: s.SessionToken.reveal(), Source: source}
}

// provider serves the keys. A pointer, so that printing it shows an
// address, not the keys.
func (s *staticCredentials) provider(source string) aws.CredentialsProvider {
	return &credentials.StaticCredentialsProvider{Value: s.credentials(source)}
}

func (s *staticCredentials) String() string {
	return fmt.Sprintf("WithStaticCredentials(%s, %s, %s)", s.AccessKeyID, redacted, redacted)
}
func (s *staticCredentials) GoString() string           { return s.String() }
func (s *staticCredentials) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, s.String()) }

// WithStaticCredentials makes the given keys the source layer. sessionToken
// is empty for long-term IAM user keys (AKIA…) and set for temporary keys
// (ASIA…). The option prints with the secret parts redacted.
func WithStaticCredentials(accessKeyID, secretAccessKey, sessionToken string) Option {
	return &staticCredentials{AccessKeyID: accessKeyID, SecretAccessKey: secret(secretAccessKey), SessionToken: secret(sessionToken)}
}

type profileOption string

func (p profileOption) apply(o *options) {
	name := string(p)
	if o.profile != nil && *o.profile != name {
		o.conflict(optionAt("WithProfile", ""), "profiles %q and %q both given; choose one", *o.profile, name)
	}
	if o.static != nil {
		o.conflict(optionAt("WithProfile", ""), "static keys and profile %q are two sources; choose one", name)
	}
	o.profile = &name
}

// WithProfile makes the named shared-config profile the source of the
// session. awssession reads the profile and its source_profile chain with
// the SDK's parser and plans it as layers: the base profile's credentials
// (keys, credential_process, SSO, web identity, credential_source) fetched
// by the SDK's providers, then one AssumeRole layer per role_arn, each with
// its own external_id, role_session_name, duration_seconds and
// mfa_serial. An mfa_serial on a profile that holds only keys adds an MFA
// session (GetSessionToken, 12 h) at the base, as aws-vault does. Codes
// come from [WithMFA] or [WithProfileMFA]. The identity at the top is the
// one config.LoadDefaultConfig resolves for the profile.
func WithProfile(name string) Option { return profileOption(name) }

type regionOption string

func (r regionOption) apply(o *options) { o.region = string(r) }

// WithRegion sets the region of the returned config and of every STS call.
// Without it the SDK's usual sources apply (AWS_REGION, the profile).
func WithRegion(region string) Option { return regionOption(region) }

// mfaDevice is an MFA serial and where its codes come from.
type mfaDevice struct {
	SerialNumber string
	Tokens       TokenProvider
	// ifProfileHasOne: WithProfileMFA, codes for the profile's device if
	// it names one; SerialNumber is "".
	ifProfileHasOne bool
}

func (m *mfaDevice) apply(o *options) {
	switch {
	case o.mfa != nil && o.mfa.ifProfileHasOne != m.ifProfileHasOne:
		o.conflict(optionAt("WithProfileMFA", ""), "codes for the profile's MFA device and for a named device both given; use one")
	case o.mfa != nil && o.mfa.SerialNumber != m.SerialNumber:
		o.conflict(optionAt("WithMFA", ""), "devices %s and %s both given; a session uses one", o.mfa.SerialNumber, m.SerialNumber)
	}
	o.mfa = m
}

// name is the option's name, for errors.
func (m *mfaDevice) name() string {
	if m.ifProfileHasOne {
		return "WithProfileMFA"
	}
	return "WithMFA"
}

func (m *mfaDevice) String() string {
	if m.ifProfileHasOne {
		return "WithProfileMFA()"
	}
	return fmt.Sprintf("WithMFA(%s)", m.SerialNumber)
}

// WithMFA names the MFA device and the provider of its codes. serialNumber
// is a virtual device ARN (arn:aws:iam::ACCOUNT:mfa/NAME) or a hardware
// device serial; "" means the device the profile names in mfa_serial. The
// device is used once, at the lowest layer that takes it (see the package
// documentation).
func WithMFA(serialNumber string, tokens TokenProvider) Option {
	return &mfaDevice{SerialNumber: serialNumber, Tokens: tokens}
}

// WithProfileMFA supplies codes for the MFA device the profile names in
// mfa_serial (its own or a source profile's), if it names one; with a
// profile that names none, the session uses no MFA and tokens is never
// called. It is what a tool that runs whatever profile its user picks
// wants, as the SDK's own stscreds TokenProvider, and it needs no look at
// the profile before CreateSession. [WithMFA] with "" insists on a
// device instead, and reports a profile without one.
func WithProfileMFA(tokens TokenProvider) Option {
	return &mfaDevice{Tokens: tokens, ifProfileHasOne: true}
}

type sessionTokenOption time.Duration

func (d sessionTokenOption) apply(o *options) {
	v := time.Duration(d)
	if o.gst != nil && *o.gst != v {
		o.conflict(optionAt("WithGetSessionToken", ""), "given twice with durations %s and %s", *o.gst, v)
	}
	o.gst = &v
}

// DefaultSessionTokenDuration is the GetSessionToken duration used when
// [WithGetSessionToken] is given 0.
const DefaultSessionTokenDuration = 12 * time.Hour

// WithGetSessionToken adds the MFA session layer: STS GetSessionToken, with
// the device from [WithMFA] when one is given. duration is 15 min to 36 h
// (1 h for root keys); 0 means [DefaultSessionTokenDuration]. The source
// must be long-term IAM user keys.
func WithGetSessionToken(duration time.Duration) Option { return sessionTokenOption(duration) }

type stsEndpointOption string

func (e stsEndpointOption) apply(o *options) { o.stsEndpoint = string(e) }

// Format prints the option with any password in the URL redacted.
func (e stsEndpointOption) Format(f fmt.State, _ rune) {
	formatURLOption(f, "WithSTSEndpoint", string(e))
}

// WithSTSEndpoint sends every STS call, ours and the SDK's for profile
// roles, to url (a fake STS, a VPC endpoint). STS clients built later from
// the returned config go there too. Plain http is accepted for loopback
// hosts only, since STS answers carry secret keys.
func WithSTSEndpoint(url string) Option { return stsEndpointOption(url) }

type stsTimeoutOption time.Duration

func (t stsTimeoutOption) apply(o *options) { o.stsTimeout = time.Duration(t) }

// DefaultSTSTimeout bounds each STS call of a session, retries included,
// when [WithSTSTimeout] is not given: a server that accepts a connection
// and never answers must not hang a command.
const DefaultSTSTimeout = 30 * time.Second

// WithSTSTimeout bounds each STS call, retries included (the caller's
// context still applies too). 0 means [DefaultSTSTimeout]; a negative
// value means no bound other than the context.
func WithSTSTimeout(d time.Duration) Option { return stsTimeoutOption(d) }

type loggerOption struct{ l *slog.Logger }

func (l loggerOption) apply(o *options) { o.logger = l.l }

// WithLogger sets where CreateSession and its credential providers log.
// Debug shows each layer, each STS call (action, role, serial, duration,
// request ID, elapsed time) and cache decisions; no secret is ever logged.
// The default discards.
func WithLogger(l *slog.Logger) Option { return loggerOption{l: l} }

type loadOptionsOption []func(*config.LoadOptions) error

func (l loadOptionsOption) apply(o *options) { o.loadOptions = append(o.loadOptions, l...) }

// WithConfigOptions passes options to the config.LoadDefaultConfig call
// CreateSession makes: an HTTP client, a retryer. They apply to every STS
// client the session uses. Name the shared files with
// [WithSharedConfigFiles]; shared files set here are honoured too.
func WithConfigOptions(fns ...func(*config.LoadOptions) error) Option {
	return loadOptionsOption(fns)
}

// sharedFiles are the shared config and credentials files a session reads.
type sharedFiles struct {
	config, credentials []string
}

func (f sharedFiles) apply(o *options) { o.files = &f }

// WithSharedConfigFiles names the shared config and credentials files, in
// place of AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE or
// ~/.aws/config and ~/.aws/credentials. A nil list keeps that default.
func WithSharedConfigFiles(config, credentials []string) Option {
	return sharedFiles{config: config, credentials: credentials}
}

type defaultMFASessionOption time.Duration

func (d defaultMFASessionOption) apply(o *options) { v := time.Duration(d); o.defaultMFASession = &v }

// WithDefaultMFASession puts an MFA session (GetSessionToken of duration;
// 0 means [DefaultSessionTokenDuration]) under the role hops whenever a
// hop would send an MFA code and the source is long-term keys, so that
// one code serves every role (and, with a cache, every process) for the
// session's life instead of one code per role per hour. A role hop that
// asks for more than 1 h, which STS refuses above session credentials,
// keeps the code instead, with a note at info level. [WithGetSessionToken]
// overrides it. It is what the CLI does by default.
func WithDefaultMFASession(duration time.Duration) Option { return defaultMFASessionOption(duration) }
