package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/loopback"
	"github.com/awssession/awssession/internal/safefile"
	"github.com/awssession/awssession/internal/stsrules"
	"github.com/awssession/awssession/ststest"
	"github.com/spf13/cobra"
)

const stsServerLong = `Run ststest, the strict fake STS of this module, until interrupted
(SIGINT or SIGTERM; exit status 0), for tests in any language: it verifies
SigV4 signatures, TOTP codes and trust policies, and issues temporary
credentials it recognises on later calls.

On start it prints one JSON document on stdout: its URL, account, users
with their access keys, MFA devices with their TOTP seeds, roles, and
federationUrl, its console federation endpoint (awssession console
--sts-endpoint URL signs in there). These
are test secrets; never point real tools' credentials at it.

Without --users it creates user alice with a virtual MFA device and role
Admin, which trusts alice and requires MFA, and lets alice use permission
set Admin in account 123456789012 through IAM Identity Center. --users FILE
creates these instead (JSON; unknown fields are errors):

  {
    "account": "123456789012",                  (optional)
    "partition": "aws",                          (optional)
    "users": [
      {"name": "alice", "mfa": true},            (a new virtual MFA device)
      {"name": "ci", "mfaSecret": "JBSWY3DPEHPK3PXP"}   (a device with this seed)
    ],
    "roles": [
      {"name": "Admin", "principals": ["alice"], "requireMFA": true,
       "maxSessionDurationSeconds": 43200},
      {"name": "team/Deploy", "principals": ["ci", "Admin"], "externalId": "x-123",
       "sessionTags": true, "sourceIdentity": true},
      {"name": "GitHubDeploy", "webIdentity": {"subject": "repo:octo/app:*"}},
      {"name": "Federated", "saml": true, "maxSessionDurationSeconds": 28800}
    ]
  }

Principals are user or role names from the file, ARNs, an account ID, or "*".
sessionTags and sourceIdentity allow sts:TagSession and sts:SetSourceIdentity.
A role with webIdentity trusts the server's own OIDC issuer (oidcProviderArn
in the printed JSON) for AssumeRoleWithWebIdentity, for tokens whose aud is
audience (default sts.amazonaws.com) and whose sub matches subject (a
pattern with *; default any). GET URL/ststest/web-identity-token?sub=S&aud=A
returns such a token.

A role with "saml": true trusts the server's own SAML identity provider
(samlProviderArn in the printed JSON) for AssumeRoleWithSAML. GET
URL/ststest/saml-assertion?user=NAME&role=ARN (role repeatable) returns a
base64 SAMLResponse for user NAME naming those roles, signed by that
provider and valid for five minutes, for aws sts assume-role-with-saml or
an SDK.


IAM Identity Center and AWS Sign-In answer at the same URL: point clients
at it with AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL_SSO and
AWS_ENDPOINT_URL_SIGNIN. ssoStartUrl in the printed JSON is the start URL
(sso_start_url) to sign in with. "sso" in the --users file lets users use
permission sets in accounts:

  "sso": [{"user": "alice", "account": "123456789012", "permissionSet": "Admin"}]

A device code is approved on the page its verification URL opens, or with
POST URL/ststest/sso/approve?user_code=CODE&user=NAME; --auto-approve USER
approves every sign-in at once as USER (device codes, and the browser pages
of the authorization code flows of Identity Center and aws login).
GET URL/ststest/login-session?user=NAME returns the login_session that an
aws login as NAME yields, and GET URL/ststest/requests the requests
received, as JSON.`

const stsServerExample = `  awssession sts-server --addr 127.0.0.1:4566 > sts.json &
  awssession env --sts-endpoint http://127.0.0.1:4566 \
    --access-key "$(jq -r '.users[0].accessKeyId' sts.json)" ...
  # The console sign-in URL of a fake session, from the server's federationUrl
  awssession console --print --sts-endpoint http://127.0.0.1:4566 --role-arn ... ...
  # IAM Identity Center and aws login that sign alice in without asking
  awssession sts-server --addr 127.0.0.1:4566 --users users.json --auto-approve alice`

// serverInfo is what sts-server prints: the server's snapshot and its
// console federation endpoint.
type serverInfo struct {
	ststest.Snapshot
	FederationURL string `json:"federationUrl"`
	// IAM Identity Center: its start URL and the assignments made.
	SSOStartURL string                  `json:"ssoStartUrl"`
	SSO         []ststest.SSOAssignment `json:"sso"`
}

// usersFile is the --users document.
type usersFile struct {
	Account   string     `json:"account,omitempty"`
	Partition string     `json:"partition,omitempty"`
	Users     []userSpec `json:"users"`
	Roles     []roleSpec `json:"roles"`
	SSO       []ssoSpec  `json:"sso,omitempty"`
}

// ssoSpec lets a user use a permission set in an account (IAM Identity
// Center).
type ssoSpec struct {
	User          string `json:"user"`
	Account       string `json:"account"`
	PermissionSet string `json:"permissionSet"`
}

type userSpec struct {
	Name      string `json:"name"`
	MFA       bool   `json:"mfa,omitempty"`
	MFASecret string `json:"mfaSecret,omitempty"`
}

type roleSpec struct {
	Name                      string           `json:"name"`
	Principals                []string         `json:"principals"`
	RequireMFA                bool             `json:"requireMFA,omitempty"`
	ExternalID                string           `json:"externalId,omitempty"`
	MaxSessionDurationSeconds int              `json:"maxSessionDurationSeconds,omitempty"`
	SessionTags               bool             `json:"sessionTags,omitempty"`
	SourceIdentity            bool             `json:"sourceIdentity,omitempty"`
	WebIdentity               *webIdentitySpec `json:"webIdentity,omitempty"`
	// SAML makes the role trust the server's SAML identity provider.
	SAML bool `json:"saml,omitempty"`
}

