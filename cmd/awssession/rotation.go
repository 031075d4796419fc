package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/awssession/awssession/internal/keyring"
)

// iamAPI is the part of IAM that rotate calls, each call signed with the
// key given.
type iamAPI interface {
	CreateAccessKey(ctx context.Context, key keyring.AccessKey) (keyring.AccessKey, error)
	DeleteAccessKey(ctx context.Context, key keyring.AccessKey, id string) error
	// ListAccessKeys returns the IDs of the signing user's access keys.
	ListAccessKeys(ctx context.Context, key keyring.AccessKey) ([]string, error)
}

// proveAttempts is how often rotate tries the new key with STS before it
// gives up on it.
const proveAttempts = 6

// rotation replaces a long-term access key, step by step; each field is
// one step, so tests can make any of them fail.
type rotation struct {
	iam iamAPI
	// prove checks that STS accepts key.
	prove func(ctx context.Context, key keyring.AccessKey) error
	// store puts key in the keyring in place of the old one; stored
	// reads back what the keyring holds.
	store  func(key keyring.AccessKey) error
	stored func() (keyring.AccessKey, error)
	// record records the rotation in progress (nil: none); pending is
	// the one an earlier run left, if any (see keyring.Rotation).
	record  func(*keyring.Rotation) error
	pending *keyring.Rotation
	// confirm asks a yes/no question on the terminal; ok is false when
	// there is none.
	confirm func(ctx context.Context, question string) (yes, ok bool, err error)
	// wait pauses before attempt n+1 of prove.
	wait func(ctx context.Context, n int) error
	now  func() time.Time
}

// run rotates old and returns the new key. Until the new key is proven,
// stored and read back from the keyring, the old one stays in IAM and in
// the keyring; a new key that is not kept is deleted again, so that the
// user is not left at IAM's two-key limit. A record of the rotation, made
// before CreateAccessKey and given the new key's ID as soon as IAM returns
// it, lets a later run name the key an interrupted one left in IAM. Every
// error says what IAM and the keyring hold.
func (r rotation) run(ctx context.Context, old keyring.AccessKey) (keyring.AccessKey, error) {
	if r.pending == nil {
		// With a record left by an interrupted run, that record stays
		// until this run has a new key: it names the key in the way.
		if err := r.record(&keyring.Rotation{OldKeyID: old.ID, Started: r.now()}); err != nil {
			return keyring.AccessKey{}, fmt.Errorf("record the rotation before creating a key (nothing changed: the old key %s is stored and in IAM): %w", old.ID, err)
		}
	}
	key, err := r.create(ctx, old)
	if err != nil {
		if r.pending == nil {
			_ = r.record(nil)
		}
		return keyring.AccessKey{}, err
	}
	_ = r.record(&keyring.Rotation{OldKeyID: old.ID, NewKeyID: key.ID, Started: r.now()}) // best effort: the key exists now

	if err := r.proveNew(ctx, key); err != nil {
		return keyring.AccessKey{}, r.discard(ctx, old, key, fmt.Errorf("the new access key does not work: %w", err), "the keyring still holds the old key")
	}
	if err := r.store(key); err != nil {
		switch held, rerr := r.stored(); {
		case rerr == nil && held.ID == key.ID:
			// Stored after all (the error came later): keep it.
		case rerr == nil && held.ID == old.ID:
			return keyring.AccessKey{}, r.discard(ctx, old, key, fmt.Errorf("store the new access key: %w", err), "the keyring still holds the old key")
		default:
			return keyring.AccessKey{}, r.discard(ctx, old, key, fmt.Errorf("store the new access key: %w", err),
				fmt.Sprintf("the keyring's item could not be read back (%v); check it with 'awssession list'; the old key stays in IAM", rerr))
		}
	}
	if err := r.iam.DeleteAccessKey(ctx, key, old.ID); err != nil {
		return key, fmt.Errorf("the new key %s is stored and works, but the old key %s could not be deleted: delete it in IAM: %w", key.ID, old.ID, err)
	}
	_ = r.record(nil)
	return key, nil
}

