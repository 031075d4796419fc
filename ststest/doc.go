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
// It behaves like STS rather than like a permissive mock. What it models,
// and what it does not:
//
//	Area                 Modelled                                            Not modelled
//	-------------------  --------------------------------------------------  ------------------------------------------
//	Operations           GetSessionToken, AssumeRole, GetFederationToken,    AssumeRoleWithSAML, AssumeRoot,
//	                     GetCallerIdentity, GetAccessKeyInfo,                DecodeAuthorizationMessage,
//	                     AssumeRoleWithWebIdentity (unsigned)                GetDelegatedAccessToken,
//	                                                                         GetWebIdentityToken (InvalidAction)
//	Signing              SigV4 in the Authorization header or the query      SigV4a; a Date header in place of
//	                     string (presigned GET), verified by re-signing      X-Amz-Date (refused: the SDK's signer
//	                     with the SDK's signer; 15 min skew; real regions    cannot re-sign it); the region a
//	                     only; Version required, MissingAction               regional endpoint expects
//	Credentials          long-term keys (users, root), session keys it       key rotation, deactivated keys
//	                     issued, expiry (ExpiredToken), key IDs that
//	                     encode the account
//	MFA                  virtual TOTP devices (RFC 6238), one step either    hardware and U2F devices
//	                     side, no reuse, MFA context along a chain
//	Trust policies       principals (users, roles, sessions, account,        policy documents, conditions other than
//	                     "*"), external ID, MFA, max session,                these, permission policies (every
//	                     sts:TagSession, sts:SetSourceIdentity, an OIDC      issued session may call anything)
//	                     provider with aud and sub (StringLike)
//	Durations            every operation's range, role maximum, the 1 h      the console's own session length
//	                     role-chaining cap, root capped at 1 h
//	Parameters           every constraint of the API model, STS's            -
//	                     ValidationError texts, RoleArn checks in STS's
//	                     order
//	Session tags         transitive keys, inherited transitive tags,         tags from web identity tokens; tags in
//	                     case-insensitive duplicates (InvalidParameterValue) permission decisions
//	Session policies     must be JSON (MalformedPolicyDocument, Jackson's    their effect on permissions; the exact
//	                     text); PackedPolicySize by a compressed measure     packed format (the measure is
//	                     calibrated on one recorded answer                   calibrated, not AWS's)
//	Web identity         its own OIDC issuer: RS256 tokens, discovery,       other issuers' keys, thumbprints,
//	                     JWKS, InvalidIdentityToken, ExpiredTokenException,  IDPRejectedClaim, IDPCommunicationError,
//	                     AccessDenied on aud and sub                         source identity and tags from claims
//	Console federation   getSigninToken and login at Server.FederationURL   the console itself
//	Operations support   request log, faults (throttling, 5xx, latency),     regional endpoints and
//	                     an injectable clock, a standalone server            RegionDisabledException
//
// Where STS's behaviour has no public source, the code says it follows a
// guess at the place it does.
//
// Tests move time with [WithClock] (see [Clock]) instead of sleeping,
// assert on [Server.Requests], and inject throttling, 5xx errors and
// latency with [Server.InjectFault]. [Start] runs a server outside of a
// test, and [Server.Snapshot] describes it for other processes.
// [Server.WebIdentityToken] mints tokens for AssumeRoleWithWebIdentity, so
// that code written for GitHub Actions or EKS (AWS_WEB_IDENTITY_TOKEN_FILE
// and AWS_ROLE_ARN) runs against the server.
//
// A Server and all its methods are safe for concurrent use.
package ststest
