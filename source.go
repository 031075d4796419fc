package awssession

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// SourceKind tells apart what signs a session's first call: the bottom
// layer of every session.
type SourceKind string

const (
	// SourceKeys are access keys: WithStaticCredentials', the
	// environment's, or a profile's (also through credential_source
	// Environment).
	SourceKeys SourceKind = "keys"
	// SourceProvider is a provider the caller supplied: WithSource, or a
	// WithProfileSource lookup (keys kept in a keyring).
	SourceProvider SourceKind = "provider"
	// SourceProcess is a profile's credential_process.
	SourceProcess SourceKind = "credential_process"
	// SourceWebIdentity is AssumeRoleWithWebIdentity with a token file,
	// named by the environment or a profile.
	SourceWebIdentity SourceKind = "web identity"
	// SourceSSO is IAM Identity Center: role credentials for the token of
	// an sso_session (or a legacy sso_start_url).
	SourceSSO SourceKind = "sso"
	// SourceLogin is a console sign-in session (login_session, what `aws
	// login` writes).
	SourceLogin SourceKind = "login"
	// SourceContainer is a container credentials endpoint (ECS, EKS, a
	// local credential server).
	SourceContainer SourceKind = "container"
	// SourceIMDS is the EC2 instance metadata service.
	SourceIMDS SourceKind = "imds"
)

// source is the planned bottom layer: what signs a session's first call.
// It is a value computed from the snapshot alone.
type source struct {
	kind      SourceKind
	name      string // for logs and errors, e.g. `profile "base" (keys)`
	from      string // where the credentials live, for Plan
	keys      *staticCredentials
	provider  aws.CredentialsProvider // SourceProvider's
	profile   *profileChain           // the chain whose base this is, if any
	id        any                     // identifies the credentials in cache keys; never a secret
	temporary bool                    // known to be temporary credentials

	process     string       // SourceProcess: the command
	webIdentity *webIdentity // SourceWebIdentity
	sso         *ssoSource   // SourceSSO
	login       *loginSource // SourceLogin
	url         string       // SourceContainer: the endpoint; SourceIMDS: the endpoint, "" for the SDK's default
	urlFrom     at           // the setting that named url
}

// webIdentity is what AssumeRoleWithWebIdentity needs.
type webIdentity struct {
	tokenFile, roleARN, sessionName string
}

// longTerm reports a source known to be long-term keys before any call:
// GetSessionToken works on it.
func (s source) longTerm() bool {
	return (s.kind == SourceKeys && !s.temporary) || s.kind == SourceProvider
}

// planSource decides the session's source from the options and the
// snapshot. It is pure. ep is the STS endpoint the session's calls go to
// ("" for AWS's), part of every source's cache identity.
func planSource(o *options, s *snapshot, ep string) (source, error) {
	c := s.profile
	if !s.profileIsSource {
		c = nil
	}
	custom := o.custom
	if custom == nil && s.held != nil {
		custom = &customSource{p: s.held.p, id: s.held.id}
	}
	switch {
	case o.static != nil:
		return keysSource("static keys", "WithStaticCredentials", o.static, ep, o.cache != nil), nil
	case custom != nil && c == nil:
		return source{kind: SourceProvider, name: "source " + custom.id, from: custom.id, provider: custom.p, id: []any{"source", custom.id, ep}}, nil
	case s.envKeys != nil:
		return keysSource("keys in the environment", "the environment", s.envKeys, ep, o.cache != nil), nil
	case c == nil && s.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "":
		w := &webIdentity{tokenFile: s.getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), roleARN: s.getenv("AWS_ROLE_ARN"),
			sessionName: s.getenv("AWS_ROLE_SESSION_NAME")}
		if w.roleARN == "" {
			return source{}, invalid(namedAt("AWS_ROLE_ARN"), "is not set; AWS_WEB_IDENTITY_TOKEN_FILE needs the role to assume with its token")
		}
		return webIdentitySource("web identity from the environment", w, nil, ep)
	case c == nil || (c.kind == baseNone && len(c.hops) == 0 && custom == nil):
		return defaultSource(s, c)
	case custom != nil && c.kind != baseNone:
		return source{}, conflict(optionAt(OptionWithSource, ""), "stands in for the credentials of profile %q, which holds its own (%s)", c.base.Profile, c.kind)
	case custom != nil:
		return source{kind: SourceProvider, name: fmt.Sprintf("profile %q (%s)", c.base.Profile, custom.id), from: custom.id, profile: c, provider: custom.p,
			id: []any{"source", custom.id, ep}}, nil
	}
	return profileSource(o, s, c, ep)
}

