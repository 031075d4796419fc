package awssession

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// PeekedSession is what [PeekSession] found: the credentials the
// session's config would hand out first, and its region.
type PeekedSession struct {
	Credentials aws.Credentials
	// Region is the session's region as CreateSession resolves it.
	Region string
}

// PeekSession returns the credentials and region of the session opts
// describe when they are at hand without any network call and without
// loading the SDK's config (no AWS_CA_BUNDLE parse, no HTTP or STS
// client): static keys with no STS layer above them, or the top layer's
// fresh entry in the session's [Cache]. It plans exactly as
// [CreateSession] does, from the options and the shared files, and
// checks the same things; ok is false on a miss, and then CreateSession
// does the work. It is the warm path of commands that run many times a
// day, such as a credential_process.
func PeekSession(ctx context.Context, opts ...Option) (s PeekedSession, ok bool, err error) {
	ses, err := prepare(ctx, opts)
	if err != nil {
		return PeekedSession{}, false, err
	}
	p := ses.plan
	s.Region = p.region
	if len(p.layers) == 0 {
		if p.src.kind != SourceKeys || ses.o.expectedAccount != "" {
			// Keys alone name no account: CreateSession asks STS.
			return PeekedSession{}, false, nil
		}
		s.Credentials = p.src.keys.credentials(staticSource)
		return s, true, nil
	}
	if ses.o.cache == nil {
		return PeekedSession{}, false, nil
	}
	creds, hit := ses.layerCache(len(p.layers)-1).lookup(ctx, "cache hit")
	if !hit {
		return PeekedSession{}, false, nil
	}
	creds.Expires = handedOutUntil(creds.Expires)
	s.Credentials = creds
	return s, true, nil
}

// handedOutUntil is the expiry the top layer's aws.CredentialsCache
// reports for credentials that expire at t: it moves Expires earlier by
// its expiry window (no jitter is configured). Explain, PeekSession and
// the config's Credentials all show this one time.
func handedOutUntil(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Add(-expiryWindow)
}
