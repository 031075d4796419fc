package awssession

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// loaded is what a session reads before planning: which shared files, and
// for a profile session the parsed profile chain (and for the default
// chain, what it would pick first).
type loaded struct {
	files   sharedFiles
	chain   *profileChain      // nil: no profile
	envKeys *staticCredentials // keys in the environment, the default chain's first choice
}

// load reads what planning needs: the profile chain through the SDK's
// parser, and the environment through the session's world. It makes no
// network call and loads no SDK config.
func (o *options) load(ctx context.Context) (loaded, error) {
	in := loaded{files: o.sharedFiles()}
	// The SDK would block on a FIFO or read /dev/zero forever.
	if err := in.files.check(); err != nil {
		return in, err
	}
	if o.static != nil || (o.custom != nil && o.profile == nil) {
		return in, nil
	}
	name, from := "", optionAt("WithProfile", "")
	if o.profile != nil {
		name = *o.profile
	} else {
		// The SDK's default chain, in its order: keys in the environment,
		// web identity from the environment, then the profile.
		if in.envKeys = o.envKeys(); in.envKeys != nil || o.world.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "" {
			return in, nil
		}
		for _, v := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
			if name = o.world.getenv(v); name != "" {
				from = namedAt(v)
				break
			}
		}
		if name == "" {
			name, from = "default", at{}
		}
	}
	chain, exists, err := loadProfile(ctx, name, in.files)
	switch {
	case !exists && from == (at{}):
		return in, nil // no default profile: the rest of the SDK's chain
	case !exists:
		return in, invalid(from, "profile %q is not in the shared config files %v", name, append(in.files.config, in.files.credentials...))
	case err != nil:
		return in, err
	}
	in.chain = &chain
	return in, nil
}

