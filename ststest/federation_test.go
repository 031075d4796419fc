package ststest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// fedResponse is what the federation endpoint answered.
type fedResponse struct {
	status   int
	header   http.Header
	body     string
	location string
}

// federate sends a GET to the federation endpoint without following
// redirects.
func federate(t *testing.T, srv *ststest.Server, q url.Values) fedResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, srv.FederationURL()+"?"+q.Encode(), nil)
	require.NoError(t, err)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return fedResponse{resp.StatusCode, resp.Header, string(body), resp.Header.Get("Location")}
}

// sessionParam is the Session JSON of getSigninToken.
func sessionParam(id, key, token string) string {
	b, _ := json.Marshal(map[string]string{"sessionId": id, "sessionKey": key, "sessionToken": token})
	return string(b)
}

func signinQuery(c *types.Credentials, duration string) url.Values {
	q := url.Values{"Action": {"getSigninToken"}, "Session": {sessionParam(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))}}
	if duration != "" {
		q.Set("SessionDuration", duration)
	}
	return q
}

// fedFixture adds to the fixture a role alice may assume, a role its
// sessions may assume, and one set of each kind of credentials.
type fedFixture struct {
	*fixture
	admin, chainedRole ststest.Role
	role, chained      *types.Credentials // AssumeRole from long-term keys; from a role session
	federated, session *types.Credentials // GetFederationToken; GetSessionToken
}

func newFedFixture(t *testing.T) *fedFixture {
	f := &fedFixture{fixture: newFixture(t)}
	f.admin = f.srv.AddRole("Admin", ststest.Trust{Principals: []string{f.alice.ARN}, MaxSessionDuration: 12 * time.Hour})
	f.chainedRole = f.srv.AddRole("Audit", ststest.Trust{Principals: []string{f.admin.ARN}})
	alice := clientFor(f.srv, f.alice)
	ar, err := alice.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(f.admin.ARN), RoleSessionName: aws.String("alice"), DurationSeconds: aws.Int32(7200)})
	require.NoError(t, err)
	f.role = ar.Credentials
	ch, err := clientForCreds(f.srv, f.role).AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(f.chainedRole.ARN), RoleSessionName: aws.String("alice")})
	require.NoError(t, err)
	f.chained = ch.Credentials
	gft, err := alice.GetFederationToken(ctxT(t), &sts.GetFederationTokenInput{Name: aws.String("alice-console"), DurationSeconds: aws.Int32(3600)})
	require.NoError(t, err)
	f.federated = gft.Credentials
	f.session = f.mfaSession(t)
	f.srv.ResetRequests()
	return f
}

