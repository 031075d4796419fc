package ststest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	signintypes "github.com/aws/aws-sdk-go-v2/service/signin/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

const (
	sameDevice  = "arn:aws:signin:::devtools/same-device"
	crossDevice = "arn:aws:signin:::devtools/cross-device"
	callback    = "http://127.0.0.1:50123/oauth/callback"
)

// dpopProof is what a test puts in a DPoP proof; zero fields take the
// right values.
type dpopProof struct {
	key      *ecdsa.PrivateKey
	typ, htm string
	htu      string
	iat      time.Time
	jti      string
	badSig   bool
}

// sign makes the proof for htu at now, as RFC 9449 and the Go SDK's
// logincreds do, with p's changes.
func (p dpopProof) sign(htu string, now time.Time) string {
	if p.typ == "" {
		p.typ = "dpop+jwt"
	}
	if p.htm == "" {
		p.htm = "POST"
	}
	if p.htu == "" {
		p.htu = htu
	}
	if p.iat.IsZero() {
		p.iat = now
	}
	if p.jti == "" {
		p.jti = rand.Text()
	}
	proof := signDPoP(p.key, p.typ, map[string]any{"jti": p.jti, "htm": p.htm, "htu": p.htu, "iat": p.iat.Unix()})
	if p.badSig {
		proof = proof[:len(proof)-4] + "AAAA"
	}
	return proof
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return key
}

// signinFixture is a server that signs alice in at once, a manual clock,
// and the SDK's Sign-In client.
type signinFixture struct {
	srv    *ststest.Server
	clock  *ststest.Clock
	alice  ststest.User
	client *signin.Client
}

func newSigninFixture(t *testing.T, opts ...ststest.ServerOption) *signinFixture {
	t.Helper()
	clock := ststest.NewClock(time.Now())
	srv := ststest.NewServer(t, append([]ststest.ServerOption{ststest.WithClock(clock.Now), ststest.WithAutoApprove("alice")}, opts...)...)
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1}
	return &signinFixture{srv: srv, clock: clock, alice: srv.AddUser("alice"), client: signin.NewFromConfig(cfg)}
}

// authorize runs /v1/authorize as `aws login` does and returns the code
// and the PKCE verifier.
func (f *signinFixture) authorize(t *testing.T, clientID, redirect string) (code, verifier string) {
	t.Helper()
	verifier, challenge := pkce("v")
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "state": {"s-1"},
		"code_challenge_method": {"SHA-256"}, "scope": {"openid"}, "redirect_uri": {redirect}}
	got := redirectQuery(t, f.srv.URL+"/v1/authorize?"+q.Encode()+"&code_challenge="+challenge)
	require.Equal(t, "s-1", got.Get("state"))
	require.NotEmpty(t, got.Get("code"), "redirect %v", got)
	return got.Get("code"), verifier
}

// token calls CreateOAuth2Token with the proof p signs for the request's
// URL at the server clock.
func (f *signinFixture) token(t *testing.T, in signintypes.CreateOAuth2TokenRequestBody, p dpopProof) (*signin.CreateOAuth2TokenOutput, error) {
	t.Helper()
	sign := middleware.FinalizeMiddlewareFunc("testDPoP", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
		middleware.FinalizeOutput, middleware.Metadata, error) {
		req := in.Request.(*smithyhttp.Request)
		req.Header.Set("DPoP", p.sign(req.URL.String(), f.clock.Now()))
		return next.HandleFinalize(ctx, in)
	})
	return f.client.CreateOAuth2Token(ctxT(t), &signin.CreateOAuth2TokenInput{TokenInput: &in},
		signin.WithAPIOptions(func(s *middleware.Stack) error { return s.Finalize.Add(sign, middleware.After) }))
}

// login signs alice in with the same-device client and key.
func (f *signinFixture) login(t *testing.T, key *ecdsa.PrivateKey) *signintypes.CreateOAuth2TokenResponseBody {
	t.Helper()
	code, verifier := f.authorize(t, sameDevice, callback)
	out, err := f.token(t, signintypes.CreateOAuth2TokenRequestBody{ClientId: aws.String(sameDevice), GrantType: aws.String("authorization_code"),
		Code: aws.String(code), CodeVerifier: aws.String(verifier), RedirectUri: aws.String(callback)}, dpopProof{key: key})
	require.NoError(t, err)
	return out.TokenOutput
}

// refreshBody is a refresh_token request.
func refreshBody(token *string) signintypes.CreateOAuth2TokenRequestBody {
	return signintypes.CreateOAuth2TokenRequestBody{ClientId: aws.String(sameDevice), GrantType: aws.String("refresh_token"), RefreshToken: token}
}

// writeLoginCache writes the login cache file `aws login` writes, with
// credentials that have expired, and returns its path.
func writeLoginCache(t *testing.T, dir string, out *signintypes.CreateOAuth2TokenResponseBody, account string, key *ecdsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	doc := map[string]any{
		"accessToken": map[string]string{"accessKeyId": aws.ToString(out.AccessToken.AccessKeyId),
			"secretAccessKey": aws.ToString(out.AccessToken.SecretAccessKey), "sessionToken": aws.ToString(out.AccessToken.SessionToken),
			"accountId": account, "expiresAt": "2020-01-01T00:00:00Z"},
		"tokenType": aws.ToString(out.TokenType), "clientId": sameDevice, "refreshToken": aws.ToString(out.RefreshToken),
		"idToken": aws.ToString(out.IdToken), "dpopKey": string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})),
	}
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	path := fmt.Sprintf("%s/%x.json", dir, sha256.Sum256([]byte("session")))
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}
