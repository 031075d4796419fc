package awssession_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sessionCredentials is what PeekSession stands in for: CreateSession
// and the first Retrieve.
func sessionCredentials(t *testing.T, opts ...awssession.Option) aws.Credentials {
	t.Helper()
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPeekSessionWarmCache(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cache, err := awssession.NewFileCache(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	opts := f.base(f.aliceKeys(), awssession.WithMFA(f.device.SerialNumber, f.serverTOTP()),
		awssession.WithGetSessionToken(0), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN}),
		awssession.WithCache(cache), f.writeConfig(t, "", ""))

	if _, ok, err := awssession.PeekSession(ctx, opts...); ok || err != nil {
		t.Fatalf("cold cache: got ok %v, err %v; want a miss", ok, err)
	}
	entries, err := os.ReadDir(cache.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("a miss left %d files in the cache, want none (no lock taken)", len(entries))
	}

	sessionCredentials(t, opts...) // fills the cache
	f.srv.ResetRequests()
	want := sessionCredentials(t, opts...) // a second process's first Retrieve
	peeked, ok, err := awssession.PeekSession(ctx, opts...)
	if err != nil || !ok {
		t.Fatalf("warm cache: got ok %v, err %v; want a hit", ok, err)
	}
	if got := peeked.Credentials; got != want || peeked.Region != "us-east-1" {
		t.Fatalf("got %+v, want what CreateSession's first Retrieve gives, %+v", got, want)
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Fatalf("got %d STS requests, want 0", n)
	}
}

func TestPeekSessionStaticKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	opts := f.base(f.aliceKeys())
	peeked, ok, err := awssession.PeekSession(context.Background(), opts...)
	if err != nil || !ok {
		t.Fatalf("got ok %v, err %v; want the static keys", ok, err)
	}
	if got, want := peeked.Credentials, sessionCredentials(t, opts...); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

// TestPeekSessionDeclines lists sessions whose credentials depend on
// the shared configuration or the environment and that CreateSession has
// not built yet (or cannot cache): CreateSession must decide.
func TestPeekSessionDeclines(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	files := f.writeConfig(t, "[profile dev]\nregion = eu-west-1\n", "[dev]\naws_access_key_id = "+f.alice.AccessKeyID+"\naws_secret_access_key = "+f.alice.SecretAccessKey+"\n")
	for _, tc := range []struct {
		name string
		opts []awssession.Option
	}{
		{"profile, nothing cached", f.base(awssession.WithProfile("dev"), files, awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}), awssession.WithCache(newFileCache(t)))},
		{"profile role without cache", f.base(awssession.WithProfile("dev"), files, awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))},
		{"default chain", f.base(files)},
		{"STS layer without cache", f.base(f.aliceKeys(), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok, err := awssession.PeekSession(context.Background(), tc.opts...); ok || err != nil {
				t.Fatalf("got ok %v, err %v; want false, nil", ok, err)
			}
		})
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Fatalf("got %d STS requests, want 0", n)
	}
}

// TestPeekSessionServesKeys: keys with no STS layer above them are at
// hand wherever they come from: options, a profile, the environment.
func TestPeekSessionServesKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	files := f.writeConfig(t, "[profile dev]\nregion = eu-west-1\n", "[dev]\naws_access_key_id = "+f.alice.AccessKeyID+"\naws_secret_access_key = "+f.alice.SecretAccessKey+"\n")
	for _, tc := range []struct {
		name, region string
		opts         []awssession.Option
	}{
		{"profile keys, profile region", "eu-west-1", []awssession.Option{awssession.WithProfile("dev"), files, awssession.WithEnvironment(nil)}},
		{"static keys, region from the environment", "ap-south-1", []awssession.Option{f.aliceKeys(), files, awssession.WithEnvironment([]string{"AWS_REGION=ap-south-1"})}},
		{"environment keys", "", []awssession.Option{files, awssession.WithEnvironment([]string{"AWS_ACCESS_KEY_ID=" + f.alice.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + f.alice.SecretAccessKey})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ok, err := awssession.PeekSession(context.Background(), tc.opts...)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, f.alice.AccessKeyID, s.Credentials.AccessKeyID)
			assert.Equal(t, tc.region, s.Region)
		})
	}
}

func TestPeekSessionChecksOptions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	opts := f.base(awssession.WithStaticCredentials("short", "secret", ""))
	_, ok, err := awssession.PeekSession(context.Background(), opts...)
	if ok || !errors.Is(err, awssession.ErrInvalidInput) {
		t.Fatalf("got ok %v, err %v; want ErrInvalidInput", ok, err)
	}
	_, ok, err = awssession.PeekSession(context.Background(), f.base(f.aliceKeys(), awssession.WithConfigOptions(func(*config.LoadOptions) error { return errors.New("no") }))...)
	if ok || !errors.Is(err, awssession.ErrInvalidInput) {
		t.Fatalf("failing config option: got ok %v, err %v; want ErrInvalidInput", ok, err)
	}
}
