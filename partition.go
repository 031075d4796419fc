package awssession

import (
	"fmt"

	"github.com/awssession/awssession/internal/stsrules"
)

// consoleDomains are the sign-in and console hosts of a partition that
// has a console federation endpoint (aws-vault cli/login.go, the AWS
// Toolkits).
type consoleDomains struct {
	signin, console string
}

var consolePartitions = map[string]consoleDomains{
	"aws":        {"signin.aws.amazon.com", "console.aws.amazon.com"},
	"aws-cn":     {"signin.amazonaws.cn", "console.amazonaws.cn"},
	"aws-us-gov": {"signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"},
}

// targets returns the federation endpoint and the destination: the
// options' own, else those of the region's partition.
func (o *consoleOptions) targets() (endpoint, destination string, err error) {
	endpoint, destination = o.endpoint, o.destination
	if endpoint != "" && destination != "" {
		return endpoint, destination, nil
	}
	region := o.region
	if region == "aws-global" {
		region = "" // a signing region, not one with a console
	}
	p := stsrules.PartitionForRegion(region)
	d, ok := consolePartitions[p]
	if !ok {
		return "", "", invalid("WithConsoleRegion", "partition %s (region %s) has no console federation endpoint known here; "+
			"give WithFederationEndpoint and WithDestination", p, region)
	}
	if endpoint == "" {
		endpoint = "https://" + d.signin + "/federation"
	}
	if destination == "" {
		destination = d.destination(region)
	}
	return endpoint, destination, nil
}

// destination is the console home, in the region when it is known: every
// partition serves its console under REGION.CONSOLE-HOST.
func (d consoleDomains) destination(region string) string {
	if region == "" {
		return "https://" + d.console + "/"
	}
	return fmt.Sprintf("https://%s.%s/console/home?region=%s", region, d.console, region)
}
