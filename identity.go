package awssession

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awssession/awssession/internal/stsrules"
)

// Identity is who a set of credentials belongs to, as STS
// GetCallerIdentity reports it.
type Identity struct {
	Account string `json:"Account"`
	ARN     string `json:"Arn"`
	UserID  string `json:"UserId"`
}

// CallerIdentity asks STS who cfg's credentials belong to. With a config
// from [CreateSession] it honours [WithSTSEndpoint]. It is one STS call
// (GetCallerIdentity needs no permission).
func CallerIdentity(ctx context.Context, cfg aws.Config) (Identity, error) {
	client, err := newSTSClient(cfg, nil, "")
	if err != nil {
		return Identity{}, fmt.Errorf("get caller identity: %w", err)
	}
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, fmt.Errorf("get caller identity: %w", err)
	}
	return Identity{Account: deref(out.Account), ARN: deref(out.Arn), UserID: deref(out.UserId)}, nil
}

type expectedAccountOption string

func (e expectedAccountOption) apply(o *options) { o.expectedAccount = string(e) }

// WithExpectedAccount makes the session refuse credentials of any account
// but id (12 digits): a guard against a session for prod when dev was
// meant. When the top layer assumes a role, its ARN names the account and
// CreateSession checks it before any call. Otherwise the first credentials
// are checked as they arrive, before anyone uses them: their account comes
// from STS (one GetCallerIdentity call where the answer does not name it,
// as for static keys and GetSessionToken), and a mismatch is an error
// matching [ErrInvalidInput] that names both accounts.
func WithExpectedAccount(id string) Option { return expectedAccountOption(id) }

// validateExpectedAccount checks the option's form.
func (o *options) validateExpectedAccount() error {
	if o.expectedAccount != "" && !stsrules.IsAccountID(o.expectedAccount) {
		return invalid(optionAt("WithExpectedAccount", ""), "%q is not a 12-digit account ID", o.expectedAccount)
	}
	return nil
}

// checkPlannedAccount compares the account of the plan's top role with
// the expected one, before any call.
func (o *options) checkPlannedAccount(p *plan) error {
	if o.expectedAccount == "" || len(p.layers) == 0 {
		return nil
	}
	top := p.layers[len(p.layers)-1]
	if got := top.account(); got != "" && got != o.expectedAccount {
		return invalid(optionAt("WithExpectedAccount", ""), "the session's role %s is in account %s, not the expected %s", top.role.RoleARN, got, o.expectedAccount)
	}
	return nil
}

// accountCheck guards the top of a session whose account is not known
// from a role ARN: it learns the account of the credentials next returns
// (from the credentials, else from GetCallerIdentity signed by them) and
// refuses any but the expected one. The account is kept in the
// credentials, so a cached entry carries it. It is safe for concurrent
// use.
type accountCheck struct {
	next     aws.CredentialsProvider
	expected string
	cfg      aws.Config
	endpoint string
}

var _ aws.CredentialsProvider = (*accountCheck)(nil)

func (a *accountCheck) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := a.next.Retrieve(ctx)
	if err != nil || c.AccountID == a.expected {
		return c, err
	}
	if c.AccountID == "" {
		client, err := newSTSClient(a.cfg, aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return c, nil }), a.endpoint)
		if err != nil {
			return aws.Credentials{}, err
		}
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return aws.Credentials{}, fmt.Errorf("learn the session's account for WithExpectedAccount: %w", err)
		}
		c.AccountID = aws.ToString(out.Account)
	}
	if c.AccountID != a.expected {
		return aws.Credentials{}, invalid(optionAt("WithExpectedAccount", ""), "the session's credentials are for account %s, not the expected %s", c.AccountID, a.expected)
	}
	return c, nil
}
