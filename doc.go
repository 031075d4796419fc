// Package awssession turns whatever AWS credentials a person or a service
// has into a ready [aws.Config] with one call, [CreateSession].
//
// A session is built in layers, bottom up; each layer's credentials sign the
// next layer's STS call:
//
//   - source: static keys ([WithStaticCredentials]), a shared-config profile
//     ([WithProfile], which may itself carry role_arn, source_profile and
//     mfa_serial), or the SDK's default chain when neither is given;
//   - MFA session: STS GetSessionToken ([WithGetSessionToken]), with the MFA
//     device from [WithMFA] when one is given;
//   - roles: zero or more STS AssumeRole hops ([WithAssumeRole], repeatable),
//     in order.
//
// The MFA device is used once, at the lowest layer that takes it: the
// profile's own role when the profile names an mfa_serial, else the
// GetSessionToken layer, else the first role. Credentials from an MFA
// session carry its MFA context, so with GetSessionToken and MFA below any
// number of roles, refreshing those roles asks for no new code while the
// MFA session lives. [WithMFA] names the device ("" for the one the profile
// names); [WithProfileMFA] supplies codes for whatever device a profile
// names, if any, for tools that run any profile.
//
// The config's Credentials serve credentials in memory without reading
// the clock (see [CreateSession]); [PeekSession] answers a warm session's
// credentials from the [Cache] without loading the shared configuration,
// for commands that run many times a day.
//
// Every input is validated in [CreateSession] before any network call; the
// errors match [ErrInvalidInput] and name the bad field. Secrets (secret
// keys, session tokens, MFA codes, TOTP seeds) never appear in errors, logs
// or formatted values.
//
// Package ststest provides an in-process STS that behaves like the real one,
// for testing code that uses this package.
package awssession
