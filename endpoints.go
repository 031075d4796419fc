package awssession

import (
	"fmt"
	"strings"

	"github.com/awssession/awssession/internal/loopback"
)

// service names a service a session calls for credentials by its SDK ID,
// the name the SDK's endpoint settings use (AWS_ENDPOINT_URL_<ID>, the
// [services] section).
type service string

const (
	serviceSTS     service = "STS"
	serviceSSO     service = "SSO"
	serviceSSOOIDC service = "SSO OIDC"
	serviceSignin  service = "Signin"
)

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
func configuredEndpoints(s *snapshot) map[service]endpoint {
	var top *profileSettings
	if s.profile != nil {
		top = &s.profile.settings
	}
	ignore := strings.EqualFold(s.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true")
	if v := s.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"); v == "" && top != nil && top.ignoreEndpoints {
		ignore = true
	}
	out := map[service]endpoint{}
	if ignore {
		return out
	}
	for _, svc := range []service{serviceSTS, serviceSSO, serviceSSOOIDC, serviceSignin} {
		env := "AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(string(svc), " ", "_"))
		switch {
		case s.getenv(env) != "":
			out[svc] = endpoint{url: s.getenv(env), from: namedAt(env)}
		case s.getenv("AWS_ENDPOINT_URL") != "":
			out[svc] = endpoint{url: s.getenv("AWS_ENDPOINT_URL"), from: namedAt("AWS_ENDPOINT_URL")}
		case top == nil:
		case top.services[svc] != "":
			out[svc] = endpoint{url: top.services[svc], from: profileAt(top.name, fmt.Sprintf("[services %s] %s endpoint_url", top.servicesName, strings.ToLower(strings.ReplaceAll(string(svc), " ", "_"))))}
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
