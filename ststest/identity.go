package ststest

import (
	"fmt"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
)

// User is an IAM user (or the account root) and one of its long-term
// access keys, as [Server.AddUser] and [Server.AddRootKey] return it.
type User struct {
	Name            string `json:"name"`
	ARN             string `json:"arn"`
	UserID          string `json:"userId"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// Role is an IAM role, as [Server.AddRole] returns it.
type Role struct {
	Name string `json:"name"`
	Path string `json:"path"`
	ARN  string `json:"arn"`
}

// Trust is a role's trust policy reduced to what STS checks.
type Trust struct {
	// Principals may assume the role: IAM user ARNs (their long-term keys
	// and their GetSessionToken sessions), role ARNs (sessions of that
	// role, for role chaining), assumed-role session ARNs,
	// "arn:aws:iam::ACCOUNT:root" or a bare account ID (any principal of
	// that account, as in IAM), or "*" (anyone). [Server.OIDCProviderARN]
	// and [Server.SAMLProviderARN] are federated principals: only they
	// admit AssumeRoleWithWebIdentity and AssumeRoleWithSAML.
	Principals []string `json:"principals"`
	// RequireMFA refuses callers without MFA context (the
	// aws:MultiFactorAuthPresent condition).
	RequireMFA bool `json:"requireMFA"`
	// ExternalID, when set, must equal the request's ExternalId.
	ExternalID string `json:"externalId,omitempty"`
	// MaxSessionDuration is the role's maximum session; 0 means 1 h. IAM
	// accepts 1 h to 12 h; [Server.AddRole] panics outside that range.
	MaxSessionDuration time.Duration `json:"maxSessionDuration"`
	// SessionTags allows sts:TagSession: without it, AssumeRole with Tags
	// is refused with AccessDenied, as IAM refuses it when the trust
	// policy does not allow that action.
	SessionTags bool `json:"sessionTags,omitempty"`
	// SourceIdentity allows sts:SetSourceIdentity: without it, AssumeRole
	// with a SourceIdentity, or by a session that carries one, is refused.
	SourceIdentity bool `json:"sourceIdentity,omitempty"`
	// Audience is the aud a web identity token must carry for
	// AssumeRoleWithWebIdentity, when Principals names
	// [Server.OIDCProviderARN] (the condition on
	// HOST:aud); "" means "sts.amazonaws.com", as for GitHub Actions and EKS.
	Audience string `json:"audience,omitempty"`
	// Subject is a pattern the token's sub must match (HOST:sub with
	// StringLike: '*' matches any run of characters, '?' one); "" admits
	// any subject.
	Subject string `json:"subject,omitempty"`
}

type userRecord struct {
	name, arn, id string
	root          bool
}

type accessKey struct {
	id, secret string
	user       *userRecord
}

type roleRecord struct {
	name, path, arn, id string
	trust               Trust
	maxSession          time.Duration
}

// AddUser creates an IAM user with one long-term access key (AKIA…) and
// returns it. It panics if name is not a valid IAM user name or is taken.
func (s *Server) AddUser(name string) User {
	if !stsrules.IsIAMName(name) {
		panic(fmt.Sprintf("ststest: AddUser(%q): IAM user names are 1-64 characters of [\\w+=,.@-]", name))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[name]; ok {
		panic(fmt.Sprintf("ststest: AddUser(%q): user exists", name))
	}
	u := &userRecord{name: name, arn: s.arn("iam", "user/"+name), id: newUniqueID("AIDA")}
	s.users[name] = u
	return s.addKeyLocked(u)
}

// AddRootKey creates an access key for the account root user
// (arn:aws:iam::ACCOUNT:root, named "root" in the returned User) and
// returns it. Root sessions are capped at one hour and roots may not
// assume roles, as at AWS.
func (s *Server) AddRootKey() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[rootUserName]
	if !ok {
		u = &userRecord{name: "root", arn: s.arn("iam", "root"), id: s.cfg.account, root: true}
		s.users[rootUserName] = u
	}
	return s.addKeyLocked(u)
}

// rootUserName keys the root in the users map. IAM user names cannot
// contain '<', so it never clashes with a user.
const rootUserName = "<root>"

func (s *Server) addKeyLocked(u *userRecord) User {
	k := &accessKey{id: newAccessKeyID("AKIA", s.cfg.account), secret: newSecret(), user: u}
	s.keys[k.id] = k
	return User{Name: u.name, ARN: u.arn, UserID: u.id, AccessKeyID: k.id, SecretAccessKey: k.secret}
}

// AddRole creates a role the principals in trust may assume. name may
// carry an IAM path ("team/Admin" is role Admin with path /team/). It
// panics if the name is invalid or taken, or if trust.MaxSessionDuration
// is outside IAM's 1 h to 12 h.
func (s *Server) AddRole(name string, trust Trust) Role {
	path, base := "/", name
	if i := strings.LastIndex(name, "/"); i >= 0 {
		path, base = "/"+strings.Trim(name[:i], "/")+"/", name[i+1:]
	}
	if !stsrules.IsIAMName(base) {
		panic(fmt.Sprintf("ststest: AddRole(%q): IAM role names are 1-64 characters of [\\w+=,.@-]", name))
	}
	maxSession := trust.MaxSessionDuration
	if maxSession == 0 {
		maxSession = time.Hour
	}
	if maxSession < stsrules.MinRoleMaxSessionSeconds*time.Second || maxSession > stsrules.MaxRoleMaxSessionSeconds*time.Second {
		panic(fmt.Sprintf("ststest: AddRole(%q): MaxSessionDuration %v is outside IAM's 1h to 12h", name, trust.MaxSessionDuration))
	}
	trust.Principals = append([]string(nil), trust.Principals...)
	r := &roleRecord{name: base, path: path, arn: s.arn("iam", "role"+path+base), id: newUniqueID("AROA"), trust: trust, maxSession: maxSession}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(r.arn)
	for _, other := range s.roles {
		if strings.EqualFold(other.name, base) {
			panic(fmt.Sprintf("ststest: AddRole(%q): role exists", name))
		}
	}
	s.roles[key] = r
	return Role{Name: r.name, Path: r.path, ARN: r.arn}
}
