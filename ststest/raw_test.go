package ststest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// rawError is the <Error> of an STS error body.
type rawError struct {
	Type    string `xml:"Error>Type"`
	Code    string `xml:"Error>Code"`
	Message string `xml:"Error>Message"`
}

// rawCall sends form to the server as the SDK would not: by hand, signed
// with the SDK's signer when creds has a key, with the given method.
func rawCall(t *testing.T, srv *ststest.Server, method string, form url.Values, creds aws.Credentials, signingTime time.Time) (int, http.Header, string, rawError) {
	t.Helper()
	body := form.Encode()
	target := srv.URL + "/"
	var reader io.Reader = strings.NewReader(body)
	if method == http.MethodGet {
		target += "?" + body
		body, reader = "", nil
	}
	req, err := http.NewRequestWithContext(ctxT(t), method, target, reader)
	require.NoError(t, err)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	if creds.AccessKeyID != "" {
		sum := sha256.Sum256([]byte(body))
		require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", signingTime))
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var e rawError
	if resp.StatusCode != http.StatusOK {
		require.NoError(t, xml.Unmarshal(out, &e), "body %s", out)
	}
	return resp.StatusCode, resp.Header, string(out), e
}

func userCreds(u ststest.User) aws.Credentials {
	return aws.Credentials{AccessKeyID: u.AccessKeyID, SecretAccessKey: u.SecretAccessKey}
}

func form(kv ...string) url.Values {
	v := url.Values{"Version": {"2011-06-15"}}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}
