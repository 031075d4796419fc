// Package ststest is a strict, in-process AWS Security Token Service for
// tests, in the spirit of net/http/httptest.
//
// [NewServer] starts it on a loopback port; the real aws-sdk-go-v2 STS
// client (or the AWS CLI) talks to it over HTTP in the AWS Query
// protocol and gets back the XML bodies and XML errors STS sends, with
// its codes, messages and HTTP statuses (guessed where no public record
// shows them; the guesses are listed below):
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
//	Operations           GetSessionToken, AssumeRole, GetFederationToken,    AssumeRoot, DecodeAuthorizationMessage,
//	                     GetCallerIdentity, GetAccessKeyInfo,                GetDelegatedAccessToken,
//	                     AssumeRoleWithWebIdentity and AssumeRoleWithSAML    GetWebIdentityToken and unknown actions:
//	                     (both unsigned)                                     InvalidAction saying so, signed or not
//	Signing              SigV4 in the Authorization header or the query      SigV4a; a Date header in place of
//	                     string (presigned GET; X-Amz-Expires ignored, as    X-Amz-Date (refused: the SDK's signer
//	                     at STS), verified by re-signing with the SDK's      cannot re-sign it); the region a
//	                     signer; 15 min skew; real regions only; scope       regional endpoint expects; the global
//	                     date equal to the X-Amz-Date date; Version          endpoint's us-east-1-only scope (every
//	                     required, MissingAction                             real region passes everywhere)
//	Credentials          long-term keys (users, root), session keys it       key rotation, deactivated keys
//	                     issued, expiry (ExpiredToken), key IDs that
//	                     encode the account
//	MFA                  virtual TOTP devices (RFC 6238), one step either    hardware and U2F devices
//	                     side, no reuse, MFA context along a chain
//	Trust policies       principals (users, roles, sessions, account,        policy documents, conditions other than
//	                     "*"), external ID, MFA, max session,                these, permission policies (every
//	                     sts:TagSession, sts:SetSourceIdentity, an OIDC      issued session may call anything)
//	                     provider with aud and sub (StringLike), a SAML
//	                     provider
//	Durations            every operation's range, role maximum, the 1 h      the console's own session length
//	                     role-chaining cap, root capped at 1 h
//	Parameters           the API model's lengths, patterns and ranges for    the documented 2,048-character limit on
//	                     the modelled operations, with STS's                 inline and managed session policy text
//	                     ValidationError texts; RoleArn checks in STS's      together (each Policy is checked alone,
//	                     order; at most 10 PolicyArns (a documented limit,   against its own model length);
//	                     not the model's: the text is worded like a model    AssumeRole's ProvidedContexts (ignored,
//	                     rule by us)                                         unchecked)
//	Session tags         transitive keys, inherited transitive tags,         claims-based session tags (from web
//	                     case-insensitive duplicates (InvalidParameterValue) identity tokens or SAML PrincipalTag
//	                                                                         attributes); tags in permission decisions
//	Session policies     must be JSON (MalformedPolicyDocument, Jackson's    IAM policy grammar beyond Statement's
//	                     text) holding a Statement ("Syntax errors in        presence (an Effect other than Allow or
//	                     policy.", one 2018 record); PackedPolicySize by a   Deny passes: STS's answer has no public
//	                     compressed measure calibrated on one recorded       record); their effect on permissions;
//	                     answer                                              the exact packed format
//	Web identity         its own OIDC issuer: RS256 tokens, discovery,       other issuers' keys, thumbprints,
//	                     JWKS, InvalidIdentityToken, ExpiredTokenException,  IDPRejectedClaim, IDPCommunicationError,
//	                     AccessDenied on aud and sub                         source identity and tags from claims
//	SAML                 its own identity provider: responses signed with    other providers' metadata; signed
//	                     XML-DSig (RSA-SHA256, exclusive c14n) carrying      Responses (only signed Assertions);
//	                     Role, RoleSessionName and SessionDuration; checks   encrypted assertions; NotBefore,
//	                     of provider, issuer, signature, 5 min age,          SessionNotOnOrAfter; IDPRejectedClaim;
//	                     NotOnOrAfter, audience, recipient, session name,    source identity and tags from
//	                     role pair and trust: InvalidIdentityToken,          attributes; the China and GovCloud
//	                     ExpiredTokenException, AccessDenied                 sign-in audiences
//	Console federation   getSigninToken and login at Server.FederationURL   the console itself
//	Operations support   request log, faults (throttling, 5xx, latency),     regional endpoints and
//	                     an injectable clock, a standalone server            RegionDisabledException
//
// Codes and texts come from public records of STS's answers (the API
// model and reference, the IAM User Guide, answers users and other
// projects recorded), cited where the code uses them. Where there is no
// record, the answer is a guess, and the code says so at that place. The
// guesses are:
//
//   - MissingParameter's text for a request without Version; "Could not
//     find operation ... for version ..." (InvalidAction);
//   - "Member must be an integer" for a DurationSeconds that is not a number;
//   - the ValidationError text for more than 10 PolicyArns (worded like the
//     model's length rules);
//   - IncompleteSignature texts for a presigned URL missing a parameter; the
//     scope-date text (recorded from API Gateway; the IAM User Guide gives
//     its first sentence for every service);
//   - "Request ARN is invalid" for a RoleArn of a resource type other than
//     role, user and saml-provider;
//   - that inherited transitive tags need no sts:TagSession on later hops;
//   - MalformedPolicyDocument's "Unexpected end-of-input" for a truncated
//     policy; "Syntax errors in policy." for strict JSON without Statement
//     (the record's document was single-quoted);
//   - PackedPolicySize everywhere but the one recorded policy, and
//     PackedPolicyTooLarge's percentages;
//   - for AssumeRoleWithWebIdentity: "The ID Token provided is not a valid
//     JWT. ..." and "The signature of the ID Token could not be verified
//     ..." (InvalidIdentityToken); Provider as the provider's ARN rather
//     than the iss claim;
//   - for AssumeRoleWithSAML: the texts for a response that does not parse
//     and for another recipient; the InvalidIdentityToken code of "Specified
//     provider doesn't exist." and "Response does not contain the required
//     audience."; AccessDenied for a role the assertion does not name; the
//     order of the checks where no record shows it; "sAMLAssertion" as the
//     member name in ValidationError texts;
//   - GetAccessKeyInfo's answer for a well-formed key the server did not
//     issue (the account the key ID encodes, by public research, not AWS
//     documentation) and InvalidParameterValue for one that encodes none;
//   - InvalidAction for the operations above that STS has: the message says
//     the answer is ststest's.
//
// Tests move time with [WithClock] (see [Clock]) instead of sleeping,
// assert on [Server.Requests], and inject throttling, 5xx errors and
// latency with [Server.InjectFault]. [Start] runs a server outside of a
// test, and [Server.Snapshot] describes it for other processes.
// [Server.WebIdentityToken] mints tokens for AssumeRoleWithWebIdentity, so
// that code written for GitHub Actions or EKS (AWS_WEB_IDENTITY_TOKEN_FILE
// and AWS_ROLE_ARN) runs against the server.
// [Server.SAMLAssertion] mints SAML responses for AssumeRoleWithSAML, so
// that code written for Okta, Entra ID or AD FS federation runs against it.
//
// A Server and all its methods are safe for concurrent use.
package ststest
