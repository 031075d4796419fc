package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/awssession/awssession/internal/keyring"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeIAM is an IAM user's access keys (at most two, as IAM allows), with
// failures to inject. The CLI tests run the real IAM client against an
// HTTP fake (see iamfake_test.go); this one drives each step of rotation.
type fakeIAM struct {
	keys         map[string]string // ID -> secret
	n            int
	failCreate   bool
	failDeleteOf string // the key whose deletion fails
	failList     bool
	t            *testing.T
}

func (f *fakeIAM) signedBy(key keyring.AccessKey) {
	require.Equal(f.t, f.keys[key.ID], key.Secret.Reveal(), "IAM called with a key it does not know")
}

func (f *fakeIAM) CreateAccessKey(_ context.Context, key keyring.AccessKey) (keyring.AccessKey, error) {
	f.signedBy(key)
	if f.failCreate {
		return keyring.AccessKey{}, errors.New("ServiceFailure")
	}
	if len(f.keys) >= 2 {
		return keyring.AccessKey{}, &smithy.GenericAPIError{Code: "LimitExceeded", Message: "Cannot exceed quota for AccessKeysPerUser: 2"}
	}
	f.n++
	id, secret := fmt.Sprintf("AKIANEWKEY%010d", f.n), fmt.Sprintf("new-secret-%d", f.n)
	f.keys[id] = secret
	return keyring.AccessKey{ID: id, Secret: keyring.Secret(secret)}, nil
}

func (f *fakeIAM) DeleteAccessKey(_ context.Context, key keyring.AccessKey, id string) error {
	f.signedBy(key)
	if id == f.failDeleteOf {
		return errors.New("ServiceFailure")
	}
	delete(f.keys, id)
	return nil
}

