package awssession

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// An Option configures [CreateSession]. Options are plain values: they do
// no I/O and are checked together, once, when CreateSession starts.
// Options that choose a layer (static credentials, profile, MFA device,
// GetSessionToken) may be given once; giving one twice with different values
// is an [ErrConflictingOptions] error. For the others the last one wins.
type Option interface {
	apply(*options)
}

// WithStaticCredentials makes the given keys the source layer. sessionToken
// is empty for long-term IAM user keys (AKIA…) and set for temporary keys
// (ASIA…). The option prints with the secret parts redacted.
func WithStaticCredentials(accessKeyID, secretAccessKey, sessionToken string) Option {
	return &staticCredentials{AccessKeyID: accessKeyID, SecretAccessKey: secret(secretAccessKey), SessionToken: secret(sessionToken)}
}

type profileOption string

func (p profileOption) apply(o *options) {
	name := string(p)
	o.once(o.profile != nil, o.profile == nil || *o.profile == name, OptionWithProfile, "two profiles given; choose one")
	o.once(o.static != nil, false, OptionWithProfile, "static keys and profile %q are two sources; choose one", name)
	o.profile = &name
}

// WithProfile makes the named shared-config profile the source. Its
// source_profile chain, read by the SDK's parser, is planned as layers: the
// base profile's credentials (keys, credential_process, SSO, console
// sign-in, web identity, credential_source), then one AssumeRole per
// role_arn with its own external_id, role_session_name, duration_seconds
// and mfa_serial. An mfa_serial on a profile that holds only keys adds an
// MFA session (12 h) at the base, as aws-vault does. The identity at the
// top is the one config.LoadDefaultConfig resolves for the profile.
func WithProfile(name string) Option { return profileOption(name) }

type regionOption string

func (r regionOption) apply(o *options) { o.region = string(r) }

// WithRegion sets the region of the returned config and of every call the
// session makes. Without it the SDK's sources apply, in its order: a
// region among [WithConfigOptions], AWS_REGION, AWS_DEFAULT_REGION, the
// profile's.
func WithRegion(region string) Option { return regionOption(region) }

func (m *mfaDevice) apply(o *options) {
	o.once(o.mfa != nil, o.mfa == nil || o.mfa.ifProfileHasOne == m.ifProfileHasOne, OptionWithProfileMFA, "codes for the profile's MFA device and for a named device both given; use one")
	o.once(o.mfa != nil, o.mfa == nil || o.mfa.SerialNumber == m.SerialNumber, OptionWithMFA, "two MFA devices given; a session uses one")
	o.mfa = m
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
// wants, as the SDK's own stscreds TokenProvider. [WithMFA] with "" insists
// on a device instead, and reports a profile without one.
func WithProfileMFA(tokens TokenProvider) Option {
	return &mfaDevice{Tokens: tokens, ifProfileHasOne: true}
}

type sessionTokenOption time.Duration

func (d sessionTokenOption) apply(o *options) {
	v := time.Duration(d)
	o.once(o.gst != nil, o.gst == nil || *o.gst == v, OptionWithGetSessionToken, "given twice with durations %s and %s", o.gst, v)
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

type defaultMFASessionOption time.Duration

func (d defaultMFASessionOption) apply(o *options) { v := time.Duration(d); o.defaultMFASession = &v }

// WithDefaultMFASession puts an MFA session (GetSessionToken of duration;
// 0: [DefaultSessionTokenDuration]) at the bottom whenever the session has
// an MFA device and long-term keys: under the roles, so one code serves
// every role and process for its life, or alone when no role takes the
// code. A role of more than 1 h (refused above session credentials) keeps
// the code instead, with a note. [WithGetSessionToken] overrides it; the
// CLI uses it by default.
func WithDefaultMFASession(duration time.Duration) Option { return defaultMFASessionOption(duration) }

type assumeRoleOption struct{ role AssumeRole }

func (a assumeRoleOption) apply(o *options) { o.roles = append(o.roles, a.role) }

// WithAssumeRole adds one role hop on top of the layers before it. Repeat it
// to chain roles; hops run in the order given.
func WithAssumeRole(role AssumeRole) Option { return assumeRoleOption{role: role} }

func (p DurationPolicy) apply(o *options) { o.durations = p }

type stsEndpointOption string

func (e stsEndpointOption) apply(o *options) { o.stsEndpoint = string(e) }

// Format prints the option with any password in the URL redacted.
func (e stsEndpointOption) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "WithSTSEndpoint(%s)", redactURL(string(e)))
}

