package awssession

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
)

// plan is the chain a session will build: the source, the STS layers
// above it, the region and where every call goes. It is a value computed
// from the options and a snapshot alone, before any network call, and it
// is all that building, explaining and peeking need.
type plan struct {
	src         source
	region      string
	files       sharedFiles
	profile     string              // the profile whose settings the config takes; "" none
	stsEndpoint string              // WithSTSEndpoint's; "" none
	configured  [nServices]endpoint // the endpoints the environment and profile configure
	mfaSerial   string              // the device whose code some layer sends; "" none
	mfaProcess  string              // the mfa_process of the profile that names it
	layers      []layer
	notes       []string // decisions worth a line at info level (a clamped duration)
}

// LayerKind tells the STS layers of a [Plan] apart.
type LayerKind string

const (
	// LayerGetSessionToken is an MFA session: STS GetSessionToken.
	LayerGetSessionToken LayerKind = "GetSessionToken"
	// LayerAssumeRole is one role hop: STS AssumeRole.
	LayerAssumeRole LayerKind = "AssumeRole"
)

// layer is one planned STS layer.
type layer struct {
	kind        LayerKind
	name        string // e.g. AssumeRole[1] or profile "admin", for logs and errors
	profile     string // the profile a role hop comes from; "" for WithAssumeRole
	role        AssumeRole
	sessionName string // the one sent: role.RoleSessionName or a generated one
	duration    time.Duration
	mfaSerial   string // the MFA device whose code this layer sends; "" none
	chained     bool   // a role assumed with temporary credentials (1 h cap)
	key         string
}

// identity is what a layer's credentials depend on besides the layer
// below: it is hashed into the cache key, so that the key follows the
// layer's value instead of a list of fields kept by hand.
func (l layer) identity() any {
	r := l.role
	r.Duration = l.duration // the effective one; RoleSessionName stays as asked, so a generated name is found again
	return struct {
		Kind      LayerKind
		Role      AssumeRole
		MFASerial string
	}{l.kind, r, l.mfaSerial}
}

// account is the account a role layer's credentials belong to, "" when
// not known before the call.
func (l layer) account() string {
	if l.kind != LayerAssumeRole {
		return ""
	}
	a, err := stsrules.ParseARN(l.role.RoleARN)
	if err != nil {
		return ""
	}
	return a.Account
}

// makePlan plans the session from the checked options and the snapshot.
// It is pure: it does no I/O, reads no clock, logs nothing and changes
// neither argument.
func makePlan(o *options, s *snapshot) (*plan, error) {
	p := &plan{files: s.files, stsEndpoint: o.stsEndpoint, configured: configuredEndpoints(s)}
	if s.profile != nil {
		p.profile = s.profile.top
		if s.profile.standIn {
			// The SDK cannot parse a role on a base it does not count
			// (keys from WithSource, a login_session): the config takes
			// the base's settings.
			p.profile = s.profile.base.Profile
		}
	}
	var err error
	if p.region, err = resolveRegion(o, s); err != nil {
		return nil, err
	}
	if p.src, err = planSource(o, s, p.endpointOf(serviceSTS).url); err != nil {
		return nil, err
	}
	if p.src.login != nil {
		p.src.login.region = p.region // the Sign-In endpoint is the session's region's
	}
	hops, err := planHops(o, p.src)
	if err != nil {
		return nil, err
	}
	device, err := o.device(p.src, hops)
	if err != nil {
		return nil, err
	}
	p.mfaSerial = device
	p.mfaProcess = mfaProcessOf(s, hops, p.src, device)
	gst, note := mfaSession(o, p.src, device, hops)
	if note != "" {
		p.notes = append(p.notes, note)
	}
	var parent any = p.src.id
	if gst != nil {
		if p.src.temporary {
			return nil, conflict(optionAt(OptionWithGetSessionToken, ""), "GetSessionToken needs long-term IAM user keys, but %s gives temporary credentials (STS refuses: Cannot call GetSessionToken with session credentials)", p.src.name)
		}
		l := layer{kind: LayerGetSessionToken, name: "GetSessionToken", duration: *gst, mfaSerial: device}
		l.key = o.cacheKey(parent, l)
		p.layers = append(p.layers, l)
		parent = l.key
	}
	mfaPending := device != "" && gst == nil
	explicit := !slices.ContainsFunc(hops, func(h hop) bool { return h.serial != "" }) // no hop names the device
	for i, h := range hops {
		l := layer{kind: LayerAssumeRole, name: h.label(), profile: h.profile, role: h.role,
			sessionName: h.role.RoleSessionName, duration: h.role.Duration,
			chained: i > 0 || gst != nil || p.src.temporary}
		if mfaPending && (h.serial != "" || explicit) {
			l.mfaSerial = device
			if explicit {
				mfaPending = false // the lowest hop takes it
			}
		}
		if l.sessionName == "" {
			l.sessionName = defaultSessionName(s.now)
		}
		if l.duration == 0 {
			l.duration = DefaultRoleDuration
		}
		if err := o.capChained(p, &l, h, signer(p, hops, i)); err != nil {
			return nil, err
		}
		l.key = o.cacheKey(parent, l)
		p.layers = append(p.layers, l)
		parent = l.key
	}
	if device != "" && !slices.ContainsFunc(p.layers, func(l layer) bool { return l.mfaSerial != "" }) {
		return nil, conflict(optionAt(OptionWithMFA, ""), "no layer takes an MFA code").advise(RemedyAddMFALayer)
	}
	if err := o.checkPlannedAccount(p); err != nil {
		return nil, err
	}
	return p, p.checkRoutes(o)
}

