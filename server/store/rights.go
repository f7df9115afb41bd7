package store

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// A resident's data rights: the export of everything held about them and
// the erasure of their account. Both walk the same records in the same
// order, one function per kind of record, so a new kind (newborn photos,
// acknowledged notices, shift-log mentions) is one export section and one
// erasure step added to the lists below.

// Why the station keeps a record after the account is deleted (PIPL art.
// 13(3) and 47: a retention period the law sets).
var (
	keptRequestReason = app.Text{
		Zh: "已办结的业务属于公安机关依法留存的办事记录，账号注销后继续保存，但不再与您的账号关联。",
		En: "A completed service is an official record the police must keep by law; it stays after your account is deleted, no longer linked to it.",
	}
	keptCallReason = app.Text{
		Zh: "已处置的求助属于依法留存的警情记录，账号注销后继续保存，但不再与您的账号关联；位置信息仍按保存期限清除。",
		En: "A resolved call for help is a police record kept by law; it stays after your account is deleted, no longer linked to it. Its location is still cleared when the retention period ends.",
	}
)

// keptRequest reports whether a request stays with the station when its
// resident deletes their account: a completed registration does.
func keptRequest(r *app.ServiceRequest) bool { return r.Status == app.RequestCompleted }

// keptCall reports whether a call stays: a resolved one does.
func keptCall(c *app.AssistanceCall) bool { return c.Status == app.CallResolved }

// exportSection collects one section of a resident's export; it may add
// files and kept records to out.
type exportSection struct {
	name    string
	collect func(tx *gorm.DB, u *app.User, out *app.DataExport) (any, error)
}

// exportSections are the export's sections in archive order. Add one per
// new kind of personal record.
var exportSections = []exportSection{
	{"account", exportAccount},
	{"sessions", exportSessions},
	{"devices", exportDevices},
	{"service_requests", exportRequests},
	{"assistance_calls", exportCalls},
	{"photos", exportPhotos},
	{"family_invitations", exportFamilyInvitations},
	{"notices", exportNoticeReceipts},
	{"safety_profile", exportSafetyProfile},
	{"safety_timers", exportSafetyTimers},
	{"care", exportCare},
	{"fraud_reports", exportFraudReports},
	{"fraud_screenshots", exportFraudScreenshots},
}

// erasureStep erases or detaches one kind of a resident's records inside
// the erasure's transaction.
type erasureStep func(tx *gorm.DB, u *app.User, e *erasing) error

// erasureSteps run in this order; the first refuses while a call is open,
// before anything is erased. Add one per new kind of personal record.
var erasureSteps = []erasureStep{
	eraseCalls,
	eraseCare,
	eraseFraudScreenshots,
	eraseFraudReports,
	erasePhotos,
	eraseNoticeReceipts,
	eraseSafetyProfile,
	eraseRequests,
	eraseDevices,
	eraseSessions,
	eraseTraces,
	eraseTexts,
	eraseAccount,
}

// eraseTexts deletes the texts to the resident's phone, sent or not: a
// code or a reminder to an erased account is no longer needed.
func eraseTexts(tx *gorm.DB, u *app.User, e *erasing) error {
	res := tx.Table("outbox_messages").Where("phone = ?", u.Phone).Delete(&app.OutboxMessage{})
	if res.Error != nil {
		return fmt.Errorf("store: erase texts: %w", res.Error)
	}
	e.out.Deleted["outbox_messages"] = int(res.RowsAffected)
	return nil
}

// erasing is the state of one account's erasure.
type erasing struct {
	now time.Time
	out *app.Erasure
}

