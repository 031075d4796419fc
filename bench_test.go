package awssession_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
)

// benchFiles points both the benchmark and its baseline at the same empty
// shared config files, so neither reads the machine's ~/.aws.
func benchFiles(b *testing.B) (cfgFiles, credFiles []string) {
	dir := b.TempDir()
	c, k := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	for _, p := range []string{c, k} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return []string{c}, []string{k}
}

// staticOptions are the CreateSession side of the static-keys pair below.
func staticOptions(cfgFiles, credFiles []string) []awssession.Option {
	return []awssession.Option{
		awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		awssession.WithRegion("us-east-1"),
		awssession.WithSharedConfigFiles(cfgFiles, credFiles),
	}
}

// BenchmarkCreateSessionStatic and BenchmarkLoadDefaultConfigStatic are a
// pair: CreateSession's cost over the bare SDK for static keys, each with
// its allocations. Their ratio (target ≤ 1.1) is best read from
// BenchmarkCreateSessionRatio, which interleaves the two calls; run
// separately, the two drift apart on a shared machine.
func BenchmarkCreateSessionStatic(b *testing.B) {
	cfgFiles, credFiles := benchFiles(b)
	ctx := context.Background()
	opts := staticOptions(cfgFiles, credFiles)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := awssession.CreateSession(ctx, opts...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadDefaultConfigStatic(b *testing.B) {
	cfgFiles, credFiles := benchFiles(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, err := config.LoadDefaultConfig(ctx,
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")),
			config.WithRegion("us-east-1"),
			config.WithSharedConfigFiles(cfgFiles), config.WithSharedCredentialsFiles(credFiles))
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateSessionRatio alternates the two calls above, each with
// its first Retrieve (a session created and used once), in one loop
// and reports CreateSession's time over LoadDefaultConfig's as "ratio":
// interleaved call by call, the machine's drift hits both alike, which
// two separate benchmarks on a shared machine cannot promise.
func BenchmarkCreateSessionRatio(b *testing.B) {
	cfgFiles, credFiles := benchFiles(b)
	ctx := context.Background()
	opts := staticOptions(cfgFiles, credFiles)
	var ours, sdk time.Duration
	for b.Loop() {
		t0 := time.Now()
		cfg, err := awssession.CreateSession(ctx, opts...)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		cfg, err = config.LoadDefaultConfig(ctx,
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")),
			config.WithRegion("us-east-1"),
			config.WithSharedConfigFiles(cfgFiles), config.WithSharedCredentialsFiles(credFiles))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			b.Fatal(err)
		}
		ours, sdk = ours+t1.Sub(t0), sdk+time.Since(t1)
	}
	b.ReportMetric(float64(ours)/float64(sdk), "ratio")
}

// warmSession returns the options of a GetSessionToken + AssumeRole
// session whose file cache is already warm, and its server with the
// request log cleared.
func warmSession(b *testing.B) (*ststest.Server, []awssession.Option) {
	b.Helper()
	srv := ststest.NewServer(b)
	alice := srv.AddUser("alice")
	dev := srv.AddMFADevice("alice")
	role := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}, RequireMFA: true})
	cfgFiles, credFiles := benchFiles(b)
	cache, err := awssession.NewFileCache(filepath.Join(b.TempDir(), "cache"))
	if err != nil {
		b.Fatal(err)
	}
	opts := []awssession.Option{
		awssession.WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""),
		awssession.WithMFA(dev.SerialNumber, awssession.TOTP(dev.Secret)),
		awssession.WithGetSessionToken(0),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: role.ARN}),
		awssession.WithRegion("us-east-1"), awssession.WithSTSEndpoint(srv.URL), awssession.WithCache(cache),
		awssession.WithSharedConfigFiles(cfgFiles, credFiles),
	}
	openSession(b, opts)
	srv.ResetRequests()
	return srv, opts
}

// openSession is CreateSession and the first Retrieve.
func openSession(b *testing.B, opts []awssession.Option) {
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, opts...)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkWarmCacheSession is a new process's path on a warm file cache:
// CreateSession and the first Retrieve of a GetSessionToken + AssumeRole
// session, served from disk with no STS call.
func BenchmarkWarmCacheSession(b *testing.B) {
	benchWarm(b, warmSession, openSession)
}

// benchWarm times fn on the session setup returns, and fails if that
// reached STS.
func benchWarm(b *testing.B, setup func(*testing.B) (*ststest.Server, []awssession.Option), fn func(*testing.B, []awssession.Option)) {
	srv, opts := setup(b)
	b.ReportAllocs()
	for b.Loop() {
		fn(b, opts)
	}
	if n := len(srv.Requests()); n != 0 {
		b.Fatalf("got %d STS requests on a warm cache, want 0", n)
	}
}

