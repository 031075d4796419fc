package signin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"

	"github.com/awssession/awssession/internal/atomicfile"
	"github.com/awssession/awssession/internal/safefile"
)

// CheckDPoPKey checks a console sign-in DPoP key: a PEM P-256 private key,
// SEC 1 (what the AWS CLI writes) or PKCS#8 (what AWS's cross-SDK fixture
// holds, and botocore reads). problem says what is wrong, in words that
// follow "the file"; pkcs8 reports a key the Go SDK cannot read as it is.
func CheckDPoPKey(key string) (pkcs8 bool, problem string) {
	block, _ := pem.Decode([]byte(key))
	if block == nil {
		return false, "holds no PEM DPoP key"
	}
	var k *ecdsa.PrivateKey
	if ec, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		k = ec
	} else if any, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		ec, ok := any.(*ecdsa.PrivateKey)
		if !ok {
			return false, "holds a DPoP key that is not an EC key"
		}
		k, pkcs8 = ec, true
	} else {
		return false, "holds a DPoP key that does not parse"
	}
	if k.Curve != elliptic.P256() {
		return false, "holds a DPoP key that is not on P-256"
	}
	return pkcs8, ""
}

// RewriteKeySEC1 rewrites the PKCS#8 DPoP key of the console sign-in cache
// at path as the SEC 1 "EC PRIVATE KEY" the Go SDK reads, keeping every
// other field, atomically. The caller holds the sign-in lock.
func RewriteKeySEC1(path string) error {
	b, err := safefile.Read(path, MaxTokenFile)
	if err != nil {
		return err
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	key, _ := f["dpopKey"].(string)
	block, _ := pem.Decode([]byte(key))
	if block == nil {
		return errors.New("its DPoP key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return errors.New("its DPoP key does not parse as PKCS#8")
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return errors.New("its DPoP key is not an EC key")
	}
	der, err := x509.MarshalECPrivateKey(ec)
	if err != nil {
		return err
	}
	f["dpopKey"] = string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	out, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, out)
}
