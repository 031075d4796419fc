// Package ststest is a strict, in-process AWS Security Token Service for
// tests, in the spirit of net/http/httptest.
//
// [NewServer] starts it on a loopback port; the real aws-sdk-go-v2 STS
// client (or the AWS CLI) talks to it over HTTP in the AWS Query
// protocol and gets back the XML bodies and XML errors STS sends, with
// the same codes, messages and HTTP statuses:
//
//	srv := ststest.NewServer(t)
//	alice := srv.AddUser("alice")
//	mfa := srv.AddMFADevice("alice")
//	client := sts.NewFromConfig(aws.Config{
//		Region:       "us-east-1",
//		Credentials:  credentials.NewStaticCredentialsProvider(alice.AccessKeyID, alice.SecretAccessKey, ""),
//		BaseEndpoint: aws.String(srv.URL),
//	})
//	out, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{
//		SerialNumber: aws.String(mfa.SerialNumber),
//		TokenCode:    aws.String(srv.TOTPCode(mfa.SerialNumber)),
//	})
//
// It behaves like STS rather than like a permissive mock:
//
//   - It serves GetSessionToken, AssumeRole, GetFederationToken and
//     GetCallerIdentity; other actions are InvalidAction.
//   - It verifies SigV4 signatures with the caller's secret, by re-signing
//     the request with the SDK's own signer, and refuses unknown keys,
//     wrong or missing session tokens, expired sessions and request times
//     more than 15 minutes from its clock.
//   - It checks TOTP codes (RFC 6238, SHA1, six digits, 30 s, one step
//     either side) at its clock, and refuses a code used before.
//   - It enforces trust policies (principals, external ID, MFA), the
//     duration limits of each operation, role maximums, the one-hour cap
//     on role chaining, root and session-credential restrictions, and
//     every parameter constraint of the STS API model, with STS's
//     ValidationError texts.
//   - Temporary credentials it issues (ASIA… keys) are recognised on later
//     calls, so role chaining and GetSessionToken-then-AssumeRole work.
//   - It serves the console federation endpoint at [Server.FederationURL]
//     (getSigninToken and login), which accepts only the credentials the
//     AWS console accepts.
//
// Tests move time with [WithClock] (see [Clock]) instead of sleeping,
// assert on [Server.Requests], and inject throttling, 5xx errors and
// latency with [Server.InjectFault]. [Start] runs a server outside of a
// test, and [Server.Snapshot] describes it for other processes.
//
// A Server and all its methods are safe for concurrent use.
package ststest
