package awssession_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/require"
)

// secretRecorder collects every secret a test uses and every text a user
// could see, then checks that no text holds a secret.
type secretRecorder struct {
	mu      sync.Mutex
	secrets []string
	texts   []string
}

func (r *secretRecorder) secret(s ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range s {
		if v != "" {
			r.secrets = append(r.secrets, v)
		}
	}
}

func (r *secretRecorder) text(s ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.texts = append(r.texts, s...)
}

func (r *secretRecorder) err(err error) {
	if err != nil {
		r.text(err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	}
}

// tokens wraps a provider and records each code it hands out.
func (r *secretRecorder) tokens(tp awssession.TokenProvider) awssession.TokenProvider {
	return func(ctx context.Context, serial string) (string, error) {
		code, err := tp(ctx, serial)
		r.secret(code)
		return code, err
	}
}

func (r *secretRecorder) check(t *testing.T) {
	t.Helper()
	require.NotEmpty(t, r.secrets)
	for _, text := range r.texts {
		for _, s := range r.secrets {
			if len(s) >= 6 && bytes.Contains([]byte(text), []byte(s)) {
				t.Errorf("a secret (%d chars, starts %.2s…) appears in: %.200s", len(s), s, text)
			}
		}
	}
}

func TestNoSecretInLogsErrorsOrFormattedValues(t *testing.T) {
	t.Parallel()
	clock := ststest.NewClock(time.Now())
	f := newFixture(t, ststest.WithClock(clock.Now))
	rec := &secretRecorder{}
	rec.secret(f.alice.SecretAccessKey, f.device.Secret)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()

	run := func(opts ...awssession.Option) {
		t.Helper()
		opts = f.base(append(opts, awssession.WithLogger(logger))...)
		for _, o := range opts {
			rec.text(fmt.Sprintf("%v", o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o), fmt.Sprintf("%s", o))
		}
		cfg, err := awssession.CreateSession(ctx, opts...)
		rec.err(err)
		if err != nil {
			return
		}
		creds, err := cfg.Credentials.Retrieve(ctx)
		rec.err(err)
		rec.secret(creds.SecretAccessKey, creds.SessionToken)
		rec.text(fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg))
		_, err = awssession.CallerIdentity(ctx, cfg)
		rec.err(err)
		clock.Advance(awssession.TOTPPeriod) // a fresh code for the next run
	}
	keys := f.aliceKeys()
	mfa := awssession.WithMFA(f.device.SerialNumber, rec.tokens(f.serverTOTP()))
	wrong := awssession.WithMFA(f.device.SerialNumber, rec.tokens(awssession.StaticToken("000001")))

	run(keys, mfa, awssession.WithGetSessionToken(0),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN, ExternalID: "ext-id-1"}),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.auditor.ARN}))
	run(keys, wrong, awssession.WithGetSessionToken(0))
	run(keys, wrong, awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN}))
	run(awssession.WithStaticCredentials(f.alice.AccessKeyID, f.alice.SecretAccessKey+"x", ""), awssession.WithGetSessionToken(0))
	run(awssession.WithStaticCredentials(f.alice.AccessKeyID, f.alice.SecretAccessKey, "tok-"+f.alice.SecretAccessKey), awssession.WithGetSessionToken(0))
	run(awssession.WithStaticCredentials("AKIA", f.alice.SecretAccessKey, ""))
	run(keys, awssession.WithMFA("bad serial", rec.tokens(awssession.StaticToken("123456"))), awssession.WithGetSessionToken(time.Second))
	run(keys, awssession.WithMFA(f.device.SerialNumber, awssession.TOTP("!!"+f.device.Secret)), awssession.WithGetSessionToken(0))
	run(f.profiles(t), awssession.WithProfile("admin"), mfa)
	run(f.profiles(t), awssession.WithProfile("admin"), wrong)
	rec.secret("tok-" + f.alice.SecretAccessKey)

	rec.text(logs.String())
	require.Contains(t, logs.String(), `"action":"GetSessionToken"`, "debug logs show STS calls")
	require.Contains(t, logs.String(), `"request_id"`)
	rec.check(t)
}