// WithSTSEndpoint sends every STS call of the session (its layers, web
// identity, the account check) to url (a fake STS, a VPC endpoint), over
// the endpoint the environment or the profile names. STS clients built
// later from the returned config go there too. Plain http is accepted for
// loopback hosts only, since STS answers carry secret keys.
func WithSTSEndpoint(url string) Option { return stsEndpointOption(url) }

type stsTimeoutOption time.Duration

func (t stsTimeoutOption) apply(o *options) { o.stsTimeout = time.Duration(t) }

// DefaultSTSTimeout bounds each request of a session when [WithSTSTimeout]
// is not given: a server that accepts a connection and never answers must
// not hang a command.
const DefaultSTSTimeout = 30 * time.Second

// WithSTSTimeout bounds each request a session makes for credentials (to
// STS, SSO, SSO OIDC, Sign-In, a container endpoint, instance metadata),
// retries included, never while a person types or the layer below fetches
// the signing credentials. 0 means [DefaultSTSTimeout]; negative, no bound
// but the context. A credential_process has its own (1 min, the SDK's).
func WithSTSTimeout(d time.Duration) Option { return stsTimeoutOption(d) }

type loggerOption struct{ l *slog.Logger }

func (l loggerOption) apply(o *options) { o.logger = l.l }

// WithLogger sets where CreateSession and its credential providers log.
// Debug shows each layer, each call (action, role, serial, duration,
// request ID, elapsed time) and cache decisions; no secret is ever logged.
// The default discards.
func WithLogger(l *slog.Logger) Option { return loggerOption{l: l} }

type cacheOption struct{ c Cache }

func (c cacheOption) apply(o *options) { o.cache = c.c }

// WithCache keeps each STS layer's credentials in c across processes, and
// coordinates processes that start together (one calls STS and asks for
// the code, the others wait). Entries are temporary credentials only, keyed
// by a hash of all that produced them (see SECURITY.md).
func WithCache(c Cache) Option { return cacheOption{c: c} }

type expectedAccountOption string

func (e expectedAccountOption) apply(o *options) { o.expectedAccount = string(e) }

// WithExpectedAccount makes the session refuse credentials of any account
// but id (12 digits): a guard against a session for prod when dev was
// meant. When the top layer assumes a role, its ARN names the account and
// CreateSession checks it before any call. Otherwise the first credentials
// are checked as they arrive, before anyone uses them (one GetCallerIdentity
// where the answer does not name the account), and a mismatch is an error
// matching [ErrInvalidInput] that names both accounts.
func WithExpectedAccount(id string) Option { return expectedAccountOption(id) }

type loadOptionsOption []func(*config.LoadOptions) error

func (l loadOptionsOption) apply(o *options) { o.loadOptions = append(o.loadOptions, l...) }

// WithConfigOptions passes options to the config.LoadDefaultConfig call
// CreateSession makes: an HTTP client, a retryer, a region. They apply to
// every client the session uses. What the session itself decides has its
// own option, and setting it here is an error that names that option:
// the shared files ([WithSharedConfigFiles]), the profile ([WithProfile])
// and the credentials ([WithSource]).
func WithConfigOptions(fns ...func(*config.LoadOptions) error) Option {
	return loadOptionsOption(fns)
}

func (f sharedFiles) apply(o *options) { o.files = &f }

