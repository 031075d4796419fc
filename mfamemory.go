package awssession

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sync"
	"time"
)

// usedCodes is this process's memory of the last MFA code handed out for
// each device, and the lock that lets one caller at a time pick a code for
// it. It is package state, against our rule of none, because what it
// models is process-wide: STS accepts a code once per device, whichever
// session sends it, and two providers for one device (two TOTP(seed)
// calls, two sessions built from one flag set) cannot otherwise know of
// each other. The cache ([WithCache]) carries the same memory across
// processes. Its size is bounded by its lifetime: an entry is worthless
// after mfaReuseWindow and is dropped when unused, so it holds the devices
// used in the last 90 s. It is safe for concurrent use.
var usedCodes = &deviceMemory{devices: map[deviceKey]*device{}}

// deviceKey names a device as STS sees it. An explicit STS endpoint (a
// fake STS in tests, a VPC endpoint) is a world of its own: fake servers
// hand out the same serials for different devices.
type deviceKey struct{ endpoint, serial string }

type deviceMemory struct {
	mu      sync.Mutex
	devices map[deviceKey]*device
}

// device is one MFA device's lock and last used code.
type device struct {
	lock  ctxMutex
	users int      // callers holding or waiting for lock; guarded by deviceMemory.mu
	last  mfaEntry // guarded by lock
}

// acquire locks the device for the caller, or gives up when ctx is done.
// Every successful acquire is paired with release.
func (d *deviceMemory) acquire(ctx context.Context, key deviceKey, now time.Time) (*device, error) {
	d.mu.Lock()
	dev := d.devices[key]
	if dev == nil {
		d.pruneLocked(now)
		dev = &device{lock: newCtxMutex()}
		d.devices[key] = dev
	}
	dev.users++
	d.mu.Unlock()
	if err := dev.lock.Lock(ctx); err != nil {
		d.mu.Lock()
		dev.users--
		d.mu.Unlock()
		return nil, err
	}
	return dev, nil
}

func (d *deviceMemory) release(dev *device) {
	d.mu.Lock()
	dev.users--
	d.mu.Unlock()
	dev.lock.Unlock()
}

// pruneLocked drops the devices nobody holds whose last code can no
// longer be accepted by STS.
func (d *deviceMemory) pruneLocked(now time.Time) {
	for k, dev := range d.devices {
		if dev.users == 0 && now.Sub(dev.last.UsedAt) >= mfaReuseWindow {
			delete(d.devices, k)
		}
	}
}

// loggerKey is the context key of the logger that token providers log to
// (TOTP's waiting note); mfaSource sets it to the session's logger.
type loggerKey struct{}

func withLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// loggerFrom returns the session's logger, or one that discards.
func loggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	return discard
}

// mfaEntry remembers the last code handed out for a device. It holds a
// hash of the code, and only of a code already sent to STS, which accepts
// each code once: it is worthless to anyone who reads it.
type mfaEntry struct {
	Version  int       `json:"version"`
	CodeHash string    `json:"codeSha256"`
	UsedAt   time.Time `json:"usedAt"`
}

// mfaReuseWindow is how long STS may still accept a code: its own step and
// the step after.
const mfaReuseWindow = 3 * TOTPPeriod

func codeHash(serial string, code secret) string {
	h := sha256.Sum256([]byte(serial + "\x00" + code.reveal()))
	return hex.EncodeToString(h[:])
}

// usedRecently reports whether e records code as handed out less than
// mfaReuseWindow before now.
func (e mfaEntry) usedRecently(serial string, code secret, now time.Time) bool {
	return e.CodeHash == codeHash(serial, code) && now.Sub(e.UsedAt) < mfaReuseWindow
}

func (m *mfaSource) key() string { return cacheKey("mfa", m.serial) }

// lastUsed reads the device's record; anything unreadable counts as none.
func (m *mfaSource) lastUsed(ctx context.Context) mfaEntry {
	var e mfaEntry
	b, err := m.cache.Get(ctx, m.key())
	if err != nil || json.Unmarshal(b, &e) != nil || e.Version != entryVersion {
		return mfaEntry{}
	}
	return e
}

// remember records code as used in the cache, if any, before it is sent
// (a code that STS then refuses is lost either way), and returns the
// record for the process's memory.
func (m *mfaSource) remember(ctx context.Context, code secret) mfaEntry {
	e := mfaEntry{Version: entryVersion, CodeHash: codeHash(m.serial, code), UsedAt: m.now().UTC()}
	if m.cache == nil {
		return e
	}
	b, _ := json.Marshal(e)
	if err := m.cache.Put(ctx, m.key(), b); err != nil {
		m.log.LogAttrs(ctx, slog.LevelWarn, "cannot record the MFA code as used", slog.String("serial", m.serial), slog.String("error", err.Error()))
	}
	return e
}
