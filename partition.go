package awssession

import (
	"fmt"

	"github.com/awssession/awssession/internal/stsrules"
)

// consoleDomains are the sign-in and console hosts of the partitions that
// have a console federation endpoint.
type consoleDomains struct {
	signin, console string
}

var consolePartitions = map[string]consoleDomains{
	"aws":        {"signin.aws.amazon.com", "console.aws.amazon.com"},
	"aws-cn":     {"signin.amazonaws.cn", "console.amazonaws.cn"},
	"aws-us-gov": {"signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"},
}

func consolePartition(region string) (consoleDomains, error) {
	p := stsrules.PartitionForRegion(region)
	d, ok := consolePartitions[p]
	if !ok {
		return d, invalid("ConsoleURL", "partition %s (region %s) has no console federation endpoint we know", p, region)
	}
	return d, nil
}

// destination is the console home, in the region when it is known. Only
// the aws partition has per-region console hosts.
func (d consoleDomains) destination(region string) string {
	switch {
	case region == "":
		return "https://" + d.console + "/"
	case d.console == consolePartitions["aws"].console:
		return fmt.Sprintf("https://%s.%s/console/home?region=%s", region, d.console, region)
	}
	return fmt.Sprintf("https://%s/console/home?region=%s", d.console, region)
}