// WithSharedConfigFiles names the shared config and credentials files, in
// place of AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE or
// ~/.aws/config and ~/.aws/credentials. A nil list keeps that default.
func WithSharedConfigFiles(config, credentials []string) Option {
	return sharedFiles{config: config, credentials: credentials}
}

type environmentOption []string

func (e environmentOption) apply(o *options) {
	o.world.getenv = envLookup(e)
	o.world.environ = func() []string { return append([]string(nil), e...) }
	o.world.home = homeOf(o.world.getenv)
}

// Format prints the variables' names only: values may be secrets.
func (e environmentOption) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "WithEnvironment(%s)", names(e))
}

// WithEnvironment makes the session read environ (os.Environ's form)
// instead of the process environment for every variable its credentials
// depend on: profile, files and HOME, region, keys, web identity, the
// endpoints of STS, SSO, SSO OIDC and Sign-In, container credentials,
// instance metadata, AWS_LOGIN_CACHE_DIRECTORY; a credential_process runs
// in it. The returned config's settings for the caller's own clients
// (AWS_CA_BUNDLE, AWS_MAX_ATTEMPTS, …) are LoadDefaultConfig's, from the
// process.
func WithEnvironment(environ []string) Option { return environmentOption(environ) }

func (c *customSource) apply(o *options) {
	o.once(o.static != nil, false, OptionWithSource, "static keys and a source provider are two sources; choose one")
	o.custom = c
}

// WithSource makes p the source of the session: its credentials sign the
// first STS call. With [WithProfile], p stands in for the credentials of
// the chain's base profile, which must hold none of its own (a profile
// whose keys are kept in an OS keyring); that profile's mfa_serial and
// roles apply as usual, and p's credentials count as long-term keys.
// id names p's credentials in cache keys (say "keyring:dev"): sessions with
// the same id share cache entries, so it must differ for different
// credentials, and it must not hold a secret. p is called only when a
// layer above it is not served from the cache.
func WithSource(p aws.CredentialsProvider, id string) Option { return &customSource{p: p, id: id} }

type profileSourceOption func(string) (aws.CredentialsProvider, string, bool)

func (f profileSourceOption) apply(o *options) { o.profileSource = f }

// WithProfileSource supplies the credentials of a profile chain's base
// profile when that profile holds none in the shared files (an aws-vault
// user's profile, whose keys are in a keyring): lookup gets the base
// profile's name and returns a provider and its id, as [WithSource] takes
// them, or ok false to leave the profile as it is. It is called once, when
// the session reads its world, so it should do no more than find out
// whether it has the keys; the provider is asked for them only when a
// layer above is not served from the cache, and before any MFA code is.
func WithProfileSource(lookup func(profile string) (p aws.CredentialsProvider, id string, ok bool)) Option {
	return profileSourceOption(lookup)
}

type signInOption SignInOptions

func (s signInOption) apply(o *options) { v := SignInOptions(s); o.signIn = &v }

// WithSignIn makes a session whose source is an IAM Identity Center
// session or a console sign-in session without a usable token sign the
// person in, as how says, instead of failing with [ErrSignInRequired]:
// once for all processes that need it at the same moment (one browser
// tab, one device code), under the token's lock.
func WithSignIn(how SignInOptions) Option { return signInOption(how) }

// mfaMemoryOption is WithMFAMemory's.
type mfaMemoryOption struct{ c Cache }

func (m mfaMemoryOption) apply(o *options) { o.mfaMemory = m.c }

// WithMFAMemory keeps the record of the MFA codes used for each device (a
// hash of the last code and when it was sent, never a code STS could
// still take from someone else) in c, and takes the device's lock there,
// so that no process sends a code another one sent. [WithCache] does the
// same in its cache; this option is for sessions that cache no
// credentials but share devices with others (awssession --no-cache).
// Given both, c holds the record.
func WithMFAMemory(c Cache) Option { return mfaMemoryOption{c: c} }
