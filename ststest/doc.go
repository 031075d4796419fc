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
//
// # IAM Identity Center
//
// The server is also an IAM Identity Center instance, at the same URL:
// clients reach it with AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO
// set to [Server.URL] (or BaseEndpoint in Go), and sign in with the start
// URL [Server.SSOStartURL]. [Server.AssignSSO] lets a user use a
// permission set in an account; a person approves a sign-in on the
// server's pages, a test with [Server.ApproveDevice] or [WithAutoApprove].
//
// Modelled: SSO OIDC's RegisterClient (public clients, scopes, grant
// types, loopback or https redirect URIs), StartDeviceAuthorization and
// CreateToken with the device code grant (interval 1 s, SlowDownException
// and a 5 s longer interval for polls sooner than it, as RFC 8628 says;
// codes expire after 10 minutes and are used once), the authorization code
// grant with PKCE S256 behind GET /authorize (any loopback port for a
// registered loopback redirect URI, RFC 8252; codes used once, a reused
// code revokes its tokens) and the refresh token grant (only for clients
// registered with sso:account:access, rotated, within the session; other
// clients get one token for the whole 8 h session). Errors are REST-JSON
// with x-amzn-ErrorType and {"error", "error_description"} and the
// statuses of the API model: AuthorizationPending, SlowDown, ExpiredToken,
// AccessDenied, InvalidGrant, InvalidClient (401), InvalidRequest,
// InvalidScope, InvalidClientMetadata, InvalidRedirectUri,
// UnauthorizedClient, UnsupportedGrantType. The portal's
// GetRoleCredentials returns sessions of the role
// AWSReservedSSO_<set>_<16 hex> (path /aws-reserved/sso.amazonaws.com/)
// in the assigned account, named for the user, for 1 h; the STS takes them
// as that role, in that account, and lets them assume roles whose [Trust]
// names the role or the account. ListAccounts and ListAccountRoles page
// with max_result and next_token; Logout ends the sign-in (its tokens get
// UnauthorizedException, 401), not the credentials already issued.
//
// Guesses: the texts of OIDC errors; the scopes accepted; which checks
// come first; the 5-minute life of authorization codes; the page size without max_result (20); account names and
// e-mail addresses (ststest-ACCOUNT); an empty role list for an account
// without assignments; ForbiddenException "No access" (403) for a role not
// assigned, as users report it (no SDK models it); the token formats.
//
// Not modelled: CreateTokenWithIAM, trusted token issuers, ID tokens of
// SSO OIDC, scopes other than sso:account:access (accepted, not
// enforced), the Region in role paths, permission set session durations
// other than 1 h, MFA context in role sessions, the portal's own web
// application.
//
// # AWS Sign-In
//
// The server is also AWS Sign-In for developer tools (`aws login`, the
// login_session of a profile and the Go SDK's credentials/logincreds),
// reached with AWS_ENDPOINT_URL_SIGNIN.
//
// Modelled: GET /v1/authorize as the AWS CLI calls it (the same-device
// client with a loopback redirect, the cross-device client with the
// server's /v1/sessions/confirmation page that shows the code to paste);
// CreateOAuth2Token at POST /v1/token with the authorization code grant
// (PKCE, codes used once) and the refresh token grant; DPoP proofs (RFC
// 9449: ES256 over P-256, typ dpop+jwt, htm POST, htu this URL, iat
// within 5 minutes of the server clock, jti never reused, signature
// checked) on every call; refresh tokens bound to the key's RFC 7638
// thumbprint, rotated, and answered again idempotently while the
// credentials they yielded last, as the API documents. The credentials are
// session credentials of the user ([WithLoginCredentialLifetime], 15
// minutes by default, never more, as expiresIn's bound), refreshable for
// 12 h; the ID token's sub is [Server.LoginSession], the user's ARN.
// Errors are {"error", "message"} with x-amzn-ErrorType:
// AccessDeniedException with TOKEN_EXPIRED or AUTHCODE_EXPIRED (401) or
// USER_CREDENTIALS_CHANGED (403, after [Server.ChangePassword]), and
// ValidationException with INVALID_REQUEST (400).
//
// Guesses: the iat window; INVALID_REQUEST for a refused DPoP proof, an
// unknown code or refresh token, a PKCE, redirect URI or client mismatch,
// and a proof by another key; AUTHCODE_EXPIRED for a reused code;
// TOKEN_EXPIRED for a rotated refresh token after its replay window; the
// 5-minute code lifetime; S256 accepted beside SHA-256; the allowed
// redirect URIs; the ID token's signer (the server's OIDC issuer).
//
// Not modelled: CreateOAuth2TokenWithIAM and the token exchange, the
// console's own sign-in (passwords, MFA, root), INSUFFICIENT_PERMISSIONS,
// introspection and revocation.
//
// # Pages and test controls
//
// The start URL, the device verification page (verificationUri) and the
// authorize pages are plain HTML forms a person can use in a browser:
// pick a user, Allow or Deny. Each form carries a token good for one POST
// and is refused from another origin. For tests in other languages
// (awssession sts-server), POST /ststest/sso/approve?user_code=C&user=N
// approves a device code, GET /ststest/login-session?user=N returns a
// login session, and GET /ststest/requests returns [Server.Requests] as
// JSON, without parameters. Requests to these services are recorded with
// Action "sso-oidc:OPERATION", "sso:OPERATION" or "signin:OPERATION"
// (Authorize for the authorize endpoints), without their secrets, so
// [Server.CountRequests] counts sign-ins, and take injected faults.
package ststest
