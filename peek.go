package awssession

import (
	"context"
	"log/slog"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// PeekedSession is what [PeekSession] found: the credentials the
// session's config would hand out first, and its region.
type PeekedSession struct {
	Credentials aws.Credentials
	// Region is WithRegion's, or the one the environment or the profile
	// gave CreateSession.
	Region string
}

// PeekSession returns the credentials and region of the session opts
// describe if they are at hand without loading the shared configuration.
// It builds no HTTP or STS client, reads no AWS_CA_BUNDLE (which every
// config.LoadDefaultConfig parses, about 5 ms), takes no lock and makes no
// network call: it is the fast path of commands that run many times a
// day, such as a credential_process. It answers for:
//
//   - static keys ([WithStaticCredentials]) with a region ([WithRegion]):
//     the keys themselves, or a fresh entry of the top layer in the
//     session's [Cache];
//   - any other session with a cache (a profile, the default chain, a
//     region from the environment) that [CreateSession] has built before
//     with the same options, environment and shared config files: its
//     top layer's fresh cache entry. CreateSession leaves a small record
//     of its plan in the cache for this; a change to any of those inputs
//     (an edited ~/.aws/config, another AWS_PROFILE) is a miss.
//
// In both cases [WithConfigOptions] may only name the shared config and
// credentials files. It checks the options as CreateSession does and
// returns the credentials, expiry included, that the Credentials of
// CreateSession's config would return first. ok is false for other
// sessions and on a miss; then call CreateSession.
//
// Since it does not load the shared configuration, it does not report
// problems there that CreateSession would (an unreadable AWS_CA_BUNDLE);
// the first call that needs STS does.
func PeekSession(ctx context.Context, opts ...Option) (s PeekedSession, ok bool, err error) {
	o := collect(opts)
	if err := o.validate(); err != nil {
		return PeekedSession{}, false, err
	}
	lo, files := o.fileLoadOptions()
	switch {
	case !files:
		return PeekedSession{}, false, nil
	case o.static != nil && o.region != "":
		return o.peekStatic(ctx)
	case o.cache == nil:
		return PeekedSession{}, false, nil
	}
	st, reason := readStamp(ctx, o.cache, o.stampKey(sharedFiles(&lo, o.getenv), o.environ()))
	if reason != "" {
		o.logger.LogAttrs(ctx, slog.LevelDebug, "peek miss", slog.String("reason", reason))
		return PeekedSession{}, false, nil
	}
	creds, ok := o.peekTop(ctx, st.Layer, st.Top)
	return PeekedSession{Credentials: creds, Region: st.Region}, ok, nil
}

// peekStatic serves sessions on static keys with a region: the SDK
// resolves no profile role for them and the region is o.region, so the
// plan is the one CreateSession would make without loading anything.
func (o *options) peekStatic(ctx context.Context) (PeekedSession, bool, error) {
	p, err := o.plan(aws.Config{Region: o.region}, &profileRoles{})
	if err != nil {
		return PeekedSession{}, false, err
	}
	switch {
	case len(p.layers) == 0:
		s := o.static
		creds, err := credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.SecretAccessKey.reveal(), s.SessionToken.reveal()).Retrieve(ctx)
		return PeekedSession{Credentials: creds, Region: o.region}, err == nil, err
	case o.cache == nil:
		return PeekedSession{}, false, nil
	}
	l := p.layers[len(p.layers)-1]
	creds, ok := o.peekTop(ctx, l.name, l.key)
	return PeekedSession{Credentials: creds, Region: o.region}, ok, nil
}

// peekTop returns the top layer's fresh cache entry as CreateSession's
// config would first hand it out.
func (o *options) peekTop(ctx context.Context, name, key string) (aws.Credentials, bool) {
	creds, hit := (&cachedLayer{name: name, key: key, cache: o.cache, log: o.logger, now: o.now}).lookup(ctx, "cache hit")
	if !hit {
		return aws.Credentials{}, false
	}
	// CreateSession's top layer hands this entry out through the SDK's
	// credentials cache, which moves Expires earlier by its expiry window
	// (no jitter is configured). Going through an aws.CredentialsCache here
	// cost a goroutine and a crypto/rand read: half of a first peek in a
	// new process. TestPeekSessionWarmCache holds the two equal.
	creds.Expires = creds.Expires.Add(-expiryWindow)
	return creds, true
}

// fileLoadOptions applies the WithConfigOptions to a LoadOptions and
// reports whether they do nothing but locate the shared files: only then
// are the options, the environment and those files all the SDK reads.
func (o *options) fileLoadOptions() (config.LoadOptions, bool) {
	var lo config.LoadOptions
	for _, fn := range o.loadOptions {
		if fn(&lo) != nil {
			return lo, false // CreateSession reports it
		}
	}
	rest := lo
	rest.SharedConfigFiles, rest.SharedCredentialsFiles = nil, nil
	return lo, reflect.DeepEqual(rest, config.LoadOptions{})
}
