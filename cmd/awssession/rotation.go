package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/awssession/awssession/internal/keyring"
)

// iamAPI is the part of IAM that rotate calls.
type iamAPI interface {
	CreateAccessKey(ctx context.Context, in *iam.CreateAccessKeyInput, opts ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error)
	DeleteAccessKey(ctx context.Context, in *iam.DeleteAccessKeyInput, opts ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
}

// proveAttempts is how often rotate tries the new key with STS before it
// gives up on it.
const proveAttempts = 6

// rotation replaces a long-term access key, step by step; each field is
// one step, so tests can make any of them fail.
type rotation struct {
	// iam returns an IAM client signed with key.
	iam func(ctx context.Context, key keyring.AccessKey) (iamAPI, error)
	// prove checks that STS accepts key.
	prove func(ctx context.Context, key keyring.AccessKey) error
	// store puts key in the keyring in place of the old one.
	store func(key keyring.AccessKey) error
	// wait pauses before attempt n+1 of prove.
	wait func(ctx context.Context, n int) error
}

// run rotates old and returns the new key. Until the new key is proven
// and stored, the old one stays in IAM and in the keyring; a new key that
// is not kept is deleted again, so that the user is not left at IAM's
// two-key limit.
func (r rotation) run(ctx context.Context, old keyring.AccessKey) (keyring.AccessKey, error) {
	client, err := r.iam(ctx, old)
	if err != nil {
		return keyring.AccessKey{}, err
	}
	out, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil {
		return keyring.AccessKey{}, fmt.Errorf("create a new access key (the old one, %s, is unchanged): %w", old.ID, err)
	}
	if out.AccessKey == nil || aws.ToString(out.AccessKey.AccessKeyId) == "" || aws.ToString(out.AccessKey.SecretAccessKey) == "" {
		return keyring.AccessKey{}, errors.New("create a new access key: IAM returned no key")
	}
	key := keyring.AccessKey{ID: aws.ToString(out.AccessKey.AccessKeyId), Secret: keyring.Secret(aws.ToString(out.AccessKey.SecretAccessKey))}
	discard := func(cause error) error {
		// A fresh context: the new key must go even after Ctrl-C.
		_, derr := client.DeleteAccessKey(context.WithoutCancel(ctx), &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(key.ID)})
		if derr != nil {
			return fmt.Errorf("%w; the old key %s is unchanged, but the new key %s could not be deleted: delete it in IAM (%v)", cause, old.ID, key.ID, derr)
		}
		return fmt.Errorf("%w; the new key %s was deleted, the old key %s is unchanged", cause, key.ID, old.ID)
	}

	if err := r.proveNew(ctx, key); err != nil {
		return keyring.AccessKey{}, discard(fmt.Errorf("the new access key does not work: %w", err))
	}
	if err := r.store(key); err != nil {
		return keyring.AccessKey{}, discard(fmt.Errorf("store the new access key: %w", err))
	}
	if _, err := client.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(old.ID)}); err != nil {
		return key, fmt.Errorf("the new key %s is stored and works, but the old key %s could not be deleted: delete it in IAM: %w", key.ID, old.ID, err)
	}
	return key, nil
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
