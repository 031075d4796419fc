package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awssession/awssession/internal/credserver"
)

// clientReport is what sdkClientMain saw, printed as JSON when it ends.
type clientReport struct {
	Calls        int      `json:"calls"`
	Sources      []string `json:"sources"`      // aws.Credentials.Source values
	AccessKeyIDs []string `json:"accessKeyIds"` // distinct, in order
	ARNs         []string `json:"arns"`         // distinct GetCallerIdentity ARNs
	// Secrets are every secret the client held: the server's token, and
	// the secret keys and session tokens it was served. Tests check that
	// none of them reached awssession's stderr.
	Secrets []string `json:"secrets"`
}

// sdkClientMain is a program that knows nothing of awssession: it loads
// the AWS SDK's default config from its environment alone, then, until
// its stdin ends, retrieves credentials and calls STS GetCallerIdentity
// every 20 ms (the STS endpoint comes from AWS_ENDPOINT_URL_STS). It
// prints a clientReport on stdout and exits 0, or 1 at the first error.
func sdkClientMain() int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdk client: load config:", err)
		return 1
	}
	stop := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stop)
	}()
	client := sts.NewFromConfig(cfg)
	rep := clientReport{Secrets: []string{os.Getenv(credserver.EnvAuthToken)}}
	for {
		select {
		case <-stop:
			if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
				return 1
			}
			return 0
		case <-time.After(20 * time.Millisecond):
		}
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sdk client: retrieve credentials:", err)
			return 1
		}
		rep.Sources = appendNew(rep.Sources, creds.Source)
		rep.AccessKeyIDs = appendNew(rep.AccessKeyIDs, creds.AccessKeyID)
		rep.Secrets = appendNew(appendNew(rep.Secrets, creds.SecretAccessKey), creds.SessionToken)
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			fmt.Fprintln(os.Stderr, "sdk client: GetCallerIdentity:", err)
			return 1
		}
		rep.ARNs = appendNew(rep.ARNs, aws.ToString(out.Arn))
		rep.Calls++
	}
}

func appendNew(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// syncBuffer is a bytes.Buffer safe for concurrent use: a command's output
// copied by os/exec, the credential server's log and the test's reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