// ExportResident collects everything the booth holds about a resident, in
// one read transaction so the sections agree with each other.
func (s *Store) ExportResident(ctx context.Context, userID int64, now time.Time) (*app.DataExport, error) {
	out := &app.DataExport{ExportedAt: now, UserID: userID, Kept: []app.KeptRecord{}}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := loadRightsHolder(tx, userID)
		if err != nil {
			return err
		}
		for _, sec := range exportSections {
			records, err := sec.collect(tx, u, out)
			if err != nil {
				return fmt.Errorf("store: export %s: %w", sec.name, err)
			}
			out.Sections = append(out.Sections, app.ExportSection{Name: sec.name, Records: records})
		}
		out.Sections = append(out.Sections, app.ExportSection{Name: "kept_after_deletion", Records: out.Kept})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EraseResident deletes a resident's account and personal data, detaching
// the records kept by law, and audits it without naming the person.
func (s *Store) EraseResident(ctx context.Context, userID int64) (*app.Erasure, error) {
	out := &app.Erasure{UserID: userID, Deleted: map[string]int{}}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		u, err := loadRightsHolder(tx, userID)
		if err != nil {
			return err
		}
		e := &erasing{now: tx.NowFunc(), out: out}
		for _, step := range erasureSteps {
			if err := step(tx, u, e); err != nil {
				return err
			}
		}
		var station *int64
		if u.HomeBoothID != nil {
			var b app.Booth
			if err := tx.First(&b, *u.HomeBoothID).Error; err == nil {
				station = &b.StationID
			}
		}
		return audit(tx, &app.AuditEntry{StationID: station, Action: "resident.erase", Target: userTarget(u.ID),
			Detail: fmt.Sprintf("kept %d records", len(out.Kept))})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// loadRightsHolder loads the resident whose rights are exercised, locked
// on PostgreSQL so two erasures of one account do not interleave.
func loadRightsHolder(tx *gorm.DB, id int64) (*app.User, error) {
	q := tx
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var u app.User
	if err := q.First(&u, id).Error; err != nil {
		return nil, notFound("load resident", err)
	}
	if u.Role != app.RoleResident {
		return nil, app.Errorf(app.EFORBIDDEN, "only residents' accounts are exported and deleted here; staff accounts are managed by their station")
	}
	return &u, nil
}

// accountRecord is the account as exported: everything but the password
// hash.
type accountRecord struct {
	ID            int64     `json:"id,string"`
	Phone         string    `json:"phone"`
	Name          string    `json:"name"`
	Role          app.Role  `json:"role"`
	Language      string    `json:"language"`
	HomeBoothID   *int64    `json:"home_booth_id,string,omitempty"`
	HomeBooth     string    `json:"home_booth,omitempty"`
	PhoneVerified bool      `json:"phone_verified"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func exportAccount(tx *gorm.DB, u *app.User, _ *app.DataExport) (any, error) {
	rec := accountRecord{ID: u.ID, Phone: u.Phone, Name: u.Name, Role: u.Role, Language: u.Language,
		HomeBoothID: u.HomeBoothID, PhoneVerified: u.PhoneVerified, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	if u.HomeBoothID != nil {
		var b app.Booth
		if err := tx.First(&b, *u.HomeBoothID).Error; err == nil {
			rec.HomeBooth = b.Name
		}
	}
	return rec, nil
}

func exportSessions(tx *gorm.DB, u *app.User, _ *app.DataExport) (any, error) {
	sessions := []app.Session{}
	err := tx.Where("user_id = ?", u.ID).Order("id").Find(&sessions).Error
	return sessions, err
}

func exportDevices(tx *gorm.DB, u *app.User, _ *app.DataExport) (any, error) {
	subs := []app.PushSubscription{}
	err := tx.Where("user_id = ?", u.ID).Order("id").Find(&subs).Error
	return subs, err
}

// exportedAttachment is an attachment with where its file is in the archive.
type exportedAttachment struct {
	app.Attachment
	File string `json:"file"`
}

// exportedRequest is a request with its attachments' files and whether it
// stays after deletion.
type exportedRequest struct {
	app.ServiceRequest
	Attachments       []exportedAttachment `json:"attachments"`
	KeptAfterDeletion bool                 `json:"kept_after_deletion"`
}

func exportRequests(tx *gorm.DB, u *app.User, out *app.DataExport) (any, error) {
	var list []app.ServiceRequest
	if err := withEverything(tx.Where("resident_id = ?", u.ID)).Order("id").Find(&list).Error; err != nil {
		return nil, err
	}
	records := []exportedRequest{}
	for i := range list {
		r := &list[i]
		rec := exportedRequest{ServiceRequest: *r, Attachments: []exportedAttachment{}, KeptAfterDeletion: keptRequest(r)}
		rec.ServiceRequest.Attachments = nil
		for _, a := range r.Attachments {
			file := path.Join("files", "attachments", strconv.FormatInt(r.ID, 10), strconv.FormatInt(a.ID, 10)+"-"+path.Base(a.Name))
			rec.Attachments = append(rec.Attachments, exportedAttachment{Attachment: a, File: file})
			out.Files = append(out.Files, app.ExportFile{Path: file, BlobKey: a.BlobKey, ContentType: a.ContentType})
		}
		if rec.KeptAfterDeletion {
			out.Kept = append(out.Kept, app.KeptRecord{Kind: "service_request", ID: r.ID, Label: r.Ticket,
				Status: string(r.Status), At: closedAt(r.ClosedAt, r.UpdatedAt), Reason: keptRequestReason})
		}
		records = append(records, rec)
	}
	return records, nil
}

// exportedCall is a call with whether it stays after deletion.
type exportedCall struct {
	app.AssistanceCall
	KeptAfterDeletion bool `json:"kept_after_deletion"`
}

func exportCalls(tx *gorm.DB, u *app.User, out *app.DataExport) (any, error) {
	var list []app.AssistanceCall
	if err := withCallDetails(tx.Where("caller_id = ?", u.ID)).Order("id").Find(&list).Error; err != nil {
		return nil, err
	}
	records := []exportedCall{}
	for i := range list {
		c := &list[i]
		rec := exportedCall{AssistanceCall: *c, KeptAfterDeletion: keptCall(c)}
		if rec.KeptAfterDeletion {
			out.Kept = append(out.Kept, app.KeptRecord{Kind: "assistance_call", ID: c.ID, Label: c.Category,
				Status: string(c.Status), At: closedAt(c.ClosedAt, c.UpdatedAt), Reason: keptCallReason})
		}
		records = append(records, rec)
	}
	var photos []app.CallPhoto
	if err := tx.Where("added_by = ?", u.ID).Order("id").Find(&photos).Error; err != nil {
		return nil, err
	}
	for _, p := range photos {
		out.Files = append(out.Files, app.ExportFile{Path: fmt.Sprintf("files/calls/%d/%d.jpg", p.CallID, p.ID),
			BlobKey: p.FullKey, ContentType: "image/jpeg"})
	}
	return records, nil
}

func closedAt(closed *time.Time, fallback time.Time) time.Time {
	if closed != nil {
		return *closed
	}
	return fallback
}

// eraseCalls refuses while a call is open (the resident may still need
// help), deletes the calls not kept and detaches the resolved ones.
func eraseCalls(tx *gorm.DB, u *app.User, e *erasing) error {
	var calls []app.AssistanceCall
	if err := tx.Where("caller_id = ?", u.ID).Find(&calls).Error; err != nil {
		return fmt.Errorf("store: erase calls: %w", err)
	}
	var drop []int64
	for i := range calls {
		c := &calls[i]
		id := strconv.FormatInt(c.ID, 10)
		if err := forgetStoredAnswers(tx, "/api/v1/assistance-calls/"+id+"/", "/calls/"+id+"/"); err != nil {
			return err
		}
		switch {
		case c.Status.Open():
			return app.Errorf(app.ECONFLICT, "call %d is still open; cancel it or wait until it is resolved, then delete the account", c.ID).WithMessage("delete_open_call")
		case keptCall(c):
			e.out.Kept = append(e.out.Kept, app.KeptRecord{Kind: "assistance_call", ID: c.ID, Label: c.Category,
				Status: string(c.Status), At: closedAt(c.ClosedAt, c.UpdatedAt), Reason: keptCallReason})
		default:
			drop = append(drop, c.ID)
		}
	}
	if len(drop) > 0 {
		var photos []app.CallPhoto
		if err := tx.Where("call_id IN ?", drop).Find(&photos).Error; err != nil {
			return fmt.Errorf("store: erase calls: photos: %w", err)
		}
		if _, err := deleteCallPhotos(tx, photos); err != nil {
			return err
		}
		// Entries and messages go with their call (ON DELETE CASCADE).
		if err := tx.Where("id IN ?", drop).Delete(&app.AssistanceCall{}).Error; err != nil {
			return fmt.Errorf("store: erase calls: %w", err)
		}
		e.out.Deleted["assistance_calls"] = len(drop)
	}
	if err := tx.Model(&app.AssistanceCall{}).Where("caller_id = ?", u.ID).Update("caller_id", nil).Error; err != nil {
		return fmt.Errorf("store: detach calls: %w", err)
	}
	if err := tx.Model(&app.CallPhoto{}).Where("added_by = ?", u.ID).Update("added_by", nil).Error; err != nil {
		return fmt.Errorf("store: detach call photos: %w", err)
	}
	return nil
}

// eraseRequests deletes the requests not kept, with their attachments'
// files, and detaches the completed ones. An unfinished request leaves the
// queue with a request.updated event, so the booth's screens let it go.
func eraseRequests(tx *gorm.DB, u *app.User, e *erasing) error {
	var list []app.ServiceRequest
	if err := tx.Where("resident_id = ?", u.ID).Find(&list).Error; err != nil {
		return fmt.Errorf("store: erase requests: %w", err)
	}
	var drop []int64
	for i := range list {
		r := &list[i]
		id := strconv.FormatInt(r.ID, 10)
		if err := forgetStoredAnswers(tx, "/api/v1/service-requests/"+id+"/", "/requests/"+id+"/"); err != nil {
			return err
		}
		if keptRequest(r) {
			e.out.Kept = append(e.out.Kept, app.KeptRecord{Kind: "service_request", ID: r.ID, Label: r.Ticket,
				Status: string(r.Status), At: closedAt(r.ClosedAt, r.UpdatedAt), Reason: keptRequestReason})
			continue
		}
		drop = append(drop, r.ID)
		if r.Status.Open() {
			r.ResidentID = nil
			if err := requestChanged(tx, "request.updated", r, []string{"erased"}); err != nil {
				return err
			}
		}
	}
	if len(drop) == 0 {
		return tx.Model(&app.ServiceRequest{}).Where("resident_id = ?", u.ID).Update("resident_id", nil).Error
	}
	var files []app.Attachment
	if err := tx.Where("request_id IN ?", drop).Find(&files).Error; err != nil {
		return fmt.Errorf("store: erase attachments: %w", err)
	}
	keys := make([]string, len(files))
	for i, a := range files {
		keys[i] = a.BlobKey
	}
	if err := queueBlobPurges(tx, keys, e.now); err != nil {
		return fmt.Errorf("store: erase attachments: %w", err)
	}
	e.out.Blobs = append(e.out.Blobs, keys...)
	// Services, timelines and attachments go with their request.
	if err := tx.Where("id IN ?", drop).Delete(&app.ServiceRequest{}).Error; err != nil {
		return fmt.Errorf("store: erase requests: %w", err)
	}
	e.out.Deleted["service_requests"] = len(drop)
	e.out.Deleted["attachments"] = len(files)
	if err := tx.Model(&app.ServiceRequest{}).Where("resident_id = ?", u.ID).Update("resident_id", nil).Error; err != nil {
		return fmt.Errorf("store: detach requests: %w", err)
	}
	return nil
}

// forgetStoredAnswers deletes the stored answers to retried writes (anyone's:
// staff notes and messages too) under the path prefixes of one record,
// since an answer copies the record it changed.
func forgetStoredAnswers(tx *gorm.DB, prefixes ...string) error {
	q := tx.Session(&gorm.Session{NewDB: true}).Model(&app.IdempotentResponse{})
	for i, p := range prefixes {
		if i == 0 {
			q = q.Where("path LIKE ?", p+"%")
		} else {
			q = q.Or("path LIKE ?", p+"%")
		}
	}
	if err := q.Delete(&app.IdempotentResponse{}).Error; err != nil {
		return fmt.Errorf("store: erase stored answers: %w", err)
	}
	return nil
}

func eraseDevices(tx *gorm.DB, u *app.User, e *erasing) error {
	res := tx.Where("user_id = ?", u.ID).Delete(&app.PushSubscription{})
	if res.Error != nil {
		return fmt.Errorf("store: erase push subscriptions: %w", res.Error)
	}
	e.out.Deleted["devices"] = int(res.RowsAffected)
	return nil
}

// eraseSessions deletes every session with its refresh tokens, so every
// token of the account stops working at once.
func eraseSessions(tx *gorm.DB, u *app.User, e *erasing) error {
	if err := tx.Model(&app.Session{}).Where("user_id = ?", u.ID).Pluck("id", &e.out.Sessions).Error; err != nil {
		return fmt.Errorf("store: erase sessions: %w", err)
	}
	if err := tx.Where("session_id IN ?", append(e.out.Sessions, 0)).Delete(&refreshToken{}).Error; err != nil {
		return fmt.Errorf("store: erase refresh tokens: %w", err)
	}
	res := tx.Where("user_id = ?", u.ID).Delete(&app.Session{})
	if res.Error != nil {
		return fmt.Errorf("store: erase sessions: %w", res.Error)
	}
	e.out.Deleted["sessions"] = int(res.RowsAffected)
	return nil
}

// eraseTraces removes what names the account outside its records: codes
// sent to the phone, attempt counters keyed by phone or id, stored answers
// to retried writes, and the account as owner of log events (whose
// payloads hold ids and statuses only).
func eraseTraces(tx *gorm.DB, u *app.User, _ *erasing) error {
	if err := tx.Where("phone = ?", u.Phone).Delete(&phoneCode{}).Error; err != nil {
		return fmt.Errorf("store: erase phone codes: %w", err)
	}
	err := tx.Where("bucket LIKE ? OR bucket LIKE ?", "%:"+u.Phone, "%:user:"+strconv.FormatInt(u.ID, 10)).
		Delete(&throttle{}).Error
	if err != nil {
		return fmt.Errorf("store: erase throttles: %w", err)
	}
	if err := tx.Where("user_id = ?", u.ID).Delete(&app.IdempotentResponse{}).Error; err != nil {
		return fmt.Errorf("store: erase stored answers: %w", err)
	}
	if err := tx.Model(&app.Event{}).Where("owner_id = ?", u.ID).Update("owner_id", nil).Error; err != nil {
		return fmt.Errorf("store: detach events: %w", err)
	}
	return nil
}

// eraseAccount deletes the account row, which frees the phone number for a
// new sign-up.
func eraseAccount(tx *gorm.DB, u *app.User, _ *erasing) error {
	if err := tx.Delete(&app.User{}, u.ID).Error; err != nil {
		return fmt.Errorf("store: erase account: %w", err)
	}
	return nil
}

// exportPhotos lists the family photos of the registrations the resident
// filed, and puts each full-size copy in the archive.
func exportPhotos(tx *gorm.DB, u *app.User, out *app.DataExport) (any, error) {
	list := []app.Photo{}
	err := tx.Where("request_id IN (?)", tx.Model(&app.ServiceRequest{}).Select("id").Where("resident_id = ?", u.ID)).
		Order("id").Find(&list).Error
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		out.Files = append(out.Files, app.ExportFile{Path: fmt.Sprintf("files/photos/%d/%d.jpg", p.RequestID, p.ID),
			BlobKey: p.FullKey, ContentType: "image/jpeg"})
	}
	return list, nil
}

// erasePhotos deletes every family photo of the resident's registrations
// (none is under a legal duty to keep), with their share links and
// invitations; the copies go to the purge queue the photo worker empties.
// It runs before the requests lose their resident.
func erasePhotos(tx *gorm.DB, u *app.User, _ *erasing) error {
	requests := tx.Model(&app.ServiceRequest{}).Select("id").Where("resident_id = ?", u.ID)
	var photos []app.Photo
	if err := tx.Where("request_id IN (?)", requests).Find(&photos).Error; err != nil {
		return fmt.Errorf("store: erase photos: %w", err)
	}
	if _, err := deletePhotos(tx, photos); err != nil {
		return err
	}
	if err := tx.Where("request_id IN (?) OR user_id = ?", requests, u.ID).Delete(&app.PhotoFamilyMember{}).Error; err != nil {
		return fmt.Errorf("store: erase photos: family: %w", err)
	}
	if err := tx.Where("request_id IN (?) OR phone = ?", requests, u.Phone).Delete(&app.FamilyInvitation{}).Error; err != nil {
		return fmt.Errorf("store: erase photos: family invitations: %w", err)
	}
	return nil
}

// exportNoticeReceipts lists the notices that reached the resident, and
// when they opened and acknowledged them.
func exportNoticeReceipts(tx *gorm.DB, u *app.User, _ *app.DataExport) (any, error) {
	list := []app.NoticeReceipt{}
	err := tx.Where("user_id = ?", u.ID).Order("received_at, notice_id").Find(&list).Error
	return list, err
}

// eraseNoticeReceipts forgets which notices reached the resident; the
// notices' reach counts drop them with it.
func eraseNoticeReceipts(tx *gorm.DB, u *app.User, _ *erasing) error {
	if err := tx.Where("user_id = ?", u.ID).Delete(&app.NoticeReceipt{}).Error; err != nil {
		return fmt.Errorf("store: erase notice receipts: %w", err)
	}
	return nil
}

// exportSafetyProfile gives the resident's safety profile, empty when they
// kept none.
func exportSafetyProfile(tx *gorm.DB, u *app.User, _ *app.DataExport) (any, error) {
	return safetyProfile(tx, u.ID)
}

// eraseSafetyProfile deletes the profile with its contacts' numbers.
func eraseSafetyProfile(tx *gorm.DB, u *app.User, e *erasing) error {
	res := tx.Where("user_id = ?", u.ID).Delete(&app.SafetyProfile{})
	if res.Error != nil {
		return fmt.Errorf("store: erase safety profile: %w", res.Error)
	}
	if res.RowsAffected > 0 {
		e.out.Deleted["safety_profiles"] = int(res.RowsAffected)
	}
	return nil
}

// exportSafetyTimers lists the resident's safety timers; they go with the
// account (ON DELETE CASCADE), the calls they raised stay as calls.
func exportSafetyTimers(tx *gorm.DB, u *app.User, _ *app.DataExport) (any, error) {
	timers := []app.SafetyTimer{}
	if err := tx.Where("user_id = ?", u.ID).Order("id").Find(&timers).Error; err != nil {
		return nil, err
	}
	return timers, nil
}