// planHops lists the role hops bottom up, the profile chain's and then
// WithAssumeRole's, each checked by the one hop rule.
func planHops(o *options, src source) ([]hop, error) {
	var hops []hop
	var errs []error
	if c := src.profile; c != nil {
		for _, h := range c.hops {
			ph := hop{role: h.role, profile: h.profile, serial: h.mfaSerial, index: -1}
			errs = append(errs, ph.validate())
			hops = append(hops, ph)
		}
	}
	for i, r := range o.roles {
		hops = append(hops, hop{role: r, index: i}) // checked with the options
	}
	return hops, errors.Join(errs...)
}

// mfaSession decides whether an MFA session (GetSessionToken) goes at the
// bottom of the STS layers, and for how long: WithGetSessionToken asks for
// one; a keys-only profile that names an MFA device gets one (aws-vault's
// meaning of mfa_serial there); WithDefaultMFASession puts one under roles
// that would send a code, or takes a device nothing else takes, when the
// source is long-term keys. It is the one place of that policy.
func mfaSession(o *options, src source, device string, hops []hop) (*time.Duration, string) {
	d := func(v time.Duration) *time.Duration {
		if v == 0 {
			v = DefaultSessionTokenDuration
		}
		return &v
	}
	switch {
	case o.gst != nil:
		return d(*o.gst), ""
	case src.baseSerial() != "":
		return d(0), ""
	case o.defaultMFASession == nil || device == "" || !src.longTerm():
		return nil, ""
	}
	for _, h := range hops {
		if h.role.Duration > time.Hour {
			return nil, fmt.Sprintf("role %s asks for %s, over the 1 h STS allows for a role assumed with MFA session credentials: "+
				"the MFA code goes to AssumeRole instead of an MFA session, so each refresh of it needs a new code", h.role.RoleARN, h.role.Duration)
		}
	}
	return d(*o.defaultMFASession), ""
}

// device resolves the MFA device of the session, "" for none, and checks
// that the options supply its codes.
func (o *options) device(src source, hops []hop) (string, error) {
	var serials []string
	for _, h := range hops {
		if h.serial != "" && !slices.Contains(serials, h.serial) {
			serials = append(serials, h.serial)
		}
	}
	if s := src.baseSerial(); s != "" && !slices.Contains(serials, s) {
		serials = append(serials, s)
	}
	m := o.mfa
	switch {
	case len(serials) > 1:
		return "", conflict(src.profile.at("mfa_serial"), "the profile chain uses MFA devices %s; a session uses one", strings.Join(serials, ", "))
	case m == nil && len(serials) == 1:
		return "", invalid(src.profile.at("mfa_serial"), "names MFA device %s, and nothing supplies its codes", serials[0]).advise(RemedySupplyMFACodes)
	case m == nil:
		return "", nil
	case len(serials) == 1 && m.SerialNumber != "" && m.SerialNumber != serials[0]:
		return "", conflict(optionAt(OptionWithMFA, ""), "device %s differs from the profile's mfa_serial %s", m.SerialNumber, serials[0])
	case len(serials) == 1:
		return serials[0], nil
	case m.ifProfileHasOne:
		return "", nil // no device to supply codes for
	case m.SerialNumber == "":
		return "", invalid(optionAt(OptionWithMFA, "SerialNumber"), "%s names no MFA device (mfa_serial) for the codes to go to; name the device (an empty serial means the profile's)", src.name)
	}
	return m.SerialNumber, nil
}

// mfaProcessOf is the mfa_process of the profile that names device: the
// lowest hop that does, else the base.
func mfaProcessOf(s *snapshot, hops []hop, src source, device string) string {
	for _, h := range hops {
		if h.serial == device && h.profile != "" {
			return s.mfaProcesses[h.profile]
		}
	}
	if src.baseSerial() == device && src.profile != nil {
		return s.mfaProcesses[src.profile.base.Profile]
	}
	return ""
}

// cacheKey is the key of layer l above parent in the session's cache, ""
// without a cache.
func (o *options) cacheKey(parent any, l layer) string {
	if o.cache == nil {
		return ""
	}
	kind := "role"
	if l.kind == LayerGetSessionToken {
		kind = "session"
	}
	return cacheKey(kind, parent, l.identity())
}

// defaultSessionName is a valid, readable RoleSessionName for a hop whose
// caller gave none, the same for flags and profiles.
func defaultSessionName(now time.Time) string {
	return "awssession-" + strings.ToLower(now.UTC().Format("20060102T150405Z"))
}
