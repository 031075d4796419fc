package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
	"github.com/spf13/cobra"
)

func (c *cli) demoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Run the MFA + assume-role flow against a local fake STS (no AWS account needed)",
		Long: `Start ststest, the fake STS of this module, in this process; create user
alice with a virtual MFA device and a role Admin that requires MFA; then
build a session as you would against AWS: alice's keys, GetSessionToken with
a TOTP code computed from the device's seed, AssumeRole Admin. Print who the
session is and the STS calls it took. Nothing is read from ~/.aws, nothing
is cached, and no request leaves this machine.`,
		Example: `  go run ./cmd/awssession demo
  awssession demo --debug   # also log each layer and STS call`,
		Args: noArgs,
		RunE: c.action(c.demo),
	}
}

func (c *cli) demo(cmd *cobra.Command, _ []string) error {
	ctx := cmd.Context()
	srv, err := ststest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	alice := srv.AddUser("alice")
	device := srv.AddMFADevice("alice")
	admin := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}, RequireMFA: true})

	// Keep the user's ~/.aws and AWS_PROFILE out of it: alice's keys in a
	// profile of shared files of the demo's own, chosen explicitly.
	dir, err := os.MkdirTemp("", "awssession-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	configFile, credsFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	keys := fmt.Sprintf("[awssession-demo]\naws_access_key_id = %s\naws_secret_access_key = %s\n", alice.AccessKeyID, alice.SecretAccessKey)
	if err := os.WriteFile(configFile, []byte("[profile awssession-demo]\n"), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(credsFile, []byte(keys), 0o600); err != nil {
		return err
	}

	opts := []awssession.Option{
		awssession.WithProfile("awssession-demo"),
		awssession.WithSharedConfigFiles([]string{configFile}, []string{credsFile}),
		awssession.WithMFA(device.SerialNumber, awssession.TOTP(device.Secret)),
		awssession.WithGetSessionToken(time.Hour),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: admin.ARN, RoleSessionName: "awssession-demo"}),
		awssession.WithRegion("us-east-1"),
		awssession.WithSTSEndpoint(srv.URL),
	}
	if c.debug {
		opts = append(opts, awssession.WithLogger(slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	cfg, err := awssession.CreateSession(ctx, opts...)
	if err != nil {
		return err
	}
	id, err := awssession.CallerIdentity(ctx, cfg)
	if err != nil {
		return err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}

	var b strings.Builder
	fmt.Fprintf(&b, "awssession demo: MFA + assume-role against a fake STS on %s (no AWS account involved)\n\n", srv.URL)
	fmt.Fprintf(&b, "  user   alice   %s\n", alice.ARN)
	fmt.Fprintf(&b, "  MFA    virtual %s (codes computed from its TOTP seed)\n", device.SerialNumber)
	fmt.Fprintf(&b, "  role   Admin   %s (trusts alice, requires MFA)\n\n", admin.ARN)
	b.WriteString("STS calls:\n")
	for i, r := range srv.Requests() {
		fmt.Fprintf(&b, "  %d. %-18s %s\n", i+1, r.Action, describeRequest(r))
	}
	fmt.Fprintf(&b, "\nYou are %s\n", id.ARN)
	fmt.Fprintf(&b, "  account %s, session valid for %s\n\n", id.Account, untilText(creds.Expires))
	self := invokedAs()
	fmt.Fprintf(&b, "Next: %s sts-server runs this fake STS for the CLI; %s --help lists the commands.\n", self, self)
	if self != "awssession" {
		b.WriteString("To have the command itself: go install github.com/awssession/awssession/cmd/awssession@latest\n")
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}

// describeRequest says what an STS request asked for, without secrets.
func describeRequest(r ststest.Request) string {
	var parts []string
	if arn := r.Params.Get("RoleArn"); arn != "" {
		parts = append(parts, "role "+arn[strings.LastIndex(arn, "/")+1:])
	}
	if r.Params.Get("TokenCode") != "" {
		parts = append(parts, "with an MFA code")
	}
	if s := r.Params.Get("DurationSeconds"); s != "" {
		parts = append(parts, s+" s")
	}
	switch {
	case r.ErrorCode != "":
		parts = append(parts, "-> "+r.ErrorCode)
	case r.Status != 0:
		parts = append(parts, fmt.Sprintf("-> %d", r.Status))
	}
	return strings.Join(parts, ", ")
}

// invokedAs is how the person ran this command, for the demo's next steps:
// "go run ./cmd/awssession" from a checkout (go run builds into a
// go-build directory), else "awssession".
func invokedAs() string {
	if exe, err := os.Executable(); err == nil && strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return "go run ./cmd/awssession"
	}
	return "awssession"
}
