package signin

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/aws-sdk-go-v2/service/signin/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Signin is the part of the AWS Sign-In client the console flow uses.
type Signin interface {
	CreateOAuth2Token(context.Context, *signin.CreateOAuth2TokenInput, ...func(*signin.Options)) (*signin.CreateOAuth2TokenOutput, error)
}

// Console is a console sign-in (what `aws login` does) to write into
// CacheDir, the directory of `aws login`'s cache.
type Console struct {
	// Endpoint is AWS Sign-In's URL for the region (no trailing slash).
	Endpoint string
	// CacheDir is where the session's cache file goes: the SHA-256 of
	// the session's name, as the AWS CLI and the SDKs look for it.
	CacheDir string
}

// The clients AWS Sign-In knows for developer tools.
const (
	sameDevice  = "arn:aws:signin:::devtools/same-device"
	crossDevice = "arn:aws:signin:::devtools/cross-device"
)

// ConsoleResult is what a console sign-in made.
type ConsoleResult struct {
	// Session is the login_session to write into the profile: the ID
	// token's subject (the console identity's ARN).
	Session string
	// CacheFile is where its token was written.
	CacheFile string
	// Expires is when its first credentials expire (they are refreshed
	// with the refresh token for up to 12 h).
	Expires time.Time
}

// SignInConsole signs the person in with their console identity, with a
// fresh P-256 DPoP key that binds the refresh token, and writes the cache
// file as the AWS CLI does (0600, atomically). flow is FlowBrowser (the
// browser redirected to a loopback listener) or FlowRemote (the URL shown,
// the code pasted back).
func SignInConsole(ctx context.Context, api Signin, c Console, flow Flow, ui UI) (ConsoleResult, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return ConsoleResult{}, err
	}
	p, state := newPKCE(), randomString(24)
	client, redirectURI := sameDevice, ""
	var redir *redirect
	if flow == FlowRemote {
		client, redirectURI = crossDevice, c.Endpoint+"/v1/sessions/confirmation"
	} else {
		if redir, err = listenRedirect(); err != nil {
			return ConsoleResult{}, err
		}
		defer redir.close()
		redirectURI = redir.uri()
	}
	q := url.Values{"response_type": {"code"}, "client_id": {client}, "state": {state}, "code_challenge_method": {"SHA-256"},
		"scope": {"openid"}, "redirect_uri": {redirectURI}, "code_challenge": {p.challenge}}
	show(ui, c.Endpoint+"/v1/authorize?"+q.Encode(), "")
	var code string
	if flow == FlowRemote {
		code, err = pastedCode(ui, state)
	} else {
		code, err = redir.wait(ctx, state)
	}
	if err != nil {
		return ConsoleResult{}, err
	}
	out, err := api.CreateOAuth2Token(ctx, &signin.CreateOAuth2TokenInput{TokenInput: &types.CreateOAuth2TokenRequestBody{
		ClientId: aws.String(client), GrantType: aws.String("authorization_code"), Code: aws.String(code),
		CodeVerifier: aws.String(p.verifier), RedirectUri: aws.String(redirectURI)}}, WithDPoP(key))
	if err != nil {
		return ConsoleResult{}, fmt.Errorf("exchange the sign-in code for credentials: %w", err)
	}
	return writeConsoleCache(c, client, key, out, ui.Now())
}

