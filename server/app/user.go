package app

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user is to the booth, and so what they may do.
type Role string

// Roles.
const (
	RoleResident  Role = "resident"  // signs up with a phone; sees their own records
	RoleOfficer   Role = "officer"   // staffs a station's booths
	RoleHead      Role = "head"      // runs a station and its officer accounts
	RoleAdmin     Role = "admin"     // creates stations, booths and heads
	RoleGuard     Role = "guard"     // a security guard who helps one booth's officers
	RoleVolunteer Role = "volunteer" // a community volunteer who helps one booth's officers
)

// Valid reports whether r is one of the six roles.
func (r Role) Valid() bool {
	switch r {
	case RoleResident, RoleOfficer, RoleHead, RoleAdmin, RoleGuard, RoleVolunteer:
		return true
	}
	return false
}

// Responder reports whether r is a guard or a volunteer: tied to one booth,
// seeing only its open calls in a reduced shape while available, never a
// station's records. Responders are not Staff.
func (r Role) Responder() bool { return r == RoleGuard || r == RoleVolunteer }

// Staff reports whether r belongs to one station: officers and heads.
func (r Role) Staff() bool { return r == RoleOfficer || r == RoleHead }

// Languages a user can choose; Chinese first.
const (
	LanguageChinese = "zh-CN"
	LanguageEnglish = "en"
)

