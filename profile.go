package awssession

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awssession/awssession/internal/sdkfiles"
)

// baseKind is where the credentials at the base of a profile chain come
// from.
type baseKind string

const (
	baseKeys             baseKind = "keys"               // aws_access_key_id in the profile
	baseCredentialSource baseKind = "credential_source"  // Environment, Ec2InstanceMetadata, EcsContainer
	baseWebIdentity      baseKind = "web identity"       // web_identity_token_file with role_arn
	baseSSO              baseKind = "sso"                // sso_session or legacy sso_* keys
	baseLogin            baseKind = "login"              // login_session
	baseProcess          baseKind = "credential_process" // a command
	baseNone             baseKind = ""                   // nothing: the SDK would try the container and EC2 metadata
)

// profileChain is a profile and its source_profile chain, read by the
// SDK's own parser (config.LoadSharedConfigProfile) and flattened into what
// a session plans from: the base profile, whose credentials sign the first
// call, and the role hops above it, bottom up. It mirrors the SDK's
// resolution exactly (config's resolveCredsFromProfile), so the identity at
// the top is the one the SDK resolves for the profile.
type profileChain struct {
	top      string          // the profile asked for
	settings profileSettings // the top profile's settings, as the SDK takes them
	base     *config.SharedConfig
	kind     baseKind
	hops     []profileHop
	// standIn reports a chain the SDK's parser refuses (a role on a base
	// it does not count as credentials), parsed with stand-in keys; the
	// SDK cannot load its top profile either.
	standIn bool
}

// profileSettings are the settings of the profile a session runs that
// decide where its credential calls go.
type profileSettings struct {
	name, region string
	endpoint     string            // endpoint_url
	servicesName string            // the [services NAME] section the profile names
	services     [nServices]string // that section's endpoint_url per service
	// ignoreEndpoints is ignore_configured_endpoint_urls.
	ignoreEndpoints bool
	// imdsEndpoint is ec2_metadata_service_endpoint.
	imdsEndpoint string
}

// settingsOf reads the settings of a parsed profile.
func settingsOf(sc *config.SharedConfig) profileSettings {
	st := profileSettings{name: sc.Profile, region: sc.Region, endpoint: sc.BaseEndpoint, servicesName: sc.ServicesSectionName,
		ignoreEndpoints: sc.IgnoreConfiguredEndpoints != nil && *sc.IgnoreConfiguredEndpoints, imdsEndpoint: sc.EC2IMDSEndpoint}
	for svc := range nServices {
		st.services[svc] = sc.Services.ServiceValues[services[svc].key]["endpoint_url"]
	}
	return st
}

// profileHop is one role_arn of the chain.
type profileHop struct {
	profile   string
	role      AssumeRole // Duration 0: duration_seconds not set
	mfaSerial string
}

// loadProfile reads profile name from the shared files and flattens its
// chain. It checks every setting the SDK would pass to STS unchecked, or
// silently drop, naming the profile and key. exists is false when the
// files have no such profile.
func loadProfile(ctx context.Context, name string, files sharedFiles) (pc profileChain, exists bool, err error) {
	sc, err := files.parse(ctx, name)
	var roleErr config.SharedConfigAssumeRoleError
	standIn := errors.As(err, &roleErr) && roleErr.Err == nil && isEmptyProfile(ctx, roleErr.Profile, files)
	if standIn {
		sc, err = parseWithEmptyBase(ctx, name, roleErr.Profile, files)
	}
	var missing config.SharedConfigProfileNotExistError
	if errors.As(err, &missing) && missing.Profile == name {
		return profileChain{}, false, loadError(name, err)
	}
	if err != nil {
		return profileChain{}, true, loadError(name, err)
	}
	pc = profileChain{top: name, settings: settingsOf(&sc), standIn: standIn}
	var errs []error
	c := &sc
	for ; c.Source != nil; c = c.Source {
		pc.hops = append(pc.hops, newProfileHop(c)) // top down; reversed below
	}
	pc.base, pc.kind = c, baseKindOf(c)
	switch {
	case c.RoleARN == "" || pc.kind == baseWebIdentity:
	case pc.kind == baseNone:
		// The SDK would quietly fall back to the EC2 instance role (a
		// network call, and a warning printed past any logger); the AWS
		// CLI refuses such a profile, and so do we.
		errs = append(errs, invalid(profileAt(c.Profile, "source_profile"),
			"role_arn %s needs source_profile, credential_source or web_identity_token_file to sign its AssumeRole call", c.RoleARN))
	default:
		pc.hops = append(pc.hops, newProfileHop(c))
	}
	slices.Reverse(pc.hops) // bottom up
	if c.MFASerial != "" && c.RoleARN == "" {
		errs = append(errs, validateSerial(profileAt(c.Profile, "mfa_serial"), c.MFASerial))
	}
	return pc, true, errors.Join(errs...)
}

