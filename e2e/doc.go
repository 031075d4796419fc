// Package e2e runs the original scenarios end to end against
// implementations nobody here wrote: moto (moto_server, an independent
// STS, IAM and S3) and Debian's AWS CLI v2 (/usr/bin/aws). It holds tests
// only; run them with
//
//	AWSSESSION_REQUIRE_MOTO=1 go test ./e2e/
//
// TestMoto starts one moto_server on a loopback port and, with moto's
// admin access, creates a user with an access key and an enabled virtual
// MFA device, a role whose trust policy names the user and requires MFA,
// and a bucket only the role may list. It then turns moto's IAM
// authentication on and runs the scenarios: a role with MFA, a session
// token with MFA, a shared-config profile with role_arn, source_profile
// and mfa_serial, and the CLI (eval "$(awssession env ...)" and
// credential_process) with the AWS CLI as the client. Without moto_server
// or the AWS CLI the tests skip; AWSSESSION_REQUIRE_MOTO=1 makes that a
// failure.
//
// # What moto checks
//
// By default moto checks no credentials at all: unknown keys, wrong
// secrets and made-up session tokens are all accepted. With authentication
// on (POST /moto-api/reset-auth), which these tests use, it checks SigV4
// signatures, that access keys exist, the session tokens of its
// assumed-role credentials, Allow statements of identity policies, and the
// principal of a role's trust policy. That is what makes "the bucket is
// listed" mean "the session's role credentials were used, whole".
//
// # What moto does not check
//
// Even with authentication on, moto accepts the following, which STS
// refuses. TestMoto/WhatMotoDoesNotCheck sends each one and fails if moto
// starts refusing it; the strict checks are ststest's, and its tests (and
// the root package's tests, which all run against ststest) cover them:
//
//   - MFA codes: a wrong code, a code used twice, a serial that does not
//     exist (and, found by hand, any two codes in EnableMFADevice):
//     ststest's TestGetSessionTokenMFA, TestAssumeRoleMFA,
//     TestMFACodeIsSingleUse and TestTOTPMatchesRFC6238.
//   - Trust policy conditions other than StringEquals on sts:ExternalId:
//     aws:MultiFactorAuthPresent is ignored, so a role that requires MFA is
//     assumed without any: TestAssumeRoleMFA ("refused without MFA") and
//     TestAssumeRoleTrust.
//   - Durations: 60 s and 100000 s roles (the role's maximum is 1 h), a
//     GetSessionToken of 1000000 s: TestDurations.
//   - Parameter constraints such as the role session name's characters:
//     TestAssumeRoleValidation and TestMissingRequiredParameters.
//   - Request time: a signature made 2 h ago is accepted:
//     TestRequestTimeSkew.
//   - Expiry: role credentials past their expiration still work:
//     TestExpiredSessionCredentials.
//
// moto's GetSessionToken returns one fixed example key pair
// (AKIAIOSFODNN7EXAMPLE) that its own authentication does not know, so the
// session-token scenario runs with authentication off and checks that the
// session holds new temporary keys; ststest's TestSignatureChecks and
// TestAssumeRoleMFA cover what real session-token credentials must do.
//
// The tests share moto's global authentication switch, so none runs in
// parallel; the whole package takes about 10 s once built. They are for
// Linux only, where moto_server and Debian's AWS CLI live.
package e2e