// webIdentitySpec makes a role trust the server's OIDC issuer.
type webIdentitySpec struct {
	Audience string `json:"audience,omitempty"`
	Subject  string `json:"subject,omitempty"`
}

// defaultUsers is the set sts-server creates without --users.
var defaultUsers = usersFile{
	Users: []userSpec{{Name: "alice", MFA: true}},
	Roles: []roleSpec{{Name: "Admin", Principals: []string{"alice"}, RequireMFA: true}},
	SSO:   []ssoSpec{{User: "alice", Account: "123456789012", PermissionSet: "Admin"}},
}

func (c *cli) stsServerCmd() *cobra.Command {
	var addr, usersPath string
	var signIn signInFlags
	cmd := &cobra.Command{
		Use:     "sts-server",
		Short:   "Run the fake STS standalone and print its users, keys and roles as JSON",
		Long:    stsServerLong,
		Example: stsServerExample,
		Args:    noArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			spec := defaultUsers
			if usersPath != "" {
				var err error
				if spec, err = readUsersFile(usersPath); err != nil {
					return usageErrorf(cmd, "--users %s: %v", usersPath, err)
				}
			}
			if host, _, err := net.SplitHostPort(addr); err != nil || !loopback.IsHost(host) {
				// Its users' keys and MFA seeds are printed for anyone to
				// use: the fake STS serves this machine only.
				return usageErrorf(cmd, "--addr %q: want a loopback HOST:PORT such as 127.0.0.1:4566", addr)
			}
			signInOpts, err := signIn.options(cmd, spec)
			if err != nil {
				return err
			}
			opts := append([]ststest.ServerOption{ststest.WithAddr(addr)}, signInOpts...)
			if spec.Account != "" {
				opts = append(opts, ststest.WithAccount(spec.Account))
			}
			if spec.Partition != "" {
				opts = append(opts, ststest.WithPartition(spec.Partition))
			}
			srv, err := ststest.Start(opts...)
			if err != nil {
				return err
			}
			defer srv.Close()
			if err := populate(srv, spec); err != nil {
				return usageErrorf(cmd, "--users %s: %v", usersPath, err)
			}
			enc := json.NewEncoder(c.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(serverInfo{srv.Snapshot(), srv.FederationURL(), srv.SSOStartURL(), srv.SSOAssignments()}); err != nil {
				return err
			}
			c.notef("fake STS listening on %s; stop it with Ctrl-C", srv.URL)
			<-cmd.Context().Done()
			return nil
		}),
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "address to listen on (port 0: a free port)")
	cmd.Flags().StringVar(&usersPath, "users", "", "JSON file of users, MFA devices and roles to create (see above)")
	signIn.register(cmd)
	return cmd
}

// maxUsersFile caps --users: a file of users and roles is a few KiB.
const maxUsersFile = 1 << 20

// readUsersFile reads --users: a regular file of at most maxUsersFile
// bytes (a FIFO would block the read, /dev/zero never end it).
func readUsersFile(path string) (usersFile, error) {
	data, err := safefile.Read(path, maxUsersFile)
	var refused *safefile.Error
	switch {
	case errors.As(err, &refused): // the flag names the path already
		return usersFile{}, errors.New(strings.TrimPrefix(refused.Problem, "is "))
	case err != nil:
		return usersFile{}, err
	}
	var spec usersFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		return usersFile{}, err
	}
	return spec, nil
}

// populate creates spec's users, devices and roles. ststest panics on
// invalid names; that is reported as an error.
func populate(srv *ststest.Server, spec usersFile) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	partition := spec.Partition
	if partition == "" {
		partition = "aws"
	}
	arns := map[string]string{}
	for _, u := range spec.Users {
		arns[u.Name] = srv.AddUser(u.Name).ARN
		switch {
		case u.MFASecret != "":
			srv.ImportMFADevice(u.Name, fmt.Sprintf("arn:%s:iam::%s:mfa/%s", partition, srv.Account(), u.Name), u.MFASecret)
		case u.MFA:
			srv.AddMFADevice(u.Name)
		}
	}
	for _, r := range spec.Roles {
		if _, dup := arns[r.Name]; !dup {
			arns[r.Name] = fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, srv.Account(), r.Name)
		}
	}
	for _, r := range spec.Roles {
		trust := ststest.Trust{RequireMFA: r.RequireMFA, ExternalID: r.ExternalID,
			MaxSessionDuration: time.Duration(r.MaxSessionDurationSeconds) * time.Second,
			SessionTags:        r.SessionTags, SourceIdentity: r.SourceIdentity}
		if r.WebIdentity != nil {
			trust.Principals = append(trust.Principals, srv.OIDCProviderARN())
			trust.Audience, trust.Subject = r.WebIdentity.Audience, r.WebIdentity.Subject
		}
		if r.SAML {
			trust.Principals = append(trust.Principals, srv.SAMLProviderARN())
		}
		for _, p := range r.Principals {
			switch arn, ok := arns[p]; {
			case ok:
				p = arn
			case p != "*" && !strings.HasPrefix(p, "arn:") && !stsrules.IsAccountID(p):
				return fmt.Errorf("role %s: principal %q is no user or role of the file, ARN, account ID or *", r.Name, p)
			}
			trust.Principals = append(trust.Principals, p)
		}
		srv.AddRole(r.Name, trust)
	}
	for _, a := range spec.SSO {
		srv.AssignSSO(a.User, a.Account, a.PermissionSet)
	}
	return nil
}
