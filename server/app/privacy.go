package app

import (
	"context"
	"time"
)

// PrivacyVersion is the version of the privacy policy and user agreement
// in force (/privacy and /terms). Sign-up must name it; a resident who
// accepted an older one is asked, never forced, to accept it again.
// Change it together with the texts.
const PrivacyVersion = "2026-12"

// CheckPrivacyVersion says whether a sign-up accepted the policy in force:
// EINVALID when version is missing or another one.
func CheckPrivacyVersion(version string) error {
	if version != PrivacyVersion {
		return Errorf(EINVALID, "privacy_version: accept the privacy policy and user agreement in force, version %s (GET /api/v1/privacy)", PrivacyVersion).
			WithMessage("privacy_version")
	}
	return nil
}

// NeedsPrivacyAcceptance reports whether a signed-in person should be
// asked to accept the policy in force: residents who accepted none or an
// older one. The question never blocks anything.
func NeedsPrivacyAcceptance(u *User) bool {
	return u != nil && u.Role == RoleResident && u.PrivacyVersion != PrivacyVersion
}

// PrivacyService records which policy a person accepted.
type PrivacyService interface {
	// AcceptPrivacy records that the user accepted version at now.
	// EINVALID for a version other than PrivacyVersion, ENOTFOUND for an
	// unknown user.
	AcceptPrivacy(ctx context.Context, userID int64, version string, now time.Time) error
}
