package app

import (
	"context"
	"time"
)

// CallPhoto is a photo added to an assistance call by its caller or the
// officer who took the call: what the caller sees, an injury, a number
// plate. Its three copies (full size, display size, thumbnail: JPEGs
// without metadata) live in the blob store; it is kept like the call's
// location.
type CallPhoto struct {
	ID         int64     `json:"id,string" gorm:"primaryKey"`
	CallID     int64     `json:"call_id,string"`
	StationID  int64     `json:"-"`
	AddedBy    *int64    `json:"added_by,string,omitempty"` // nil once the resident deleted their account
	FullKey    string    `json:"-"`
	DisplayKey string    `json:"-"`
	ThumbKey   string    `json:"-"`
	Width      int       `json:"width"`
	Height     int       `json:"height"`
	Size       int64     `json:"size"` // bytes of the full-size copy
	CreatedAt  time.Time `json:"created_at"`
}

// BlobKeys are the keys of every stored copy of the photo.
func (p *CallPhoto) BlobKeys() []string { return []string{p.FullKey, p.DisplayKey, p.ThumbKey} }

// CheckCallPhoto checks that userID may add a photo to the call now: the
// call is open, and userID is its caller (byCaller) or the officer who
// acknowledged it.
func CheckCallPhoto(c *AssistanceCall, userID int64, byCaller bool) error {
	if !byCaller && (c.AcknowledgedBy == nil || *c.AcknowledgedBy != userID) {
		return Errorf(EFORBIDDEN, "only the caller and the officer who took the call add photos").WithMessage("call_photo_responder")
	}
	if !c.Status.Open() {
		return Errorf(ECONFLICT, "the call is %s; it takes no more photos", c.Status).WithMessage("call_closed")
	}
	return nil
}

// CallPhotoService keeps the photos of assistance calls.
type CallPhotoService interface {
	// AddCallPhoto stores a photo's record on an open call in scope, with a
	// timeline entry and an assistance.updated event. A caller scope adds
	// it as the caller; with a station scope addedBy must be the officer
	// who acknowledged the call (EFORBIDDEN otherwise). ENOTFOUND out of
	// scope, ECONFLICT once the call is closed.
	AddCallPhoto(ctx context.Context, callID int64, scope CallScope, addedBy int64, p *CallPhoto) error
	// ListCallPhotos returns the photos of a call in scope, oldest first;
	// ENOTFOUND out of scope.
	ListCallPhotos(ctx context.Context, callID int64, scope CallScope) ([]CallPhoto, error)
	// FindCallPhoto returns one photo of a call in scope, else ENOTFOUND.
	FindCallPhoto(ctx context.Context, callID, photoID int64, scope CallScope) (*CallPhoto, error)
	// PurgeCallPhotos deletes the photos of calls closed longer ago than
	// their station's location period and queues their blobs for removal
	// in the same transaction, each photo once across instances.
	PurgeCallPhotos(ctx context.Context, now time.Time) (int64, error)
}
