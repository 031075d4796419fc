package keyring

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	backend "github.com/99designs/keyring"
	"github.com/awssession/awssession/internal/atomicfile"
	jose "github.com/dvsekhvalnov/jose2go"
	"github.com/mtibben/percent"
)

// fileItems is the backend library's encrypted file backend with two of
// its operations replaced. The library's Set rewrites an item in place
// (truncate, then write, no sync): a full disk or a file size limit leaves
// the item empty, and a rotate that fails there would lose the old key.
// Set here writes the same JWE token (the library's format, so that its Get
// reads it and items written before stay readable) through
// atomicfile.Write. Keys lists only the files that can be items: never a
// dotfile (a temporary file of Set, the records directory, a .DS_Store
// that a file manager left), whose "decryption" failing would read as a
// wrong passphrase.
type fileItems struct {
	backend.Keyring
	dir        string
	passphrase func(string) (string, error)
}

// Set encrypts the item with the passphrase and replaces its file
// atomically.
func (f *fileItems) Set(it backend.Item) error {
	data, err := json.Marshal(it)
	if err != nil {
		return err
	}
	pass, err := f.passphrase("")
	if err != nil {
		return err
	}
	token, err := jose.Encrypt(string(data), jose.PBES2_HS256_A128KW, jose.A256GCM, pass,
		jose.Headers(map[string]any{"created": time.Now().String()}))
	if err != nil {
		return err
	}
	dir, err := f.resolveDir()
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, itemFile(it.Key)), []byte(token))
}

// Keys lists the items' names, never a dotfile.
func (f *fileItems) Keys() ([]string, error) {
	dir, err := f.resolveDir()
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !e.Type().IsRegular() {
			continue
		}
		names = append(names, percent.Decode(e.Name()))
	}
	return names, nil
}

// resolveDir is the directory as the library resolves it: "~" expanded,
// created with mode 0700 when missing.
func (f *fileItems) resolveDir() (string, error) {
	if f.dir == "" {
		return "", fmt.Errorf("no directory for the keyring file backend")
	}
	dir, err := backend.ExpandTilde(f.dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}

// itemFile is the file name of an item, as the library escapes it.
func itemFile(key string) string { return percent.Encode(key, "/") }

// oncePassphrase returns get wrapped to be called at most once: the
// library's Get and our Set share the answer (and a failure).
func oncePassphrase(get func(string) (string, error)) func(string) (string, error) {
	var (
		once sync.Once
		pass string
		err  error
	)
	return func(prompt string) (string, error) {
		once.Do(func() { pass, err = get(prompt) })
		return pass, err
	}
}
