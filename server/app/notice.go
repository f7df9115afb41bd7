package app

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// NoticeKind is what a community notice is about.
type NoticeKind string

// Notice kinds.
const (
	NoticeAntiFraud     NoticeKind = "anti_fraud"
	NoticeSafety        NoticeKind = "safety"
	NoticeServiceChange NoticeKind = "service"
	NoticeMissingPerson NoticeKind = "missing_person"
)

// NoticeKinds lists the kinds in the order forms offer them.
var NoticeKinds = []NoticeKind{NoticeAntiFraud, NoticeSafety, NoticeServiceChange, NoticeMissingPerson}

// NoticeSeverity is how grave a notice is, in CAP's words.
type NoticeSeverity string

// Severities, least to most severe.
const (
	SeverityMinor    NoticeSeverity = "minor"
	SeverityModerate NoticeSeverity = "moderate"
	SeveritySevere   NoticeSeverity = "severe"
	SeverityExtreme  NoticeSeverity = "extreme"
)

// NoticeSeverities lists the severities from least to most severe.
var NoticeSeverities = []NoticeSeverity{SeverityMinor, SeverityModerate, SeveritySevere, SeverityExtreme}

// Rank orders severities: 0 for minor up to 3 for extreme, -1 for unknown.
func (s NoticeSeverity) Rank() int { return slices.Index(NoticeSeverities, s) }

// Limits of a notice.
const (
	MaxNoticeTitleLen  = 120
	MaxNoticeBodyLen   = 4000
	MaxNoticeReasonLen = 300
	// DefaultNoticeLife is how long a notice without an expiry stays up.
	DefaultNoticeLife = 7 * 24 * time.Hour
	// MaxNoticeLife bounds how long any notice stays up.
	MaxNoticeLife = 366 * 24 * time.Hour
)

// CAP message types a notice goes out as.
const (
	MsgAlert  = "Alert"
	MsgUpdate = "Update"
	MsgCancel = "Cancel"
)

// Notice is a community notice a station's staff publish to the residents
// of its area: the whole station, or some of its booths.
type Notice struct {
	ID             int64            `json:"id,string" gorm:"primaryKey"`
	StationID      int64            `json:"station_id,string"`
	AuthorID       *int64           `json:"author_id,string,omitempty"`
	Title          string           `json:"title"`
	Body           string           `json:"body"`
	Kind           NoticeKind       `json:"kind"`
	Severity       NoticeSeverity   `json:"severity"`
	Urgent         bool             `json:"urgent"`
	Public         bool             `json:"public"`
	Language       string           `json:"language"` // what it was written in; shown as is
	StartsAt       time.Time        `json:"starts_at"`
	ExpiresAt      time.Time        `json:"expires_at"`
	Version        int              `json:"version"` // 1, plus one per update and for the withdrawal
	AnnouncedAt    *time.Time       `json:"-"`       // when it went out live; nil while it waits for StartsAt
	WithdrawnAt    *time.Time       `json:"withdrawn_at,omitempty"`
	WithdrawnBy    *int64           `json:"withdrawn_by,string,omitempty"`
	WithdrawReason string           `json:"withdraw_reason,omitempty"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
	BoothIDs       []int64          `json:"-" gorm:"-"` // empty: the whole station
	Revisions      []NoticeRevision `json:"-" gorm:"foreignKey:NoticeID"`
}

// Withdrawn reports whether the notice was withdrawn.
func (n *Notice) Withdrawn() bool { return n.WithdrawnAt != nil }

// Current reports whether residents see the notice at now: started, not
// expired, not withdrawn.
func (n *Notice) Current(now time.Time) bool {
	return !n.Withdrawn() && !now.Before(n.StartsAt) && now.Before(n.ExpiresAt)
}

// NeedsAcknowledgement reports whether residents are asked to confirm they
// have read the notice: anti-fraud warnings.
func (n *Notice) NeedsAcknowledgement() bool { return n.Kind == NoticeAntiFraud }

// NoticeRevision is one message a notice went out as: the first alert, an
// update or the withdrawal. At is that message's CAP "sent".
type NoticeRevision struct {
	ID        int64     `json:"-" gorm:"primaryKey"`
	NoticeID  int64     `json:"-"`
	StationID int64     `json:"-"`
	Version   int       `json:"version"`
	MsgType   string    `json:"msg_type"` // MsgAlert, MsgUpdate, MsgCancel
	ActorID   *int64    `json:"actor_id,string,omitempty"`
	At        time.Time `json:"at"`
	Note      string    `json:"note,omitempty"`
}

// NoticeBooth ties a notice to one booth of its area.
type NoticeBooth struct {
	NoticeID  int64 `gorm:"primaryKey;autoIncrement:false"`
	BoothID   int64 `gorm:"primaryKey;autoIncrement:false"`
	StationID int64
}

// NoticeReceipt is what one resident did with one notice.
type NoticeReceipt struct {
	NoticeID       int64      `json:"notice_id,string" gorm:"primaryKey;autoIncrement:false"`
	UserID         int64      `json:"-" gorm:"primaryKey;autoIncrement:false"`
	StationID      int64      `json:"-"`
	ReceivedAt     time.Time  `json:"received_at"`
	ReadAt         *time.Time `json:"read_at,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
}

