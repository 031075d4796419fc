package awssession

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
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
// from [CreateSession] the call goes where the session's STS calls go,
// bounded by its [WithSTSTimeout] (the credentials are fetched first,
// without that bound: fetching them may ask for an MFA code). It is one
// STS call (GetCallerIdentity needs no permission).
func CallerIdentity(ctx context.Context, cfg aws.Config) (Identity, error) {
	if cfg.Credentials == nil {
		return Identity{}, fmt.Errorf("get caller identity: the config has no credentials")
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return Identity{}, err
	}
	return stsOf(cfg).callerIdentity(ctx, creds, "the session")
}

// callerIdentity makes one GetCallerIdentity call signed with creds.
func (s *stsService) callerIdentity(ctx context.Context, creds aws.Credentials, layer string) (Identity, error) {
	var out *sts.GetCallerIdentityOutput
	err := s.call(ctx, "GetCallerIdentity", &creds, nil, func(ctx context.Context, c *sts.Client, sign func(*sts.Options)) (middleware.Metadata, error) {
		var err error
		if out, err = c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, sign); err != nil {
			return middleware.Metadata{}, err
		}
		return out.ResultMetadata, nil
	})
	if err != nil {
		return Identity{}, &CallError{Call: "GetCallerIdentity", Layer: layer, Err: err}
	}
	return Identity{Account: deref(out.Account), ARN: deref(out.Arn), UserID: deref(out.UserId)}, nil
}

// validateExpectedAccount checks WithExpectedAccount's form.
func (o *options) validateExpectedAccount() error {
	if o.expectedAccount != "" && !stsrules.IsAccountID(o.expectedAccount) {
		return invalid(optionAt(OptionWithExpectedAccount, ""), "%q is not a 12-digit account ID", o.expectedAccount)
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
		return invalid(optionAt(OptionWithExpectedAccount, ""), "the session's role %s is in account %s, not the expected %s", top.role.RoleARN, got, o.expectedAccount)
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
	sts      *stsService
}

var _ aws.CredentialsProvider = (*accountCheck)(nil)

func (a *accountCheck) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := a.next.Retrieve(ctx)
	if err != nil || c.AccountID == a.expected {
		return c, err
	}
	if c.AccountID == "" {
		id, err := a.sts.callerIdentity(ctx, c, "the expected-account check")
		if err != nil {
			return aws.Credentials{}, err
		}
		c.AccountID = id.Account
	}
	if c.AccountID != a.expected {
		return aws.Credentials{}, invalid(optionAt(OptionWithExpectedAccount, ""), "the session's credentials are for account %s, not the expected %s", c.AccountID, a.expected)
	}
	return c, nil
}
