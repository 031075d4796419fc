package awssession

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// FederationError reports a console federation endpoint that refused the
// credentials or did not answer with a sign-in token. It holds no secret:
// neither the request URL (the session's keys travel in it) nor the
// response body.
type FederationError struct {
	// Endpoint is the federation endpoint, without its query.
	Endpoint string
	// StatusCode is the HTTP status received: 400 when AWS refuses the
	// credentials or the duration, 200 when the body held no token, 0
	// when no answer came (Err says why).
	StatusCode int
	// Hint names the likely cause, when one is known.
	Hint string
	// Err is the transport error, if any.
	Err error
}

func (e *FederationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "console sign-in: federation endpoint %s", e.Endpoint)
	switch {
	case e.Err != nil:
		fmt.Fprintf(&b, " unreachable: %v", e.Err)
	case e.StatusCode == http.StatusOK:
		b.WriteString(" sent no sign-in token")
	default:
		fmt.Fprintf(&b, " answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, " (%s)", e.Hint)
	}
	return b.String()
}

// Unwrap returns the transport error, if any.
func (e *FederationError) Unwrap() error { return e.Err }

// maxSigninResponse bounds the getSigninToken answer; tokens are a few
// kilobytes at most.
const maxSigninResponse = 64 << 10

// signinToken exchanges temporary credentials for a sign-in token at
// endpoint, sending SessionDuration when d is set.
func signinToken(ctx context.Context, client aws.HTTPClient, endpoint string, c aws.Credentials, d time.Duration) (string, error) {
	session, err := json.Marshal(map[string]string{"sessionId": c.AccessKeyID, "sessionKey": c.SecretAccessKey, "sessionToken": c.SessionToken})
	if err != nil {
		return "", fmt.Errorf("console sign-in: encode session: %w", err)
	}
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if d != 0 {
		q.Set("SessionDuration", strconv.Itoa(int(d/time.Second)))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"?"+q.Encode(), nil)
	if err != nil {
		return "", &FederationError{Endpoint: endpoint, Err: errors.New("cannot build the request")}
	}
	req.Header.Set("Accept", "application/json")
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", &FederationError{Endpoint: endpoint, Err: withoutSecrets(err, c)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSigninResponse))
	if err != nil {
		return "", &FederationError{Endpoint: endpoint, Err: withoutSecrets(err, c)}
	}
	if resp.StatusCode != http.StatusOK {
		e := &FederationError{Endpoint: endpoint, StatusCode: resp.StatusCode}
		if resp.StatusCode == http.StatusBadRequest {
			e.Hint = "AWS refused the credentials: invalid, expired, or of a kind the console does not accept"
			if d != 0 {
				e.Hint = "AWS refuses SessionDuration for a role assumed with temporary credentials (role chaining): " +
					"leave out WithConsoleDuration; or the credentials are invalid or expired"
			}
		}
		return "", e
	}
	var out struct{ SigninToken string }
	if err := json.Unmarshal(body, &out); err != nil || out.SigninToken == "" {
		return "", &FederationError{Endpoint: endpoint, StatusCode: resp.StatusCode,
			Hint: fmt.Sprintf("%d bytes of %s, not {\"SigninToken\": ...}; is it a federation endpoint?", len(body), contentType(resp))}
	}
	return out.SigninToken, nil
}

// withoutSecrets drops the request URL from a client error (it holds the
// session) and, should the rest still quote a secret, the whole text.
func withoutSecrets(err error, c aws.Credentials) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	msg := err.Error()
	for _, s := range []string{c.SecretAccessKey, url.QueryEscape(c.SecretAccessKey), c.SessionToken, url.QueryEscape(c.SessionToken)} {
		if s != "" && strings.Contains(msg, s) {
			return errors.New("request failed (the error quoted the session's keys, so it is withheld)")
		}
	}
	return err
}

func contentType(resp *http.Response) string {
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		return ct
	}
	return "no declared type"
}
