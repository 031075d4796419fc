package ststest_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// anonymousClient is the SDK's STS client with no credentials, as the web
// identity provider builds it: AssumeRoleWithWebIdentity is unsigned.
func anonymousClient(srv *ststest.Server) *sts.Client {
	return sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)},
		func(o *sts.Options) { o.RetryMaxAttempts = 1 })
}

// webIdentityFixture has roles for GitHub Actions (one repository's
// workflows) and an EKS service account with its own audience.
type webIdentityFixture struct {
	*fixture
	github, eks ststest.Role
}

func newWebIdentityFixture(t *testing.T) *webIdentityFixture {
	f := newFixture(t)
	provider := f.srv.OIDCProviderARN()
	return &webIdentityFixture{fixture: f,
		github: f.srv.AddRole("GitHubDeploy", ststest.Trust{Principals: []string{provider}, Subject: "repo:octo/app:*"}),
		eks:    f.srv.AddRole("EKSPod", ststest.Trust{Principals: []string{provider}, Audience: "eks.example", Subject: "system:serviceaccount:prod:api"}),
	}
}

func TestOIDCProviderARN(t *testing.T) {
	f := newFixture(t)
	require.Equal(t, "arn:aws:iam::123456789012:oidc-provider/"+strings.TrimPrefix(f.srv.URL, "http://"), f.srv.OIDCProviderARN())
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	f := newWebIdentityFixture(t)
	token := f.srv.WebIdentityToken("repo:octo/app:ref:refs/heads/main", "")
	out, err := anonymousClient(f.srv).AssumeRoleWithWebIdentity(ctxT(t), &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(f.github.ARN), RoleSessionName: aws.String("gha-run-1"), WebIdentityToken: aws.String(token),
	})
	require.NoError(t, err)
	require.Equal(t, "repo:octo/app:ref:refs/heads/main", aws.ToString(out.SubjectFromWebIdentityToken))
	require.Equal(t, "sts.amazonaws.com", aws.ToString(out.Audience))
	require.Equal(t, f.srv.OIDCProviderARN(), aws.ToString(out.Provider))
	require.Equal(t, "arn:aws:sts::123456789012:assumed-role/GitHubDeploy/gha-run-1", aws.ToString(out.AssumedRoleUser.Arn))
	require.Equal(t, f.clock.Now().Add(time.Hour).UTC().Truncate(time.Millisecond), aws.ToTime(out.Credentials.Expiration))
	require.Nil(t, out.PackedPolicySize) //lint:ignore SA1019 the fake sends what STS sends

	who, err := clientForCreds(f.srv, out.Credentials).GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	require.Equal(t, aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(who.Arn))
	reqs := f.srv.Requests()
	require.Equal(t, "AssumeRoleWithWebIdentity", reqs[0].Action)
	require.Empty(t, reqs[0].AccessKeyID, "the call is unsigned")
}