// envKeys returns the keys in the environment, as the SDK reads them.
func (o *options) envKeys() *staticCredentials {
	get := func(names ...string) string {
		for _, n := range names {
			if v := o.world.getenv(n); v != "" {
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

// sharedFiles are the files the SDK would read: WithSharedConfigFiles',
// else those set through WithConfigOptions, else the environment's or
// the defaults.
func (o *options) sharedFiles() sharedFiles {
	var f sharedFiles
	if lo, err := o.applyLoadOptions(); err == nil {
		if lo.SharedConfigFiles != nil {
			f.config = lo.SharedConfigFiles
		}
		if lo.SharedCredentialsFiles != nil {
			f.credentials = lo.SharedCredentialsFiles
		}
	}
	if o.files != nil {
		if o.files.config != nil {
			f.config = o.files.config
		}
		if o.files.credentials != nil {
			f.credentials = o.files.credentials
		}
	}
	if f.config == nil {
		f.config = o.world.sharedFile("AWS_CONFIG_FILE", "config")
	}
	if f.credentials == nil {
		f.credentials = o.world.sharedFile("AWS_SHARED_CREDENTIALS_FILE", "credentials")
	}
	return f
}

// sourceKind tells apart what signs a session's first call.
type sourceKind int

const (
	sourceKeys             sourceKind = iota // static keys: options, environment or profile
	sourceCustom                             // WithSource
	sourceCredentialSource                   // a profile's credential_source
	sourceSDKProfile                         // a base profile the SDK's providers resolve
	sourceDefaultChain                       // the rest of the SDK's default chain
)

// source is what signs a session's first STS call.
type source struct {
	kind      sourceKind
	name      string // for logs and errors, e.g. `profile "base" (keys)`
	keys      *staticCredentials
	custom    aws.CredentialsProvider // sourceCustom's
	profile   *profileChain           // the chain whose base this is, if any
	id        any                     // identifies the credentials in cache keys; never a secret
	temporary bool                    // known to be temporary credentials
}

// longTerm reports a source known to be long-term keys before any call:
// GetSessionToken works on it.
func (s source) longTerm() bool {
	return (s.kind == sourceKeys && !s.temporary) || s.kind == sourceCustom
}

// source decides the session's source from the options and what load read.
func (o *options) source(in loaded) (source, error) {
	ep := o.stsEndpoint
	custom := o.custom
	if c := in.chain; custom == nil && c != nil && c.kind == baseNone && o.profileSource != nil {
		// The base profile holds nothing: the caller's lookup (a
		// keyring) may have its keys.
		if p, id, ok := o.profileSource(c.base.Profile); ok {
			custom = &customSource{p: p, id: id}
		}
	}
	switch c := in.chain; {
	case o.static != nil:
		return keysSource("static keys", o.static, ep, o.cache != nil), nil
	case custom != nil && c == nil:
		return source{kind: sourceCustom, name: "source " + custom.id, custom: custom.p, id: []any{"source", custom.id, ep}}, nil
	case in.envKeys != nil:
		return keysSource("keys in the environment", in.envKeys, ep, o.cache != nil), nil
	case c == nil:
		return source{kind: sourceDefaultChain, name: "the default credential chain", id: o.defaultChainID()}, nil
	case custom != nil && c.kind != baseNone:
		return source{}, conflict(optionAt("WithSource", ""), "stands in for the credentials of profile %q, which holds its own (%s)", c.base.Profile, c.kind)
	case custom != nil:
		return source{kind: sourceCustom, name: fmt.Sprintf("profile %q (%s)", c.base.Profile, custom.id), profile: c, custom: custom.p,
			id: []any{"source", custom.id, ep}}, nil
	case c.kind == baseKeys:
		k := c.base.Credentials
		s := keysSource(fmt.Sprintf("profile %q", c.base.Profile), &staticCredentials{AccessKeyID: k.AccessKeyID,
			SecretAccessKey: secret(k.SecretAccessKey), SessionToken: secret(k.SessionToken)}, ep, o.cache != nil)
		s.profile = c
		return s, nil
	case c.kind == baseCredentialSource:
		return source{kind: sourceCredentialSource, name: fmt.Sprintf("profile %q (credential_source %s)", c.base.Profile, c.base.CredentialSource),
			profile: c, id: []any{"credential_source", c.base.CredentialSource, o.envKeyID(), ep},
			temporary: c.base.CredentialSource != "Environment"}, nil
	case in.chain.kind == baseNone && len(c.hops) == 0 && o.profile == nil:
		return source{kind: sourceDefaultChain, name: "the default credential chain", profile: c, id: o.defaultChainID()}, nil
	}
	c := in.chain
	return source{kind: sourceSDKProfile, name: fmt.Sprintf("profile %q (%s)", c.base.Profile, c.kind), profile: c,
		id:        []any{"profile", c.base.Profile, in.files.config, in.files.credentials, ep},
		temporary: c.kind == baseSSO || c.kind == baseWebIdentity || c.kind == baseLogin}, nil
}

// keysSource is a source of static keys. With a cache (cached), its
// identity binds the secret through a keyed hash: a caller who knows only
// the access key ID does not find the sessions of the real key's owner.
func keysSource(name string, k *staticCredentials, endpoint string, cached bool) source {
	s := source{kind: sourceKeys, name: name + " " + k.AccessKeyID, keys: k, temporary: k.SessionToken != ""}
	if cached {
		mac := hmac.New(sha256.New, []byte("awssession cache key\x00"+k.AccessKeyID))
		mac.Write([]byte(k.SecretAccessKey.reveal()))
		mac.Write([]byte{0})
		mac.Write([]byte(k.SessionToken.reveal()))
		s.id = []any{"keys", k.AccessKeyID, hex.EncodeToString(mac.Sum(nil)[:16]), endpoint}
	}
	return s
}

// defaultChainID names the default chain's credentials in cache keys by
// what the chain reads first.
func (o *options) defaultChainID() any {
	g := o.world.getenv
	return []any{"default", g("AWS_ROLE_ARN"), g("AWS_WEB_IDENTITY_TOKEN_FILE"), g("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
		g("AWS_CONTAINER_CREDENTIALS_FULL_URI"), g("AWS_PROFILE"), o.stsEndpoint}
}

func (o *options) envKeyID() string {
	if k := o.envKeys(); k != nil {
		return k.AccessKeyID
	}
	return ""
}

// baseSerial is the mfa_serial of a base profile that holds only keys (or
// whose keys WithSource supplies): it asks for an MFA session at the base.
func (s source) baseSerial() string {
	c := s.profile
	if c == nil || c.base.RoleARN != "" || (s.kind != sourceKeys && s.kind != sourceCustom) {
		return ""
	}
	return c.base.MFASerial
}

// at points at key of the profile the chain starts from.
func (c *profileChain) at(key string) at {
	if c == nil {
		return namedAt("the session")
	}
	return profileAt(c.top, key)
}

// customSource is WithSource's provider and its name in cache keys.
type customSource struct {
	p  aws.CredentialsProvider
	id string
}

func (c *customSource) apply(o *options) {
	if o.static != nil {
		o.conflict(optionAt("WithSource", ""), "static keys and a source provider are two sources; choose one")
	}
	o.custom = c
}

func (c *customSource) String() string { return fmt.Sprintf("WithSource(%s)", c.id) }

// WithSource makes p the source of the session: its credentials sign the
// first STS call. With [WithProfile], p stands in for the credentials of
// the chain's base profile, which must hold none of its own (a profile
// whose keys are kept in an OS keyring); that profile's mfa_serial and
// roles apply as usual, and p's credentials count as long-term keys.
//
// id names p's credentials in cache keys (say "keyring:dev"): sessions
// with the same id share cache entries, so it must differ for different
// credentials, and it must not hold a secret. p is called only when a
// layer above it is not served from the cache.
func WithSource(p aws.CredentialsProvider, id string) Option {
	return &customSource{p: p, id: id}
}

type profileSourceOption func(string) (aws.CredentialsProvider, string, bool)

func (f profileSourceOption) apply(o *options) { o.profileSource = f }

// WithProfileSource supplies the credentials of a profile chain's base
// profile when that profile holds none in the shared files (an aws-vault
// user's profile, whose keys are in a keyring): lookup gets the base
// profile's name and returns a provider and its id, as [WithSource] takes
// them, or ok false to leave the profile as it is. It is called while the
// session is planned, so it should do no more than find out whether it
// has the keys; the provider is asked for them only when a layer above is
// not served from the cache.
func WithProfileSource(lookup func(profile string) (p aws.CredentialsProvider, id string, ok bool)) Option {
	return profileSourceOption(lookup)
}