func parseProfile(ctx context.Context, name string, configFiles, credentialsFiles []string) (sc config.SharedConfig, err error) {
	defer sdkParserPanic(configFiles, credentialsFiles, &err)
	return sdkParse(ctx, name, configFiles, credentialsFiles)
}

// sdkParse is the SDK's parser itself, which may panic.
func sdkParse(ctx context.Context, name string, configFiles, credentialsFiles []string) (config.SharedConfig, error) {
	return config.LoadSharedConfigProfile(ctx, name, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = nonNil(configFiles), nonNil(credentialsFiles)
	})
}

// sdkParserPanic, deferred around a call into the SDK's shared-file
// parser, turns its panic into an input error naming the files: config
// v1.33.15 panics on a value that is a single quote (region = ").
func sdkParserPanic(configFiles, credentialsFiles []string, err *error) {
	if r := recover(); r != nil {
		*err = invalid(namedAt("shared files "+strings.Join(slices.Concat(configFiles, credentialsFiles), ", ")),
			"the SDK's parser failed on them (%v); look for a value that is a lone quote", r)
	}
}

// isEmptyProfile reports a profile that exists and holds no credentials
// the SDK counts as a source_profile's, and no source: what an aws-vault
// user's profile looks like when its keys are in a keyring, or a console
// sign-in profile (login_session), which the SDK's parser does not count
// (v1.33.15) although its own provider reads it.
func isEmptyProfile(ctx context.Context, name string, files sharedFiles) bool {
	sc, err := files.parse(ctx, name)
	return err == nil && sc.SourceProfileName == "" && (baseKindOf(&sc) == baseNone || baseKindOf(&sc) == baseLogin)
}

// emptyBaseKeyID marks the stand-in keys parseWithEmptyBase gives an
// empty base profile; no real key has it.
const emptyBaseKeyID = "AKIAAWSSESSIONNOKEYS"

// parseWithEmptyBase parses a chain whose base profile holds no
// credentials, which the SDK's parser refuses as a source_profile. It
// parses again with one more credentials file that gives the base stand-in
// keys (the parser reads only files), and the chain marks that base as
// holding nothing: its credentials must come from WithSource.
func parseWithEmptyBase(ctx context.Context, name, base string, files sharedFiles) (config.SharedConfig, error) {
	return parseWith(ctx, name, files, fmt.Sprintf("[%s]\naws_access_key_id = %s\naws_secret_access_key = none\n", base, emptyBaseKeyID), false)
}

// parseWith parses profile name from the files and one more, holding text,
// read after them as a config file (asConfig) or a credentials file: the
// SDK's parser reads only files. The file is a scratch file (in memory on
// Linux).
func parseWith(ctx context.Context, name string, files sharedFiles, text string, asConfig bool) (config.SharedConfig, error) {
	f, err := sdkfiles.NewScratch()
	if err != nil {
		return config.SharedConfig{}, err
	}
	defer f.Close()
	extra, err := f.Put(nil, []byte(text))
	if err != nil {
		return config.SharedConfig{}, err
	}
	if asConfig {
		files.config, files.batch = append(slices.Clip(files.config), extra...), nil
		return files.parse(ctx, name)
	}
	return files.parse(ctx, name, extra...)
}

