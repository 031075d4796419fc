package awssession

import (
	"context"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// PeekCredentials returns the credentials of the session opts describe if
// they are at hand without loading the shared configuration: static keys
// with no STS layer above them, or a fresh entry of the session's top
// layer in its [Cache]. It builds no HTTP or STS client, reads no
// AWS_CA_BUNDLE (which every config.LoadDefaultConfig parses, about 5 ms),
// takes no lock and makes no network call: it is the fast path of commands
// that run many times a day, such as a credential_process.
//
// It applies to sessions whose source is [WithStaticCredentials] and whose
// region is given with [WithRegion], and whose [WithConfigOptions] name at
// most the shared config and credentials files: for those the shared
// configuration cannot change the credentials. It checks the options as
// [CreateSession] does and returns the same credentials, expiry included,
// that the Credentials of CreateSession's config would return first. ok is
// false for other sessions and on a cache miss; then call CreateSession.
//
// Since it does not load the shared configuration, it does not report
// problems there that CreateSession would (an unreadable AWS_CA_BUNDLE, an
// AWS_PROFILE naming a missing profile); the first call that needs STS
// does.
func PeekCredentials(ctx context.Context, opts ...Option) (creds aws.Credentials, ok bool, err error) {
	o := collect(opts)
	if err := o.validate(); err != nil {
		return aws.Credentials{}, false, err
	}
	if !o.peekable() {
		return aws.Credentials{}, false, nil
	}
	// With static keys the SDK resolves no profile role, and with
	// WithRegion the config's region is o.region: the plan is the one
	// CreateSession would make.
	p, err := o.plan(aws.Config{Region: o.region}, &profileRoles{})
	if err != nil {
		return aws.Credentials{}, false, err
	}
	switch {
	case len(p.layers) == 0:
		s := o.static
		creds, err = credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.SecretAccessKey.reveal(), s.SessionToken.reveal()).Retrieve(ctx)
		return creds, err == nil, err
	case o.cache == nil:
		return aws.Credentials{}, false, nil
	}
	l := p.layers[len(p.layers)-1]
	creds, hit := (&cachedLayer{name: l.name, key: l.key, cache: o.cache, log: o.logger, now: o.now}).lookup(ctx, "cache hit")
	if !hit {
		return aws.Credentials{}, false, nil
	}
	// CreateSession's top layer hands this entry out through the SDK's
	// credentials cache, which moves Expires earlier by its expiry window
	// (no jitter is configured). Going through an aws.CredentialsCache here
	// cost a goroutine and a crypto/rand read: half of a first peek in a
	// new process. TestPeekCredentialsWarmCache holds the two equal.
	creds.Expires = creds.Expires.Add(-expiryWindow)
	return creds, true, nil
}

// peekable reports options whose credentials do not depend on the shared
// configuration or the environment: static keys, an explicit region, and
// config options that only locate the shared files.
func (o *options) peekable() bool {
	if o.static == nil || o.region == "" {
		return false
	}
	var lo config.LoadOptions
	for _, fn := range o.loadOptions {
		if fn(&lo) != nil {
			return false // CreateSession reports it
		}
	}
	lo.SharedConfigFiles, lo.SharedCredentialsFiles = nil, nil
	return reflect.DeepEqual(lo, config.LoadOptions{})
}
