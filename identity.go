package awssession

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
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
	out, err := sts.NewFromConfig(cfg, stsOptions("")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, fmt.Errorf("get caller identity: %w", err)
	}
	return Identity{Account: deref(out.Account), ARN: deref(out.Arn), UserID: deref(out.UserId)}, nil
}
