package awssession

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// profileRoles adapts the SDK's own resolution of profiles that carry
// role_arn (config.LoadDefaultConfig builds a stscreds.AssumeRoleProvider
// per hop): it supplies the MFA token provider, the 1 h default duration,
// the session's STS endpoint and call logging, and records what the
// profile asked for so CreateSession can check it before any network call.
type profileRoles struct {
	mfa      *mfaSource
	endpoint string
	log      *slog.Logger
	clamp    bool // ClampDurations: chained profile roles get at most 1 h

	mu      sync.Mutex
	sawRole bool
	serials []string
	hops    []profileHop // in the order the SDK built them
}

// profileHop is what a profile role's credentials depend on, for its cache
// key. ExternalID is hashed into the key, never stored.
type profileHop struct {
	RoleARN, SessionName, ExternalID, SerialNumber string
	Duration                                       time.Duration
}

// apply is given to config.WithAssumeRoleCredentialOptions. The SDK calls
// it while loading the config (once to check, once to build each hop).
func (h *profileRoles) apply(o *stscreds.AssumeRoleOptions) {
	if o.Duration == 0 {
		o.Duration = DefaultRoleDuration
	}
	if o.Client != nil {
		o.Client = &profileRoleClient{next: o.Client, endpoint: h.endpoint, log: h.log}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sawRole = true
	if o.RoleARN != "" { // the SDK's build call, not its early check
		// The SDK builds the chain bottom up: every hop after the first
		// is signed by a role session.
		if len(h.hops) > 0 && h.clamp && o.Duration > time.Hour {
			h.log.Info("profile role duration clamped to the 1 h limit for chained roles",
				slog.String("role", o.RoleARN), slog.Duration("requested", o.Duration))
			o.Duration = time.Hour
		}
		h.hops = append(h.hops, profileHop{RoleARN: o.RoleARN, SessionName: o.RoleSessionName,
			ExternalID: deref(o.ExternalID), SerialNumber: deref(o.SerialNumber), Duration: o.Duration})
	}
	if o.SerialNumber == nil {
		return
	}
	serial := *o.SerialNumber
	if !slices.Contains(h.serials, serial) {
		h.serials = append(h.serials, serial)
	}
	mfa := h.mfa
	// stscreds' TokenProvider takes no context; CreateSession refuses a
	// profile whose serial differs from WithMFA's, so mfa is this device.
	o.TokenProvider = func() (string, error) {
		if mfa == nil {
			return "", invalid("WithMFA", "profile uses MFA device %s; pass WithMFA with a token provider", serial)
		}
		code, err := mfa.code(context.Background())
		return code.reveal(), err
	}
}

func (h *profileRoles) state() (sawRole bool, serials []string, hops []profileHop) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sawRole, h.serials, h.hops
}

// profileRoleClient sends the SDK's AssumeRole calls for profile roles to
// the session's endpoint and logs them.
type profileRoleClient struct {
	next     stscreds.AssumeRoleAPIClient
	endpoint string
	log      *slog.Logger
}

func (c *profileRoleClient) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, fns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	fns = append(fns, stsOptions(c.endpoint))
	attrs := []slog.Attr{slog.String("role", deref(in.RoleArn)), slog.String("layer", "profile")}
	if in.SerialNumber != nil {
		attrs = append(attrs, slog.String("serial", *in.SerialNumber))
	}
	if in.DurationSeconds != nil {
		attrs = append(attrs, slog.Duration("duration", time.Duration(*in.DurationSeconds)*time.Second))
	}
	start := time.Now()
	out, err := c.next.AssumeRole(ctx, in, fns...)
	if err != nil {
		logCall(ctx, c.log, "AssumeRole", start, middleware.Metadata{}, err, attrs...)
		return nil, classifyMFA(deref(in.SerialNumber), err)
	}
	logCall(ctx, c.log, "AssumeRole", start, out.ResultMetadata, nil, attrs...)
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
