package keyring

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Provider is the aws.CredentialsProvider of a profile's long-term keys in
// the keyring. It opens the keyring in Retrieve, not before: building a
// session that never needs the keys (its top layer is cached) never
// unlocks the keyring nor asks for a passphrase. The credentials do not
// expire, so a credentials cache above it calls Retrieve once. Retrieve
// does not change the Provider: it is safe for concurrent use as far as
// Settings.Passphrase is.
type Provider struct {
	Settings Settings
	Profile  string
}

var _ aws.CredentialsProvider = (*Provider)(nil)

// Retrieve reads the profile's keys and, when the profile's record does
// not stamp them (see Keyring.CacheID), stamps them. Its errors match ErrNotFound,
// ErrLocked, ErrNoBackend or ErrWrongPassphrase when the keyring cannot
// give them: they are for the user to fix, not a reason to look for
// credentials elsewhere.
func (p *Provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if err := ctx.Err(); err != nil {
		return aws.Credentials{}, err
	}
	kr, err := Open(p.Settings)
	if err != nil {
		return aws.Credentials{}, err
	}
	key, err := kr.Keys(p.Profile)
	if err != nil {
		return aws.Credentials{}, err
	}
	// Keys stored without a stamp (or changed behind awssession's back)
	// are stamped now, best effort: the next run's cache id is theirs.
	if r, err := kr.readRecord(p.Profile); err != nil || !r.stamped(key) {
		_ = kr.stamp(p.Profile, key)
	}
	return aws.Credentials{
		AccessKeyID:     key.ID,
		SecretAccessKey: key.Secret.Reveal(),
		Source:          "awssession keyring (" + kr.Backend() + ")",
	}, nil
}
