package ststest_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awssession/awssession/ststest"
)

// Code written for Okta, Entra ID or AD FS federation exchanges the
// SAMLResponse its identity provider posted for a role session; the
// server's own identity provider signs one, and AssumeRoleWithSAML
// (unsigned, as every SDK sends it) checks it.
func ExampleServer_SAMLAssertion() {
	srv, err := ststest.Start()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	admin := srv.AddRole("Admin", ststest.Trust{Principals: []string{srv.SAMLProviderARN()}})

	anonymous := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)})
	out, err := anonymous.AssumeRoleWithSAML(context.Background(), &sts.AssumeRoleWithSAMLInput{
		RoleArn:       aws.String(admin.ARN),
		PrincipalArn:  aws.String(srv.SAMLProviderARN()),
		SAMLAssertion: aws.String(srv.SAMLAssertion("alice@example.com", admin.ARN)),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(*out.AssumedRoleUser.Arn)
	fmt.Println(*out.Subject, *out.SubjectType)
	// Output:
	// arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com
	// alice@example.com persistent
}
