package awssession

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
)

// plan is the chain a session will build: what signs the first call, the
// STS layers above it and the region. It is a value computed from the
// options and the parsed shared files alone, before any network call, and
// it is all that building, explaining and peeking need.
type plan struct {
	src       source
	region    string
	files     sharedFiles
	mfaSerial string // the device whose code some layer sends; "" none
	layers    []layer
	notes     []string // decisions worth a line at info level (a clamped duration)
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

// makePlan plans the session from the checked options and what load read.
// It is pure: it does no I/O, logs nothing and changes neither argument.
func makePlan(o *options, in loaded) (*plan, error) {
	src, err := o.source(in)
	if err != nil {
		return nil, err
	}
	p := &plan{src: src, files: in.files}
	if p.region, err = o.resolveRegion(in); err != nil {
		return nil, err
	}
	var hops []hop
	if in.chain != nil {
		for _, h := range in.chain.hops {
			hops = append(hops, hop{role: h.role, profile: h.profile, serial: h.mfaSerial, index: -1})
		}
	}
	for i, r := range o.roles {
		hops = append(hops, hop{role: r, name: fmt.Sprintf("AssumeRole[%d]", i), index: i})
	}
	device, err := o.device(src, hops)
	if err != nil {
		return nil, err
	}
	p.mfaSerial = device
	gst := o.gst
	if gst == nil && src.baseSerial() != "" {
		d := time.Duration(0) // a keys-only profile that names a device: an MFA session
		gst = &d
	}
	if gst == nil && o.defaultMFASession != nil && device != "" && src.longTerm() {
		gst = o.defaultMFASession
		for _, h := range hops {
			if h.role.Duration > time.Hour {
				p.notes = append(p.notes, fmt.Sprintf("%s asks for %s, over the 1 h STS allows for a role assumed with MFA session credentials: "+
					"the MFA code goes to AssumeRole instead of an MFA session, so each refresh of it needs a new code", "role "+h.role.RoleARN, h.role.Duration))
				gst = nil
				break
			}
		}
	}
	var parent any = src.id
	if gst != nil {
		if src.temporary {
			return nil, conflict(optionAt("WithGetSessionToken", ""), "GetSessionToken needs long-term IAM user keys, but %s gives temporary credentials (STS refuses: Cannot call GetSessionToken with session credentials)", src.name)
		}
		d := *gst
		if d == 0 {
			d = DefaultSessionTokenDuration
		}
		l := layer{kind: LayerGetSessionToken, name: "GetSessionToken", duration: d, mfaSerial: device}
		l.key = o.cacheKey(parent, l)
		p.layers = append(p.layers, l)
		parent = l.key
	}
	mfaPending := device != "" && gst == nil
	explicit := slices.IndexFunc(hops, func(h hop) bool { return h.serial != "" }) < 0 // no hop names the device
	now := o.world.clock.Now()
	for i, h := range hops {
		l := layer{kind: LayerAssumeRole, name: h.label(), profile: h.profile, role: h.role,
			sessionName: h.role.RoleSessionName, duration: h.role.Duration,
			chained: i > 0 || gst != nil || src.temporary}
		if mfaPending && (h.serial != "" || explicit) {
			l.mfaSerial = device
			if explicit {
				mfaPending = false // the lowest hop takes it
			}
		}
		if l.sessionName == "" {
			l.sessionName = defaultSessionName(now)
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
		return nil, conflict(optionAt("WithMFA", ""), "no layer takes an MFA code").advise(RemedyAddMFALayer)
	}
	if err := o.checkPlannedAccount(p); err != nil {
		return nil, err
	}
	return p, nil
}

// hop is a role hop before planning: a profile's role_arn or a
// WithAssumeRole.
type hop struct {
	role    AssumeRole
	profile string // "" for WithAssumeRole
	name    string // WithAssumeRole's index, for errors
	serial  string // the profile's mfa_serial
	index   int    // WithAssumeRole's index; -1 for a profile's role
}

func (h hop) label() string {
	if h.profile != "" {
		return fmt.Sprintf("profile %q", h.profile)
	}
	return h.name
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
		return "", conflict(optionAt("WithMFA", ""), "device %s differs from the profile's mfa_serial %s", m.SerialNumber, serials[0])
	case len(serials) == 1:
		return serials[0], nil
	case m.ifProfileHasOne:
		return "", nil // no device to supply codes for
	case m.SerialNumber == "":
		return "", invalid(optionAt("WithMFA", "SerialNumber"), "%s names no MFA device (mfa_serial) for the codes to go to; name the device (an empty serial means the profile's)", src.name)
	}
	return m.SerialNumber, nil
}

// resolveRegion is the region as config.LoadDefaultConfig resolves it:
// WithRegion, AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
func (o *options) resolveRegion(in loaded) (string, error) {
	if o.region != "" {
		return o.region, nil
	}
	region, from := o.world.getenv("AWS_REGION"), namedAt("AWS_REGION")
	if region == "" {
		region, from = o.world.getenv("AWS_DEFAULT_REGION"), namedAt("AWS_DEFAULT_REGION")
	}
	if region == "" && in.chain != nil {
		region, from = in.chain.region, in.chain.at("region")
	}
	if region == "" {
		return "", nil
	}
	if !isRegion(region) {
		return "", invalid(from, "%q is not a region name like us-east-1", region)
	}
	return region, o.validatePartitions(region)
}

// capChained applies the 1 h limit STS sets on chained role sessions to
// layer l of hop h.
func (o *options) capChained(p *plan, l *layer, h hop, signer string) error {
	if !l.chained || l.duration <= time.Hour {
		return nil
	}
	if o.durations == ClampDurations {
		p.notes = append(p.notes, fmt.Sprintf("role %s: duration clamped from %s to the 1 h limit for chained roles", l.role.RoleARN, l.duration))
		l.duration = time.Hour
		return nil
	}
	field := roleAt(h.index, "Duration")
	if h.profile != "" {
		field = profileAt(h.profile, "duration_seconds")
	}
	return invalid(field, "%s exceeds the 1 hour limit STS sets for roles assumed with temporary credentials (this hop is signed by %s)",
		l.duration, signer).advise(RemedyClampDurations)
}

// signer describes what signs hop i's AssumeRole call.
func signer(p *plan, hops []hop, i int) string {
	switch {
	case i > 0 && hops[i-1].profile != "":
		return "the session of " + hops[i-1].label()
	case i > 0:
		return "the session of role " + hops[i-1].role.RoleARN
	case len(p.layers) > 0:
		return "GetSessionToken credentials"
	}
	return p.src.name
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

// logNotes logs the plan's decisions at info level.
func (p *plan) logNotes(l *slog.Logger) {
	for _, n := range p.notes {
		l.Info(n)
	}
}

// defaultSessionName is a valid, readable RoleSessionName for a hop whose
// caller gave none, the same for flags and profiles.
func defaultSessionName(now time.Time) string {
	return "awssession-" + strings.ToLower(now.UTC().Format("20060102T150405Z"))
}
