package ststest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
)

// Paths of the IAM Identity Center pages the server serves.
const (
	ssoStartPath     = "/start"
	ssoDevicePath    = "/device"
	ssoAuthorizePath = "/authorize"
)

// scopeAccountAccess is the scope whose tokens can be refreshed and used
// with the portal API ("sso:account:access", as the AWS CLI registers).
const scopeAccountAccess = "sso:account:access"

// ssoRolePath is the IAM path of the roles Identity Center provisions for
// permission sets (IAM User Guide, "Service-linked roles"; roles created
// since 2023 may carry the Region after it, which is not modelled).
const ssoRolePath = "/aws-reserved/sso.amazonaws.com/"

// ssoRoleSession is how long GetRoleCredentials credentials last: a
// permission set's default session duration (PT1H).
const ssoRoleSession = time.Hour

// identityCenter is the server's IAM Identity Center instance. It is
// guarded by Server.mu.
type identityCenter struct {
	clients   map[string]*ssoClient  // registered clients by client ID
	devices   map[string]*ssoDevice  // device authorizations by device code
	userCodes map[string]*ssoDevice  // the same by normalized user code
	codes     map[string]*ssoCode    // authorization codes
	access    map[string]*ssoToken   // access tokens
	refresh   map[string]*ssoToken   // refresh tokens
	assigned  []SSOAssignment        // in order of AssignSSO
	roles     map[string]*roleRecord // AWSReservedSSO roles by account/permission set
	forms     map[string]*pageForm   // forms of the pages shown, by CSRF token
}

func newIdentityCenter() identityCenter {
	return identityCenter{
		clients: map[string]*ssoClient{}, devices: map[string]*ssoDevice{}, userCodes: map[string]*ssoDevice{},
		codes: map[string]*ssoCode{}, access: map[string]*ssoToken{}, refresh: map[string]*ssoToken{},
		roles: map[string]*roleRecord{}, forms: map[string]*pageForm{},
	}
}

// ssoSession is a user's sign-in to Identity Center: every token of one
// authorization belongs to it, and it ends at ends or at Logout.
type ssoSession struct {
	user  *userRecord
	ends  time.Time
	ended bool
}

// ssoToken is an access or refresh token. A refresh token expires with
// its session and is used once (rotation).
type ssoToken struct {
	session *ssoSession
	client  *ssoClient
	expires time.Time
	used    bool
}

func (t *ssoToken) live(now time.Time) bool {
	return t != nil && !t.used && !t.session.ended && now.Before(t.expires)
}

// SSOAssignment is a permission set an Identity Center user may use in an
// account, as [Server.AssignSSO] makes it.
type SSOAssignment struct {
	User          string `json:"user"`
	Account       string `json:"account"`
	PermissionSet string `json:"permissionSet"`
	// RoleARN is the role Identity Center provisioned for the permission
	// set in the account, which GetRoleCredentials' sessions assume.
	RoleARN string `json:"roleArn"`
}

// SSOStartURL returns the start URL of the server's IAM Identity Center
// instance, URL + "/start": the sso_start_url of profiles that sign in
// through it, and a page a browser can open.
func (s *Server) SSOStartURL() string { return s.URL + ssoStartPath }

// permissionSetName is IAM Identity Center's rule for permission set
// names: 1 to 32 of these characters.
var permissionSetName = stsrules.LazyRegexp(`^[\w+=,.@-]{1,32}$`)

// AssignSSO lets the Identity Center user userName (an [Server.AddUser]
// name) use permissionSet in accountID, and returns the role Identity
// Center provisions for it there: AWSReservedSSO_<permissionSet>_<16 hex>
// with path /aws-reserved/sso.amazonaws.com/, the same for every user of
// that permission set in that account. GetRoleCredentials returns
// sessions of that role, which the server's STS recognises: name the role
// ARN (or the account) in a [Trust] to let them assume a role. Assigning
// twice is harmless. It panics if the user does not exist or accountID or
// permissionSet is invalid.
func (s *Server) AssignSSO(userName, accountID, permissionSet string) Role {
	if !stsrules.IsAccountID(accountID) {
		panic(fmt.Sprintf("ststest: AssignSSO(%q): account %q is not 12 digits", userName, accountID))
	}
	if !permissionSetName().MatchString(permissionSet) {
		panic(fmt.Sprintf("ststest: AssignSSO(%q): permission set names are 1-32 characters of [\\w+=,.@-], not %q", userName, permissionSet))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idcUserLocked(userName) == nil {
		panic(fmt.Sprintf("ststest: AssignSSO(%q): no such user (an AddUser name; the root is no Identity Center user)", userName))
	}
	role := s.ssoRoleLocked(accountID, permissionSet)
	a := SSOAssignment{User: userName, Account: accountID, PermissionSet: permissionSet, RoleARN: role.arn}
	if !slices.Contains(s.idc.assigned, a) {
		s.idc.assigned = append(s.idc.assigned, a)
	}
	return Role{Name: role.name, Path: role.path, ARN: role.arn}
}

// SSOAssignments returns every assignment made with [Server.AssignSSO],
// in the order made.
func (s *Server) SSOAssignments() []SSOAssignment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.idc.assigned)
}

// ssoRoleLocked returns the permission set's role in the account, made on
// first use. These roles are not in s.roles: they cannot be assumed with
// AssumeRole, as their trust policy names only Identity Center's SAML
// provider.
func (s *Server) ssoRoleLocked(account, permissionSet string) *roleRecord {
	key := account + "/" + permissionSet
	if r := s.idc.roles[key]; r != nil {
		return r
	}
	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	name := "AWSReservedSSO_" + permissionSet + "_" + hex.EncodeToString(suffix)
	r := &roleRecord{
		name: name, path: ssoRolePath, id: newUniqueID("AROA"), maxSession: ssoRoleSession,
		arn: fmt.Sprintf("arn:%s:iam::%s:role%s%s", s.cfg.partition, account, ssoRolePath, name),
	}
	s.idc.roles[key] = r
	return r
}

// assignmentsLocked returns the user's assignments, sorted by account and
// permission set.
func (s *Server) assignmentsLocked(user string) []SSOAssignment {
	var out []SSOAssignment
	for _, a := range s.idc.assigned {
		if a.User == user {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b SSOAssignment) int {
		return strings.Compare(a.Account+"/"+a.PermissionSet, b.Account+"/"+b.PermissionSet)
	})
	return out
}

// startSSOSessionLocked signs user in to Identity Center now.
func (s *Server) startSSOSessionLocked(user *userRecord, now time.Time) *ssoSession {
	return &ssoSession{user: user, ends: now.Add(s.cfg.ssoSession)}
}

// newOpaqueToken returns a random bearer token with a prefix like the one
// real tokens carry ("aoa" access, "aor" refresh; a guess from tokens seen
// in users' reports).
func newOpaqueToken(prefix string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("ststest: crypto/rand: %v", err))
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}
