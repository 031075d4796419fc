package ststest

import (
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// MFADevice is a TOTP device assigned to a user.
type MFADevice struct {
	// SerialNumber is the device's ARN (virtual devices) or serial
	// (hardware devices), as SerialNumber in STS requests.
	SerialNumber string `json:"serialNumber"`
	// Secret is the base32 TOTP seed (IAM's Base32StringSeed).
	Secret string `json:"secret"`
}

// totpStep is the RFC 6238 time step AWS uses.
const totpStep = 30 * time.Second

// totpOptions are AWS's: SHA1, six digits, 30-second steps, and one step
// of tolerance either side.
var totpOptions = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

type deviceRecord struct {
	serial, secret string
	user           *userRecord
	// used holds the time steps whose code STS already accepted; each code
	// is single-use.
	used map[int64]bool
}

// AddMFADevice assigns a new virtual MFA device, arn:aws:iam::ACCOUNT:mfa/NAME,
// to the user and returns it. NAME is the user name, with a numeric suffix
// for the user's second and later devices. It panics if the user does
// not exist.
func (s *Server) AddMFADevice(userName string) MFADevice {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.mustUserLocked("AddMFADevice", userName)
	serial := s.arn("iam", "mfa/"+userName)
	for n := 2; s.devices[serial] != nil; n++ {
		serial = s.arn("iam", fmt.Sprintf("mfa/%s-%d", userName, n))
	}
	return s.addDeviceLocked(u, serial)
}

// AddHardwareMFADevice assigns a hardware TOTP device with the given
// serial (such as GAHT12345678) to the user and returns it, so that
// clients can test the non-ARN serial path. It panics if the user does
// not exist or the serial is invalid or taken.
func (s *Server) AddHardwareMFADevice(userName, serial string) MFADevice {
	if !stsrules.IsHardwareSerial(serial) {
		panic(fmt.Sprintf("ststest: AddHardwareMFADevice(%q): not a hardware serial", serial))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.mustUserLocked("AddHardwareMFADevice", userName)
	if s.devices[serial] != nil {
		panic(fmt.Sprintf("ststest: AddHardwareMFADevice(%q): serial taken", serial))
	}
	return s.addDeviceLocked(u, serial)
}

// ImportMFADevice assigns a device with a known serial and base32 seed to
// the user, for fixtures and RFC 6238 test vectors. It panics if the user
// does not exist, the serial is taken or the seed is not base32.
func (s *Server) ImportMFADevice(userName, serial, base32Secret string) MFADevice {
	if _, err := totp.GenerateCodeCustom(base32Secret, time.Unix(0, 0), totpOptions); err != nil {
		panic(fmt.Sprintf("ststest: ImportMFADevice: seed: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.mustUserLocked("ImportMFADevice", userName)
	if s.devices[serial] != nil {
		panic(fmt.Sprintf("ststest: ImportMFADevice(%q): serial taken", serial))
	}
	d := &deviceRecord{serial: serial, secret: base32Secret, user: u, used: map[int64]bool{}}
	s.devices[serial] = d
	return MFADevice{SerialNumber: serial, Secret: base32Secret}
}

// idcUserLocked is the IAM user name for a sign-in to IAM Identity
// Center, or nil: the account's root is no Identity Center user.
func (s *Server) idcUserLocked(name string) *userRecord {
	if u := s.users[name]; u != nil && !u.root {
		return u
	}
	return nil
}

func (s *Server) mustUserLocked(method, name string) *userRecord {
	u := s.users[name]
	if u == nil {
		panic(fmt.Sprintf("ststest: %s(%q): no such user", method, name))
	}
	return u
}

func (s *Server) addDeviceLocked(u *userRecord, serial string) MFADevice {
	d := &deviceRecord{serial: serial, secret: newTOTPSeed(), user: u, used: map[int64]bool{}}
	s.devices[serial] = d
	return MFADevice{SerialNumber: serial, Secret: d.secret}
}

// TOTPCode returns the device's code at the server clock's current time.
// It panics if there is no such device. A code is accepted once: a test
// that makes two MFA calls must move the clock by 30 s between them, as a
// person waits for the next code.
func (s *Server) TOTPCode(serial string) string { return s.CodeAt(serial, s.cfg.clock()) }

// CodeAt returns the device's code at time t. It panics if there is no
// such device.
func (s *Server) CodeAt(serial string, t time.Time) string {
	s.mu.Lock()
	d := s.devices[serial]
	s.mu.Unlock()
	if d == nil {
		panic(fmt.Sprintf("ststest: no MFA device %q", serial))
	}
	return totpCode(d.secret, t)
}

func totpCode(secret string, t time.Time) string {
	code, err := totp.GenerateCodeCustom(secret, t, totpOptions)
	if err != nil {
		// Every seed here is generated valid base32.
		panic("ststest: totp: " + err.Error())
	}
	return code
}

// checkMFALocked validates the MFA parameters of a GetSessionToken or
// AssumeRole call by caller at now. It reports whether valid MFA was
// given. Absent both parameters it reports false; one without the other,
// a device that is not the caller's (role and federated sessions have no
// device of their own), a wrong code or a reused one are AccessDenied,
// with the texts STS uses. s.mu must be held.
func (s *Server) checkMFALocked(caller principal, now time.Time, serial, code string, hasSerial, hasCode bool) (bool, *apiError) {
	if !hasSerial && !hasCode {
		return false, nil
	}
	if hasSerial != hasCode {
		return false, accessDenied(msgMFABothNeeded)
	}
	d := s.devices[serial]
	if d == nil || caller.user == nil || caller.kind == kindFederated || d.user != caller.user {
		return false, accessDenied(msgUnknownMFASerial)
	}
	step := now.Unix() / int64(totpStep/time.Second)
	for c := step - int64(totpOptions.Skew); c <= step+int64(totpOptions.Skew); c++ {
		want := totpCode(d.secret, time.Unix(c*int64(totpStep/time.Second), 0))
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		if d.used[c] {
			return false, accessDenied(msgBadMFACode)
		}
		d.used[c] = true
		for old := range d.used {
			if old < step-int64(totpOptions.Skew) {
				delete(d.used, old)
			}
		}
		return true, nil
	}
	return false, accessDenied(msgBadMFACode)
}