// profileSource is the source at the base of a profile chain.
func profileSource(o *options, s *snapshot, c *profileChain, ep string) (source, error) {
	b := c.base
	name := fmt.Sprintf("profile %q (%s)", b.Profile, c.kind)
	var src source
	var err error
	switch c.kind {
	case baseKeys:
		k := b.Credentials
		src = keysSource(fmt.Sprintf("profile %q", b.Profile), "the shared files", &staticCredentials{AccessKeyID: k.AccessKeyID,
			SecretAccessKey: secret(k.SecretAccessKey), SessionToken: secret(k.SessionToken)}, ep, o.cache != nil)
	case baseCredentialSource:
		src, err = credentialSource(s, c, ep)
	case baseWebIdentity:
		src, err = webIdentitySource(name, &webIdentity{tokenFile: b.WebIdentityTokenFile, roleARN: b.RoleARN,
			sessionName: b.RoleSessionName}, c, ep)
	case baseSSO:
		src, err = planSSO(s, c, ep)
	case baseLogin:
		src, err = planLogin(s, c, ep)
	case baseProcess:
		src = source{kind: SourceProcess, name: name, from: b.CredentialProcess, process: b.CredentialProcess,
			id: []any{"credential_process", b.Profile, b.CredentialProcess, ep}}
	case baseNone:
		// A role on a profile with nothing to sign its call: the SDK
		// refuses such a chain; its top-level empty profile would fall
		// back to the EC2 instance role.
		return source{}, invalid(profileAt(b.Profile, ""), "holds no credentials to sign the roles above it (profile %q)", c.top).advise(RemedyProfileSource)
	}
	src.profile = c
	return src, err
}

// credentialSource is the source a profile's credential_source names, as
// the SDK resolves it.
func credentialSource(s *snapshot, c *profileChain, ep string) (source, error) {
	cs := c.base.CredentialSource
	from := profileAt(c.base.Profile, "credential_source")
	switch cs {
	case "Environment":
		k := envKeys(s.getenv)
		if k == nil {
			return source{}, invalid(from, "is Environment, and AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
		}
		src := keysSource(fmt.Sprintf("profile %q (credential_source Environment)", c.base.Profile), "the environment", k, ep, true)
		return src, nil
	case "Ec2InstanceMetadata":
		return imdsSource(s, c)
	case "EcsContainer":
		src, ok, err := containerSource(s)
		if !ok && err == nil {
			err = invalid(from, "is EcsContainer, and neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set")
		}
		return src, err
	}
	return source{}, invalid(from, "%q: must be Environment, Ec2InstanceMetadata or EcsContainer", cs)
}

// defaultSource is the end of the SDK's default chain: a container
// endpoint from the environment, else the EC2 instance metadata service.
func defaultSource(s *snapshot, c *profileChain) (source, error) {
	if src, ok, err := containerSource(s); ok || err != nil {
		src.profile = c
		return src, err
	}
	if strings.EqualFold(s.getenv("AWS_EC2_METADATA_DISABLED"), "true") {
		return source{}, invalid(namedAt("the session"), "found no credentials: no keys or web identity in the environment, "+
			"no profile with credentials, no container endpoint, and AWS_EC2_METADATA_DISABLED turns off the instance metadata service").
			advise(RemedyProfileSource)
	}
	src, err := imdsSource(s, c)
	src.profile = c
	return src, err
}

// keysSource is a source of static keys. With a cache (cached), its
// identity binds the secret through a keyed hash: a caller who knows only
// the access key ID does not find the sessions of the real key's owner.
func keysSource(name, from string, k *staticCredentials, endpoint string, cached bool) source {
	s := source{kind: SourceKeys, name: name + " " + k.AccessKeyID, from: from, keys: k, temporary: k.SessionToken != ""}
	if cached {
		mac := hmac.New(sha256.New, []byte("awssession cache key\x00"+k.AccessKeyID))
		mac.Write([]byte(k.SecretAccessKey.reveal()))
		mac.Write([]byte{0})
		mac.Write([]byte(k.SessionToken.reveal()))
		s.id = []any{"keys", k.AccessKeyID, hex.EncodeToString(mac.Sum(nil)[:16]), endpoint}
	}
	return s
}

// webIdentitySource checks a web identity source.
func webIdentitySource(name string, w *webIdentity, c *profileChain, ep string) (source, error) {
	if err := validateRoleARN(roleARNAt(c, w), w.roleARN); err != nil {
		return source{}, err
	}
	return source{kind: SourceWebIdentity, name: name + " " + w.roleARN, from: w.tokenFile, webIdentity: w, temporary: true,
		id: []any{"web identity", w.roleARN, w.tokenFile, w.sessionName, ep}}, nil
}

// roleARNAt points at the setting that names a web identity's role.
func roleARNAt(c *profileChain, w *webIdentity) at {
	if c == nil {
		return namedAt("AWS_ROLE_ARN")
	}
	return profileAt(c.base.Profile, "role_arn")
}

// baseSerial is the mfa_serial of a base profile that holds only keys (or
// whose keys WithSource supplies): it asks for an MFA session at the base.
func (s source) baseSerial() string {
	c := s.profile
	if c == nil || c.base.RoleARN != "" || (s.kind != SourceKeys && s.kind != SourceProvider) {
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

// staticCredentials are keys given in code. They print redacted.
type staticCredentials struct {
	AccessKeyID     string
	SecretAccessKey secret
	SessionToken    secret
}

func (s *staticCredentials) apply(o *options) {
	o.once(o.static != nil, o.static == nil || *o.static == *s, OptionWithStaticCredentials, "given twice with different keys")
	o.once(o.profile != nil, false, OptionWithStaticCredentials, "static keys and a profile are two sources; choose one")
	o.once(o.custom != nil, false, OptionWithStaticCredentials, "static keys and a source provider are two sources; choose one")
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

// customSource is WithSource's provider and its name in cache keys.
type customSource struct {
	p  aws.CredentialsProvider
	id string
}

func (c *customSource) String() string { return fmt.Sprintf("WithSource(%s)", c.id) }
