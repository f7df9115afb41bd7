package app

import (
	"context"
	"database/sql"
	"time"
)

// Services is every service the web server reaches its data through, one
// struct passed to web.New; main fills each field with the store
// (store.Store.Services). The interfaces are embedded so a handler calls
// s.store.Method(...) whichever interface declares Method; a method
// therefore belongs to exactly one of them. A new store method that web
// calls goes into the interface of its domain below (or a new one,
// embedded here and filled in store.Store.Services).
type Services struct {
	UserService
	StaffService
	SessionService
	PinService
	PhoneCodeService
	ThrottleService
	StationService
	ServiceRequestService
	AssistanceService
	PhotoService
	PhotoSharingService
	ShiftService
	FigureService
	NoticeService
	PushService
	PrivacyService
	RightsService
	SafetyService
	SafetyTimerService
	CareService
	FraudService
	AuditService
	DashboardService
	OutboxService
	IdempotencyService
	EventLogService
	StreamService
	RetentionJobService
	KeyService
	HealthService
	FamilyService
	QueueService
	CallPhotoService
	ResponderService
}

// PinService keeps officers' PINs for switching the shared tablet.
type PinService interface {
	// SetPin stores an officer's PIN hash.
	SetPin(ctx context.Context, userID int64, hash string, now time.Time) error
	// SwitchSession ends the session of from and starts one for to on the
	// same device.
	SwitchSession(ctx context.Context, from Claims, to *User, ip string, now time.Time) (*SessionGrant, error)
}

// PhotoSharingService keeps a family's share links and who of the family
// may see a registration's photos.
type PhotoSharingService interface {
	CreateShareLink(ctx context.Context, residentID int64, photoID int64, days int, token string) (*ShareLink, error)
	ListShareLinks(ctx context.Context, residentID int64, photoID int64, now time.Time) ([]ShareLink, error)
	RevokeShareLink(ctx context.Context, residentID int64, linkID int64) error
	// SharedPhoto returns the photo of a live share link; ENOTFOUND
	// otherwise.
	SharedPhoto(ctx context.Context, token string, now time.Time) (*Photo, *ShareLink, error)
	FamilyRequest(ctx context.Context, residentID int64, requestID int64) (*ServiceRequest, error)
	ListFamily(ctx context.Context, requestID int64) ([]User, error)
}

// FigureService computes a station's shift figures.
type FigureService interface {
	Figures(ctx context.Context, q FigureQuery) (*Figures, error)
}

// CareService keeps the care register and its planned visits. Scopes
// limit what the caller sees (CareScope).
type CareService interface {
	Enrol(ctx context.Context, n NewEnrolment, station int64, now time.Time) (*CareEnrolment, error)
	FindEnrolment(ctx context.Context, id int64, scope CareScope) (*CareEnrolment, error)
	ListEnrolments(ctx context.Context, scope CareScope, boothID int64) ([]CareEnrolment, error)
	LeaveCare(ctx context.Context, id int64, residentID int64) error
	DueVisits(ctx context.Context, station int64, boothID int64, now time.Time, loc *time.Location) ([]DueVisit, error)
	RecordVisit(ctx context.Context, nv NewVisit, station int64, now time.Time) (*CareVisit, error)
	FindVisit(ctx context.Context, id int64, scope CareScope) (*CareVisit, error)
	ListVisits(ctx context.Context, scope CareScope, limit int) ([]CareVisit, error)
	VisitsByID(ctx context.Context, station int64, ids []int64) (map[int64]CareVisit, error)
	VisitFigures(ctx context.Context, station int64, from time.Time, to time.Time, now time.Time, loc *time.Location) (*VisitFigures, error)
}

// CareScope is what a caller of the care register may see: a resident
// their own enrolment and visits, staff their station's.
type CareScope struct {
	ResidentID int64
	StationID  int64
}

