package awssession

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/awssession/awssession/internal/loopback"
	"github.com/awssession/awssession/internal/stsrules"
)

// service is a service a session calls for credentials.
type service int

const (
	serviceSTS service = iota
	serviceSSO
	serviceSSOOIDC
	serviceSignin
	nServices
)

// services name each service as the SDK's endpoint settings do: its SDK
// ID, its AWS_ENDPOINT_URL_ variable and its key in a [services] section.
var services = [nServices]struct{ id, env, key string }{
	{"STS", "AWS_ENDPOINT_URL_STS", "sts"},
	{"SSO", "AWS_ENDPOINT_URL_SSO", "sso"},
	{"SSO OIDC", "AWS_ENDPOINT_URL_SSO_OIDC", "sso_oidc"},
	{"Signin", "AWS_ENDPOINT_URL_SIGNIN", "signin"},
}

// endpoint is where a session sends one service's calls: url, or "" for
// AWS's own endpoint of the region, and the setting that chose it.
type endpoint struct {
	url  string
	from at
}

// endpointOf resolves svc's endpoint from the session's environment and
// the profile's settings, in the SDK's order: WithSTSEndpoint (for STS),
// AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's [services]
// section, the profile's endpoint_url; none of the configured ones when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the profile's
// ignore_configured_endpoint_urls) is true. One rule for every service,
// also for SSO, whose SDK provider ignores AWS_ENDPOINT_URL.
func (p *plan) endpointOf(svc service) endpoint {
	if svc == serviceSTS && p.stsEndpoint != "" {
		return endpoint{url: p.stsEndpoint, from: optionAt(OptionWithSTSEndpoint, "")}
	}
	return p.configured[svc]
}

// configuredEndpoints resolves every service's configured endpoint once,
// while planning.
func configuredEndpoints(s *snapshot) (out [nServices]endpoint) {
	var top *profileSettings
	if s.profile != nil {
		top = &s.profile.settings
	}
	ignore := strings.EqualFold(s.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true")
	if v := s.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"); v == "" && top != nil && top.ignoreEndpoints {
		ignore = true
	}
	if ignore {
		return out
	}
	for svc := range nServices {
		env := services[svc].env
		switch {
		case s.getenv(env) != "":
			out[svc] = endpoint{url: s.getenv(env), from: namedAt(env)}
		case s.getenv("AWS_ENDPOINT_URL") != "":
			out[svc] = endpoint{url: s.getenv("AWS_ENDPOINT_URL"), from: namedAt("AWS_ENDPOINT_URL")}
		case top == nil:
		case top.services[svc] != "":
			out[svc] = endpoint{url: top.services[svc], from: profileAt(top.name, fmt.Sprintf("[services %s] %s endpoint_url", top.servicesName, services[svc].key))}
		case top.endpoint != "":
			out[svc] = endpoint{url: top.endpoint, from: profileAt(top.name, "endpoint_url")}
		}
	}
	return out
}

// check applies the route rule of every client that carries a secret
// (loopback.CheckURL) to e, naming the setting that chose it.
func (e endpoint) check() error {
	if e.url == "" {
		return nil
	}
	if err := loopback.CheckURL(e.url); err != nil {
		return invalid(e.from, "%v", err)
	}
	return nil
}

// The sources the host provides: a container credentials endpoint (ECS,
// EKS Pod Identity, a local credential server) and the EC2 instance
// metadata service. Both are planned from the session's environment and
// built from the SDK's providers with the session's HTTP client, each
// request bounded by the session's timeout.

// ecsAgentURL is where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI points.
const ecsAgentURL = "http://169.254.170.2"

// containerSource is the container endpoint the environment names, ok
// false when it names none.
func containerSource(s *snapshot) (src source, ok bool, err error) {
	src = source{kind: SourceContainer, temporary: true}
	switch rel, full := s.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), s.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"); {
	case rel != "":
		src.url, src.urlFrom = ecsAgentURL+rel, namedAt("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
	case full != "":
		src.url, src.urlFrom = full, namedAt("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	default:
		return source{}, false, nil
	}
	src.name = "the container endpoint " + redactURL(src.url)
	src.from = redactURL(src.url)
	src.id = []any{"container", src.url}
	return src, true, checkContainerURL(src.url, src.urlFrom)
}

// containerHosts are the link-local addresses of the ECS and EKS
// credential agents, which serve plain http (as the SDK allows them).
var containerHosts = []string{"169.254.170.2", "169.254.170.23", "fd00:ec2::23"}

// imdsHosts are the instance metadata service's addresses.
var imdsHosts = []string{"169.254.169.254", "fd00:ec2::254"}

// checkContainerURL applies the route rule to a container credentials
// endpoint: https, or http to loopback or to the ECS/EKS agents'
// link-local addresses, which no other host can answer for.
func checkContainerURL(raw string, from at) error { return checkLinkLocal(raw, from, containerHosts) }

// checkIMDSURL does the same for the instance metadata service ("": the
// SDK's default, which is link-local).
func checkIMDSURL(raw string, from at) error { return checkLinkLocal(raw, from, imdsHosts) }

