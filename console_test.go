package awssession_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loginURL is a parsed ConsoleURL result.
type loginURL struct {
	raw      string
	endpoint string
	q        url.Values
}

func parseLogin(t *testing.T, raw string) loginURL {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	q := u.Query()
	require.Equal(t, "login", q.Get("Action"))
	require.NotEmpty(t, q.Get("SigninToken"))
	u.RawQuery = ""
	return loginURL{raw: raw, endpoint: u.String(), q: q}
}

// follow opens the login URL as a browser would, without following the
// redirect, and returns the status and the redirect's target.
func follow(t *testing.T, raw string) (int, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(raw)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

// consoleSession returns what the server knows of the URL's token.
func (f *fixture) consoleSession(t *testing.T, l loginURL) ststest.ConsoleSession {
	t.Helper()
	cs, ok := f.srv.SigninSession(l.q.Get("SigninToken"))
	require.True(t, ok, "the token is not one the server issued")
	return cs
}

// request returns the only request recorded for action.
func request(t *testing.T, srv *ststest.Server, action string) ststest.Request {
	t.Helper()
	var found []ststest.Request
	for _, r := range srv.Requests() {
		if r.Action == action {
			found = append(found, r)
		}
	}
	require.Len(t, found, 1, "requests for %s", action)
	return found[0]
}

const usEast1Console = "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1"

func TestConsoleURLRoleCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	openRole := func(d time.Duration) []awssession.Option {
		return f.base(f.aliceKeys(), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN, RoleSessionName: "alice", Duration: d}))
	}
	tests := []struct {
		name      string
		session   []awssession.Option
		console   []awssession.ConsoleOption
		wantARN   string
		wantCalls []string // before getSigninToken
		duration  string   // SessionDuration sent
	}{
		{"AssumeRole", openRole(0), nil, "assumed-role/Open/alice", []string{"AssumeRole"}, ""},
		{"AssumeRole with a console duration", openRole(0), []awssession.ConsoleOption{awssession.WithConsoleDuration(2 * time.Hour)},
			"assumed-role/Open/alice", []string{"AssumeRole"}, "7200"},
		{"profile role", f.base(f.profiles(t), awssession.WithProfile("open")), nil, "assumed-role/Open/", []string{"AssumeRole"}, ""},
		{"MFA session then role", f.base(f.aliceKeys(), awssession.WithMFA(f.device.SerialNumber, f.serverTOTP()), awssession.WithGetSessionToken(0),
			awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN, RoleSessionName: "alice"})), nil,
			"assumed-role/Admin/alice", []string{"GetSessionToken", "AssumeRole"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.srv.ResetRequests()
			cfg, err := awssession.CreateSession(ctx, tt.session...)
			require.NoError(t, err)
			raw, err := awssession.ConsoleURL(ctx, cfg, append([]awssession.ConsoleOption{awssession.WithFederationEndpoint(f.srv.FederationURL())}, tt.console...)...)
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(raw, f.srv.FederationURL()+"?Action=login&"), "got %s", raw)
			l := parseLogin(t, raw)
			assert.Equal(t, usEast1Console, l.q.Get("Destination"))
			assert.Equal(t, "awssession", l.q.Get("Issuer"))
			assert.Equal(t, append(tt.wantCalls, "getSigninToken"), actions(f.srv), "the credentials' source tells a role; no GetCallerIdentity")

			creds, err := cfg.Credentials.Retrieve(ctx)
			require.NoError(t, err)
			st := request(t, f.srv, "getSigninToken")
			assert.Equal(t, creds.AccessKeyID, st.AccessKeyID, "the session's own credentials are exchanged")
			assert.Equal(t, tt.duration, st.Params.Get("SessionDuration"))
			cs := f.consoleSession(t, l)
			assert.Contains(t, cs.ARN, "arn:aws:sts::"+f.srv.Account()+":"+tt.wantARN)

			status, location := follow(t, raw)
			assert.Equal(t, http.StatusFound, status)
			assert.Equal(t, usEast1Console, location)
			assert.True(t, f.consoleSession(t, l).SignedIn)
		})
	}
}

