package awssession

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awssession/awssession/internal/stsrules"
)

// checkProfileRoles validates the role settings of the loaded profile
// chain. The SDK passes them to STS unchecked (and drops a duration_seconds
// it cannot use), so without this a typo in ~/.config reaches STS, with an
// MFA code, or silently changes the session's length.
func (o *options) checkProfileRoles(cfg aws.Config) error {
	var top *config.SharedConfig
	for _, s := range cfg.ConfigSources {
		if sc, ok := s.(config.SharedConfig); ok {
			top = &sc
			break
		}
	}
	var errs []error
	for c := top; c != nil; c = c.Source {
		if c.RoleARN == "" {
			continue
		}
		name := fmt.Sprintf("profile %q: ", c.Profile)
		add := func(key, format string, args ...any) { errs = append(errs, invalid(name+key, format, args...)) }
		if _, _, err := stsrules.ParseIAMARN(c.RoleARN, "role"); err != nil {
			add("role_arn", "%s: %v", c.RoleARN, err)
		}
		if c.SourceProfileName == "" && c.CredentialSource == "" && c.WebIdentityTokenFile == "" {
			// The SDK would quietly fall back to the EC2 instance role
			// (a network call, and a warning printed past any logger);
			// the AWS CLI refuses such a profile, and so do we.
			add("source_profile", "role_arn %s needs source_profile, credential_source or web_identity_token_file to sign its AssumeRole call", c.RoleARN)
		}
		if v := stsrules.RoleSessionName.Check(c.RoleSessionName); c.RoleSessionName != "" && v != nil {
			add("role_session_name", "%q: %s", c.RoleSessionName, v.Rule)
		}
		if v := stsrules.ExternalID.Check(c.ExternalID); c.ExternalID != "" && v != nil {
			add("external_id", "%s", v.Rule)
		}
		if c.MFASerial != "" {
			if err := validateSerial(name+"mfa_serial", c.MFASerial); err != nil {
				errs = append(errs, err)
			}
		}
		if d := c.RoleDurationSeconds; d != nil {
			chained := c.Source != nil && c.Source.RoleARN != ""
			switch {
			case *d < stsrules.MinDurationSeconds*time.Second || *d > stsrules.MaxAssumeRoleSeconds*time.Second:
				add("duration_seconds", "must be a whole number of seconds from 900 to 43200 (got %d s); the SDK would silently send its default instead", int(*d/time.Second))
			case chained && *d > time.Hour && o.durations != ClampDurations:
				add("duration_seconds", "%s exceeds the 1 hour limit STS sets for roles assumed by role chaining (source_profile %q is itself a role); ask for at most 3600, or use WithDurationPolicy(ClampDurations)", *d, c.Source.Profile)
			}
		}
	}
	return errors.Join(errs...)
}

// loadError turns the SDK's errors about the shared configuration into
// input errors that name the profile; others pass through.
func loadError(err error) error {
	var missing config.SharedConfigProfileNotExistError
	var role config.SharedConfigAssumeRoleError
	var arn config.CredentialRequiresARNError
	var file config.SharedConfigLoadError
	switch {
	case errors.As(err, &missing):
		return invalid("WithProfile", "profile %q is not in the shared config files", missing.Profile)
	case errors.As(err, &role) && role.Err == nil:
		return invalid(fmt.Sprintf("profile %q", role.Profile), "role %s: its source_profile chain loops or has no credentials at its end", role.RoleARN)
	case errors.As(err, &role):
		return invalid(fmt.Sprintf("profile %q", role.Profile), "role %s: its source_profile or credential_source is unusable: %v", role.RoleARN, role.Err)
	case errors.As(err, &arn):
		return invalid(fmt.Sprintf("profile %q", arn.Profile), "%s credentials need role_arn", arn.Type)
	case errors.As(err, &file):
		return invalid("shared config", "cannot read %s: %v", file.Filename, file.Err)
	}
	return fmt.Errorf("load AWS config: %w", err)
}