// checkLinkLocal is the route rule with plain http also allowed to hosts.
func checkLinkLocal(raw string, from at, hosts []string) error {
	u, err := url.Parse(raw)
	if raw == "" || (err == nil && u.Scheme == "http" && u.User == nil && isOneOf(u.Hostname(), hosts)) {
		return nil
	}
	return endpoint{url: raw, from: from}.check()
}

func isOneOf(host string, hosts []string) bool {
	ip := net.ParseIP(host)
	for _, h := range hosts {
		if ip != nil && ip.Equal(net.ParseIP(h)) {
			return true
		}
	}
	return false
}

// imdsSource is the EC2 instance metadata service, at the endpoint the
// environment or the profile names.
func imdsSource(s *snapshot, c *profileChain) (source, error) {
	src := source{kind: SourceIMDS, name: "the EC2 instance metadata service", temporary: true}
	switch {
	case s.getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT") != "":
		src.url, src.urlFrom = s.getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"), namedAt("AWS_EC2_METADATA_SERVICE_ENDPOINT")
	case c != nil && c.settings.imdsEndpoint != "":
		src.url, src.urlFrom = c.settings.imdsEndpoint, profileAt(c.settings.name, "ec2_metadata_service_endpoint")
	}
	if src.url != "" {
		src.name += " at " + redactURL(src.url)
		src.from = redactURL(src.url)
	}
	src.id = []any{"imds", src.url}
	return src, checkIMDSURL(src.url, src.urlFrom)
}

// resolveRegion is the region as config.LoadDefaultConfig resolves it:
// WithRegion, a region among WithConfigOptions, AWS_REGION,
// AWS_DEFAULT_REGION, the profile's region, a default region among
// WithConfigOptions. It checks that every ARN of the options is in the
// region's partition.
func resolveRegion(o *options, s *snapshot) (string, error) {
	region, from := o.region, func() at { return optionAt(OptionWithRegion, "") }
	for _, next := range []struct {
		region string
		from   func() at
	}{
		{s.configRegion, func() at { return optionAt(OptionWithConfigOptions, "") }},
		{s.getenv("AWS_REGION"), func() at { return namedAt("AWS_REGION") }},
		{s.getenv("AWS_DEFAULT_REGION"), func() at { return namedAt("AWS_DEFAULT_REGION") }},
		{s.profileRegion(), func() at { return profileAt(s.profile.settings.name, "region") }},
		{s.configDefaultRegion, func() at { return optionAt(OptionWithConfigOptions, "") }},
	} {
		if region != "" {
			break
		}
		region, from = next.region, next.from
	}
	if region != "" && !stsrules.IsRegion(region) {
		return "", invalid(from(), "%q is not a region name like us-east-1", region)
	}
	return region, o.validatePartitions(region)
}

// profileRegion is the region of the profile the session reads, "" none.
func (s *snapshot) profileRegion() string {
	if s.profile == nil {
		return ""
	}
	return s.profile.settings.region
}

// checkRoutes applies the route rule to every endpoint the plan's calls go
// to, before any call: STS for STS layers and web identity, SSO and SSO
// OIDC for an SSO source, Sign-In for a console sign-in source.
func (p *plan) checkRoutes(o *options) error {
	var services []service
	if len(p.layers) > 0 || p.src.kind == SourceWebIdentity || o.expectedAccount != "" {
		services = append(services, serviceSTS)
	}
	switch p.src.kind {
	case SourceSSO:
		services = append(services, serviceSSO, serviceSSOOIDC)
	case SourceLogin:
		services = append(services, serviceSignin)
	case SourceContainer:
		if err := checkContainerURL(p.src.url, p.src.urlFrom); err != nil {
			return err
		}
	case SourceIMDS:
		if err := checkIMDSURL(p.src.url, p.src.urlFrom); err != nil {
			return err
		}
	}
	var errs []error
	for _, svc := range services {
		errs = append(errs, p.endpointOf(svc).check())
	}
	return errors.Join(errs...)
}

// oidcURL is the SSO OIDC service's base URL in region.
func (b *builder) oidcURL(region string) string {
	if e := b.plan.endpointOf(serviceSSOOIDC); e.url != "" {
		return e.url
	}
	ep, err := ssooidc.NewDefaultEndpointResolverV2().ResolveEndpoint(context.Background(), ssooidc.EndpointParameters{Region: aws.String(region)})
	if err != nil {
		return fmt.Sprintf("https://oidc.%s.amazonaws.com", region)
	}
	return ep.URI.String()
}

// signinURL is AWS Sign-In's base URL in region.
func (b *builder) signinURL(region string) string {
	if e := b.plan.endpointOf(serviceSignin); e.url != "" {
		return e.url
	}
	ep, err := signin.NewDefaultEndpointResolverV2().ResolveEndpoint(context.Background(), signin.EndpointParameters{Region: aws.String(region)})
	if err != nil {
		return fmt.Sprintf("https://%s.signin.aws.amazon.com", region)
	}
	return ep.URI.String()
}

// endpointURL is an endpoint as the SDK's clients take it: nil for AWS's.
func endpointURL(e endpoint) *string {
	if e.url == "" {
		return nil
	}
	return aws.String(e.url)
}
