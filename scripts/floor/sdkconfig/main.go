// Command sdkconfig links the AWS SDK's config package and does nothing:
// scripts/bench-cli.sh times it as the start-up cost every program that
// loads AWS configuration pays (the package initialisation of the SDK's
// sts, sso, ssooidc and signin clients), awssession included.
package main

import _ "github.com/aws/aws-sdk-go-v2/config"

func main() {}