// Credentials whose source ConsoleURL does not know are classified by
// GetCallerIdentity.
func TestConsoleURLTemporaryKeysOfUnknownSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	alice := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(f.alice.AccessKeyID, f.alice.SecretAccessKey, "")})
	ar, err := alice.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(f.open.ARN), RoleSessionName: aws.String("env")})
	require.NoError(t, err)
	gft, err := alice.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob")})
	require.NoError(t, err)
	gst, err := alice.GetSessionToken(ctx, nil)
	require.NoError(t, err)
	tests := []struct {
		name    string
		keys    awssession.Option
		console []awssession.ConsoleOption
		wantARN string // "" for an error
		wantErr string
	}{
		{"role", awssession.WithStaticCredentials(*ar.Credentials.AccessKeyId, *ar.Credentials.SecretAccessKey, *ar.Credentials.SessionToken), nil,
			"arn:aws:sts::123456789012:assumed-role/Open/env", ""},
		{"federated user", awssession.WithStaticCredentials(*gft.Credentials.AccessKeyId, *gft.Credentials.SecretAccessKey, *gft.Credentials.SessionToken), nil,
			"arn:aws:sts::123456789012:federated-user/bob", ""},
		{"federated user with a duration", awssession.WithStaticCredentials(*gft.Credentials.AccessKeyId, *gft.Credentials.SecretAccessKey, *gft.Credentials.SessionToken),
			[]awssession.ConsoleOption{awssession.WithConsoleDuration(time.Hour)}, "", "WithConsoleDuration"},
		{"GetSessionToken", awssession.WithStaticCredentials(*gst.Credentials.AccessKeyId, *gst.Credentials.SecretAccessKey, *gst.Credentials.SessionToken), nil,
			"", "does not accept GetSessionToken credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.srv.ResetRequests()
			cfg, err := awssession.CreateSession(ctx, f.base(tt.keys)...)
			require.NoError(t, err)
			raw, err := awssession.ConsoleURL(ctx, cfg, append(tt.console, awssession.WithFederationEndpoint(f.srv.FederationURL()))...)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, awssession.ErrInvalidInput)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Equal(t, []string{"GetCallerIdentity"}, actions(f.srv), "refused before the federation endpoint")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{"GetCallerIdentity", "getSigninToken"}, actions(f.srv))
			assert.Equal(t, tt.wantARN, f.consoleSession(t, parseLogin(t, raw)).ARN)
			status, _ := follow(t, raw)
			assert.Equal(t, http.StatusFound, status)
		})
	}
}

func TestConsoleURLUserKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const readOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`
	tests := []struct {
		name                        string
		console                     []awssession.ConsoleOption
		wantName, wantPolicy, wantD string
	}{
		{"defaults", nil, "awssession", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "3600"},
		{"name, policy and duration", []awssession.ConsoleOption{awssession.WithFederationToken("alice-console", readOnly), awssession.WithConsoleDuration(36 * time.Hour)},
			"alice-console", readOnly, "129600"},
		{"name only", []awssession.ConsoleOption{awssession.WithFederationToken("alice", "")}, "alice",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "3600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.srv.ResetRequests()
			cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys())...)
			require.NoError(t, err)
			raw, err := awssession.ConsoleURL(ctx, cfg, append(tt.console, awssession.WithFederationEndpoint(f.srv.FederationURL()))...)
			require.NoError(t, err)
			assert.Equal(t, []string{"GetFederationToken", "getSigninToken"}, actions(f.srv), "long-term keys need no GetCallerIdentity")

			gft := request(t, f.srv, "GetFederationToken")
			assert.Equal(t, f.alice.AccessKeyID, gft.AccessKeyID)
			assert.Equal(t, tt.wantName, gft.Params.Get("Name"))
			assert.Equal(t, tt.wantPolicy, gft.Params.Get("Policy"))
			assert.Equal(t, tt.wantD, gft.Params.Get("DurationSeconds"))

			st := request(t, f.srv, "getSigninToken")
			assert.True(t, strings.HasPrefix(st.AccessKeyID, "ASIA"), "got %s, want the federation token's key", st.AccessKeyID)
			assert.Empty(t, st.Params.Get("SessionDuration"), "the endpoint refuses SessionDuration with federation tokens")
			assert.Equal(t, http.StatusOK, st.Status)

			l := parseLogin(t, raw)
			cs := f.consoleSession(t, l)
			assert.Equal(t, "arn:aws:sts::"+f.srv.Account()+":federated-user/"+tt.wantName, cs.ARN)
			assert.WithinDuration(t, f.srv.Now().Add(parseSeconds(t, tt.wantD)), cs.Expires, 5*time.Second)
			status, location := follow(t, raw)
			assert.Equal(t, http.StatusFound, status)
			assert.Equal(t, usEast1Console, location)
		})
	}
}

func parseSeconds(t *testing.T, s string) time.Duration {
	d, err := time.ParseDuration(s + "s")
	require.NoError(t, err)
	return d
}

func TestConsoleURLGetSessionTokenCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithMFA(f.device.SerialNumber, f.serverTOTP()), awssession.WithGetSessionToken(0))...)
	require.NoError(t, err)
	_, err = awssession.ConsoleURL(ctx, cfg, awssession.WithFederationEndpoint(f.srv.FederationURL()))
	require.ErrorIs(t, err, awssession.ErrInvalidInput)
	var ie *awssession.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "cfg.Credentials", ie.Field)
	assert.Contains(t, ie.Reason, "does not accept GetSessionToken credentials")
	assert.Contains(t, ie.Reason, "WithAssumeRole", "the error says what to do")
	assert.Equal(t, []string{"GetSessionToken"}, actions(f.srv), "no getSigninToken, no GetCallerIdentity")
}

// AWS refuses SessionDuration for a role assumed with temporary
// credentials; the error says so.
func TestConsoleURLChainedRoleDuration(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithMFA(f.device.SerialNumber, f.serverTOTP()),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN}),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.auditor.ARN}))...)
	require.NoError(t, err)
	endpoint := awssession.WithFederationEndpoint(f.srv.FederationURL())

	_, err = awssession.ConsoleURL(ctx, cfg, endpoint, awssession.WithConsoleDuration(time.Hour))
	var fe *awssession.FederationError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, http.StatusBadRequest, fe.StatusCode)
	assert.Contains(t, err.Error(), "role chaining")
	assert.Equal(t, ststest.FederationInvalidDuration, request(t, f.srv, "getSigninToken").ErrorCode)

	f.srv.ResetRequests()
	raw, err := awssession.ConsoleURL(ctx, cfg, endpoint)
	require.NoError(t, err, "without a duration the chained role signs in")
	assert.Contains(t, f.consoleSession(t, parseLogin(t, raw)).ARN, ":assumed-role/Auditor/")

	_, err = awssession.ConsoleURL(ctx, cfg, endpoint, awssession.WithConsoleDuration(13*time.Hour))
	require.ErrorIs(t, err, awssession.ErrInvalidInput, "role console sessions last 12 h at most")
}

// signinCapture stands in for the real federation endpoints: it answers
// the sign-in hosts of every partition and passes loopback requests (the
// fake STS) through. Anything else fails, so no test reaches AWS.
type signinCapture struct {
	requests []*http.Request
}

func (c *signinCapture) RoundTrip(r *http.Request) (*http.Response, error) {
	if ip := net.ParseIP(r.URL.Hostname()); ip != nil && ip.IsLoopback() {
		return http.DefaultTransport.RoundTrip(r)
	}
	if !strings.HasPrefix(r.URL.Host, "signin.") {
		return nil, errors.New("test transport: refusing to reach " + r.URL.Host)
	}
	c.requests = append(c.requests, r)
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"SigninToken":"captured+token/=="}`)), Request: r}, nil
}

func TestConsoleURLPartitions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		partition, region string
		wantEndpoint      string
		wantDestination   string
	}{
		{"aws", "us-east-1", "https://signin.aws.amazon.com/federation", usEast1Console},
		{"aws", "eu-west-1", "https://signin.aws.amazon.com/federation", "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"},
		{"aws", "", "https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/"},
		{"aws-cn", "cn-north-1", "https://signin.amazonaws.cn/federation", "https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1"},
		{"aws-cn", "cn-northwest-1", "https://signin.amazonaws.cn/federation", "https://cn-northwest-1.console.amazonaws.cn/console/home?region=cn-northwest-1"},
		{"aws-us-gov", "us-gov-west-1", "https://signin.amazonaws-us-gov.com/federation", "https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"},
		{"aws-us-gov", "us-gov-east-1", "https://signin.amazonaws-us-gov.com/federation", "https://us-gov-east-1.console.amazonaws-us-gov.com/console/home?region=us-gov-east-1"},
	}
	for _, tt := range tests {
		t.Run(tt.partition+" "+tt.region, func(t *testing.T) {
			f := newFixture(t, ststest.WithPartition(tt.partition))
			ctx := context.Background()
			opts := []awssession.Option{awssession.WithSTSEndpoint(f.srv.URL), f.aliceKeys(),
				awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN, RoleSessionName: "alice"})}
			if tt.region != "" {
				opts = append(opts, awssession.WithRegion(tt.region))
			}
			cfg, err := awssession.CreateSession(ctx, opts...)
			require.NoError(t, err)
			capture := &signinCapture{}
			cfg.HTTPClient = &http.Client{Transport: capture}

			raw, err := awssession.ConsoleURL(ctx, cfg)
			require.NoError(t, err)
			require.Len(t, capture.requests, 1)
			got := capture.requests[0]
			assert.Equal(t, http.MethodGet, got.Method)
			assert.Equal(t, "getSigninToken", got.URL.Query().Get("Action"))
			assert.Contains(t, got.URL.Query().Get("Session"), `"sessionToken":"`)
			got.URL.RawQuery = ""
			assert.Equal(t, tt.wantEndpoint, got.URL.String())

			l := parseLogin(t, raw)
			assert.Equal(t, tt.wantEndpoint, l.endpoint)
			assert.True(t, strings.HasPrefix(raw, tt.wantEndpoint+"?Action=login&"))
			assert.Equal(t, tt.wantDestination, l.q.Get("Destination"))
			assert.Equal(t, "captured+token/==", l.q.Get("SigninToken"), "the token is escaped in the URL")
		})
	}
}