func TestAssumeRoleWithWebIdentityRefusals(t *testing.T) {
	f := newWebIdentityFixture(t)
	other := ststest.NewServer(t, ststest.WithClock(f.clock.Now))
	plain := f.srv.AddRole("Plain", ststest.Trust{Principals: []string{"*"}})
	good := f.srv.WebIdentityToken("repo:octo/app:ref:refs/heads/main", "")
	parts := strings.Split(good, ".")
	require.Len(t, parts, 3)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"`+f.srv.URL+`","sub":"repo:octo/app:x","aud":"sts.amazonaws.com","exp":9999999999}`)) + "." + parts[2]
	foreign := other.WebIdentityToken("repo:octo/app:ref:refs/heads/main", "")
	tests := []struct {
		name, role, token, code, message string
		status                           int
	}{
		{"not a JWT", f.github.ARN, "not-a-jwt", "InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)", 400},
		{"another issuer", f.github.ARN, foreign, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for " + other.URL, 400},
		{"tampered claims", f.github.ARN, tampered, "InvalidIdentityToken", "The signature of the ID Token could not be verified with the keys of the identity provider.", 400},
		{"an audience no role expects", f.github.ARN, f.srv.WebIdentityToken("repo:octo/app:x", "sigstore"), "InvalidIdentityToken", "Incorrect token audience", 400},
		{"another role's audience", f.github.ARN, f.srv.WebIdentityToken("repo:octo/app:x", "eks.example"), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403},
		{"a subject outside the pattern", f.github.ARN, f.srv.WebIdentityToken("repo:octo/other:ref:refs/heads/main", ""), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403},
		{"a role that does not trust the issuer", plain.ARN, good, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403},
		{"a role that does not exist", "arn:aws:iam::123456789012:role/Nope", good, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403},
		{"not an ARN", "nothing-valid-in-here", good, "ValidationError", "nothing-valid-in-here is invalid", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := anonymousClient(f.srv).AssumeRoleWithWebIdentity(ctxT(t), &sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(tt.role), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(tt.token),
			})
			requireAPIError(t, err, tt.code, tt.message, tt.status)
		})
	}
	t.Run("the EKS role with its audience and subject", func(t *testing.T) {
		_, err := anonymousClient(f.srv).AssumeRoleWithWebIdentity(ctxT(t), &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(f.eks.ARN), RoleSessionName: aws.String("pod"),
			WebIdentityToken: aws.String(f.srv.WebIdentityToken("system:serviceaccount:prod:api", "eks.example")),
		})
		require.NoError(t, err)
	})
	t.Run("an expired token", func(t *testing.T) {
		token := f.srv.WebIdentityToken("repo:octo/app:ref:refs/heads/main", "")
		exp := f.clock.Now().Add(time.Hour).Unix()
		f.clock.Advance(2 * time.Hour)
		_, err := anonymousClient(f.srv).AssumeRoleWithWebIdentity(ctxT(t), &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(f.github.ARN), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(token),
		})
		requireAPIError(t, err, "ExpiredTokenException", "Token expired: current date/time "+strconv.FormatInt(f.clock.Now().Unix(), 10)+
			" must be before the expiration date/time "+strconv.FormatInt(exp, 10), 400)
	})
	t.Run("a duration over the role's maximum", func(t *testing.T) {
		_, err := anonymousClient(f.srv).AssumeRoleWithWebIdentity(ctxT(t), &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(f.github.ARN), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(7200),
			WebIdentityToken: aws.String(f.srv.WebIdentityToken("repo:octo/app:x", "")),
		})
		requireAPIError(t, err, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", 400)
	})
}

// tokenFile is a stscreds.IdentityTokenRetriever that reads the token the
// server mints now, as a kubelet or the GitHub runner refreshes the file.
type tokenFunc func() string

func (f tokenFunc) GetIdentityToken() ([]byte, error) { return []byte(f()), nil }

// TestWebIdentityRoleProvider runs the SDK's own web identity provider
// (stscreds.NewWebIdentityRoleProvider) against the server.
func TestWebIdentityRoleProvider(t *testing.T) {
	f := newWebIdentityFixture(t)
	provider := stscreds.NewWebIdentityRoleProvider(anonymousClient(f.srv), f.eks.ARN,
		tokenFunc(func() string { return f.srv.WebIdentityToken("system:serviceaccount:prod:api", "eks.example") }),
		func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = "pod-1" })
	creds, err := provider.Retrieve(ctxT(t))
	require.NoError(t, err)
	require.True(t, creds.CanExpire)
	require.Equal(t, "123456789012", creds.AccountID)
	who, err := newClient(f.srv, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken).GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sts::123456789012:assumed-role/EKSPod/pod-1", aws.ToString(who.Arn))
}

// TestWebIdentityDefaultChain: the SDK's default credential chain with
// AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, the setup of EKS (IRSA)
// and of GitHub Actions, gets a role session from the server. It sets
// the process environment, so it does not run in parallel.
func TestWebIdentityDefaultChain(t *testing.T) {
	f := newWebIdentityFixture(t)
	dir := t.TempDir()
	tokenPath := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(tokenPath, []byte(f.srv.WebIdentityToken("repo:octo/app:ref:refs/heads/main", "")), 0o600))
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	for k, v := range map[string]string{
		"AWS_WEB_IDENTITY_TOKEN_FILE": tokenPath, "AWS_ROLE_ARN": f.github.ARN, "AWS_ROLE_SESSION_NAME": "gha-run-2",
		"AWS_ENDPOINT_URL_STS": f.srv.URL, "AWS_REGION": "eu-west-1",
		"AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty,
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(ctxT(t))
	require.NoError(t, err)
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sts::123456789012:assumed-role/GitHubDeploy/gha-run-2", aws.ToString(who.Arn))
	require.Equal(t, []string{"AssumeRoleWithWebIdentity", "GetCallerIdentity"}, actions(f.srv.Requests()))
}

func actions(reqs []ststest.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Action)
	}
	return out
}

// TestOIDCIssuerEndpoints: the issuer serves its discovery document and
// keys where an OIDC client looks for them, and mints tokens over HTTP.
func TestOIDCIssuerEndpoints(t *testing.T) {
	f := newFixture(t)
	get := func(path string, into any) string {
		req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, f.srv.URL+path, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		if into != nil {
			require.NoError(t, json.NewDecoder(resp.Body).Decode(into))
			return ""
		}
		var b strings.Builder
		_, err = io.Copy(&b, resp.Body)
		require.NoError(t, err)
		return b.String()
	}
	var discovery struct {
		Issuer  string   `json:"issuer"`
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	get("/.well-known/openid-configuration", &discovery)
	require.Equal(t, f.srv.URL, discovery.Issuer)
	require.Equal(t, []string{"RS256"}, discovery.Algs)
	var jwks struct {
		Keys []struct{ Kty, Alg, Kid, N, E string } `json:"keys"`
	}
	get(strings.TrimPrefix(discovery.JWKSURI, f.srv.URL), &jwks)
	require.Len(t, jwks.Keys, 1)
	require.Equal(t, "RSA", jwks.Keys[0].Kty)
	require.Equal(t, "AQAB", jwks.Keys[0].E)

	token := get("/ststest/web-identity-token?sub=repo:octo/app:x&aud=sts.amazonaws.com", nil)
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	require.JSONEq(t, `{"alg":"RS256","typ":"JWT","kid":"`+jwks.Keys[0].Kid+`"}`, string(header))
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var claims map[string]any
	require.NoError(t, json.Unmarshal(payload, &claims))
	require.Equal(t, "repo:octo/app:x", claims["sub"])
	require.Equal(t, f.srv.URL, claims["iss"])
	require.Equal(t, float64(f.clock.Now().Add(time.Hour).Unix()), claims["exp"])
}
