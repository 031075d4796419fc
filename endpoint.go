package awssession

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// checkSTSRoute applies WithSTSEndpoint's rule (https, or http to loopback
// only: STS answers carry secret keys, and AssumeRole carries MFA codes) to
// the endpoint the SDK's own settings choose for STS: AWS_ENDPOINT_URL_STS,
// AWS_ENDPOINT_URL, or endpoint_url in the profile or its [services]
// section. The error names the route.
func checkSTSRoute(cfg aws.Config) error {
	u := aws.ToString(sts.NewFromConfig(cfg).Options().BaseEndpoint)
	if u == "" {
		return nil
	}
	err := validateEndpoint(u)
	if err == nil {
		return nil
	}
	route := "endpoint_url in the [services] section the profile names (sts = ...)"
	switch {
	case os.Getenv("AWS_ENDPOINT_URL_STS") == u:
		route = "AWS_ENDPOINT_URL_STS"
	case os.Getenv("AWS_ENDPOINT_URL") == u:
		route = "AWS_ENDPOINT_URL"
	case aws.ToString(cfg.BaseEndpoint) == u:
		route = "endpoint_url in the profile"
	}
	e := err.(*InputError)
	return invalid(namedAt(route), "%s", e.Problem)
}