func TestConsoleURLRegionOverridesAndUnknownPartitions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	capture := &signinCapture{}
	cfg.HTTPClient = &http.Client{Transport: capture}

	raw, err := awssession.ConsoleURL(ctx, cfg, awssession.WithConsoleRegion("cn-north-1"), awssession.WithIssuer(""),
		awssession.WithDestination("https://console.amazonaws.cn/s3/home"))
	require.NoError(t, err)
	l := parseLogin(t, raw)
	assert.Equal(t, "https://signin.amazonaws.cn/federation", l.endpoint, "WithConsoleRegion picks the partition")
	assert.Equal(t, "https://console.amazonaws.cn/s3/home", l.q.Get("Destination"))
	_, hasIssuer := l.q["Issuer"]
	assert.False(t, hasIssuer, "WithIssuer(\"\") leaves Issuer out")

	before := len(f.srv.Requests())
	_, err = awssession.ConsoleURL(ctx, cfg, awssession.WithConsoleRegion("us-iso-east-1"))
	require.ErrorIs(t, err, awssession.ErrInvalidInput)
	assert.Contains(t, err.Error(), "aws-iso")
	assert.Len(t, f.srv.Requests(), before, "no call for a partition without a known endpoint")

	raw, err = awssession.ConsoleURL(ctx, cfg, awssession.WithConsoleRegion("us-iso-east-1"),
		awssession.WithFederationEndpoint(f.srv.FederationURL()), awssession.WithDestination("https://console.example.ic.gov/"))
	require.NoError(t, err, "with both overrides the partition does not matter")
	assert.Equal(t, "https://console.example.ic.gov/", parseLogin(t, raw).q.Get("Destination"))
}

func TestConsoleURLInvalidOptions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys())...)
	require.NoError(t, err)
	tests := []struct {
		field string
		opt   awssession.ConsoleOption
	}{
		{"WithConsoleRegion", awssession.WithConsoleRegion("Frankfurt")},
		{"WithConsoleDuration", awssession.WithConsoleDuration(10 * time.Minute)},
		{"WithConsoleDuration", awssession.WithConsoleDuration(37 * time.Hour)},
		{"WithConsoleDuration", awssession.WithConsoleDuration(time.Hour + time.Millisecond)},
		{"WithFederationToken.Name", awssession.WithFederationToken("a", "")},
		{"WithFederationToken.Name", awssession.WithFederationToken("alice/console", "")},
		{"WithFederationToken.Policy", awssession.WithFederationToken("", "allow everything")},
		{"WithFederationToken.Policy", awssession.WithFederationToken("", `{"Statement":[`+strings.Repeat(" ", 2048)+`]}`)},
		{"WithDestination", awssession.WithDestination("http://console.aws.amazon.com/")},
		{"WithDestination", awssession.WithDestination("console.aws.amazon.com")},
		{"WithFederationEndpoint", awssession.WithFederationEndpoint("http://signin.example.com/federation")},
		{"WithFederationEndpoint", awssession.WithFederationEndpoint(f.srv.FederationURL() + "?Action=getSigninToken")},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			f.srv.ResetRequests()
			_, err := awssession.ConsoleURL(ctx, cfg, tt.opt)
			require.ErrorIs(t, err, awssession.ErrInvalidInput)
			var ie *awssession.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.Empty(t, f.srv.Requests(), "options are checked before any call")
		})
	}

	_, err = awssession.ConsoleURL(ctx, aws.Config{})
	require.ErrorIs(t, err, awssession.ErrInvalidInput, "a config without credentials")
}

