package awssession_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/awssession/awssession"
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

// BenchmarkCreateSessionStatic and BenchmarkLoadDefaultConfigStatic are a
// pair: the ratio of their ns/op is CreateSession's overhead over the bare
// SDK for static keys (target ≤ 1.1). Run them in one process, side by
// side: go test -run '^$' -bench 'Static$' -benchmem -count 6 .
func BenchmarkCreateSessionStatic(b *testing.B) {
	cfgFiles, credFiles := benchFiles(b)
	ctx := context.Background()
	opts := []awssession.Option{
		awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		awssession.WithRegion("us-east-1"),
		awssession.WithConfigOptions(config.WithSharedConfigFiles(cfgFiles), config.WithSharedCredentialsFiles(credFiles)),
	}
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