func (f *fakeIAM) ListAccessKeys(_ context.Context, key keyring.AccessKey) ([]string, error) {
	f.signedBy(key)
	if f.failList {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform: iam:ListAccessKeys"}
	}
	var ids []string
	for id := range f.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

var (
	oldKey = keyring.AccessKey{ID: "AKIAOLDKEY0000000000", Secret: "old-secret"}
	newID  = "AKIANEWKEY0000000001"
)

// rotationFixture is a rotation over fake, with a keyring that holds
// stored and records the rotation in record.
type rotationFixture struct {
	fake     *fakeIAM
	stored   keyring.AccessKey
	record   *keyring.Rotation
	records  []keyring.Rotation // every record written, in order
	proofs   int
	waits    int
	asked    []string
	r        rotation
	readBack error // what reading the keyring back returns
}

func newRotationFixture(t *testing.T) *rotationFixture {
	x := &rotationFixture{fake: &fakeIAM{keys: map[string]string{oldKey.ID: oldKey.Secret.Reveal()}, t: t}, stored: oldKey}
	x.r = rotation{
		iam: x.fake,
		prove: func(_ context.Context, key keyring.AccessKey) error {
			x.proofs++
			if x.fake.keys[key.ID] != key.Secret.Reveal() {
				return errors.New("InvalidClientTokenId")
			}
			return nil
		},
		store:  func(key keyring.AccessKey) error { x.stored = key; return nil },
		stored: func() (keyring.AccessKey, error) { return x.stored, x.readBack },
		record: func(rot *keyring.Rotation) error {
			x.record = rot
			if rot != nil {
				x.records = append(x.records, *rot)
			}
			return nil
		},
		wait: func(context.Context, int) error { x.waits++; return nil },
		now:  func() time.Time { return time.Date(2025, 3, 4, 10, 41, 7, 0, time.UTC) },
	}
	return x
}

func (x *rotationFixture) iamKeys() []string {
	ids, _ := (&fakeIAM{keys: x.fake.keys, t: x.fake.t}).ListAccessKeys(context.Background(), keyring.AccessKey{ID: oldKey.ID, Secret: keyring.Secret(x.fake.keys[oldKey.ID])})
	return ids
}

// TestRotationKeepsTheOldKeyOnFailure makes each step fail in turn: the
// old key stays stored and usable in IAM until the new one is proven,
// stored and read back, a new key that is not kept is deleted again, and
// the error says what IAM and the keyring hold.
func TestRotationKeepsTheOldKeyOnFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// set up the failure
		failCreate, failDeleteOld, failDeleteNew bool
		proveFailures                            int
		store                                    func(x *rotationFixture, key keyring.AccessKey) error
		// want
		err        []string
		stored     string
		iamKeys    []string
		waits      int
		returnsNew bool
		recordLeft bool
	}{
		{name: "ok", stored: newID, iamKeys: []string{newID}, returnsNew: true},
		{name: "eventually consistent", proveFailures: 3, stored: newID, iamKeys: []string{newID}, waits: 3, returnsNew: true},
		{name: "create fails", failCreate: true, err: []string{"create a new access key (the old one, " + oldKey.ID + ", is unchanged)"},
			stored: oldKey.ID, iamKeys: []string{oldKey.ID}},
		{name: "new key never works", proveFailures: proveAttempts, err: []string{"does not work", "the new key " + newID + " was deleted",
			"the keyring still holds the old key " + oldKey.ID + ", unchanged and in IAM"}, stored: oldKey.ID, iamKeys: []string{oldKey.ID}, waits: proveAttempts - 1},
		{name: "store fails, old key kept", store: func(*rotationFixture, keyring.AccessKey) error { return errors.New("write keys:dev: file too large") },
			err: []string{"store the new access key: write keys:dev: file too large", "the new key " + newID + " was deleted",
				"the keyring still holds the old key " + oldKey.ID}, stored: oldKey.ID, iamKeys: []string{oldKey.ID}},
		{name: "store fails, new key stored after all", store: func(x *rotationFixture, key keyring.AccessKey) error { x.stored = key; return errors.New("sync") },
			stored: newID, iamKeys: []string{newID}, returnsNew: true},
		{name: "store fails, keyring unreadable", store: func(x *rotationFixture, _ keyring.AccessKey) error {
			x.readBack = keyring.ErrLocked
			return errors.New("locked")
		}, err: []string{"could not be read back", "the new key " + newID + " was deleted", "the old key stays in IAM"}, stored: oldKey.ID, iamKeys: []string{oldKey.ID}},
		{name: "new key cannot be deleted either", failDeleteNew: true, store: func(*rotationFixture, keyring.AccessKey) error { return errors.New("full") },
			err:    []string{"the keyring still holds the old key " + oldKey.ID + ", but the new key " + newID + " could not be deleted: delete it in IAM"},
			stored: oldKey.ID, iamKeys: []string{newID, oldKey.ID}, recordLeft: true},
		{name: "delete of the old key fails", failDeleteOld: true, err: []string{"could not be deleted"}, stored: newID,
			iamKeys: []string{newID, oldKey.ID}, returnsNew: true, recordLeft: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newRotationFixture(t)
			x.fake.failCreate = tt.failCreate
			switch {
			case tt.failDeleteOld:
				x.fake.failDeleteOf = oldKey.ID
			case tt.failDeleteNew:
				x.fake.failDeleteOf = newID
			}
			failures := tt.proveFailures
			prove := x.r.prove
			x.r.prove = func(ctx context.Context, key keyring.AccessKey) error {
				if failures > 0 {
					failures--
					return errors.New("InvalidClientTokenId")
				}
				return prove(ctx, key)
			}
			if tt.store != nil {
				x.r.store = func(key keyring.AccessKey) error { return tt.store(x, key) }
			}
			key, err := x.r.run(context.Background(), oldKey)
			if len(tt.err) == 0 {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				for _, want := range tt.err {
					assert.Contains(t, err.Error(), want)
				}
				assert.NotContains(t, err.Error(), "secret")
			}
			assert.Equal(t, tt.stored, x.stored.ID, "got %s stored, want %s", x.stored.ID, tt.stored)
			assert.Equal(t, x.fake.keys[x.stored.ID], x.stored.Secret.Reveal(), "the stored key does not work in IAM")
			assert.Equal(t, tt.iamKeys, x.iamKeys())
			assert.Equal(t, tt.waits, x.waits)
			assert.Equal(t, tt.returnsNew, key.ID == newID)
			require.NotEmpty(t, x.records, "the rotation was never recorded")
			assert.Equal(t, keyring.Rotation{OldKeyID: oldKey.ID, Started: x.r.now()}, x.records[0], "recorded before CreateAccessKey")
			if !tt.failCreate {
				assert.Equal(t, newID, x.records[1].NewKeyID, "the new key recorded as soon as IAM returned it")
			}
			assert.Equal(t, tt.recordLeft, x.record != nil, "got record %+v", x.record)
		})
	}
}

