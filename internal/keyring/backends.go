package keyring

import (
	"fmt"
	"slices"
	"strings"

	backend "github.com/99designs/keyring"
)

// Backends are the names of the backends, as --keyring-backend takes them.
var Backends = []string{"keychain", "wincred", "secret-service", "kwallet", "pass", "keyctl", "file"}

// defaultOrder is the order in which backends are tried when none is
// named: the OS's own store first, the encrypted file last. keyctl is left
// out: the kernel forgets its keys at logout or reboot, which must not
// happen to long-term keys by surprise; name it to use it.
var defaultOrder = []backend.BackendType{
	backend.KeychainBackend, backend.WinCredBackend, backend.SecretServiceBackend,
	backend.KWalletBackend, backend.PassBackend, backend.FileBackend,
}

// serviceName names awssession's items in every backend: the keychain,
// the Secret Service collection, the keyctl keyring, the pass folder, the
// KWallet folder.
const serviceName = "awssession"

// Settings say which keyring to open. The zero value tries the backends
// available here in the default order.
type Settings struct {
	// Backend is one of Backends, or "" for the first one available.
	Backend string
	// FileDir is the file backend's directory; see DefaultFileDir.
	FileDir string
	// Passphrase returns the file backend's passphrase; it is called at
	// most once per opened keyring, when an item is first read or written.
	Passphrase func() (Secret, error)
	// Service overrides the service name; tests use it to keep apart.
	Service string
	// RecordDir is where an OS backend's records are kept (see
	// Keyring.CacheID and Keyring.Rotation); "" keeps none. The file
	// backend keeps them in its directory.
	RecordDir string
}

// config returns the backend library's configuration for s.
func (s Settings) config() (backend.Config, error) {
	allowed := defaultOrder
	if s.Backend != "" {
		if !slices.Contains(Backends, s.Backend) {
			return backend.Config{}, fmt.Errorf("%w: unknown backend %q (want one of %s)", ErrNoBackend, s.Backend, strings.Join(Backends, ", "))
		}
		allowed = []backend.BackendType{backend.BackendType(s.Backend)}
	}
	service := s.Service
	if service == "" {
		service = serviceName
	}
	return backend.Config{
		AllowedBackends:          allowed,
		ServiceName:              service,
		KeychainName:             service,
		LibSecretCollectionName:  service,
		KWalletAppID:             service,
		KWalletFolder:            service,
		KeyCtlScope:              "user",
		PassPrefix:               service,
		WinCredPrefix:            service,
		FileDir:                  s.FileDir,
		FilePasswordFunc:         s.filePassphrase,
		KeychainTrustApplication: true,
	}, nil
}

// filePassphrase adapts Passphrase to the backend library: an empty
// passphrase is refused, as it would encrypt with nothing.
func (s Settings) filePassphrase(string) (string, error) {
	if s.Passphrase == nil {
		return "", fmt.Errorf("%w: no passphrase for the keyring file", ErrLocked)
	}
	p, err := s.Passphrase()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrLocked, err)
	}
	if p == "" {
		return "", fmt.Errorf("%w: the keyring file's passphrase is empty", ErrLocked)
	}
	return p.Reveal(), nil
}

// available reports the backends this machine offers, in Backends' order.
func available() []string {
	var names []string
	for _, b := range backend.AvailableBackends() {
		if slices.Contains(Backends, string(b)) {
			names = append(names, string(b))
		}
	}
	return names
}
