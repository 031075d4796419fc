// Package awssession turns whatever AWS credentials a person or a service
// has into a ready [aws.Config] with one call, [CreateSession].
//
// A session is built in layers, bottom up; each layer's credentials sign the
// next layer's STS call:
//
//   - source: static keys ([WithStaticCredentials]), a shared-config profile
//     ([WithProfile], which may itself carry role_arn, source_profile and
//     mfa_serial), any credentials provider ([WithSource]), or the SDK's
//     default chain when none is given;
//   - MFA session: STS GetSessionToken ([WithGetSessionToken]), with the MFA
//     device from [WithMFA] when one is given;
//   - roles: zero or more STS AssumeRole hops ([WithAssumeRole], repeatable),
//     in order.
//
// A profile is planned by awssession itself: its source_profile chain, read
// with the SDK's parser, becomes the same layers: the base profile's
// credentials as the source, one AssumeRole layer per role_arn (with that
// profile's external_id, role_session_name, duration_seconds and
// mfa_serial), and an MFA session at the base when the base profile holds
// only keys and names an mfa_serial. [Explain] shows every layer.
//
// The MFA device is used once, at the lowest layer that takes it: the MFA
// session when there is one, else the role hop whose profile names the
// device (or, for [WithMFA] with flags, the first role). Credentials from
// an MFA session carry its MFA context, so with GetSessionToken and MFA
// below any number of roles, refreshing those roles asks for no new code
// while the MFA session lives. [WithMFA] names the device ("" for the one
// the profile names); [WithProfileMFA] supplies codes for whatever device a
// profile names, if any, for tools that run any profile.
//
// The config's Credentials are the top layer's *aws.CredentialsCache; with
// [WithCache] every layer is also kept across processes. [PeekSession]
// answers a warm session's credentials from the [Cache] without loading
// the SDK's config, for commands that run many times a day.
//
// Every input is validated in [CreateSession] before any network call; the
// errors match [ErrInvalidInput] and name the bad field. Secrets (secret
// keys, session tokens, MFA codes, TOTP seeds) never appear in errors, logs
// or formatted values.
//
// Package ststest provides an in-process STS that behaves like the real one,
// for testing code that uses this package.
package awssession