// TestRotationNamesTheKeyInTheWay: at IAM's two-key limit, CreateAccessKey
// fails with LimitExceeded; the error names the other key and, when an
// interrupted rotate made it, a terminal is offered to delete it.
func TestRotationNamesTheKeyInTheWay(t *testing.T) {
	t.Parallel()
	const strayID = "AKIASTRAYKEY00000000"
	interrupted := func(newKeyID, oldKeyID string) *keyring.Rotation {
		return &keyring.Rotation{OldKeyID: oldKeyID, NewKeyID: newKeyID, Started: time.Date(2025, 3, 3, 9, 0, 0, 0, time.Local)}
	}
	tests := []struct {
		name     string
		pending  *keyring.Rotation
		failList bool
		answer   string // "" no terminal
		want     []string
		rotated  bool
	}{
		{name: "created by an interrupted rotate, no terminal", pending: interrupted(strayID, oldKey.ID),
			want: []string{strayID + ", which a rotate started at 2025-03-03 09:00:00 created and never stored", "the key's secret is lost",
				"run rotate on a terminal to have " + strayID + " deleted", "aws iam delete-access-key --access-key-id " + strayID}},
		{name: "created by an interrupted rotate, deleted on a yes", pending: interrupted(strayID, oldKey.ID), answer: "y", rotated: true},
		{name: "created by an interrupted rotate, kept on a no", pending: interrupted(strayID, oldKey.ID), answer: "n", want: []string{strayID}},
		{name: "listing refused: the record names it", pending: interrupted(strayID, oldKey.ID), failList: true,
			want: []string{strayID + ", which a rotate started at"}},
		{name: "old key an interrupted rotate replaced", pending: interrupted(oldKey.ID, strayID), answer: "yes", rotated: true},
		{name: "a key of someone else", answer: "y", want: []string{strayID + ", which no rotate of awssession made", "if nothing uses it, delete it"}},
		{name: "unknown", failList: true, want: []string{"another, which IAM did not list", "iam:ListAccessKeys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newRotationFixture(t)
			x.fake.keys[strayID] = "stray-secret"
			x.fake.failList = tt.failList
			x.r.pending, x.record = tt.pending, tt.pending
			if tt.answer != "" {
				x.r.confirm = func(_ context.Context, q string) (bool, bool, error) {
					x.asked = append(x.asked, q)
					return tt.answer[0] == 'y', true, nil
				}
			}
			key, err := x.r.run(context.Background(), oldKey)
			if tt.rotated {
				require.NoError(t, err)
				require.Len(t, x.asked, 1)
				assert.Contains(t, x.asked[0], "Delete "+strayID+" and rotate?")
				assert.Equal(t, []string{key.ID}, x.iamKeys(), "the stray key and the old one are gone")
				assert.Nil(t, x.record)
				return
			}
			require.Error(t, err)
			assert.True(t, isLimitExceeded(err))
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.Contains(t, err.Error(), "the old key "+oldKey.ID+" is unchanged")
			assert.ElementsMatch(t, []string{oldKey.ID, strayID}, x.iamKeys())
			assert.Equal(t, oldKey.ID, x.stored.ID)
			assert.Equal(t, tt.pending, x.record, "the record of the interrupted rotate stays until it is resolved")
		})
	}
}

func TestBackoffHonoursContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, backoff(ctx, 0), context.Canceled)
}