// create calls CreateAccessKey. When IAM refuses because the user holds
// two keys already, the error names the other one and, if an interrupted
// rotate made it (see inTheWay), offers on a terminal to delete it and try
// once more.
func (r rotation) create(ctx context.Context, old keyring.AccessKey) (keyring.AccessKey, error) {
	key, err := r.iam.CreateAccessKey(ctx, old)
	if err == nil {
		return key, nil
	}
	if !isLimitExceeded(err) {
		return keyring.AccessKey{}, fmt.Errorf("create a new access key (the old one, %s, is unchanged): %w", old.ID, err)
	}
	stray := r.inTheWay(ctx, old)
	if stray.ours && r.confirm != nil {
		yes, ok, cerr := r.confirm(ctx, fmt.Sprintf("%s. Delete %s and rotate?", stray.describe(old), stray.id))
		switch {
		case cerr != nil:
			return keyring.AccessKey{}, cerr
		case ok && yes:
			if derr := r.iam.DeleteAccessKey(ctx, old, stray.id); derr != nil {
				return keyring.AccessKey{}, fmt.Errorf("delete access key %s (the old one, %s, is unchanged): %w", stray.id, old.ID, derr)
			}
			if key, err = r.iam.CreateAccessKey(ctx, old); err == nil {
				return key, nil
			}
			return keyring.AccessKey{}, fmt.Errorf("create a new access key after deleting %s (the old one, %s, is unchanged): %w", stray.id, old.ID, err)
		}
	}
	return keyring.AccessKey{}, &strayKeyError{stray: stray, old: old, err: err}
}

// discard deletes the new key that will not be kept (with a context that
// an interrupt does not cancel: the key must go even after Ctrl-C) and
// says what IAM and the keyring hold then.
func (r rotation) discard(ctx context.Context, old, key keyring.AccessKey, cause error, keyringState string) error {
	if err := r.iam.DeleteAccessKey(context.WithoutCancel(ctx), old, key.ID); err != nil {
		return fmt.Errorf("%w; %s %s, but the new key %s could not be deleted: delete it in IAM (%v)", cause, keyringState, old.ID, key.ID, err)
	}
	_ = r.record(nil)
	return fmt.Errorf("%w; the new key %s was deleted; %s %s, unchanged and in IAM", cause, key.ID, keyringState, old.ID)
}

// proveNew tries key with STS until it works, proveAttempts times at most.
func (r rotation) proveNew(ctx context.Context, key keyring.AccessKey) error {
	var err error
	for n := 0; n < proveAttempts; n++ {
		if n > 0 {
			if werr := r.wait(ctx, n-1); werr != nil {
				return werr
			}
		}
		if err = r.prove(ctx, key); err == nil {
			return nil
		}
	}
	return err
}

// iamClient signs each IAM call with the key it is given, and bounds it
// by timeout (retries included).
type iamClient struct {
	client  *iam.Client
	timeout time.Duration
}

func (c iamClient) signed(ctx context.Context, key keyring.AccessKey) (context.Context, context.CancelFunc, func(*iam.Options)) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	return ctx, cancel, func(o *iam.Options) {
		o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret.Reveal(), Source: "awssession rotate"}, nil
		})
	}
}

func (c iamClient) CreateAccessKey(ctx context.Context, key keyring.AccessKey) (keyring.AccessKey, error) {
	ctx, cancel, signed := c.signed(ctx, key)
	defer cancel()
	out, err := c.client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}, signed)
	if err != nil {
		return keyring.AccessKey{}, c.callError(ctx, "CreateAccessKey", err)
	}
	if out.AccessKey == nil || aws.ToString(out.AccessKey.AccessKeyId) == "" || aws.ToString(out.AccessKey.SecretAccessKey) == "" {
		return keyring.AccessKey{}, errors.New("IAM returned no key")
	}
	return keyring.AccessKey{ID: aws.ToString(out.AccessKey.AccessKeyId), Secret: keyring.Secret(aws.ToString(out.AccessKey.SecretAccessKey))}, nil
}

func (c iamClient) DeleteAccessKey(ctx context.Context, key keyring.AccessKey, id string) error {
	ctx, cancel, signed := c.signed(ctx, key)
	defer cancel()
	_, err := c.client.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(id)}, signed)
	return c.callError(ctx, "DeleteAccessKey", err)
}

func (c iamClient) ListAccessKeys(ctx context.Context, key keyring.AccessKey) ([]string, error) {
	ctx, cancel, signed := c.signed(ctx, key)
	defer cancel()
	out, err := c.client.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}, signed)
	if err != nil {
		return nil, c.callError(ctx, "ListAccessKeys", err)
	}
	var ids []string
	for _, k := range out.AccessKeyMetadata {
		ids = append(ids, aws.ToString(k.AccessKeyId))
	}
	return ids, nil
}

// callError marks an IAM call's error (see iamError), and says when the
// call ran out of --iam-timeout.
func (c iamClient) callError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within %s (--iam-timeout): %w", c.timeout, err)
	}
	return &iamError{op: op, err: err}
}