func TestGetSigninToken(t *testing.T) {
	f := newFedFixture(t)
	acct := f.srv.Account()
	long := &types.Credentials{AccessKeyId: aws.String(f.alice.AccessKeyID), SecretAccessKey: aws.String(f.alice.SecretAccessKey)}
	with := func(c *types.Credentials, key, token string) *types.Credentials {
		out := *c
		if key != "" {
			out.SecretAccessKey = aws.String(key)
		}
		if token != "" {
			out.SessionToken = aws.String(token)
		}
		return &out
	}
	unknown := with(f.role, "", "")
	unknown.AccessKeyId = aws.String("ASIAUNKNOWNUNKNOWN00")

	tests := []struct {
		name     string
		creds    *types.Credentials
		duration string
		wantARN  string // "" when refused
		wantWhy  string
	}{
		{"role", f.role, "", "arn:aws:sts::" + acct + ":assumed-role/Admin/alice", ""},
		{"role with 15 min", f.role, "900", "arn:aws:sts::" + acct + ":assumed-role/Admin/alice", ""},
		{"role with 12 h", f.role, "43200", "arn:aws:sts::" + acct + ":assumed-role/Admin/alice", ""},
		{"role with 899 s", f.role, "899", "", ststest.FederationInvalidDuration},
		{"role with 43201 s", f.role, "43201", "", ststest.FederationInvalidDuration},
		{"role with a non-number", f.role, "1h", "", ststest.FederationInvalidDuration},
		{"chained role", f.chained, "", "arn:aws:sts::" + acct + ":assumed-role/Audit/alice", ""},
		{"chained role with a duration", f.chained, "3600", "", ststest.FederationInvalidDuration},
		{"federation token", f.federated, "", "arn:aws:sts::" + acct + ":federated-user/alice-console", ""},
		{"federation token with a duration", f.federated, "3600", "", ststest.FederationInvalidDuration},
		{"GetSessionToken credentials", f.session, "", "", ststest.FederationSessionTokenCredentials},
		{"long-term keys", long, "", "", ststest.FederationInvalidCredentials},
		{"wrong secret key", with(f.role, "wrongwrongwrongwrongwrongwrongwrongwrong", ""), "", "", ststest.FederationInvalidCredentials},
		{"wrong session token", with(f.role, "", "IQoJwrong"), "", "", ststest.FederationInvalidCredentials},
		{"session token of another session", with(f.role, "", aws.ToString(f.chained.SessionToken)), "", "", ststest.FederationInvalidCredentials},
		{"unknown key", unknown, "", "", ststest.FederationInvalidCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.srv.ResetRequests()
			resp := federate(t, f.srv, signinQuery(tt.creds, tt.duration))
			reqs := f.srv.Requests()
			require.Len(t, reqs, 1)
			require.Equal(t, "getSigninToken", reqs[0].Action)
			require.Equal(t, aws.ToString(tt.creds.AccessKeyId), reqs[0].AccessKeyID)
			require.Equal(t, tt.wantWhy, reqs[0].ErrorCode)
			require.Equal(t, resp.status, reqs[0].Status)
			if tt.wantARN == "" {
				require.Equal(t, http.StatusBadRequest, resp.status, "got %d, want 400", resp.status)
				require.True(t, strings.HasPrefix(resp.header.Get("Content-Type"), "text/html"), "got %s, want an HTML page", resp.header.Get("Content-Type"))
				require.NotContains(t, resp.body, aws.ToString(tt.creds.SecretAccessKey))
				require.NotContains(t, resp.body, "sessionKey")
				return
			}
			require.Equal(t, http.StatusOK, resp.status, "body %s", resp.body)
			require.Equal(t, "application/json", resp.header.Get("Content-Type"))
			var out struct{ SigninToken string }
			require.NoError(t, json.Unmarshal([]byte(resp.body), &out))
			require.GreaterOrEqual(t, len(out.SigninToken), 200, "tokens are long and opaque")
			cs, ok := f.srv.SigninSession(out.SigninToken)
			require.True(t, ok)
			require.Equal(t, tt.wantARN, cs.ARN)
			require.Equal(t, aws.ToString(tt.creds.AccessKeyId), cs.AccessKeyID)
			require.Equal(t, f.srv.Now().Add(ststest.SigninTokenLifetime), cs.TokenExpires)
			require.False(t, cs.SignedIn)
			if tt.duration != "" {
				require.Equal(t, tt.duration, strconv.Itoa(int(cs.SessionDuration/time.Second)))
				require.Equal(t, f.srv.Now().Add(cs.SessionDuration), cs.Expires)
			} else {
				require.WithinDuration(t, aws.ToTime(tt.creds.Expiration), cs.Expires, time.Second, "the console lasts as long as the credentials")
			}
		})
	}
}

func TestGetSigninTokenMalformed(t *testing.T) {
	f := newFedFixture(t)
	for name, q := range map[string]url.Values{
		"no Session":         {"Action": {"getSigninToken"}},
		"Session not JSON":   {"Action": {"getSigninToken"}, "Session": {"sessionId=ASIA"}},
		"Session without id": {"Action": {"getSigninToken"}, "Session": {sessionParam("", "k", "t")}},
		"unknown action":     {"Action": {"getSignInToken"}, "Session": {sessionParam(aws.ToString(f.role.AccessKeyId), aws.ToString(f.role.SecretAccessKey), aws.ToString(f.role.SessionToken))}},
		"no action":          {},
	} {
		t.Run(name, func(t *testing.T) {
			f.srv.ResetRequests()
			resp := federate(t, f.srv, q)
			require.Equal(t, http.StatusBadRequest, resp.status)
			require.Equal(t, ststest.FederationMalformed, f.srv.Requests()[0].ErrorCode)
		})
	}
}

func TestGetSigninTokenExpiredCredentials(t *testing.T) {
	f := newFedFixture(t)
	f.clock.Set(aws.ToTime(f.federated.Expiration).Add(time.Second))
	resp := federate(t, f.srv, signinQuery(f.federated, ""))
	require.Equal(t, http.StatusBadRequest, resp.status)
	require.Equal(t, ststest.FederationExpiredCredentials, f.srv.Requests()[0].ErrorCode)

	resp = federate(t, f.srv, signinQuery(f.role, ""))
	require.Equal(t, http.StatusOK, resp.status, "the 2 h role session is still good")
}

