package awssession

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// world is the seam through which a session reads the outside world other
// than the network and the cache: the environment, the clock and the home
// directory. Tests and the CLI set it ([WithEnvironment]); nothing in the
// package reads the process environment but processWorld. Elapsed times
// for debug logs are the one reading that stays outside it.
type world struct {
	getenv  func(string) string
	environ func() []string // the whole environment, for processes a session starts
	clock   clock           // the package's one time source; TOTP providers take one too
	home    func() (string, error)
}

// processWorld is the world of a program that sets nothing.
func processWorld() world {
	return world{getenv: os.Getenv, environ: os.Environ, clock: realClock{}, home: os.UserHomeDir}
}

// envLookup parses "NAME=value" entries into a lookup; later entries win,
// as in a process environment.
func envLookup(entries []string) func(string) string {
	env := make(map[string]string, len(entries))
	for _, kv := range entries {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return func(k string) string { return env[k] }
}

// homeOf is the home directory an environment names.
func homeOf(getenv func(string) string) func() (string, error) {
	return func() (string, error) {
		if h := getenv("HOME"); h != "" {
			return h, nil
		}
		if h := getenv("USERPROFILE"); h != "" {
			return h, nil
		}
		return "", fmt.Errorf("no HOME in the session's environment")
	}
}

// clock is the package's one time source: a session's (in world) and a
// TOTP provider's; tests replace it.
type clock interface {
	Now() time.Time
	// After is time.After, honouring the caller's context.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// names lists the variable names of environment entries, for printing an
// environment without its values.
func names(environ []string) string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		out = append(out, k)
	}
	return strings.Join(out, " ")
}

// snapshot is everything a session reads before it plans, read once: the
// environment (through the world), the time, the shared files (checked,
// then parsed once by the SDK's parser), the credential files of SSO and
// console sign-in, and what a WithProfileSource lookup holds. Planning is
// a pure function of a snapshot and the options, so Explain, PeekSession
// and CreateSession cannot disagree.
type snapshot struct {
	getenv func(string) string
	now    time.Time
	home   string // "" when unknown
	files  sharedFiles
	// profile is the chain of the profile the session runs, or of the
	// profile whose settings apply (AWS_PROFILE, default) when the source
	// is not a profile; nil when none exists or none is needed.
	profile *profileChain
	// profileIsSource reports that profile's base is the source (a profile
	// session, or the default chain reaching the profile).
	profileIsSource bool
	envKeys         *staticCredentials // keys in the environment, the default chain's first choice
	// configRegion and configDefaultRegion are the regions WithConfigOptions
	// set, if any.
	configRegion, configDefaultRegion string
	held                              *heldSource // WithProfileSource's answer for an empty base profile
	tokens                            tokenFiles  // the SSO token or console sign-in session the source uses
	// mfaProcesses are the mfa_process keys of the chain's profiles that
	// name an mfa_serial.
	mfaProcesses map[string]string
}

// heldSource is a provider a WithProfileSource lookup supplied.
type heldSource struct {
	p  aws.CredentialsProvider
	id string
}

// readSnapshot reads what planning needs. It makes no network call and
// loads no SDK config.
func readSnapshot(ctx context.Context, o *options) (*snapshot, error) {
	w := o.world
	s := &snapshot{getenv: captureEnv(w.getenv), now: w.clock.Now()}
	if h, err := w.home(); err == nil {
		s.home = h
	}
	if lo := o.loadOpts; lo != nil { // validate applied them
		s.configRegion, s.configDefaultRegion = lo.Region, lo.DefaultRegion
	}
	s.files = o.sharedFiles(s)
	// The SDK would block on a FIFO or read /dev/zero forever.
	if err := s.files.check(); err != nil {
		return nil, err
	}
	name, from, isSource := o.profileToRead(s)
	if name == "" {
		return s, nil
	}
	chain, exists, err := loadProfile(ctx, name, s.files)
	switch {
	case !exists && from == (at{}):
		return s, nil // no default profile: the rest of the default chain
	case !exists:
		return nil, invalid(from, "profile %q is not in the shared config files %v", name, append(s.files.config, s.files.credentials...))
	case err != nil:
		return nil, err
	}
	s.profile, s.profileIsSource = &chain, isSource
	if isSource && chain.kind == baseNone && o.profileSource != nil {
		// The base profile holds nothing: the caller's lookup (a keyring)
		// may have its keys.
		if p, id, ok := o.profileSource(chain.base.Profile); ok {
			s.held = &heldSource{p: p, id: id}
		}
	}
	if isSource {
		s.tokens = readTokenFiles(s, &chain)
		if names := chain.mfaProfiles(); len(names) > 0 {
			if s.mfaProcesses, err = mfaProcesses(s.files, names); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// envNames are the variables a session's credentials depend on, the
// SDK's included: the snapshot reads each once.
var envNames = [...]string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY",
	"AWS_SESSION_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_ENDPOINT_URL",
	"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC", "AWS_ENDPOINT_URL_SIGNIN",
	"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_V1_DISABLED", "AWS_LOGIN_CACHE_DIRECTORY"}

// captureEnv reads envNames once; the lookup it returns answers from
// what it read (and "" for any other name).
func captureEnv(getenv func(string) string) func(string) string {
	var env map[string]string
	for _, k := range envNames {
		if v := getenv(k); v != "" {
			if env == nil {
				env = make(map[string]string, 8)
			}
			env[k] = v
		}
	}
	return func(k string) string { return env[k] }
}

// profileToRead names the profile the session reads: WithProfile's, else
// (for the SDK's default chain, and for the region and endpoints of any
// session) the environment's AWS_PROFILE or AWS_DEFAULT_PROFILE, else
// "default"; from is what named it (zero for the implicit default, which
// may be missing). isSource reports that its base is the session's source.
// It returns "" when no profile has anything to say: a source of its own,
// the region given, and no STS call or its endpoint given.
func (o *options) profileToRead(s *snapshot) (name string, from at, isSource bool) {
	switch {
	case o.profile != nil && o.settingsOnly:
		return *o.profile, at{}, false // a profile that does not exist yet has no settings
	case o.profile != nil:
		return *o.profile, optionAt(OptionWithProfile, ""), true
	}
	isSource = o.static == nil && o.custom == nil
	webIdentity := false
	if isSource {
		// The SDK's default chain, in its order: keys in the environment,
		// web identity from the environment, then the profile.
		s.envKeys = envKeys(s.getenv)
		webIdentity = s.envKeys == nil && s.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != ""
		isSource = s.envKeys == nil && !webIdentity
	}
	regionKnown := o.region != "" || s.configRegion != "" || s.getenv("AWS_REGION") != "" || s.getenv("AWS_DEFAULT_REGION") != ""
	noSTS := len(o.roles) == 0 && o.gst == nil && o.mfa == nil && o.expectedAccount == "" && !webIdentity
	if !isSource && regionKnown && (o.stsEndpoint != "" || noSTS) {
		return "", at{}, false
	}
	for _, v := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
		if name = s.getenv(v); name != "" {
			return name, namedAt(v), isSource
		}
	}
	return "default", at{}, isSource
}

// envKeys returns the keys in the environment, as the SDK reads them.
func envKeys(getenv func(string) string) *staticCredentials {
	get := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	id, key := get("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"), get("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
	if id == "" || key == "" {
		return nil
	}
	return &staticCredentials{AccessKeyID: id, SecretAccessKey: secret(key), SessionToken: secret(get("AWS_SESSION_TOKEN"))}
}
