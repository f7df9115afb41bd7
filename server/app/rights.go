package app

import (
	"context"
	"time"
)

// DataExport is everything the booth holds about one resident (PIPL art.
// 45): named sections of JSON-ready records, the files they refer to, and
// the records the station keeps after the account is deleted.
type DataExport struct {
	ExportedAt time.Time
	UserID     int64
	// Sections in archive order: "account", "sessions", "service_requests" …
	Sections []ExportSection
	// Files are blobs copied into the archive under their Path.
	Files []ExportFile
	// Kept lists what account deletion leaves with the station, and why.
	Kept []KeptRecord
}

// ExportSection is one named part of an export; Records is encoded as JSON.
type ExportSection struct {
	Name    string
	Records any
}

// ExportFile is a stored file that goes into an export archive.
type ExportFile struct {
	Path        string // inside the archive, e.g. files/attachments/12/34-scan.png
	BlobKey     string
	ContentType string
}

// KeptRecord is a record the station must keep by law after the resident
// deletes their account; it stays, detached from the account.
type KeptRecord struct {
	Kind   string    `json:"kind"` // service_request, assistance_call …
	ID     int64     `json:"id,string"`
	Label  string    `json:"label"` // e.g. the ticket A-017 or "call 12"
	Status string    `json:"status"`
	At     time.Time `json:"at"`     // when it was closed
	Reason Text      `json:"reason"` // why the station keeps it
}

// Erasure is what deleting an account did.
type Erasure struct {
	UserID int64
	// Deleted counts the records erased, by kind.
	Deleted map[string]int
	// Kept are the records left with the station, detached.
	Kept []KeptRecord
	// Sessions were the account's sign-in sessions, now gone; live
	// streams of theirs should end.
	Sessions []int64
	// Blobs are the erased records' files, queued for removal after the
	// commit (no network I/O inside a transaction).
	Blobs []string
}

// Retention limits, in days: a head sets their station's periods within them.
const (
	MinLocationRetentionDays   = 1
	MaxLocationRetentionDays   = 365
	MinPhotoRetentionDays      = 7
	MaxPhotoRetentionDays      = 365
	MinAttachmentRetentionDays = 30
	MaxAttachmentRetentionDays = 3650
)

// RetentionUpdate holds a station's new retention periods in days; nil
// fields stay as they are.
type RetentionUpdate struct {
	LocationDays   *int `json:"location_retention_days,omitempty"`
	PhotoDays      *int `json:"photo_retention_days,omitempty"`
	AttachmentDays *int `json:"attachment_retention_days,omitempty"`
}

// Validate checks each given period against its limits.
func (u RetentionUpdate) Validate() error {
	check := func(field string, v *int, lo, hi int) error {
		if v != nil && (*v < lo || *v > hi) {
			return Errorf(EINVALID, "%s: %d to %d days", field, lo, hi)
		}
		return nil
	}
	if err := check("location_retention_days", u.LocationDays, MinLocationRetentionDays, MaxLocationRetentionDays); err != nil {
		return err
	}
	if err := check("photo_retention_days", u.PhotoDays, MinPhotoRetentionDays, MaxPhotoRetentionDays); err != nil {
		return err
	}
	return check("attachment_retention_days", u.AttachmentDays, MinAttachmentRetentionDays, MaxAttachmentRetentionDays)
}

// RightsService serves residents' data rights and the retention of
// personal data.
type RightsService interface {
	// ExportResident collects everything held about a resident, with the
	// records deletion would keep. ENOTFOUND for a missing account,
	// EFORBIDDEN for one that is not a resident's.
	ExportResident(ctx context.Context, userID int64, now time.Time) (*DataExport, error)
	// EraseResident deletes a resident's account and personal data and
	// detaches the records kept by law, in one transaction that queues the
	// files of erased records for the blob purge. ENOTFOUND, EFORBIDDEN as
	// above; ECONFLICT while the resident has an open call.
	EraseResident(ctx context.Context, userID int64) (*Erasure, error)
	// SetRetention changes a station's retention periods and audits it.
	// EFORBIDDEN unless the actor is a head, ENOTFOUND for another
	// station, EINVALID for a period out of its limits.
	SetRetention(ctx context.Context, actor Actor, stationID int64, upd RetentionUpdate) (*Station, error)
	// PurgeCallLocations clears the coordinates of closed calls whose
	// station's location period has passed at now, each once across
	// instances. It returns how many calls it cleared.
	PurgeCallLocations(ctx context.Context, now time.Time) (int64, error)
	// PurgeAttachments deletes the attachments of requests finished longer
	// ago than their station's attachment period, each once across
	// instances, and queues their files for the blob purge. It returns how
	// many it deleted.
	PurgeAttachments(ctx context.Context, now time.Time) (int64, error)
}
