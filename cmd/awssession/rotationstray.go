package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/smithy-go"
	"github.com/awssession/awssession/internal/keyring"
)

// strayKey is the other access key of a user at IAM's limit of two, found
// when CreateAccessKey is refused.
type strayKey struct {
	id string // "" when it could not be listed nor is recorded
	// ours: an interrupted rotate of awssession made it (created, and
	// never stored: its secret is lost) or left it (replaced in the
	// keyring, not deleted); started is when that rotate began.
	ours, created bool
	started       time.Time
	listErr       error // ListAccessKeys' refusal, if it was refused
}

// inTheWay finds the key beside old: the one IAM lists (iam:ListAccessKeys
// is not required, so the call may be refused), recognised as ours when the
// record an interrupted rotate left names it.
func (r rotation) inTheWay(ctx context.Context, old keyring.AccessKey) strayKey {
	var s strayKey
	recorded := ""
	if p := r.pending; p != nil {
		switch {
		case p.NewKeyID == old.ID && p.OldKeyID != old.ID:
			recorded = p.OldKeyID // the new key was stored, the old one not deleted
		case p.NewKeyID != "" && p.NewKeyID != old.ID:
			recorded, s.created = p.NewKeyID, true // created, never stored
		}
		s.started = p.Started
	}
	ids, err := r.iam.ListAccessKeys(ctx, old)
	if err != nil {
		s.listErr = err
		s.id, s.ours = recorded, recorded != ""
		return s
	}
	for _, id := range ids {
		if id != old.ID {
			s.id = id
			break
		}
	}
	s.ours = s.id != "" && s.id == recorded
	s.created = s.created && s.ours
	return s
}

// describe says which two keys the user holds.
func (s strayKey) describe(old keyring.AccessKey) string {
	head := fmt.Sprintf("IAM holds two access keys for this user, its limit: %s (stored in the keyring) and ", old.ID)
	when := s.started.Local().Format("2006-01-02 15:04:05")
	switch {
	case s.ours && s.created:
		return head + fmt.Sprintf("%s, which a rotate started at %s created and never stored (it was interrupted: the key's secret is lost, nothing can use it)", s.id, when)
	case s.ours:
		return head + fmt.Sprintf("%s, the key a rotate started at %s replaced in the keyring but did not delete (it was interrupted)", s.id, when)
	case s.id != "" && s.listErr == nil:
		return head + fmt.Sprintf("%s, which no rotate of awssession made (another program or person may use it)", s.id)
	}
	return head + fmt.Sprintf("another, which IAM did not list (%v)", s.listErr)
}

// strayKeyError is CreateAccessKey refused at the two-key limit.
type strayKeyError struct {
	stray strayKey
	old   keyring.AccessKey
	err   error
}

func (e *strayKeyError) Error() string {
	msg := fmt.Sprintf("create a new access key: %s; the old key %s is unchanged", e.stray.describe(e.old), e.old.ID)
	switch {
	case e.stray.ours:
		msg += fmt.Sprintf("; run rotate on a terminal to have %s deleted, or delete it (aws iam delete-access-key --access-key-id %s) and rotate again", e.stray.id, e.stray.id)
	case e.stray.id != "":
		msg += fmt.Sprintf("; if nothing uses it, delete it (aws iam delete-access-key --access-key-id %s) and rotate again", e.stray.id)
	}
	return msg + ": " + e.err.Error()
}

func (e *strayKeyError) Unwrap() error { return e.err }

// isLimitExceeded reports IAM's refusal of a third access key.
func isLimitExceeded(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "LimitExceeded"
}

// iamError is a failed IAM call of rotate. Its hint speaks of IAM, not of
// STS: a refusal of the keys there can mean an endpoint that is no IAM
// (--iam-endpoint aimed at a fake STS).
type iamError struct {
	op  string
	err error
}

func (e *iamError) Error() string { return "IAM " + e.op + ": " + e.err.Error() }
func (e *iamError) Unwrap() error { return e.err }

func (e *iamError) hint() string {
	var api smithy.APIError
	if !errors.As(e.err, &api) {
		return ""
	}
	switch api.ErrorCode() {
	case "InvalidClientTokenId", "SignatureDoesNotMatch", "InvalidAction", "UnknownOperationException", "AccessDenied":
		return "IAM refused the profile's stored key, or the endpoint is not IAM: check --iam-endpoint, AWS_ENDPOINT_URL_IAM " +
			"and the profile's endpoint_url; the key needs iam:CreateAccessKey and iam:DeleteAccessKey on its own user"
	}
	return ""
}
