package awssession_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
)

// A program signs its user in to IAM Identity Center as the CLI's login
// does, here with the device code flow against ststest's fake Identity
// Center (which approves alice's sign-ins at once, as a person clicking
// Allow would), then uses the profile like any other.
func ExampleSignIn() {
	srv, _ := ststest.Start(ststest.WithAutoApprove("alice"))
	defer srv.Close()
	srv.AddUser("alice")
	srv.AssignSSO("alice", srv.Account(), "Admin")

	home, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(home)
	config := filepath.Join(home, "config")
	_ = os.WriteFile(config, []byte("[profile dev]\nsso_session = corp\nsso_account_id = "+srv.Account()+"\nsso_role_name = Admin\n"+
		"[sso-session corp]\nsso_region = us-east-1\nsso_start_url = "+srv.SSOStartURL()+"\n"), 0o600)
	opts := []awssession.Option{
		awssession.WithProfile("dev"), awssession.WithRegion("us-east-1"),
		awssession.WithEnvironment([]string{"HOME=" + home, "AWS_CONFIG_FILE=" + config, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
			// Leave these out to sign in to AWS.
			"AWS_ENDPOINT_URL_SSO=" + srv.URL, "AWS_ENDPOINT_URL_SSO_OIDC=" + srv.URL, "AWS_ENDPOINT_URL_STS=" + srv.URL}),
	}

	ctx := context.Background()
	done, err := awssession.SignIn(ctx, awssession.SignInOptions{
		Flow: awssession.SignInDeviceCode,
		Out:  io.Discard, // a person reads the URL and code here: os.Stderr
	}, opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("signed in to", done.Session)

	cfg, _ := awssession.CreateSession(ctx, opts...)
	id, err := awssession.CallerIdentity(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	role := strings.Split(id.ARN, "/")[1] // AWSReservedSSO_Admin_0123456789abcdef
	fmt.Println(strings.HasPrefix(role, "AWSReservedSSO_Admin_"))
	// Output:
	// signed in to corp
	// true
}
