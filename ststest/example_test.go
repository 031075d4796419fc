package ststest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awssession/awssession/ststest"
)

// A user with a virtual MFA device gets session credentials with a TOTP
// code, then calls GetCallerIdentity with them.
func Example() {
	srv, err := ststest.Start() // in a test: ststest.NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	alice := srv.AddUser("alice")
	device := srv.AddMFADevice("alice")

	ctx := context.Background()
	client := sts.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(alice.AccessKeyID, alice.SecretAccessKey, ""),
		BaseEndpoint: aws.String(srv.URL),
	})
	out, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(device.SerialNumber),
		TokenCode:    aws.String(srv.TOTPCode(device.SerialNumber)),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(*out.Credentials.AccessKeyId, "ASIA"))

	session := sts.NewFromConfig(aws.Config{
		Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(
			*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken),
		BaseEndpoint: aws.String(srv.URL),
	})
	who, err := session.GetCallerIdentity(ctx, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(*who.Arn)
	// Output:
	// true
	// arn:aws:iam::123456789012:user/alice
}

// A role that requires MFA refuses a caller without it, with the error
// STS sends.
func ExampleServer_AddRole() {
	srv, err := ststest.Start()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	alice := srv.AddUser("alice")
	admin := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}, RequireMFA: true})

	client := sts.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(alice.AccessKeyID, alice.SecretAccessKey, ""),
		BaseEndpoint: aws.String(srv.URL),
	})
	_, err = client.AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(admin.ARN), RoleSessionName: aws.String("alice"),
	})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.ErrorCode())
		fmt.Println(apiErr.ErrorMessage())
	}
	// Output:
	// AccessDenied
	// User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Admin
}

// Injected 5xx errors are retried by the SDK's standard retryer: three
// attempts, all recorded.
func ExampleServer_InjectFault() {
	srv, err := ststest.Start()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	alice := srv.AddUser("alice")
	srv.InjectFault(ststest.ServerError(2))

	client := sts.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(alice.AccessKeyID, alice.SecretAccessKey, ""),
		BaseEndpoint: aws.String(srv.URL),
		// The standard retryer, with its backoff shortened for tests.
		Retryer: func() aws.Retryer { return retry.AddWithMaxBackoffDelay(retry.NewStandard(), time.Millisecond) },
	})
	_, err = client.GetCallerIdentity(context.Background(), nil)
	fmt.Println(err)
	for _, r := range srv.Requests() {
		fmt.Println(r.Action, r.Status, r.ErrorCode)
	}
	// Output:
	// <nil>
	// GetCallerIdentity 500 InternalFailure
	// GetCallerIdentity 500 InternalFailure
	// GetCallerIdentity 200
}

// tokenSource hands the SDK's web identity provider a token, as the file
// a GitHub runner or a kubelet writes (stscreds.IdentityTokenFile) would.
type tokenSource func() string

func (f tokenSource) GetIdentityToken() ([]byte, error) { return []byte(f()), nil }

// A GitHub Actions workflow assumes a role with its OIDC token: the SDK's
// web identity provider exchanges a token minted by the server's issuer in
// an unsigned AssumeRoleWithWebIdentity call.
func ExampleServer_WebIdentityToken() {
	srv, err := ststest.Start()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	deploy := srv.AddRole("Deploy", ststest.Trust{
		Principals: []string{srv.OIDCProviderARN()},
		Subject:    "repo:octo/app:ref:refs/heads/*", // Audience "": sts.amazonaws.com
	})

	anonymous := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)})
	provider := stscreds.NewWebIdentityRoleProvider(anonymous, deploy.ARN,
		tokenSource(func() string { return srv.WebIdentityToken("repo:octo/app:ref:refs/heads/main", "") }),
		func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = "run-42" })

	client := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.NewCredentialsCache(provider)})
	who, err := client.GetCallerIdentity(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(*who.Arn)
	// Output:
	// arn:aws:sts::123456789012:assumed-role/Deploy/run-42
}