// nonNil keeps a list the SDK would replace by its defaults when nil.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// baseKindOf tells the base's credentials apart in the SDK's order.
func baseKindOf(c *config.SharedConfig) baseKind {
	switch {
	case c.Credentials.AccessKeyID == emptyBaseKeyID && c.LoginSession != "":
		return baseLogin
	case c.Credentials.AccessKeyID == emptyBaseKeyID:
		return baseNone
	case c.Credentials.HasKeys():
		return baseKeys
	case c.CredentialSource != "":
		return baseCredentialSource
	case c.WebIdentityTokenFile != "":
		return baseWebIdentity
	case c.SSOSessionName != "" || c.SSOStartURL != "" || c.SSOAccountID != "" || c.SSORoleName != "" || c.SSORegion != "":
		return baseSSO
	case c.LoginSession != "":
		return baseLogin
	case c.CredentialProcess != "":
		return baseProcess
	}
	return baseNone
}

// badDuration stands for a duration_seconds the SDK read as 0: it is
// refused, where a Duration of 0 means "not set".
const badDuration = -time.Nanosecond

// newProfileHop converts the role settings of profile c; planHops checks
// them with the one hop rule.
func newProfileHop(c *config.SharedConfig) profileHop {
	hop := profileHop{profile: c.Profile, mfaSerial: c.MFASerial,
		role: AssumeRole{RoleARN: c.RoleARN, RoleSessionName: c.RoleSessionName, ExternalID: c.ExternalID}}
	if d := c.RoleDurationSeconds; d != nil {
		hop.role.Duration = *d
		if *d == 0 {
			hop.role.Duration = badDuration // "0", or what the SDK could not read ("abc")
		}
	}
	return hop
}

// loadError turns the SDK's errors about the shared configuration (of
// profile, when one was being read) into input errors that name the
// profile; others pass through.
func loadError(profile string, err error) error {
	var missing config.SharedConfigProfileNotExistError
	var role config.SharedConfigAssumeRoleError
	var arn config.CredentialRequiresARNError
	var file config.SharedConfigLoadError
	switch {
	case errors.As(err, &role) && role.Err == nil:
		return invalid(profileAt(role.Profile, ""), "role %s: its source_profile chain loops or has no credentials at its end", role.RoleARN)
	case errors.As(err, &role):
		return invalid(profileAt(role.Profile, ""), "role %s: its source_profile is unusable: %v", role.RoleARN, role.Err)
	case errors.As(err, &missing):
		return invalid(optionAt(OptionWithProfile, ""), "profile %q is not in the shared config files", missing.Profile)
	case errors.As(err, &arn):
		return invalid(profileAt(arn.Profile, ""), "%s credentials need role_arn", arn.Type)
	case errors.As(err, &file):
		return invalid(namedAt("shared config"), "cannot read %s: %v", file.Filename, file.Err)
	case strings.HasPrefix(err.Error(), "failed to find SSO session section, "):
		// The SDK says this in words only.
		name := strings.TrimPrefix(err.Error(), "failed to find SSO session section, ")
		return invalid(profileAt(profile, "sso_session"), "names an [sso-session %s] section the config file does not have", name)
	case strings.HasPrefix(err.Error(), "only one credential type may be specified per profile"):
		return invalid(profileAt(profile, ""), "it (or a profile of its source_profile chain) names two sources of credentials (%s); keep one", err)
	}
	return fmt.Errorf("load AWS config: %w", err)
}

// mfaProfiles are the profiles of the chain that name an mfa_serial.
func (c *profileChain) mfaProfiles() []string {
	var names []string
	for _, h := range c.hops {
		if h.mfaSerial != "" {
			names = append(names, h.profile)
		}
	}
	if c.base.MFASerial != "" && c.base.RoleARN == "" {
		names = append(names, c.base.Profile)
	}
	return names
}
