//go:build linux

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession"
)

const (
	region   = "us-east-1"
	userName = "e2e-alice"
	roleName = "e2e-admin"
	bucket   = "awssession-e2e"
)

// world is what the set-up creates in moto: a user with an access key and
// an enabled virtual MFA device, a role only she may assume, with MFA, and
// a bucket only the role may list.
type world struct {
	moto                         *motoServer
	accountID                    string
	accessKeyID, secretAccessKey string
	userARN                      string
	mfaSerial, mfaSeed           string
	// devices are more enabled MFA devices of the user, one per scenario
	// that sends a code: a process remembers each device's used codes
	// (STS accepts a code once), so scenarios sharing a device would wait
	// 30 s for each other's next code.
	devices map[string]mfaDevice
	roleARN string
}

// mfaDevice is a virtual MFA device's serial and base32 seed.
type mfaDevice struct{ serial, seed string }

// newWorld starts moto and creates the world in it with moto's admin
// access (any keys, while authentication is off).
func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{moto: startMoto(t)}
	ctx := testContext(t)
	admin := aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(w.moto.URL),
	}
	iamClient := iam.NewFromConfig(admin)

	user, err := iamClient.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(userName)})
	require.NoError(t, err)
	w.userARN = aws.ToString(user.User.Arn)
	userARN, err := arn.Parse(w.userARN)
	require.NoError(t, err)
	w.accountID = userARN.AccountID
	key, err := iamClient.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(userName)})
	require.NoError(t, err)
	w.accessKeyID, w.secretAccessKey = aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)
	putPolicy(t, func(doc string) error {
		_, err := iamClient.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
			UserName: aws.String(userName), PolicyName: aws.String("sts"), PolicyDocument: aws.String(doc),
		})
		return err
	}, []string{"sts:AssumeRole", "sts:GetSessionToken"})

	d := addMFADevice(t, ctx, iamClient, userName)
	w.mfaSerial, w.mfaSeed = d.serial, d.seed
	w.devices = map[string]mfaDevice{}
	for _, name := range []string{"assume", "session", "profile"} {
		w.devices[name] = addMFADevice(t, ctx, iamClient, userName+"-"+name)
	}

	trust, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": w.userARN},
			"Action":    "sts:AssumeRole",
			"Condition": map[string]any{"Bool": map[string]string{"aws:MultiFactorAuthPresent": "true"}},
		}},
	})
	require.NoError(t, err)
	role, err := iamClient.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String(roleName), AssumeRolePolicyDocument: aws.String(string(trust)),
	})
	require.NoError(t, err)
	w.roleARN = aws.ToString(role.Role.Arn)
	putPolicy(t, func(doc string) error {
		_, err := iamClient.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
			RoleName: aws.String(roleName), PolicyName: aws.String("s3"), PolicyDocument: aws.String(doc),
		})
		return err
	}, []string{"s3:ListAllMyBuckets"})

	_, err = s3Client(admin, w.moto.URL).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	return w
}

// addMFADevice creates a virtual MFA device and enables it for the user.
func addMFADevice(t *testing.T, ctx context.Context, iamClient *iam.Client, name string) mfaDevice {
	t.Helper()
	device, err := iamClient.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	require.NoError(t, err)
	d := mfaDevice{serial: aws.ToString(device.VirtualMFADevice.SerialNumber), seed: string(device.VirtualMFADevice.Base32StringSeed)}
	now := time.Now()
	code1, err := totp.GenerateCode(d.seed, now)
	require.NoError(t, err, "the seed moto returned is not base32")
	code2, err := totp.GenerateCode(d.seed, now.Add(awssession.TOTPPeriod))
	require.NoError(t, err)
	_, err = iamClient.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{
		UserName: aws.String(userName), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(code1), AuthenticationCode2: aws.String(code2),
	})
	require.NoError(t, err)
	return d
}

// putPolicy writes an identity policy that allows actions on everything.
func putPolicy(t *testing.T, put func(doc string) error, actions []string) {
	t.Helper()
	doc, err := json.Marshal(map[string]any{
		"Version":   "2012-10-17",
		"Statement": []any{map[string]any{"Effect": "Allow", "Action": actions, "Resource": "*"}},
	})
	require.NoError(t, err)
	require.NoError(t, put(string(doc)))
}

func s3Client(cfg aws.Config, url string) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(url)
		o.UsePathStyle = true
	})
}

// listBuckets lists the bucket names cfg's credentials can see in moto.
func (w *world) listBuckets(ctx context.Context, cfg aws.Config) ([]string, error) {
	out, err := s3Client(cfg, w.moto.URL).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, b := range out.Buckets {
		names = append(names, aws.ToString(b.Name))
	}
	return names, nil
}

// requireListsBucket checks that cfg's credentials list the world's bucket.
func (w *world) requireListsBucket(t *testing.T, ctx context.Context, cfg aws.Config) {
	t.Helper()
	names, err := w.listBuckets(ctx, cfg)
	require.NoError(t, err, "S3 ListBuckets with the session")
	require.Contains(t, names, bucket, "got buckets %q, want %q among them", names, bucket)
}

// requireRoleSession checks that cfg's credentials are a session of the
// world's role, as STS GetCallerIdentity sees them.
func (w *world) requireRoleSession(t *testing.T, ctx context.Context, cfg aws.Config) {
	t.Helper()
	identity, err := awssession.CallerIdentity(ctx, cfg)
	require.NoError(t, err)
	want := "arn:aws:sts::" + w.accountID + ":assumed-role/" + roleName + "/"
	require.Truef(t, strings.HasPrefix(identity.ARN, want) && len(identity.ARN) > len(want),
		"got identity %q, want a session of the role (%s...)", identity.ARN, want)
}

// sharedFiles writes a shared config and credentials file into a new
// temporary directory and returns the option that makes a session read
// them instead of ~/.aws.
func sharedFiles(t *testing.T, configText, credentialsText string) awssession.Option {
	t.Helper()
	dir := t.TempDir()
	configFile, credentialsFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	require.NoError(t, os.WriteFile(configFile, []byte(configText), 0o600))
	require.NoError(t, os.WriteFile(credentialsFile, []byte(credentialsText), 0o600))
	return awssession.WithSharedConfigFiles([]string{configFile}, []string{credentialsFile})
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
