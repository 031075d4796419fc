package ststest

import (
	"strings"
	"time"
)

// principalKind is who a request acts as.
type principalKind int

const (
	kindUser      principalKind = iota // an IAM user (long-term keys or a GetSessionToken session)
	kindRoot                           // the account root (likewise)
	kindRole                           // an AssumeRole session
	kindFederated                      // a GetFederationToken session
)

// principal is the identity behind a request's credentials.
type principal struct {
	kind principalKind
	// arn and userID are what GetCallerIdentity reports.
	arn, userID string
	// user is the IAM user (or root) behind user, root and federated
	// principals; nil for role sessions.
	user *userRecord
	// role is the assumed role of a role session.
	role *roleRecord
	// temporary is set when the request was signed with session
	// credentials rather than long-term keys.
	temporary bool
	// chained is set on a role session assumed with temporary
	// credentials (role chaining).
	chained bool
	// mfa is the MFA context (aws:MultiFactorAuthPresent).
	mfa bool
	// sourceIdentity persists across chained role sessions.
	sourceIdentity string
	// transitiveTags are the session tags passed on to the next hop of a
	// role chain.
	transitiveTags []tag
}

// account is the account p belongs to, the fifth field of its ARN: the
// server's account, except for IAM Identity Center role sessions, which
// belong to the account of their assignment (see [Server.AssignSSO]).
func (p principal) account() string {
	if parts := strings.SplitN(p.arn, ":", 6); len(parts) == 6 {
		return parts[4]
	}
	return ""
}

// rootARN is the root principal of an account, which names every
// principal of it in a trust policy.
func (s *Server) rootARN(account string) string {
	return "arn:" + s.cfg.partition + ":iam::" + account + ":root"
}

// userPrincipal is the principal of a long-term key.
func userPrincipal(u *userRecord) principal {
	kind := kindUser
	if u.root {
		kind = kindRoot
	}
	return principal{kind: kind, arn: u.arn, userID: u.id, user: u}
}

// session is a set of temporary credentials the server issued.
type session struct {
	accessKeyID, secret, token string
	expires                    time.Time
	// as is the principal requests signed with the session act as.
	as principal
}

// issue stores new temporary credentials acting as p, valid for d from
// now (or for the server's credential lifetimes, if shorter).
// s.mu must be held.
func (s *Server) issueLocked(p principal, now time.Time, d time.Duration) *session {
	if s.cfg.lifetime > 0 && s.cfg.lifetime < d {
		d = s.cfg.lifetime
	}
	if p.kind == kindRole && s.cfg.roleLife > 0 && s.cfg.roleLife < d {
		d = s.cfg.roleLife
	}
	p.temporary = true
	sess := &session{
		accessKeyID: newAccessKeyID("ASIA", p.account()),
		secret:      newSecret(),
		token:       newSessionToken(),
		expires:     now.Add(d),
		as:          p,
	}
	s.sessions[sess.accessKeyID] = sess
	return sess
}

// federatedRole is a role session for an identity another party vouched
// for (a web identity token, a SAML assertion), as its response shows it.
type federatedRole struct {
	user   assumedRoleUserXML
	creds  credentialsXML
	packed *int
}

// federatedRoleLocked makes the checks AssumeRoleWithWebIdentity and
// AssumeRoleWithSAML share once the identity is trusted (the duration
// within the role's maximum, the session policy's size) and issues the
// session. s.mu must be held.
func (s *Server) federatedRoleLocked(now time.Time, role *roleRecord, sessionName string, seconds int, hasPolicy bool, policy string, arns []string) (federatedRole, *apiError) {
	d := time.Duration(seconds) * time.Second
	if d > role.maxSession {
		return federatedRole{}, validationError(msgRoleMaxDuration)
	}
	packed, e := packedPolicy(hasPolicy, policy, arns, nil)
	if e != nil {
		return federatedRole{}, e
	}
	as := principal{
		kind:   kindRole,
		arn:    s.arn("sts", "assumed-role/"+role.name+"/"+sessionName),
		userID: role.id + ":" + sessionName,
		role:   role,
	}
	sess := s.issueLocked(as, now, d)
	return federatedRole{user: assumedRoleUserXML{Arn: as.arn, AssumedRoleId: as.userID}, creds: sess.credentialsXML(), packed: packed}, nil
}

// credentialsXML renders the session for a response.
func (sess *session) credentialsXML() credentialsXML {
	return credentialsXML{
		AccessKeyId:     sess.accessKeyID,
		SecretAccessKey: sess.secret,
		SessionToken:    sess.token,
		Expiration:      formatExpiration(sess.expires),
	}
}