// User is an account: a resident, an officer, a station head or the admin.
type User struct {
	ID                 int64      `json:"id,string" gorm:"primaryKey"`
	Role               Role       `json:"role"`
	Phone              string     `json:"phone"` // normalised: 11 digits, no prefix
	Name               string     `json:"name"`
	Language           string     `json:"language"`
	StationID          *int64     `json:"station_id,string,omitempty"`    // officers and heads
	BadgeNo            string     `json:"badge_no,omitempty"`             // officers
	HomeBoothID        *int64     `json:"home_booth_id,string,omitempty"` // residents
	BoothID            *int64     `json:"booth_id,string,omitempty"`      // guards and volunteers: the booth they help
	Available          bool       `json:"available"`                      // guards and volunteers: ready to help now
	StreamSeenAt       *time.Time `json:"-"`                              // when a live event stream of theirs was last open
	PasswordHash       string     `json:"-"`
	PinHash            string     `json:"-"`                    // staff: the PIN for switching on a shared tablet
	ElderMode          *bool      `json:"elder_mode,omitempty"` // the large, simple layout; nil until chosen
	MustChangePassword bool       `json:"must_change_password"`
	Disabled           bool       `json:"disabled"`
	PhoneVerified      bool       `json:"phone_verified"`
	PrivacyVersion     string     `json:"privacy_version,omitempty"` // the policy version accepted; "" for none (staff)
	PrivacyAcceptedAt  *time.Time `json:"privacy_accepted_at,omitempty"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// UserUpdate holds the fields a user may change about themselves; nil
// fields stay as they are.
type UserUpdate struct {
	Name        *string `json:"name,omitempty"`
	Language    *string `json:"language,omitempty"`
	HomeBoothID *int64  `json:"home_booth_id,string,omitempty"`
	ElderMode   *bool   `json:"elder_mode,omitempty"`
}

// Actor is the staff member or admin behind an action, for scope checks and
// the audit log.
type Actor struct {
	ID int64  // the acting user
	IP string // the client address, recorded in the audit log
}

// Claims is what an access token says about its bearer.
type Claims struct {
	UserID    int64
	Role      Role
	StationID *int64 // officers and heads
	SessionID int64
}

// Session is one sign-in on one device: the family of refresh tokens that
// descend from it. Revoking it ends every token of the family at once.
type Session struct {
	ID         int64      `json:"id,string" gorm:"primaryKey"`
	UserID     int64      `json:"user_id,string"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt time.Time  `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// SessionGrant is what a sign-in or a refresh hands out: the user as stored
// now, their session, and a refresh token in plain text (shown once, stored
// only hashed). IssuedAt is when the pair was minted: an access token issued
// for the grant at IssuedAt is the same token on a retried refresh.
type SessionGrant struct {
	User         User
	Session      Session
	RefreshToken string
	IssuedAt     time.Time
}

// Claims returns the claims of an access token for the grant.
func (g *SessionGrant) Claims() Claims {
	return Claims{UserID: g.User.ID, Role: g.User.Role, StationID: g.User.StationID, SessionID: g.Session.ID}
}

// CodePurpose says what a one-time phone code proves.
type CodePurpose string

// Code purposes.
const (
	CodeVerify CodePurpose = "verify" // the resident owns the number they signed up with
	CodeReset  CodePurpose = "reset"  // the owner of the number may set a new password
)

// Valid reports whether p is a known purpose.
func (p CodePurpose) Valid() bool { return p == CodeVerify || p == CodeReset }

// UserService manages accounts.
type UserService interface {
	// CreateUser stores a new account whose PasswordHash the caller has set.
	// EINVALID when a field is bad or the home booth is missing, ECONFLICT
	// when the phone number (or an officer's badge number) is taken.
	CreateUser(ctx context.Context, u *User) error
	// FindUser returns one account, or ENOTFOUND.
	FindUser(ctx context.Context, id int64) (*User, error)
	// FindUserByPhone returns the account of a phone number in any common
	// spelling. EINVALID when it is no mainland mobile number, ENOTFOUND
	// when nobody has it.
	FindUserByPhone(ctx context.Context, phone string) (*User, error)
	// UpdateUser changes a user's own settings and returns the result.
	// ENOTFOUND for a missing user, EINVALID for a bad name or language or
	// a home booth that is missing or set on someone not a resident.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	// SetPassword stores a new password hash, clears MustChangePassword and
	// revokes every session of the user but keepSessionID (0 keeps none).
	// ENOTFOUND for a missing user.
	SetPassword(ctx context.Context, userID int64, hash string, keepSessionID int64) error
	// MarkPhoneVerified records that the user proved they own their number.
	// ENOTFOUND for a missing user.
	MarkPhoneVerified(ctx context.Context, userID int64) error
	// NearestBooth returns the booth closest to a point, the default home
	// booth of a resident who has not chosen one. ENOTFOUND when there are
	// no booths.
	NearestBooth(ctx context.Context, lat, lng float64) (*Booth, error)
}

// StaffService lets heads and the admin manage staff accounts. A head acts
// on the officers of their own station only; the admin on every account
// but admins. Anyone else gets EFORBIDDEN; a target outside the actor's
// scope is ENOTFOUND, as if it did not exist.
type StaffService interface {
	// CreateStaff stores an officer (by a head, for the head's station), a
	// guard or volunteer of a booth (by a head, at their station's booths),
	// or any of these or a head (by the admin), and audits it.
	// EFORBIDDEN for other actors or roles, EINVALID for bad fields or a
	// missing station, ECONFLICT when the phone or badge number is taken.
	CreateStaff(ctx context.Context, actor Actor, u *User) error
	// SetDisabled disables an account, revoking all its sessions, or
	// enables it again, and audits it. EFORBIDDEN, ENOTFOUND as above.
	SetDisabled(ctx context.Context, actor Actor, userID int64, disabled bool) error
	// ResetStaffPassword sets a one-time password the user must change at
	// next sign-in, revokes all their sessions and audits it. EFORBIDDEN,
	// ENOTFOUND as above.
	ResetStaffPassword(ctx context.Context, actor Actor, userID int64, hash string) error
	// ListStaff returns the heads, officers, guards and volunteers of a
	// station (guards and volunteers through their booth), in that order,
	// then by name. Callers pass only a station the caller may see.
	ListStaff(ctx context.Context, stationID int64) ([]User, error)
}

// SessionService keeps sign-in sessions and rotates their refresh tokens.
type SessionService interface {
	// CreateSession starts a session for a user at now and returns its
	// first refresh token. ENOTFOUND for a missing user, EUNAUTHORIZED for
	// a disabled one.
	CreateSession(ctx context.Context, userID int64, now time.Time) (*SessionGrant, error)
	// Rotate spends a refresh token and returns the next one. The token
	// spent within the last 10 seconds returns the same grant again (a
	// retry after a lost response); spent earlier, it revokes the whole
	// session. EUNAUTHORIZED for an unknown, spent, expired or revoked
	// token or a disabled user.
	Rotate(ctx context.Context, refreshToken string, now time.Time) (*SessionGrant, error)
	// RevokeSession ends a session (sign-out). ENOTFOUND when it does not
	// exist or is not userID's.
	RevokeSession(ctx context.Context, userID, sessionID int64) error
	// SessionActive reports whether a session is still good for access
	// tokens: not revoked and its user not disabled.
	SessionActive(ctx context.Context, sessionID int64) (bool, error)
	// SessionUser returns the account of an active session of userID's,
	// read in one query. ENOTFOUND once the session has ended or the
	// account is disabled.
	SessionUser(ctx context.Context, sessionID, userID int64) (*User, error)
}

// PhoneCodeService issues and checks one-time codes sent to phones.
type PhoneCodeService interface {
	// IssueCode returns a new six-digit code for a phone and purpose,
	// valid for 10 minutes and 5 tries, replacing any earlier one. Callers
	// throttle issuing, or every new code would bring 5 more guesses.
	// It queues the text that carries the code, in language, in the same
	// transaction. EINVALID for a bad phone number or purpose.
	IssueCode(ctx context.Context, phone string, purpose CodePurpose, language string) (string, error)
	// CheckCode spends the code when it matches. EINVALID when it is
	// wrong, expired, already used or was never sent; ERATELIMIT once 5
	// tries are spent.
	CheckCode(ctx context.Context, phone string, purpose CodePurpose, code string) error
}

// RefreshTokenTTL is how long an unused refresh token stays good; each
// rotation starts a new one, so a device used monthly stays signed in.
const RefreshTokenTTL = 30 * 24 * time.Hour

// ThrottleService counts attempts per bucket in the database, so limits
// hold across instances.
type ThrottleService interface {
	// RefundThrottle gives back the latest attempt recorded in bucket (a
	// successful sign-in is no try against the limits).
	RefundThrottle(ctx context.Context, bucket string) error
	// Throttle records an attempt in bucket; past limit attempts within
	// window it returns ERATELIMIT and how long until the window ends.
	Throttle(ctx context.Context, bucket string, limit int, window time.Duration) (time.Duration, error)
	// ClearThrottle forgets a bucket's attempts, after a successful sign-in.
	ClearThrottle(ctx context.Context, bucket string) error
	// ThrottleHits counts a bucket's attempts in its current window.
	ThrottleHits(ctx context.Context, bucket string, now time.Time) (int, error)
}

var mobile = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// NormalizePhone returns the 11-digit form of a mainland mobile number
// written with spaces, dashes or a +86/86 prefix, or EINVALID.
func NormalizePhone(phone string) (string, error) {
	p := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '\t' || r == '\u00a0' || r == '\u3000' {
			return -1
		}
		return r
	}, phone)
	if rest, ok := strings.CutPrefix(p, "+86"); ok {
		p = rest
	} else if rest, ok := strings.CutPrefix(p, "86"); ok && len(p) == 13 {
		p = rest
	}
	if !mobile.MatchString(p) {
		return "", Errorf(EINVALID, "enter an 11-digit mainland mobile number, such as 138 0013 8000")
	}
	return p, nil
}

// ValidatePassword checks the password rule: 8 to 72 bytes, not only digits.
func ValidatePassword(password string) error {
	if len(password) < 8 || len(password) > 72 {
		return Errorf(EINVALID, "a password needs 8 to 72 characters")
	}
	if strings.Trim(password, "0123456789") == "" {
		return Errorf(EINVALID, "a password needs more than digits")
	}
	return nil
}

// ValidateLanguage returns the user language for lang: zh-CN when empty,
// EINVALID when unsupported.
func ValidateLanguage(lang string) (string, error) {
	switch strings.TrimSpace(lang) {
	case "", LanguageChinese:
		return LanguageChinese, nil
	case LanguageEnglish:
		return LanguageEnglish, nil
	}
	return "", Errorf(EINVALID, "language must be %s or %s", LanguageChinese, LanguageEnglish)
}

// ValidateName trims a person's name and checks its length.
func ValidateName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 50 {
		return "", Errorf(EINVALID, "a name needs 1 to 50 characters")
	}
	return name, nil
}

// Validate normalises a user's phone, name and language and checks that the
// role's fields fit: staff belong to a station, officers carry a badge
// number, only residents have a home booth.
func (u *User) Validate() error {
	var err error
	if !u.Role.Valid() {
		return Errorf(EINVALID, "unknown role %q", u.Role)
	}
	if u.Phone, err = NormalizePhone(u.Phone); err != nil {
		return err
	}
	if u.Name, err = ValidateName(u.Name); err != nil {
		return err
	}
	if u.Language, err = ValidateLanguage(u.Language); err != nil {
		return err
	}
	if u.PasswordHash == "" {
		return Errorf(EINVALID, "an account needs a password")
	}
	if u.Role.Staff() != (u.StationID != nil) {
		if u.Role.Staff() {
			return Errorf(EINVALID, "officers and heads belong to a station")
		}
		return Errorf(EINVALID, "only officers and heads belong to a station")
	}
	u.BadgeNo = strings.TrimSpace(u.BadgeNo)
	if u.Role == RoleOfficer && (u.BadgeNo == "" || utf8.RuneCountInString(u.BadgeNo) > 20) {
		return Errorf(EINVALID, "an officer needs a badge number of 1 to 20 characters")
	}
	if u.HomeBoothID != nil && u.Role != RoleResident {
		return Errorf(EINVALID, "only residents have a home booth")
	}
	if u.Role.Responder() != (u.BoothID != nil) {
		if u.Role.Responder() {
			return Errorf(EINVALID, "guards and volunteers belong to a booth").WithMessage("booth_required")
		}
		return Errorf(EINVALID, "only guards and volunteers belong to a booth")
	}
	return nil
}

// CanManage reports whether actor may act on target's account: the admin on
// everyone but admins, a head on the officers, guards and volunteers of
// their own station, a disabled account on no one. targetStation is the
// station of target's booth for a guard or volunteer, else nil.
func CanManage(actor, target *User, targetStation *int64) bool {
	if actor.Disabled || actor.ID == target.ID {
		return false
	}
	switch actor.Role {
	case RoleAdmin:
		return target.Role != RoleAdmin
	case RoleHead:
		if target.Role.Responder() {
			target = &User{Role: RoleOfficer, StationID: targetStation}
		}
		return target.Role == RoleOfficer && actor.StationID != nil && target.StationID != nil &&
			*actor.StationID == *target.StationID
	}
	return false
}
