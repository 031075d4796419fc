package awssession

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// entryVersion changes whenever the encoding does; other versions are
// misses, so an old binary and a new one can share a cache directory.
const entryVersion = 1

// credentialsEntry is how a layer's credentials are stored.
type credentialsEntry struct {
	Version         int       `json:"version"`
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	SessionToken    string    `json:"sessionToken"`
	Expiration      time.Time `json:"expiration"`
	AccountID       string    `json:"accountId,omitempty"`
	Source          string    `json:"source,omitempty"`
}

func encodeCredentials(c aws.Credentials) ([]byte, error) {
	return json.Marshal(credentialsEntry{Version: entryVersion, AccessKeyID: c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expires.UTC(),
		AccountID: c.AccountID, Source: c.Source})
}

// decodeCredentials checks an entry completely; the reason it gives for a
// bad one never quotes the entry.
func decodeCredentials(b []byte) (aws.Credentials, error) {
	var e credentialsEntry
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return aws.Credentials{}, errors.New("not a credentials entry (corrupt or truncated)")
	}
	if dec.More() {
		return aws.Credentials{}, errors.New("trailing data after the entry")
	}
	switch {
	case e.Version != entryVersion:
		return aws.Credentials{}, fmt.Errorf("entry version %d, want %d", e.Version, entryVersion)
	case e.AccessKeyID == "" || e.SecretAccessKey == "" || e.SessionToken == "":
		return aws.Credentials{}, errors.New("entry lacks a key, secret or session token")
	case e.Expiration.IsZero():
		return aws.Credentials{}, errors.New("entry has no expiration")
	}
	return aws.Credentials{AccessKeyID: e.AccessKeyID, SecretAccessKey: e.SecretAccessKey,
		SessionToken: e.SessionToken, Expires: e.Expiration, CanExpire: true,
		AccountID: e.AccountID, Source: e.Source}, nil
}

// cacheKey hashes the parts that determine a cached value into a key.
func cacheKey(kind string, parts ...any) string {
	b, _ := json.Marshal(parts) // parts are strings, numbers and string maps
	h := sha256.Sum256(append([]byte(kind+"\x00"), b...))
	return kind + "-" + hex.EncodeToString(h[:20])
}