// signinToken gets a token for the role credentials.
func (f *fedFixture) signinToken(t *testing.T) string {
	t.Helper()
	resp := federate(t, f.srv, signinQuery(f.role, "3600"))
	require.Equal(t, http.StatusOK, resp.status)
	var out struct{ SigninToken string }
	require.NoError(t, json.Unmarshal([]byte(resp.body), &out))
	return out.SigninToken
}

func loginQuery(token, destination string) url.Values {
	return url.Values{"Action": {"login"}, "Issuer": {"https://example.com/"}, "Destination": {destination}, "SigninToken": {token}}
}

func TestLogin(t *testing.T) {
	const console = "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1"
	f := newFedFixture(t)
	token := f.signinToken(t)

	resp := federate(t, f.srv, loginQuery(token, console))
	require.Equal(t, http.StatusFound, resp.status, "body %s", resp.body)
	require.Equal(t, console, resp.location)
	cs, ok := f.srv.SigninSession(token)
	require.True(t, ok)
	require.True(t, cs.SignedIn)
	require.Equal(t, "https://example.com/", cs.Issuer)
	require.Equal(t, console, cs.Destination)
	require.Equal(t, time.Hour, cs.SessionDuration)

	resp = federate(t, f.srv, loginQuery(token, console))
	require.Equal(t, http.StatusBadRequest, resp.status, "a token is good for one login")

	reqs := f.srv.Requests()
	got := []string{}
	for _, r := range reqs {
		got = append(got, r.Action+" "+http.StatusText(r.Status)+" "+r.ErrorCode)
	}
	require.Equal(t, []string{"getSigninToken OK ", "login Found ", "login Bad Request " + ststest.FederationInvalidSigninToken}, got)
}

func TestLoginRefusals(t *testing.T) {
	const console = "https://console.aws.amazon.com/"
	f := newFedFixture(t)
	expired := f.signinToken(t)
	f.clock.Advance(ststest.SigninTokenLifetime)
	good := f.signinToken(t)
	tests := []struct {
		name string
		q    url.Values
		why  string
	}{
		{"expired token", loginQuery(expired, console), ststest.FederationInvalidSigninToken},
		{"unknown token", loginQuery("bm90IGEgdG9rZW4=", console), ststest.FederationInvalidSigninToken},
		{"no token", loginQuery("", console), ststest.FederationInvalidSigninToken},
		{"token cut short", loginQuery(good[:len(good)-1], console), ststest.FederationInvalidSigninToken},
		{"no destination", loginQuery(good, ""), ststest.FederationMalformed},
		{"relative destination", loginQuery(good, "/console/home"), ststest.FederationMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.srv.ResetRequests()
			resp := federate(t, f.srv, tt.q)
			require.Equal(t, http.StatusBadRequest, resp.status)
			require.Empty(t, resp.location)
			require.Equal(t, tt.why, f.srv.Requests()[0].ErrorCode)
		})
	}
	resp := federate(t, f.srv, loginQuery(good, console))
	require.Equal(t, http.StatusFound, resp.status, "the good token survived the refusals")
}

func TestFederationFaults(t *testing.T) {
	f := newFedFixture(t)
	f.srv.InjectFault(ststest.ServerError(1).ForAction("getSigninToken"))
	resp := federate(t, f.srv, signinQuery(f.role, ""))
	require.Equal(t, http.StatusInternalServerError, resp.status)
	require.True(t, strings.HasPrefix(resp.header.Get("Content-Type"), "text/html"))
	r := f.srv.Requests()[0]
	require.True(t, r.Fault)
	require.Equal(t, "InternalFailure", r.ErrorCode)

	resp = federate(t, f.srv, signinQuery(f.role, ""))
	require.Equal(t, http.StatusOK, resp.status, "the fault was for one request")
}

// The federation endpoint sits beside STS: STS calls still work and both
// are in one request log.
func TestFederationBesideSTS(t *testing.T) {
	f := newFedFixture(t)
	f.signinToken(t)
	_, err := clientForCreds(f.srv, f.role).GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	require.Equal(t, 1, f.srv.CountRequests("getSigninToken"))
	require.Equal(t, 1, f.srv.CountRequests("GetCallerIdentity"))
	require.Equal(t, f.srv.URL+"/federation", f.srv.FederationURL())
}
