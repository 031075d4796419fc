package ststest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	signintypes "github.com/aws/aws-sdk-go-v2/service/signin/types"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awssession/awssession/ststest"
)

// A user signs in to IAM Identity Center with the device flow (approved at
// once by WithAutoApprove, where a person would click Allow) and gets
// credentials for a permission set.
func ExampleServer_AssignSSO() {
	srv, err := ststest.Start(ststest.WithAutoApprove("alice")) // in a test: ststest.NewServer(t, ...)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	srv.AddUser("alice")
	srv.AssignSSO("alice", "111122223333", "Admin")

	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)} // or AWS_ENDPOINT_URL_SSO(_OIDC)
	oidc := ssooidc.NewFromConfig(cfg)
	client, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{
		ClientName: aws.String("example"), ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		panic(err)
	}
	auth, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: client.ClientId, ClientSecret: client.ClientSecret, StartUrl: aws.String(srv.SSOStartURL())})
	if err != nil {
		panic(err)
	}
	token, err := oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: client.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: auth.DeviceCode})
	if err != nil {
		panic(err)
	}
	out, err := sso.NewFromConfig(cfg).GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		AccessToken: token.AccessToken, AccountId: aws.String("111122223333"), RoleName: aws.String("Admin")})
	if err != nil {
		panic(err)
	}
	rc := out.RoleCredentials
	who, err := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(*rc.AccessKeyId, *rc.SecretAccessKey, *rc.SessionToken),
	}).GetCallerIdentity(ctx, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(token.ExpiresIn, token.RefreshToken != nil)
	fmt.Println(strings.HasPrefix(*who.Arn, "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_"))
	fmt.Println(strings.HasSuffix(*who.Arn, "/alice"))
	// Output:
	// 3600 true
	// true
	// true
}

// A developer tool signs in with console credentials as `aws login`
// does: the authorization code flow with PKCE, then CreateOAuth2Token
// with a DPoP proof of its key. WithAutoApprove makes /v1/authorize
// redirect at once, where the page would ask who signs in.
func ExampleServer_LoginSession() {
	srv, err := ststest.Start(ststest.WithAutoApprove("alice"))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	srv.AddUser("alice")

	verifier := strings.Repeat("verifier-", 8)
	sum := sha256.Sum256([]byte(verifier))
	redirect := "http://127.0.0.1:50000/oauth/callback" // the tool's loopback listener
	authorize := srv.URL + "/v1/authorize?" + url.Values{"response_type": {"code"},
		"client_id": {"arn:aws:signin:::devtools/same-device"}, "redirect_uri": {redirect}, "state": {"s1"},
		"code_challenge_method": {"SHA-256"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}}.Encode()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authorize) // what the browser opens
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	callback, _ := url.Parse(resp.Header.Get("Location"))

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	client := signin.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)}) // or AWS_ENDPOINT_URL_SIGNIN
	out, err := client.CreateOAuth2Token(context.Background(), &signin.CreateOAuth2TokenInput{
		TokenInput: &signintypes.CreateOAuth2TokenRequestBody{
			ClientId: aws.String("arn:aws:signin:::devtools/same-device"), GrantType: aws.String("authorization_code"),
			Code: aws.String(callback.Query().Get("code")), CodeVerifier: aws.String(verifier), RedirectUri: aws.String(redirect)},
	}, withDPoP(key))
	if err != nil {
		panic(err)
	}
	idToken := strings.Split(*out.TokenOutput.IdToken, ".")
	claims, _ := base64.RawURLEncoding.DecodeString(idToken[1])
	var id struct{ Sub string }
	_ = json.Unmarshal(claims, &id)
	fmt.Println(id.Sub == srv.LoginSession("alice"), id.Sub)
	fmt.Println(*out.TokenOutput.TokenType, *out.TokenOutput.ExpiresIn)
	// Output:
	// true arn:aws:iam::123456789012:user/alice
	// aws_sigv4 900
}

// withDPoP adds the DPoP proof of key (RFC 9449, ES256) to each attempt
// of a Sign-In call, as the SDK's logincreds does on refresh.
func withDPoP(key *ecdsa.PrivateKey) func(*signin.Options) {
	sign := middleware.FinalizeMiddlewareFunc("DPoP", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
		middleware.FinalizeOutput, middleware.Metadata, error) {
		req := in.Request.(*smithyhttp.Request)
		claims := map[string]any{"jti": rand.Text(), "htm": "POST", "htu": req.URL.String(), "iat": time.Now().Unix()}
		req.Header.Set("DPoP", signDPoP(key, "dpop+jwt", claims))
		return next.HandleFinalize(ctx, in)
	})
	return signin.WithAPIOptions(func(s *middleware.Stack) error { return s.Finalize.Add(sign, middleware.After) })
}

// signDPoP returns a DPoP proof: a JWS of claims signed with key (ES256,
// the signature as r || s), whose header carries typ and the public key.
func signDPoP(key *ecdsa.PrivateKey, typ string, claims map[string]any) string {
	point, _ := key.PublicKey.Bytes() // 0x04 || X || Y
	enc := base64.RawURLEncoding.EncodeToString
	header, _ := json.Marshal(map[string]any{"typ": typ, "alg": "ES256",
		"jwk": map[string]string{"kty": "EC", "crv": "P-256", "x": enc(point[1:33]), "y": enc(point[33:])}})
	payload, _ := json.Marshal(claims)
	input := enc(header) + "." + enc(payload)
	sum := sha256.Sum256([]byte(input))
	r, s, _ := ecdsa.Sign(rand.Reader, key, sum[:])
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + enc(sig)
}
