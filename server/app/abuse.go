package app

import "time"

// ErrPhoneUnverified is the answer to a resident who writes before proving
// their number: calls, requests, bookings, uploads and invitations all wait
// for it, so nobody can act in another person's name.
var ErrPhoneUnverified = Errorf(EUNVERIFIED,
	"verify your phone number first: enter the code we texted you (or ask for a new one); in an emergency call 110")

// CheckCanWrite is the rule for every resident write: the phone must be
// verified. Staff accounts are verified when they are made.
func CheckCanWrite(u *User) error {
	if u.Role == RoleResident && !u.PhoneVerified {
		return ErrPhoneUnverified
	}
	return nil
}

// CheckOpenQuota refuses a new request (or booking) once a resident has max
// unfinished ones, so one account cannot fill a booth's queue or slots.
func CheckOpenQuota(open, max int) error {
	if open >= max {
		return Errorf(ECONFLICT, "you already have %d requests in progress; finish or cancel one first", open)
	}
	return nil
}

// TextPurpose is what a text message is about.
type TextPurpose string

// Text purposes. Codes and account notices can be asked for by anyone, so
// they are capped; texts about a call and alerts to staff never are.
const (
	TextVerifyCode     TextPurpose = "verify_code"
	TextResetCode      TextPurpose = "reset_code"
	TextSignUpAttempt  TextPurpose = "sign_up_attempt" // "someone tried to register your number"
	TextCallAlert      TextPurpose = "call"            // escalations and messages about a call
	TextStaffAlert     TextPurpose = "staff_alert"     // gaps, dark tablets
	TextPhotoReminder  TextPurpose = "photo_reminder"
	TextBudgetNearFrac             = 0.8 // share of the hourly budget at which operators are alerted
)

// Capped reports whether texts of this purpose count against the daily
// per-phone cap and the global hourly budget. An escalation, an alert to
// staff or a text about a call is never held back.
func (p TextPurpose) Capped() bool {
	switch p {
	case TextVerifyCode, TextResetCode, TextSignUpAttempt:
		return true
	}
	return false
}

// TextLimits are the caps on texts that anyone can make the booth send.
type TextLimits struct {
	PerPhoneDaily int // to one number in 24 hours
	HourlyBudget  int // to all numbers in an hour
}

// Text cap windows.
const (
	TextPhoneWindow  = 24 * time.Hour
	TextBudgetWindow = time.Hour
)

// BudgetNear reports whether sent texts this hour are close enough to the
// budget that an operator should look.
func (l TextLimits) BudgetNear(sent int) bool {
	return float64(sent) >= TextBudgetNearFrac*float64(l.HourlyBudget)
}

// DeviceTimeSkew is how far in the future a device's clock may be.
const DeviceTimeSkew = 5 * time.Minute

// CheckDeviceTime bounds a time a device says something was written: not
// before the account existed, not in the future beyond DeviceTimeSkew.
func CheckDeviceTime(field string, at, accountCreated, now time.Time) error {
	if at.Before(accountCreated.Add(-time.Minute)) || at.After(now.Add(DeviceTimeSkew)) {
		return Errorf(EINVALID, "%s must be a time between when your account was made and now", field)
	}
	return nil
}

// MaxListItems bounds the lists a body may carry (booth ids, services,
// guardians): beyond it the body is refused with 400.
const MaxListItems = 100
