package awssession

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awssession/awssession/internal/safefile"
)

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
	loadOptions     config.LoadOptions // WithConfigOptions applied to an empty LoadOptions
	held            *heldSource        // WithProfileSource's answer for an empty base profile
	tokens          tokenFiles         // the SSO token or console sign-in session the source uses
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
	var err error
	if s.loadOptions, err = o.applyLoadOptions(); err != nil {
		return nil, invalid(optionAt(OptionWithConfigOptions, ""), "%v", err)
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
		if s.tokens, err = readTokenFiles(s, &chain); err != nil {
			return nil, err
		}
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
	regionKnown := o.region != "" || s.loadOptions.Region != "" || s.getenv("AWS_REGION") != "" || s.getenv("AWS_DEFAULT_REGION") != ""
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

// sharedFiles are the shared config and credentials files a session reads.
type sharedFiles struct {
	config, credentials []string
	// batch, when set, holds these files as ExplainProfiles read them
	// once; the SDK's parser gets the sections a profile needs from it.
	batch *profileSet
}

// sharedFiles are the files the SDK would read: WithSharedConfigFiles',
// else the environment's (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE), else
// the defaults under the home directory.
func (o *options) sharedFiles(s *snapshot) sharedFiles {
	var f sharedFiles
	if o.files != nil {
		f = *o.files
	}
	if f.config == nil {
		f.config = s.sharedFile("AWS_CONFIG_FILE", "config")
	}
	if f.credentials == nil {
		f.credentials = s.sharedFile("AWS_SHARED_CREDENTIALS_FILE", "credentials")
	}
	return f
}

// sharedFile returns the named environment variable's file, else the
// default under the home directory. def is "config" or "credentials".
func (s *snapshot) sharedFile(env, def string) []string {
	if p := s.getenv(env); p != "" {
		return []string{p}
	}
	if s.home == "" {
		return []string{}
	}
	return []string{filepath.Join(s.home, ".aws", def)}
}

// check refuses shared files that are not regular files before the SDK
// reads them (a FIFO blocks forever, /dev/zero never ends).
func (f sharedFiles) check() error {
	for _, list := range [][]string{f.config, f.credentials} {
		for _, p := range list {
			if err := checkSharedFile(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxSharedFile caps the shared config and credentials files: the SDK
// reads a file whole before parsing it, and real ones are a few KiB.
const maxSharedFile = 10 << 20

// checkSharedFile returns an [*InputError] naming path unless it is a
// regular file of at most maxSharedFile bytes, or missing (the SDK then
// goes on without it), or the null device (AWS_CONFIG_FILE=/dev/null is
// the usual way to say "no config"): the checks of safefile, the one
// checked read of every file a session, or a command, hands to a parser.
func checkSharedFile(path string) error {
	_, err := safefile.Check(path, maxSharedFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return fileError(err)
}

// readChecked reads a file through safefile; a missing file is an error
// matching fs.ErrNotExist, a refused one an [*InputError] naming it.
func readChecked(path string, max int64) ([]byte, error) {
	b, err := safefile.Read(path, max)
	return b, fileError(err)
}

// fileError turns safefile's refusal into an input error naming the file.
func fileError(err error) error {
	var e *safefile.Error
	if errors.As(err, &e) {
		return invalid(namedAt(e.Path), "%s; it would be read as an AWS file", e.Problem)
	}
	return err
}
