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

// credentialsXML renders the session for a response.
func (sess *session) credentialsXML() credentialsXML {
	return credentialsXML{
		AccessKeyId:     sess.accessKeyID,
		SecretAccessKey: sess.secret,
		SessionToken:    sess.token,
		Expiration:      formatExpiration(sess.expires),
	}
}