// peekHit is PeekSession, which must answer.
func peekHit(b *testing.B, opts []awssession.Option) {
	if _, ok, err := awssession.PeekSession(context.Background(), opts...); !ok || err != nil {
		b.Fatalf("got ok %v, err %v; want a cache hit", ok, err)
	}
}

// BenchmarkPeekSessionWarm is the same warm session as
// BenchmarkWarmCacheSession through PeekSession: no config load, so no
// CA bundle parse, no shared files read and no clients.
func BenchmarkPeekSessionWarm(b *testing.B) {
	benchWarm(b, warmSession, peekHit)
}

// warmProfileSession is a profile (keys and region in the shared files)
// with a role on top, whose file cache and plan stamp are already warm.
func warmProfileSession(b *testing.B) (*ststest.Server, []awssession.Option) {
	b.Helper()
	srv := ststest.NewServer(b)
	alice := srv.AddUser("alice")
	role := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}})
	dir := b.TempDir()
	cfgFile, credFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	files := map[string]string{cfgFile: "[profile dev]\nregion = eu-west-1\n",
		credFile: "[dev]\naws_access_key_id = " + alice.AccessKeyID + "\naws_secret_access_key = " + alice.SecretAccessKey + "\n"}
	for p, text := range files {
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	cache, err := awssession.NewFileCache(filepath.Join(dir, "cache"))
	if err != nil {
		b.Fatal(err)
	}
	opts := []awssession.Option{
		awssession.WithProfile("dev"), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: role.ARN}),
		awssession.WithSTSEndpoint(srv.URL), awssession.WithCache(cache),
		awssession.WithSharedConfigFiles([]string{cfgFile}, []string{credFile}),
	}
	openSession(b, opts)
	srv.ResetRequests()
	return srv, opts
}

// BenchmarkWarmCacheProfileSession is CreateSession and the first Retrieve
// of the warm profile session: one config load (and CA bundle parse, when
// AWS_CA_BUNDLE is set) per call.
func BenchmarkWarmCacheProfileSession(b *testing.B) {
	benchWarm(b, warmProfileSession, openSession)
}

// BenchmarkPeekSessionProfile is the same through PeekSession: the parsed
// profile and the top entry stand in for the config load.
func BenchmarkPeekSessionProfile(b *testing.B) {
	benchWarm(b, warmProfileSession, peekHit)
}

// roleOptions are an AssumeRole session on static keys against a new
// ststest server, with no cache.
func roleOptions(b *testing.B) (*ststest.Server, []awssession.Option) {
	srv := ststest.NewServer(b)
	alice := srv.AddUser("alice")
	role := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}})
	cfgFiles, credFiles := benchFiles(b)
	return srv, []awssession.Option{
		awssession.WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: role.ARN}),
		awssession.WithRegion("us-east-1"), awssession.WithSTSEndpoint(srv.URL),
		awssession.WithSharedConfigFiles(cfgFiles, credFiles),
	}
}

// roleSession is an AssumeRole session whose credentials are already in
// memory.
func roleSession(b *testing.B) aws.Config {
	_, opts := roleOptions(b)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, opts...)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		b.Fatal(err)
	}
	return cfg
}

// BenchmarkRetrieveCached is Retrieve on credentials already in memory:
// what every signed AWS request pays.
func BenchmarkRetrieveCached(b *testing.B) {
	cfg := roleSession(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkColdRetrieve1000 starts 1,000 goroutines on a session whose
// credentials are not fetched yet: they must share one AssumeRole call.
// It reports the 99th-percentile latency of a caller.
func BenchmarkColdRetrieve1000(b *testing.B) {
	srv, opts := roleOptions(b)
	ctx := context.Background()
	var all []time.Duration
	for b.Loop() {
		b.StopTimer()
		srv.ResetRequests()
		cfg, err := awssession.CreateSession(ctx, opts...)
		if err != nil {
			b.Fatal(err)
		}
		lat := make([]time.Duration, 1000)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range lat {
			wg.Go(func() {
				<-start
				t := time.Now()
				if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
					b.Error(err)
				}
				lat[i] = time.Since(t)
			})
		}
		b.StartTimer()
		close(start)
		wg.Wait()
		b.StopTimer()
		if n := srv.CountRequests("AssumeRole"); n != 1 {
			b.Fatalf("got %d AssumeRole requests, want 1", n)
		}
		all = append(all, lat...)
		b.StartTimer()
	}
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
}