// NoticeReach counts, for one notice, the residents of its area and how
// many of them it reached, opened and acknowledged.
type NoticeReach struct {
	Residents    int `json:"residents"`
	Received     int `json:"received"`
	Opened       int `json:"opened"`
	Acknowledged int `json:"acknowledged"`
}

// ResidentNotice is a notice as one resident sees it.
type ResidentNotice struct {
	Notice
	Receipt *NoticeReceipt
}

// Unread reports whether the resident has not opened the notice yet.
func (r *ResidentNotice) Unread() bool { return r.Receipt == nil || r.Receipt.ReadAt == nil }

// Acknowledged reports whether the resident confirmed they read it.
func (r *ResidentNotice) Acknowledged() bool {
	return r.Receipt != nil && r.Receipt.AcknowledgedAt != nil
}

// NoticeDraft is what staff write, for a new notice or an update; on an
// update nil fields stay as they are.
type NoticeDraft struct {
	Title     *string
	Body      *string
	Kind      *NoticeKind
	Severity  *NoticeSeverity
	Urgent    *bool
	Public    *bool
	Language  *string
	BoothIDs  *[]int64
	StartsAt  *time.Time
	ExpiresAt *time.Time
}

// Apply writes the draft's fields onto n and checks the result; now is
// when it is written (a new notice starts then unless told otherwise).
// EINVALID names the first field that is wrong.
func (d NoticeDraft) Apply(n *Notice, now time.Time) error {
	if d.Title != nil {
		n.Title = strings.TrimSpace(*d.Title)
	}
	if d.Body != nil {
		n.Body = strings.TrimSpace(*d.Body)
	}
	if d.Kind != nil {
		n.Kind = *d.Kind
	}
	if d.Severity != nil {
		n.Severity = *d.Severity
	}
	if d.Urgent != nil {
		n.Urgent = *d.Urgent
	}
	if d.Public != nil {
		n.Public = *d.Public
	}
	if d.Language != nil {
		n.Language = *d.Language
	}
	if d.BoothIDs != nil {
		n.BoothIDs = slices.Compact(slices.Sorted(slices.Values(*d.BoothIDs)))
	}
	if d.StartsAt != nil {
		n.StartsAt = *d.StartsAt
	}
	if d.ExpiresAt != nil {
		n.ExpiresAt = *d.ExpiresAt
	}
	if n.StartsAt.IsZero() {
		n.StartsAt = now
	}
	if n.ExpiresAt.IsZero() {
		n.ExpiresAt = n.StartsAt.Add(DefaultNoticeLife)
	}
	if n.Language == "" {
		n.Language = LanguageChinese
	}
	switch {
	case n.Title == "" || utf8.RuneCountInString(n.Title) > MaxNoticeTitleLen:
		return Errorf(EINVALID, "title: 1 to %d characters", MaxNoticeTitleLen).WithField("title")
	case n.Body == "" || utf8.RuneCountInString(n.Body) > MaxNoticeBodyLen:
		return Errorf(EINVALID, "body: 1 to %d characters", MaxNoticeBodyLen).WithField("body")
	case !slices.Contains(NoticeKinds, n.Kind):
		return Errorf(EINVALID, "kind: one of anti_fraud, safety, service, missing_person").WithField("kind")
	case n.Severity.Rank() < 0:
		return Errorf(EINVALID, "severity: one of minor, moderate, severe, extreme").WithField("severity")
	case n.Language != LanguageChinese && n.Language != LanguageEnglish:
		return Errorf(EINVALID, "language: zh-CN or en").WithField("language")
	case !n.ExpiresAt.After(n.StartsAt):
		return Errorf(EINVALID, "expires_at: after starts_at").WithField("expires_at")
	case !n.ExpiresAt.After(now):
		return Errorf(EINVALID, "expires_at: in the future").WithField("expires_at")
	case n.ExpiresAt.Sub(n.StartsAt) > MaxNoticeLife:
		return Errorf(EINVALID, "expires_at: at most 366 days after starts_at").WithField("expires_at")
	}
	return nil
}

