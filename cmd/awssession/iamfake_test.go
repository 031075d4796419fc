package main

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/awssession/awssession/ststest"
)

// fakeIAMServer is IAM's access-key API for one user over HTTP (the AWS
// Query protocol, XML as IAM answers), for rotate's tests through the
// real SDK client. Its keys are ststest users' keys, so that the fake STS
// accepts a new key as IAM and STS would. It does not verify signatures
// (ststest does, for STS): a call must name one of the user's keys in
// its Authorization header. afterCreate, when set, runs once, after the
// next key is created and before the answer is written.
type fakeIAMServer struct {
	URL string
	sts *ststest.Server

	mu          sync.Mutex
	keys        map[string]string // the user's keys: ID -> secret
	n           int
	actions     []string
	afterCreate func(id string)
}

func newFakeIAM(t *testing.T, sts *ststest.Server, user ststest.User) *fakeIAMServer {
	f := &fakeIAMServer{sts: sts, keys: map[string]string{user.AccessKeyID: user.SecretAccessKey}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

var credentialRE = regexp.MustCompile(`Credential=([A-Z0-9]+)/`)

func (f *fakeIAMServer) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.fail(w, http.StatusBadRequest, "MalformedQueryString", err.Error())
		return
	}
	action := r.Form.Get("Action")
	f.mu.Lock()
	f.actions = append(f.actions, action)
	m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization"))
	known := m != nil && f.keys[m[1]] != ""
	f.mu.Unlock()
	if !known {
		f.fail(w, http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	switch action {
	case "CreateAccessKey":
		f.create(w)
	case "DeleteAccessKey":
		f.mu.Lock()
		_, ok := f.keys[r.Form.Get("AccessKeyId")]
		delete(f.keys, r.Form.Get("AccessKeyId"))
		f.mu.Unlock()
		if !ok {
			f.fail(w, http.StatusNotFound, "NoSuchEntity", "The Access Key with id "+r.Form.Get("AccessKeyId")+" cannot be found.")
			return
		}
		f.write(w, "DeleteAccessKeyResponse", nil)
	case "ListAccessKeys":
		type member struct {
			AccessKeyID string `xml:"AccessKeyId"`
			Status      string
		}
		var result struct {
			XMLName     xml.Name `xml:"ListAccessKeysResult"`
			Members     []member `xml:"AccessKeyMetadata>member"`
			IsTruncated bool
		}
		for _, id := range f.Keys() {
			result.Members = append(result.Members, member{AccessKeyID: id, Status: "Active"})
		}
		f.write(w, "ListAccessKeysResponse", result)
	default:
		f.fail(w, http.StatusBadRequest, "InvalidAction", "Could not find operation "+action)
	}
}

func (f *fakeIAMServer) create(w http.ResponseWriter) {
	f.mu.Lock()
	if len(f.keys) >= 2 {
		f.mu.Unlock()
		f.fail(w, http.StatusConflict, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
		return
	}
	f.n++
	u := f.sts.AddUser(fmt.Sprintf("rotated-%d", f.n))
	f.keys[u.AccessKeyID] = u.SecretAccessKey
	after := f.afterCreate
	f.afterCreate = nil
	f.mu.Unlock()
	if after != nil {
		after(u.AccessKeyID)
	}
	var result struct {
		XMLName xml.Name `xml:"CreateAccessKeyResult"`
		Key     struct {
			UserName, Status string
			AccessKeyID      string `xml:"AccessKeyId"`
			SecretAccessKey  string
			CreateDate       string
		} `xml:"AccessKey"`
	}
	result.Key.UserName, result.Key.Status, result.Key.AccessKeyID, result.Key.SecretAccessKey = "alice", "Active", u.AccessKeyID, u.SecretAccessKey
	result.Key.CreateDate = time.Now().UTC().Format(time.RFC3339)
	f.write(w, "CreateAccessKeyResponse", result)
}

func (f *fakeIAMServer) write(w http.ResponseWriter, name string, result any) {
	w.Header().Set("Content-Type", "text/xml")
	body, _ := xml.Marshal(result)
	fmt.Fprintf(w, `<%s xmlns="https://iam.amazonaws.com/doc/2010-05-08/">%s<ResponseMetadata><RequestId>%d</RequestId></ResponseMetadata></%s>`,
		name, body, time.Now().UnixNano(), name)
}

func (f *fakeIAMServer) fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
		code, msg)
}

// Keys returns the IDs of the user's keys, sorted.
func (f *fakeIAMServer) Keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]string, 0, len(f.keys))
	for id := range f.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Actions returns the actions called, in order.
func (f *fakeIAMServer) Actions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.actions...)
}
