package ststest

import (
	"sort"
)

// Snapshot is everything needed to use a running server from outside:
// its URL, the users with their access keys, MFA seeds and roles. It
// marshals to JSON for the sts-server command. It holds secrets: print
// it only for test servers.
type Snapshot struct {
	URL       string `json:"url"`
	Account   string `json:"account"`
	Partition string `json:"partition"`
	// OIDCProviderARN names the server's OpenID Connect issuer, whose
	// tokens (GET /ststest/web-identity-token?sub=S&aud=A) roles that
	// trust it accept in AssumeRoleWithWebIdentity.
	OIDCProviderARN string `json:"oidcProviderArn"`
	// SAMLProviderARN names the server's SAML identity provider, whose
	// assertions (GET /ststest/saml-assertion?user=NAME&role=ARN) roles
	// that trust it accept in AssumeRoleWithSAML.
	SAMLProviderARN string           `json:"samlProviderArn"`
	Users           []User           `json:"users"`
	MFADevices      []SnapshotDevice `json:"mfaDevices"`
	Roles           []SnapshotRole   `json:"roles"`
}

// SnapshotDevice is an MFA device and the user it belongs to.
type SnapshotDevice struct {
	UserName string `json:"userName"`
	MFADevice
}

// SnapshotRole is a role and its trust policy, with the maximum session
// in seconds as IAM reports it.
type SnapshotRole struct {
	Role
	Principals                []string `json:"principals"`
	RequireMFA                bool     `json:"requireMFA"`
	ExternalID                string   `json:"externalId,omitempty"`
	MaxSessionDurationSeconds int      `json:"maxSessionDurationSeconds"`
	SessionTags               bool     `json:"sessionTags,omitempty"`
	SourceIdentity            bool     `json:"sourceIdentity,omitempty"`
	Audience                  string   `json:"audience,omitempty"`
	Subject                   string   `json:"subject,omitempty"`
}

// Snapshot returns the server's users (one entry per long-term access
// key, root keys included), MFA devices and roles, sorted by name.
func (s *Server) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := Snapshot{URL: s.URL, Account: s.cfg.account, Partition: s.cfg.partition, OIDCProviderARN: s.OIDCProviderARN(),
		SAMLProviderARN: s.SAMLProviderARN(),
		Users:           []User{}, MFADevices: []SnapshotDevice{}, Roles: []SnapshotRole{}}
	for _, k := range s.keys {
		snap.Users = append(snap.Users, User{Name: k.user.name, ARN: k.user.arn, UserID: k.user.id, AccessKeyID: k.id, SecretAccessKey: k.secret})
	}
	sort.Slice(snap.Users, func(i, j int) bool {
		a, b := snap.Users[i], snap.Users[j]
		return a.Name < b.Name || a.Name == b.Name && a.AccessKeyID < b.AccessKeyID
	})
	for _, d := range s.devices {
		snap.MFADevices = append(snap.MFADevices, SnapshotDevice{UserName: d.user.name, MFADevice: MFADevice{SerialNumber: d.serial, Secret: d.secret}})
	}
	sort.Slice(snap.MFADevices, func(i, j int) bool { return snap.MFADevices[i].SerialNumber < snap.MFADevices[j].SerialNumber })
	for _, r := range s.roles {
		snap.Roles = append(snap.Roles, SnapshotRole{
			Role:                      Role{Name: r.name, Path: r.path, ARN: r.arn},
			Principals:                append([]string{}, r.trust.Principals...),
			RequireMFA:                r.trust.RequireMFA,
			ExternalID:                r.trust.ExternalID,
			MaxSessionDurationSeconds: int(r.maxSession.Seconds()),
			SessionTags:               r.trust.SessionTags,
			SourceIdentity:            r.trust.SourceIdentity,
			Audience:                  r.trust.Audience,
			Subject:                   r.trust.Subject,
		})
	}
	sort.Slice(snap.Roles, func(i, j int) bool { return snap.Roles[i].ARN < snap.Roles[j].ARN })
	return snap
}