// NoticeScope is who reads notices: a resident the current ones of their
// home booth's area, staff every notice of their station.
type NoticeScope struct {
	ResidentID int64
	StationID  int64
}

// NoticeService keeps community notices.
type NoticeService interface {
	// CreateNotice stores a notice of the actor's station with its first
	// revision (an Alert) and an audit entry; one that starts now is
	// announced at once (a notice.published event), one written ahead waits
	// for AnnounceDue (a notice.scheduled event meanwhile).
	// EINVALID as NoticeDraft.Apply or for a booth not of the station,
	// EFORBIDDEN when the actor is no enabled officer or head.
	CreateNotice(ctx context.Context, actor Actor, d NoticeDraft, now time.Time) (*Notice, error)
	// UpdateNotice changes a notice of the actor's station: a new revision
	// (an Update), a notice.updated event and an audit entry. ENOTFOUND
	// outside the station, ECONFLICT once withdrawn, EINVALID as Apply.
	UpdateNotice(ctx context.Context, actor Actor, id int64, d NoticeDraft, now time.Time) (*Notice, error)
	// WithdrawNotice withdraws a notice (a Cancel revision, a
	// notice.withdrawn event, an audit entry): residents no longer see it.
	// ENOTFOUND outside the station, ECONFLICT when already withdrawn.
	WithdrawNotice(ctx context.Context, actor Actor, id int64, reason string, now time.Time) (*Notice, error)
	// FindNotice returns a notice in scope with its booths and revisions:
	// for a resident only a current one of their area. ENOTFOUND otherwise.
	FindNotice(ctx context.Context, id int64, scope NoticeScope, now time.Time) (*Notice, error)
	// ListResidentNotices returns the current notices of a resident's area,
	// most severe first, then newest, and records that they reached the
	// resident.
	ListResidentNotices(ctx context.Context, residentID int64, now time.Time) ([]ResidentNotice, error)
	// ListStationNotices returns a station's notices, newest first, before
	// the id given (0: from the newest), at most limit.
	ListStationNotices(ctx context.Context, stationID, before int64, limit int) ([]Notice, error)
	// MarkNoticeRead records that a resident opened a notice of their area.
	// ENOTFOUND when it is not a current notice of their area.
	MarkNoticeRead(ctx context.Context, id, residentID int64, now time.Time) (*NoticeReceipt, error)
	// AcknowledgeNotice records that a resident confirmed reading an
	// anti-fraud notice (it counts as opened too). ENOTFOUND as
	// MarkNoticeRead, EINVALID for a notice that asks for no acknowledgement.
	AcknowledgeNotice(ctx context.Context, id, residentID int64, now time.Time) (*NoticeReceipt, error)
	// NoticeReach counts residents of a notice's area and its receipts.
	NoticeReach(ctx context.Context, n *Notice) (NoticeReach, error)
	// PublicNotices returns the public notices for the CAP feed: current
	// ones and those withdrawn within the last day, newest change first.
	PublicNotices(ctx context.Context, now time.Time) ([]Notice, error)
	// FindPublicNotice returns a public notice, current, expired or
	// withdrawn, with its booths and revisions; ENOTFOUND otherwise.
	FindPublicNotice(ctx context.Context, id int64) (*Notice, error)
	// AnnounceDue announces the notices written ahead whose start has come:
	// each once across instances, with a notice.published event. It
	// returns them with their booths, for pushing the urgent ones.
	AnnounceDue(ctx context.Context, now time.Time) ([]Notice, error)
	// NoticeReceiptOf returns what a resident did with one notice,
	// ENOTFOUND when it has not reached them.
	NoticeReceiptOf(ctx context.Context, noticeID, residentID int64) (*NoticeReceipt, error)
	// ResidentNoticeReceipts returns every receipt of a resident, oldest
	// first: which notices reached them, which they opened and
	// acknowledged (for their data export).
	ResidentNoticeReceipts(ctx context.Context, residentID int64) ([]NoticeReceipt, error)
}