func TestConsoleOptionsAreComparable(t *testing.T) {
	t.Parallel()
	assert.True(t, awssession.WithIssuer("x") == awssession.WithIssuer("x"))
	assert.True(t, awssession.WithConsoleDuration(time.Hour) == awssession.WithConsoleDuration(time.Hour))
	assert.True(t, awssession.WithFederationToken("n", "p") == awssession.WithFederationToken("n", "p"))
	assert.False(t, awssession.WithDestination("https://a/") == awssession.WithFederationEndpoint("https://a/"))
}

// An endpoint that fails gives a *FederationError that carries no secret:
// not the secret key, the session token, the Session JSON or a sign-in
// token.
func TestConsoleURLEndpointFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	creds, err := cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	rec := &secretRecorder{}
	rec.secret(f.alice.SecretAccessKey, creds.SecretAccessKey, creds.SessionToken, url.QueryEscape(creds.SessionToken), url.QueryEscape(creds.SecretAccessKey))

	answer := func(status int, contentType, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec.secret(r.URL.Query().Get("Session"))
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/federation"
	}
	// Port 1 (tcpmux) is privileged and served nowhere: a port freed by a
	// closed listener could be handed to another test's server.
	closed := "http://127.0.0.1:1/federation"
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	echo := "<html>" + creds.SessionToken + "</html>" // a broken proxy echoing the request

	tests := []struct {
		name       string
		endpoint   string
		ctxTimeout time.Duration
		wantStatus int
		wantText   string
		wantErr    error
	}{
		{"400 from AWS", answer(400, "text/html", "<h1>Invalid credentials parameter</h1>"), 0, 400, "AWS refused the credentials", nil},
		{"403", answer(403, "text/html", echo), 0, 403, "403 Forbidden", nil},
		{"500", answer(500, "text/html", echo), 0, 500, "500 Internal Server Error", nil},
		{"200 with HTML", answer(200, "text/html", echo), 0, 200, "text/html", nil},
		{"200 with bad JSON", answer(200, "application/json", `{"SigninToken":`), 0, 200, "sent no sign-in token", nil},
		{"200 with an empty token", answer(200, "application/json", `{"SigninToken":""}`), 0, 200, "sent no sign-in token", nil},
		{"200 with another JSON", answer(200, "application/json", `{"Token":"`+creds.SessionToken+`"}`), 0, 200, "is it a federation endpoint?", nil},
		{"unreachable", closed, 0, 0, "unreachable", nil},
		{"no answer in time", hang.URL + "/federation", 200 * time.Millisecond, 0, "unreachable", context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := ctx
			if tt.ctxTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxTimeout)
				defer cancel()
			}
			raw, err := awssession.ConsoleURL(ctx, cfg, awssession.WithFederationEndpoint(tt.endpoint))
			require.Error(t, err)
			assert.Empty(t, raw)
			rec.err(err)
			var fe *awssession.FederationError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.wantStatus, fe.StatusCode)
			assert.Equal(t, tt.endpoint, fe.Endpoint)
			assert.Contains(t, err.Error(), tt.wantText)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			}
		})
	}

	// The ststest endpoint with an injected fault, and then a good run,
	// whose sign-in token joins the secrets.
	f.srv.InjectFault(ststest.ServerError(1).ForAction("getSigninToken"))
	_, err = awssession.ConsoleURL(ctx, cfg, awssession.WithFederationEndpoint(f.srv.FederationURL()))
	var fe *awssession.FederationError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, http.StatusInternalServerError, fe.StatusCode)
	rec.err(err)
	raw, err := awssession.ConsoleURL(ctx, cfg, awssession.WithFederationEndpoint(f.srv.FederationURL()))
	require.NoError(t, err)
	token := parseLogin(t, raw).q.Get("SigninToken")
	rec.secret(token, url.QueryEscape(token))
	status, _ := follow(t, raw)
	require.Equal(t, http.StatusFound, status)
	_, err = awssession.ConsoleURL(ctx, cfg, awssession.WithFederationEndpoint(f.srv.FederationURL()), awssession.WithConsoleDuration(13*time.Hour))
	rec.err(err)
	rec.check(t)
}
