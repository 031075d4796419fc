package awssession

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"time"
)

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
