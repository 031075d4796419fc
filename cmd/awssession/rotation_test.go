package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/awssession/awssession/internal/keyring"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeIAM is an IAM user's access keys, with a failure to inject.
type fakeIAM struct {
	keys         map[string]string // ID -> secret
	n            int
	failCreate   bool
	failDeleteOf string // the key whose deletion fails
}

func (f *fakeIAM) CreateAccessKey(context.Context, *iam.CreateAccessKeyInput, ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error) {
	if f.failCreate {
		return nil, errors.New("LimitExceeded: two keys already")
	}
	f.n++
	id, secret := fmt.Sprintf("AKIANEWKEY%010d", f.n), fmt.Sprintf("new-secret-%d", f.n)
	f.keys[id] = secret
	return &iam.CreateAccessKeyOutput{AccessKey: &types.AccessKey{AccessKeyId: aws.String(id), SecretAccessKey: aws.String(secret)}}, nil
}

func (f *fakeIAM) DeleteAccessKey(_ context.Context, in *iam.DeleteAccessKeyInput, _ ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	if aws.ToString(in.AccessKeyId) == f.failDeleteOf {
		return nil, errors.New("ServiceFailure")
	}
	delete(f.keys, aws.ToString(in.AccessKeyId))
	return &iam.DeleteAccessKeyOutput{}, nil
}

// TestRotationKeepsTheOldKeyOnFailure makes each step fail in turn: the
// old key stays stored and usable in IAM until the new one is proven and
// stored, and a new key that is not kept is deleted again.
func TestRotationKeepsTheOldKeyOnFailure(t *testing.T) {
	t.Parallel()
	old := keyring.AccessKey{ID: "AKIAOLDKEY0000000000", Secret: "old-secret"}
	newID := "AKIANEWKEY0000000001"
	tests := []struct {
		name string
		// set up the failure
		failCreate, failStore, failDeleteOld bool
		proveFailures                        int
		// want
		err        string
		stored     string
		iamKeys    []string
		waits      int
		returnsNew bool
	}{
		{name: "ok", stored: newID, iamKeys: []string{newID}, returnsNew: true},
		{name: "eventually consistent", proveFailures: 3, stored: newID, iamKeys: []string{newID}, waits: 3, returnsNew: true},
		{name: "create fails", failCreate: true, err: "create a new access key", stored: old.ID, iamKeys: []string{old.ID}},
		{name: "new key never works", proveFailures: proveAttempts, err: "does not work", stored: old.ID, iamKeys: []string{old.ID}, waits: proveAttempts - 1},
		{name: "store fails", failStore: true, err: "store the new access key", stored: old.ID, iamKeys: []string{old.ID}},
		{name: "delete of the old key fails", failDeleteOld: true, err: "could not be deleted", stored: newID, iamKeys: []string{old.ID, newID}, returnsNew: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeIAM{keys: map[string]string{old.ID: old.Secret.Reveal()}, failCreate: tt.failCreate}
			if tt.failDeleteOld {
				fake.failDeleteOf = old.ID
			}
			stored := old
			proofs, waits := 0, 0
			r := rotation{
				iam: func(_ context.Context, key keyring.AccessKey) (iamAPI, error) {
					require.Equal(t, fake.keys[key.ID], key.Secret.Reveal(), "IAM called with a key it does not know")
					return fake, nil
				},
				prove: func(_ context.Context, key keyring.AccessKey) error {
					proofs++
					if proofs <= tt.proveFailures {
						return errors.New("InvalidClientTokenId")
					}
					if fake.keys[key.ID] != key.Secret.Reveal() {
						return errors.New("unknown key")
					}
					return nil
				},
				store: func(key keyring.AccessKey) error {
					if tt.failStore {
						return errors.New("keyring locked")
					}
					stored = key
					return nil
				},
				wait: func(context.Context, int) error { waits++; return nil },
			}
			key, err := r.run(context.Background(), old)
			if tt.err == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.err)
				assert.NotContains(t, err.Error(), "secret")
			}
			assert.Equal(t, tt.stored, stored.ID, "got %s stored, want %s", stored.ID, tt.stored)
			assert.Equal(t, fake.keys[stored.ID], stored.Secret.Reveal(), "the stored key does not work in IAM")
			ids := make([]string, 0, len(fake.keys))
			for id := range fake.keys {
				ids = append(ids, id)
			}
			assert.ElementsMatch(t, tt.iamKeys, ids)
			assert.Equal(t, tt.waits, waits)
			assert.Equal(t, tt.returnsNew, key.ID == newID)
		})
	}
}

func TestBackoffHonoursContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, backoff(ctx, 0), context.Canceled)
}