// FraudService keeps fraud reports. Scopes limit what the caller sees
// (FraudScope).
type FraudService interface {
	AddFraudScreenshot(ctx context.Context, reporterID int64, sc *FraudScreenshot) error
	ListFraudScreenshots(ctx context.Context, reportID int64) ([]FraudScreenshot, error)
	FindFraudScreenshot(ctx context.Context, id int64, scope FraudScope) (*FraudScreenshot, error)
	CreateFraudReport(ctx context.Context, n NewFraudReport, now time.Time) (*FraudReport, error)
	FindFraudReport(ctx context.Context, id int64, scope FraudScope) (*FraudReport, error)
	ListFraudReports(ctx context.Context, scope FraudScope, limit int) ([]FraudReport, error)
	LookupFraud(ctx context.Context, kind string, value string) (*FraudLookup, error)
	MoveFraudReport(ctx context.Context, id int64, station int64, actor int64, to FraudStatus, note string, now time.Time) (*FraudReport, error)
	RecordFraudAdvice(ctx context.Context, id int64, station int64, officer int64, now time.Time) (*FraudReport, error)
}

// FraudScope is what a caller may see of fraud reports: a resident their
// own, staff their station's.
type FraudScope struct {
	ReporterID int64
	StationID  int64
}

// AuditService keeps the audit log.
type AuditService interface {
	Audit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// DashboardService gives a station at a glance.
type DashboardService interface {
	Dashboard(ctx context.Context, stationID int64, now time.Time) (*Dashboard, error)
}

// OutboxService queues texts and lists the ones given up.
type OutboxService interface {
	// QueueText queues one text that no other change causes.
	QueueText(ctx context.Context, phone string, language string, kind string, params map[string]any) error
	// FailedMessages lists a station's texts given up on, newest first.
	FailedMessages(ctx context.Context, stationID int64, limit int) ([]OutboxMessage, error)
}

// IdempotencyService keeps the first answers of writes sent with an
// Idempotency-Key.
type IdempotencyService interface {
	BeginIdempotent(ctx context.Context, userID int64, key string, method string, path string) (*IdempotentResponse, error)
	TouchIdempotent(ctx context.Context, userID int64, key string, now time.Time) error
	FinishIdempotent(ctx context.Context, userID int64, key string, answer IdempotentResponse) error
	AbandonIdempotent(ctx context.Context, userID int64, key string) error
}

// EventLogService is the log of events live pages read.
type EventLogService interface {
	EventCursorNow(ctx context.Context) (EventCursor, error)
	EventCursorOf(ctx context.Context, id int64) (EventCursor, error)
	EventsAfter(ctx context.Context, after EventCursor, f EventFilter, minID int64, limit int) (evs []LoggedEvent, held bool, err error)
	ReadEvents(ctx context.Context, after EventCursor, limit int) ([]LoggedEvent, error)
	EventsPrunedThrough(ctx context.Context) (EventCursor, error)
	// OnCommit sets the function called after every committed write.
	OnCommit(fn func())
}

// StreamService keeps what the live streams say of the booths and
// sessions.
type StreamService interface {
	// PageOpened and PageClosed record whether a resident has a page open
	// (a live stream), so an officer's step is texted only when none is.
	PageOpened(ctx context.Context, userID int64, now time.Time) error
	PageClosed(ctx context.Context, userID int64) error
	DarkBooths(ctx context.Context, now time.Time, grace time.Duration) ([]Booth, error)
	TouchStreams(ctx context.Context, userIDs []int64, now time.Time) error
	ActiveSessions(ctx context.Context, ids []int64) (map[int64]bool, error)
}

// RetentionJobService is what the retention and blob-purge jobs take.
type RetentionJobService interface {
	PurgeExpiredPhotos(ctx context.Context, now time.Time, limit int) ([]string, error)
	PendingBlobPurges(ctx context.Context, limit int) ([]string, error)
	BlobsPurged(ctx context.Context, keys []string) error
	ClaimRetentionNotices(ctx context.Context, now time.Time) ([]RetentionNotice, error)
}

// KeyService keeps the secrets every instance shares.
type KeyService interface {
	Key(ctx context.Context, name string, size int) ([]byte, error)
	KeyWith(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error)
}

// HealthService says how the database is and what the process's clock
// reads.
type HealthService interface {
	// Now is the one clock of the process.
	Now() time.Time
	Postgres() bool
	Ready(ctx context.Context) error
	// Unavailable reports whether err means the database cannot be
	// reached.
	Unavailable(err error) bool
	// Pool is the database's connection pool, for its metrics.
	Pool() (*sql.DB, error)
	CountOpenRequests(ctx context.Context) (int64, error)
}
