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

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// TestCredentialScopeDate: a request whose credential scope is dated
// another day than its X-Amz-Date is refused as AWS refuses it. The
// requests are signed by the SDK's signer a few seconds after midnight
// and their X-Amz-Date then set a few seconds before, or the reverse, as
// a hand-written signer that reads the clock twice sends them: both
// times are within the allowed skew, so only the date check can refuse.
func TestCredentialScopeDate(t *testing.T) {
	midnight := time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)
	clock := ststest.NewClock(midnight)
	srv := ststest.NewServer(t, ststest.WithClock(clock.Now))
	alice := srv.AddUser("alice")
	before, after := midnight.Add(-5*time.Second), midnight.Add(5*time.Second)
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	send := func(t *testing.T, req *http.Request) (int, rawError) {
		t.Helper()
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var e rawError
		if resp.StatusCode != http.StatusOK {
			require.NoError(t, xml.Unmarshal(out, &e), "body %s", out)
		}
		return resp.StatusCode, e
	}
	signed := func(t *testing.T, at time.Time) *http.Request {
		req, err := http.NewRequestWithContext(ctxT(t), http.MethodPost, srv.URL+"/", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		sum := sha256.Sum256([]byte(body))
		require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), userCreds(alice), req, hex.EncodeToString(sum[:]), "sts", "us-east-1", at))
		return req
	}
	presigned := func(t *testing.T, at time.Time) string {
		req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, srv.URL+"/?"+body, nil)
		require.NoError(t, err)
		sum := sha256.Sum256(nil)
		u, _, err := v4.NewSigner().PresignHTTP(context.Background(), userCreds(alice), req, hex.EncodeToString(sum[:]), "sts", "us-east-1", at)
		require.NoError(t, err)
		return u
	}

	t.Run("scope and X-Amz-Date on the same day", func(t *testing.T) {
		status, _ := send(t, signed(t, after))
		require.Equal(t, http.StatusOK, status)
	})
	tests := []struct {
		name           string
		signedAt, date time.Time
		message        string
	}{
		{"scope after midnight, X-Amz-Date before", after, before,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20300102' != '20300101', from '20300101T235955Z'."},
		{"scope before midnight, X-Amz-Date after", before, after,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20300101' != '20300102', from '20300102T000005Z'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signed(t, tt.signedAt)
			req.Header.Set("X-Amz-Date", tt.date.Format("20060102T150405Z"))
			status, e := send(t, req)
			require.Equal(t, http.StatusForbidden, status)
			require.Equal(t, rawError{Type: "Sender", Code: "SignatureDoesNotMatch", Message: tt.message}, e)
		})
		t.Run(tt.name+", presigned", func(t *testing.T) {
			u, err := url.Parse(presigned(t, tt.signedAt))
			require.NoError(t, err)
			q := u.Query()
			q.Set("X-Amz-Date", tt.date.Format("20060102T150405Z"))
			u.RawQuery = q.Encode()
			req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, u.String(), nil)
			require.NoError(t, err)
			status, e := send(t, req)
			require.Equal(t, http.StatusForbidden, status)
			require.Equal(t, rawError{Type: "Sender", Code: "SignatureDoesNotMatch", Message: tt.message}, e)
		})
	}
}