// pastedCode reads what the confirmation page showed: base64 of
// "code=…&state=…".
func pastedCode(ui UI, state string) (string, error) {
	fmt.Fprint(ui.Out, "Paste the code the page shows: ")
	line, err := bufio.NewReader(ui.In).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("read the pasted code: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(line))
	if err != nil {
		return "", errors.New("the pasted code is not what the confirmation page shows")
	}
	v, err := url.ParseQuery(string(raw))
	switch {
	case err != nil || v.Get("code") == "":
		return "", errors.New("the pasted code is not what the confirmation page shows")
	case v.Get("state") != state:
		return "", errors.New("the pasted code belongs to another sign-in")
	}
	return v.Get("code"), nil
}

// loginCache is `aws login`'s cache file, as the SDKs read it.
type loginCache struct {
	AccessToken   loginAccessToken `json:"accessToken"`
	TokenType     string           `json:"tokenType"`
	RefreshToken  string           `json:"refreshToken"`
	IdentityToken string           `json:"identityToken"`
	ClientID      string           `json:"clientId"`
	DPoPKey       string           `json:"dpopKey"`
}

type loginAccessToken struct {
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	SessionToken    string    `json:"sessionToken"`
	AccountID       string    `json:"accountId"`
	ExpiresAt       time.Time `json:"expiresAt"`
}

func writeConsoleCache(c Console, client string, key *ecdsa.PrivateKey, out *signin.CreateOAuth2TokenOutput, now time.Time) (ConsoleResult, error) {
	t := out.TokenOutput
	if t == nil || t.AccessToken == nil || aws.ToString(t.RefreshToken) == "" || aws.ToString(t.IdToken) == "" {
		return ConsoleResult{}, errors.New("AWS Sign-In answered without credentials, refresh token or ID token")
	}
	sub, err := subject(aws.ToString(t.IdToken))
	if err != nil {
		return ConsoleResult{}, err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return ConsoleResult{}, err
	}
	exp := now.Add(time.Duration(aws.ToInt32(t.ExpiresIn)) * time.Second).UTC()
	cache := loginCache{AccessToken: loginAccessToken{AccessKeyID: aws.ToString(t.AccessToken.AccessKeyId),
		SecretAccessKey: aws.ToString(t.AccessToken.SecretAccessKey), SessionToken: aws.ToString(t.AccessToken.SessionToken),
		AccountID: accountOf(sub), ExpiresAt: exp}, TokenType: aws.ToString(t.TokenType), RefreshToken: aws.ToString(t.RefreshToken),
		IdentityToken: aws.ToString(t.IdToken), ClientID: client,
		DPoPKey: string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))}
	file := ConsoleCacheFile(c.CacheDir, sub)
	return ConsoleResult{Session: sub, CacheFile: file, Expires: exp}, writeJSON(file, cache)
}

// ConsoleCacheFile is where a console sign-in session's cache lives.
func ConsoleCacheFile(dir, session string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(session)))
	return filepath.Join(dir, fmt.Sprintf("%x.json", sum))
}

// subject is the sub claim of an ID token (its signature is not checked:
// it came over TLS from the endpoint that issued it, and only names the
// session).
func subject(idToken string) (string, error) {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return "", errors.New("AWS Sign-In's ID token is not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct {
		Sub string `json:"sub"`
	}
	if err != nil || json.Unmarshal(b, &claims) != nil || claims.Sub == "" {
		return "", errors.New("AWS Sign-In's ID token names no session (sub)")
	}
	return claims.Sub, nil
}

// accountOf is the account of an ARN, "" for anything else.
func accountOf(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 {
		return ""
	}
	return f[4]
}

// WithDPoP adds a DPoP proof (RFC 9449) made with key to each request,
// for the URL it is sent to, as AWS Sign-In requires.
func WithDPoP(key *ecdsa.PrivateKey) func(*signin.Options) {
	return signin.WithAPIOptions(func(stack *middleware.Stack) error {
		return stack.Finalize.Add(dpopStep{key}, middleware.After)
	})
}

type dpopStep struct{ key *ecdsa.PrivateKey }

func (dpopStep) ID() string { return "awssessionDPoP" }

func (d dpopStep) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("DPoP: unexpected transport %T", in.Request)
	}
	proof, err := dpopProof(d.key, req.Method, req.URL.String(), time.Now())
	if err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	req.Header.Set("DPoP", proof)
	return next.HandleFinalize(ctx, in)
}

// dpopProof is an ES256 JWS over the method and URL, with the public key
// in its header.
func dpopProof(key *ecdsa.PrivateKey, method, htu string, now time.Time) (string, error) {
	pub, err := key.PublicKey.ECDH()
	if err != nil {
		return "", err
	}
	raw := pub.Bytes() // 0x04 || X || Y, each 32 bytes
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]any{"typ": "dpop+jwt", "alg": "ES256",
		"jwk": map[string]string{"kty": "EC", "crv": "P-256", "x": enc.EncodeToString(raw[1:33]), "y": enc.EncodeToString(raw[33:])}})
	payload, _ := json.Marshal(map[string]any{"jti": randomString(16), "htm": method, "htu": htu, "iat": now.Unix()})
	msg := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sum := sha256.Sum256([]byte(msg))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return msg + "." + enc.EncodeToString(sig), nil
}
