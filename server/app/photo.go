package app

import (
	"context"
	"time"
)

// PhotoConsent is a guardian's consent to the family photo of a newborn
// registration: who gave it, when, to what. The family may withdraw it; no
// photo is taken without one in force.
type PhotoConsent struct {
	ID               int64      `json:"id,string" gorm:"primaryKey"`
	StationID        int64      `json:"-"`
	RequestID        int64      `json:"request_id,string"`
	GuardianName     string     `json:"guardian"`
	GuardianRelation string     `json:"relation"`        // father, mother or guardian
	KeepInAccount    bool       `json:"keep_in_account"` // the photos are kept in the family's account
	WelcomeBoard     bool       `json:"welcome_board"`   // may be shown on the station's welcome board
	RecordedBy       int64      `json:"recorded_by,string"`
	CreatedAt        time.Time  `json:"created_at"`
	WithdrawnAt      *time.Time `json:"withdrawn_at,omitempty"`
	WithdrawnBy      *int64     `json:"withdrawn_by,string,omitempty"`
}

// InForce reports whether the consent has not been withdrawn.
func (c *PhotoConsent) InForce() bool { return c.WithdrawnAt == nil }

// Photo is a family photo taken at the booth. Its three copies (full size,
// display size, thumbnail: JPEGs without metadata) live in the blob store.
type Photo struct {
	ID          int64      `json:"id,string" gorm:"primaryKey"`
	StationID   int64      `json:"station_id,string"`
	RequestID   int64      `json:"request_id,string"`
	ConsentID   int64      `json:"consent_id,string"`
	TakenBy     int64      `json:"taken_by,string"`
	FullKey     string     `json:"-"`
	DisplayKey  string     `json:"-"`
	ThumbKey    string     `json:"-"`
	Width       int        `json:"width"`
	Height      int        `json:"height"`
	Size        int64      `json:"size"` // bytes of the full-size copy
	Keep        bool       `json:"keep"`
	CreatedAt   time.Time  `json:"created_at"`
	DeleteAfter time.Time  `json:"delete_after"` // unless kept
	NotifiedAt  *time.Time `json:"-"`            // the family was told of the coming deletion
}

// BlobKeys are the keys of every stored copy of the photo.
func (p *Photo) BlobKeys() []string { return []string{p.FullKey, p.DisplayKey, p.ThumbKey} }

// PhotoFamilyMember is a resident the filer of a newborn registration
// invited to see its photos.
type PhotoFamilyMember struct {
	RequestID int64     `json:"request_id,string" gorm:"primaryKey;autoIncrement:false"`
	UserID    int64     `json:"user_id,string" gorm:"primaryKey;autoIncrement:false"`
	InvitedBy int64     `json:"invited_by,string"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName is photo_family.
func (PhotoFamilyMember) TableName() string { return "photo_family" }

// ShareLink is an expiring link to one photo. Only the token's hash is
// stored; the token itself is shown once, when the link is made.
type ShareLink struct {
	ID        int64      `json:"id,string" gorm:"primaryKey"`
	PhotoID   int64      `json:"photo_id,string"`
	StationID int64      `json:"-"`
	TokenHash string     `json:"-"`
	CreatedBy int64      `json:"created_by,string"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// TableName is photo_share_links.
func (ShareLink) TableName() string { return "photo_share_links" }

// Share-link lifetimes in days.
const (
	ShareDaysDefault = 7
	ShareDaysMax     = 30
)

// PhotoScope says whose photos a caller may reach: a resident's family
// photos, or a station's. Exactly one is set.
type PhotoScope struct {
	ResidentID int64
	StationID  int64
}

// RetentionNotice is a family to tell that photos not marked "keep" will be
// deleted soon.
type RetentionNotice struct {
	ResidentID int64
	Phone      string
	Language   string
	StationID  int64
	Photos     int
	DeleteOn   time.Time // the earliest deletion
	DeleteDate string    // DeleteOn's date (YYYY-MM-DD) in the station's time zone
}

// PhotoService keeps newborn photos, their consents and share links.
type PhotoService interface {
	// RecordPhotoConsent stores a guardian's consent on a newborn
	// registration of the officer's station, audited. ENOTFOUND out of
	// scope; EINVALID when the request is no newborn registration, the
	// guardian is not named on it or keep_in_account is false; ECONFLICT
	// on a rejected or cancelled request.
	RecordPhotoConsent(ctx context.Context, actor Actor, stationID int64, c *PhotoConsent) error
	// WithdrawPhotoConsent withdraws a consent on one of the resident's
	// family registrations. ENOTFOUND out of scope, ECONFLICT when already
	// withdrawn.
	WithdrawPhotoConsent(ctx context.Context, residentID, consentID int64) (*PhotoConsent, error)
	// ListPhotoConsents returns a request's consents, oldest first.
	ListPhotoConsents(ctx context.Context, requestID int64) ([]PhotoConsent, error)
	// AddPhoto records a processed photo under the request's consent in
	// force, with its deletion date from the station's retention, audited.
	// EINVALID when no consent is in force; ENOTFOUND out of the station.
	AddPhoto(ctx context.Context, actor Actor, stationID int64, p *Photo) error
	// FindPhoto returns a photo in scope, else ENOTFOUND.
	FindPhoto(ctx context.Context, id int64, scope PhotoScope) (*Photo, error)
	// ListPhotos returns the photos in scope, newest first; requestID 0
	// for all of them, before a cursor id when set.
	ListPhotos(ctx context.Context, scope PhotoScope, requestID, before int64, limit int) ([]Photo, error)
	// KeepPhoto marks or unmarks a family photo "keep". ENOTFOUND unless
	// the resident is of the family.
	KeepPhoto(ctx context.Context, residentID, id int64, keep bool) (*Photo, error)
	// DeletePhoto deletes a family photo with its share links and queues
	// its blobs for removal; it returns the blob keys. ENOTFOUND unless
	// the resident is of the family.
	DeletePhoto(ctx context.Context, residentID, id int64) ([]string, error)
}
