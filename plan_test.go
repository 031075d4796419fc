package awssession

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// worldAfterSnapshot fails the test on any reading of the world: after
// the snapshot, planning must read none.
type worldAfterSnapshot struct{ t *testing.T }

func (w worldAfterSnapshot) Now() time.Time {
	w.t.Error("makePlan read the clock")
	return time.Time{}
}
func (w worldAfterSnapshot) After(time.Duration) <-chan time.Time { return nil }

// TestPlanIsPure: makePlan reads neither the clock, nor the environment,
// nor the WithProfileSource lookup; only the snapshot. It used to read
// all three.
func TestPlanIsPure(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(cfg, []byte("[profile base]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nregion = eu-west-1\n"+
		"[profile admin]\nregion = eu-west-1\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/Admin\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n"), 0o600))
	asked := 0
	o := collect([]Option{WithEnvironment([]string{"HOME=" + dir, "AWS_CONFIG_FILE=" + cfg, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull}),
		WithProfile("admin"), WithDefaultMFASession(0), WithProfileMFA(StaticToken("123456")), WithAssumeRole(AssumeRole{RoleARN: "arn:aws:iam::123456789012:role/Next"}),
		WithProfileSource(func(string) (aws.CredentialsProvider, string, bool) {
			asked++
			return aws.AnonymousCredentials{}, "test:base", true
		})})
	require.NoError(t, o.validate())
	snap, err := readSnapshot(context.Background(), o)
	require.NoError(t, err)
	require.Equal(t, 1, asked)
	o.world = world{getenv: func(k string) string { t.Errorf("makePlan read %s from the environment", k); return "" },
		clock: worldAfterSnapshot{t}, home: func() (string, error) { t.Error("makePlan read the home directory"); return "", nil }}
	p1, err := makePlan(o, snap)
	require.NoError(t, err)
	p2, err := makePlan(o, snap)
	require.NoError(t, err)
	assert.Equal(t, 1, asked, "makePlan asked the WithProfileSource lookup")
	assert.Equal(t, p1.layers, p2.layers)
	assert.Equal(t, "eu-west-1", p1.region)
	require.Len(t, p1.layers, 3)
	assert.Equal(t, defaultSessionName(snap.now), p1.layers[1].sessionName, "the session name comes from the snapshot's time")
}
