package ststest_test

import (
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

func TestRequestsRecordsFailuresInOrder(t *testing.T) {
	f := newFixture(t)
	_, _ = newClient(f.srv, f.alice.AccessKeyID, "wrong-secret-wrong-secret-wrong-secret-12", "").GetCallerIdentity(ctxT(t), nil)
	_, _ = clientFor(f.srv, f.alice).GetSessionToken(ctxT(t), &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(60)})
	_, err := clientFor(f.srv, f.alice).GetSessionToken(ctxT(t), nil)
	require.NoError(t, err)
	_, _, _, _ = rawCall(t, f.srv, http.MethodPost, form("Action", "Nope"), aws.Credentials{}, time.Now())

	reqs := f.srv.Requests()
	type summary struct {
		Action, AccessKeyID, ErrorCode string
		Status                         int
	}
	var got []summary
	for _, r := range reqs {
		got = append(got, summary{r.Action, r.AccessKeyID, r.ErrorCode, r.Status})
		require.NotEmpty(t, r.RequestID)
		require.Equal(t, http.MethodPost, r.Method)
	}
	want := []summary{
		{"GetCallerIdentity", f.alice.AccessKeyID, "SignatureDoesNotMatch", 403},
		{"GetSessionToken", f.alice.AccessKeyID, "ValidationError", 400},
		{"GetSessionToken", f.alice.AccessKeyID, "", 200},
		{"Nope", "", "InvalidAction", 400},
	}
	require.Equal(t, want, got)
	require.Equal(t, "60", reqs[1].Params.Get("DurationSeconds"))
	require.Equal(t, 2, f.srv.CountRequests("GetSessionToken"))
	require.Equal(t, 4, f.srv.CountRequests(""))

	reqs[1].Params.Set("DurationSeconds", "mutated")
	require.Equal(t, "60", f.srv.Requests()[1].Params.Get("DurationSeconds"), "Params must be the caller's own copy")

	f.srv.ResetRequests()
	require.Empty(t, f.srv.Requests())
}

func TestConcurrentCallers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	role := f.srv.AddRole("Shared", ststest.Trust{Principals: []string{f.alice.ARN}})
	client := clientFor(f.srv, f.alice)
	const n = 1000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, err = client.GetCallerIdentity(ctxT(t), nil)
			} else {
				_, err = client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("many")})
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, n, f.srv.CountRequests(""))
}

func TestStartWithoutATest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	srv, err := ststest.Start(ststest.WithAddr(addr))
	require.NoError(t, err)
	require.Equal(t, "http://"+addr, srv.URL)
	u := srv.AddUser("eve")
	_, err = clientFor(srv, u).GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	srv.Close()
	srv.Close() // idempotent

	_, err = ststest.Start(ststest.WithAccount("12"))
	require.Error(t, err)
}

func TestSnapshot(t *testing.T) {
	f := newFixture(t)
	f.srv.AddRootKey()
	f.srv.AddRole("Admin", ststest.Trust{Principals: []string{f.alice.ARN}, RequireMFA: true, ExternalID: "xid", MaxSessionDuration: 2 * time.Hour})
	out, err := json.Marshal(f.srv.Snapshot())
	require.NoError(t, err)
	var got ststest.Snapshot
	require.NoError(t, json.Unmarshal(out, &got))
	require.Equal(t, f.srv.URL, got.URL)
	require.Equal(t, "123456789012", got.Account)
	require.Len(t, got.Users, 2)
	require.Contains(t, got.Users, f.alice)
	require.Equal(t, []ststest.SnapshotDevice{{UserName: "alice", MFADevice: f.mfa}}, got.MFADevices)
	require.Equal(t, []ststest.SnapshotRole{{
		Role:       ststest.Role{Name: "Admin", Path: "/", ARN: "arn:aws:iam::123456789012:role/Admin"},
		Principals: []string{f.alice.ARN}, RequireMFA: true, ExternalID: "xid", MaxSessionDurationSeconds: 7200,
	}}, got.Roles)
}
