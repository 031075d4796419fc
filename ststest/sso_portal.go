package ststest

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ssoBearerHeader carries the access token to the portal API.
const ssoBearerHeader = "x-amz-sso_bearer_token"

// Texts of the portal's errors, quoted from users' reports
// (synfinatic/aws-sso-cli#1219, ministryofjustice/modernisation-platform#10161).
const (
	msgSSOTokenInvalid = "Session token not found or invalid"
	msgNoAccess        = "No access"
)

// ssoPageSize is the page size of ListAccounts and ListAccountRoles when
// max_result is not sent (a guess: AWS does not document it).
const ssoPageSize = 20

func portalError(status int, typ, message string) *restError {
	return servicePortal.err(status, typ, "", message)
}

// portalTokenLocked returns the live access token the request carries,
// or UnauthorizedException (401) for a missing, unknown, expired or
// logged-out one.
func (s *Server) portalTokenLocked(c *restCall) (*ssoToken, *restError) {
	t := s.idc.access[c.r.Header.Get(ssoBearerHeader)]
	if !t.live(c.now) {
		return nil, portalError(http.StatusUnauthorized, "UnauthorizedException", msgSSOTokenInvalid)
	}
	return t, nil
}

type roleCredentialsOutput struct {
	RoleCredentials struct {
		AccessKeyID     string `json:"accessKeyId"`
		SecretAccessKey string `json:"secretAccessKey"`
		SessionToken    string `json:"sessionToken"`
		Expiration      int64  `json:"expiration"` // milliseconds since the epoch
	} `json:"roleCredentials"`
}

// getRoleCredentials issues credentials for a session of the permission
// set's role in the account, named for the user, as Identity Center
// assumes it: arn:aws:sts::ACCOUNT:assumed-role/AWSReservedSSO_SET_HEX/USER.
// A role the user is not assigned is ForbiddenException "No access" (403),
// as users report; the operation's model lists no such error, so SDKs
// surface it as a generic API error.
func (s *Server) getRoleCredentials(c *restCall) (any, *restError) {
	t, e := s.portalTokenLocked(c)
	if e != nil {
		return nil, e
	}
	q := c.r.URL.Query()
	roleName, account := q.Get("role_name"), q.Get("account_id")
	if roleName == "" || account == "" {
		return nil, portalError(http.StatusBadRequest, "InvalidRequestException", "role_name and account_id are required")
	}
	user := t.session.user
	if !slices.ContainsFunc(s.idc.assigned, func(a SSOAssignment) bool {
		return a.User == user.name && a.Account == account && a.PermissionSet == roleName
	}) {
		return nil, portalError(http.StatusForbidden, "ForbiddenException", msgNoAccess)
	}
	role := s.ssoRoleLocked(account, roleName)
	as := principal{
		kind:   kindRole,
		arn:    "arn:" + s.cfg.partition + ":sts::" + account + ":assumed-role/" + role.name + "/" + user.name,
		userID: role.id + ":" + user.name,
		role:   role,
	}
	sess := s.issueLocked(as, c.now, ssoRoleSession)
	var out roleCredentialsOutput
	rc := &out.RoleCredentials
	rc.AccessKeyID, rc.SecretAccessKey, rc.SessionToken = sess.accessKeyID, sess.secret, sess.token
	rc.Expiration = sess.expires.UnixMilli()
	return out, nil
}

type accountInfo struct {
	AccountID    string `json:"accountId"`
	AccountName  string `json:"accountName"`
	EmailAddress string `json:"emailAddress"`
}

type listAccountsOutput struct {
	AccountList []accountInfo `json:"accountList"`
	NextToken   string        `json:"nextToken,omitempty"`
}

// listAccounts pages through the accounts the user has an assignment in,
// sorted by ID. Account names and e-mail addresses are made up:
// ststest-ACCOUNT and aws+ACCOUNT@example.com.
func (s *Server) listAccounts(c *restCall) (any, *restError) {
	t, e := s.portalTokenLocked(c)
	if e != nil {
		return nil, e
	}
	var ids []string
	for _, a := range s.assignmentsLocked(t.session.user.name) {
		if !slices.Contains(ids, a.Account) {
			ids = append(ids, a.Account)
		}
	}
	from, to, next, e := pageOf(c, "accounts", len(ids))
	if e != nil {
		return nil, e
	}
	out := listAccountsOutput{AccountList: []accountInfo{}, NextToken: next}
	for _, id := range ids[from:to] {
		out.AccountList = append(out.AccountList, accountInfo{id, "ststest-" + id, "aws+" + id + "@example.com"})
	}
	return out, nil
}

type roleInfo struct {
	RoleName  string `json:"roleName"`
	AccountID string `json:"accountId"`
}

type listAccountRolesOutput struct {
	RoleList  []roleInfo `json:"roleList"`
	NextToken string     `json:"nextToken,omitempty"`
}

// listAccountRoles pages through the permission sets the user may use in
// an account, sorted by name; for an account without any, the list is
// empty (a guess).
func (s *Server) listAccountRoles(c *restCall) (any, *restError) {
	t, e := s.portalTokenLocked(c)
	if e != nil {
		return nil, e
	}
	account := c.r.URL.Query().Get("account_id")
	if account == "" {
		return nil, portalError(http.StatusBadRequest, "InvalidRequestException", "account_id is required")
	}
	var roles []roleInfo
	for _, a := range s.assignmentsLocked(t.session.user.name) {
		if a.Account == account {
			roles = append(roles, roleInfo{a.PermissionSet, account})
		}
	}
	from, to, next, e := pageOf(c, "roles:"+account, len(roles))
	if e != nil {
		return nil, e
	}
	return listAccountRolesOutput{RoleList: append([]roleInfo{}, roles[from:to]...), NextToken: next}, nil
}

// logout ends the token's Identity Center session: its access and refresh
// tokens stop working. Role credentials already issued keep working until
// they expire, as the API documents.
func (s *Server) logout(c *restCall) (any, *restError) {
	t, e := s.portalTokenLocked(c)
	if e != nil {
		return nil, e
	}
	t.session.ended = true
	return nil, nil
}

// pageOf reads max_result (1 to 100) and next_token, and returns the
// slice bounds of the page of n items and the token of the next page ("" on
// the last). A token names its list (kind) and the offset; one of another
// list or a forged one is InvalidRequestException.
func pageOf(c *restCall, kind string, n int) (from, to int, next string, e *restError) {
	q := c.r.URL.Query()
	size := ssoPageSize
	if v := q.Get("max_result"); v != "" {
		var err error
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > 100 {
			return 0, 0, "", portalError(http.StatusBadRequest, "InvalidRequestException", "max_result must be between 1 and 100")
		}
	}
	if v := q.Get("next_token"); v != "" {
		raw, err1 := base64.RawURLEncoding.DecodeString(v)
		rest, ok := strings.CutPrefix(string(raw), kind+"@")
		offset, err2 := strconv.Atoi(rest)
		if err1 != nil || err2 != nil || !ok || offset < 0 || offset > n {
			return 0, 0, "", portalError(http.StatusBadRequest, "InvalidRequestException", "Invalid next_token")
		}
		from = offset
	}
	to = min(from+size, n)
	if to < n {
		next = base64.RawURLEncoding.EncodeToString([]byte(kind + "@" + strconv.Itoa(to)))
	}
	return from, to, next, nil
}
