package awssession

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

// MFACodeUsedError reports an MFA code that was already sent to STS for
// its device, found before it was sent again: STS accepts each code once,
// so it would only refuse it. It matches [ErrMFATokenUsed]. A session
// returns it at once for providers that would give the same code again
// ([StaticToken], [ProcessToken], a provider of your own), and after
// asking again a few times for those that give a fresh one (prompts,
// which say why they ask again, and [TOTP], which waits for the next).
type MFACodeUsedError struct {
	// SerialNumber is the MFA device.
	SerialNumber string
	// UsedAt is when the code was handed out for an STS call, by this
	// process or (with [WithCache] or [WithMFAMemory]) another.
	UsedAt time.Time
	// NextCode is how long, from when the error was made, until a virtual
	// device shows its next code (its 30 s step ends); 0 when it shows a
	// new one already.
	NextCode time.Duration
}

func (e *MFACodeUsedError) Error() string {
	next := "the device shows a new one now"
	if e.NextCode > 0 {
		next = fmt.Sprintf("the next code comes in %d s", int((e.NextCode+time.Second-1)/time.Second))
	}
	return fmt.Sprintf("MFA code for %s already used at %s (STS takes each code once); %s",
		e.SerialNumber, e.UsedAt.Local().Format(time.TimeOnly), next)
}

// Is reports whether target is [ErrMFATokenUsed].
func (e *MFACodeUsedError) Is(target error) bool { return target == ErrMFATokenUsed }

// usedError is the error for a code the device's record last names.
func (m *mfaSource) usedError(last mfaEntry) *MFACodeUsedError {
	now := m.now()
	step := func(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }
	e := &MFACodeUsedError{SerialNumber: m.serial, UsedAt: last.UsedAt}
	if step(last.UsedAt) >= step(now) {
		e.NextCode = time.Unix((step(now)+1)*int64(TOTPPeriod/time.Second), 0).Sub(now)
	}
	return e
}

// codeRequest is what mfaSource tells a provider through the context of
// its call, and learns back from it.
type codeRequest struct {
	// retry says why the code is asked for again: the last one offered
	// was used. nil on the first ask.
	retry *MFACodeUsedError
	// fresh is set by a provider that gives another code when asked
	// again (see askedAgain).
	fresh bool
}

type codeRequestKey struct{}

// askedAgain is called by providers that give a fresh code when asked
// again (a person types the next one; TOTP waits for the next step): it
// tells the session so, and returns why it asks again, nil on the first
// ask. Providers that do not call it are not asked again: a used code of
// theirs is an error at once.
func askedAgain(ctx context.Context) *MFACodeUsedError {
	r, _ := ctx.Value(codeRequestKey{}).(*codeRequest)
	if r == nil {
		return nil
	}
	r.fresh = true
	return r.retry
}

// promptText is the question prompts ask, "MFA code for SERIAL:", after
// the reason when they ask again (see askedAgain).
func promptText(ctx context.Context, serialNumber string) string {
	q := "MFA code for " + serialNumber + ":"
	if used := askedAgain(ctx); used != nil {
		return used.Error() + ". Type the next code.\n" + q
	}
	return q
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
