package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// FraudScope is app.FraudScope.
type FraudScope = app.FraudScope

// fraudWhere narrows q to what sc may see.
func fraudWhere(sc app.FraudScope, q *gorm.DB) *gorm.DB {
	if sc.ReporterID != 0 {
		return q.Where("reporter_id = ?", sc.ReporterID)
	}
	return q.Where("station_id = ?", sc.StationID)
}

// fraudEvent is the payload of fraud.created and fraud.updated.
type fraudEvent struct {
	ID     string          `json:"id"`
	Status app.FraudStatus `json:"status"`
	Kind   string          `json:"kind"`
}

func fraudChanged(tx *gorm.DB, name string, r *app.FraudReport) error {
	return appendEvent(tx, &app.Event{StationID: r.StationID, OwnerID: r.ReporterID, Name: name, RecordID: r.ID, BoothID: &r.BoothID},
		fraudEvent{ID: strconv.FormatInt(r.ID, 10), Status: r.Status, Kind: r.Kind})
}

// CreateFraudReport stores a resident's report at their home booth's
// station. EINVALID when the resident has no home booth.
func (s *Store) CreateFraudReport(ctx context.Context, n app.NewFraudReport, now time.Time) (*app.FraudReport, error) {
	normal, err := n.Validate()
	if err != nil {
		return nil, err
	}
	now = dbTime(now)
	var r *app.FraudReport
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var u app.User
		if err := tx.First(&u, n.ReporterID).Error; err != nil {
			return fmt.Errorf("store: fraud report: reporter: %w", err)
		}
		if u.Role != app.RoleResident || u.HomeBoothID == nil {
			return app.Errorf(app.EINVALID, "choose your home booth first (PATCH /me home_booth_id)")
		}
		var b app.Booth
		if err := tx.First(&b, *u.HomeBoothID).Error; err != nil {
			return fmt.Errorf("store: fraud report: booth: %w", err)
		}
		r = &app.FraudReport{StationID: b.StationID, BoothID: b.ID, ReporterID: &u.ID, Kind: n.Kind, Value: normal, RawValue: n.Value,
			Description: n.Description, LossYuan: n.LossYuan, Status: app.FraudNew, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(r).Error; err != nil {
			return fmt.Errorf("store: fraud report: %w", err)
		}
		return fraudChanged(tx, "fraud.created", r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// FindFraudReport returns a report in scope.
func (s *Store) FindFraudReport(ctx context.Context, id int64, scope FraudScope) (*app.FraudReport, error) {
	var r app.FraudReport
	if err := fraudWhere(scope, s.db.WithContext(ctx)).First(&r, id).Error; err != nil {
		return nil, notFound("find fraud report", err)
	}
	return &r, nil
}

// ListFraudReports lists the reports in scope, newest first.
func (s *Store) ListFraudReports(ctx context.Context, scope FraudScope, limit int) ([]app.FraudReport, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	out := []app.FraudReport{}
	if err := fraudWhere(scope, s.db.WithContext(ctx)).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: list fraud reports: %w", err)
	}
	return out, nil
}

func (s *Store) lockFraudReport(tx *gorm.DB, id, station int64) (*app.FraudReport, error) {
	q := tx.Where("station_id = ?", station)
	if s.postgres {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var r app.FraudReport
	if err := q.First(&r, id).Error; err != nil {
		return nil, notFound("load fraud report", err)
	}
	return &r, nil
}

// MoveFraudReport triages a report of the station (app.CheckFraudMove);
// audited.
func (s *Store) MoveFraudReport(ctx context.Context, id, station, actor int64, to app.FraudStatus, note string, now time.Time) (*app.FraudReport, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > app.MaxFraudDescription || strings.ContainsRune(note, 0) {
		return nil, app.Errorf(app.EINVALID, "note: at most %d characters", app.MaxFraudDescription)
	}
	if to != app.FraudReviewed && to != app.FraudConfirmed && to != app.FraudDismissed {
		return nil, app.Errorf(app.EINVALID, "to: reviewed, confirmed or dismissed")
	}
	now = dbTime(now)
	var r *app.FraudReport
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if r, err = s.lockFraudReport(tx, id, station); err != nil {
			return err
		}
		if err := app.CheckFraudMove(r.Status, to); err != nil {
			return err
		}
		r.Status, r.ReviewedBy, r.ReviewedAt, r.UpdatedAt = to, &actor, &now, now
		if note != "" {
			r.Note = note
		}
		if to == app.FraudConfirmed {
			r.ConfirmedAt = &now
		}
		if err := tx.Save(r).Error; err != nil {
			return fmt.Errorf("store: move fraud report: %w", err)
		}
		if err := audit(tx, &app.AuditEntry{StationID: &r.StationID, ActorID: &actor, Action: "fraud." + string(to),
			Target: "fraud_report:" + strconv.FormatInt(r.ID, 10), CreatedAt: now}); err != nil {
			return err
		}
		return fraudChanged(tx, "fraud.updated", r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// RecordFraudAdvice records that an officer made sure the reporter who
// lost money called 110 and 96110. ECONFLICT without a loss or when
// already recorded.
func (s *Store) RecordFraudAdvice(ctx context.Context, id, station, officer int64, now time.Time) (*app.FraudReport, error) {
	now = dbTime(now)
	var r *app.FraudReport
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if r, err = s.lockFraudReport(tx, id, station); err != nil {
			return err
		}
		if !r.NeedsCallAdvice() {
			return app.Errorf(app.ECONFLICT, "the report names no loss")
		}
		if r.AdvisedAt != nil {
			return app.Errorf(app.ECONFLICT, "already recorded")
		}
		r.AdvisedBy, r.AdvisedAt, r.UpdatedAt = &officer, &now, now
		if err := tx.Save(r).Error; err != nil {
			return fmt.Errorf("store: record fraud advice: %w", err)
		}
		if err := audit(tx, &app.AuditEntry{StationID: &r.StationID, ActorID: &officer, Action: "fraud.advised",
			Target: "fraud_report:" + strconv.FormatInt(r.ID, 10), CreatedAt: now}); err != nil {
			return err
		}
		return fraudChanged(tx, "fraud.updated", r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// LookupFraud counts the confirmed reports of a value, over every
// station: a scam number is the same wherever it calls.
func (s *Store) LookupFraud(ctx context.Context, kind, value string) (*app.FraudLookup, error) {
	normal, err := app.NormalizeFraudValue(kind, value)
	if err != nil {
		return nil, err
	}
	out := &app.FraudLookup{Kind: kind, Value: normal}
	confirmed := s.db.WithContext(ctx).Model(&app.FraudReport{}).Where("kind = ? AND value = ? AND status = ?", kind, normal, app.FraudConfirmed)
	if err := confirmed.Count(&out.ConfirmedReports).Error; err != nil {
		return nil, fmt.Errorf("store: fraud lookup: %w", err)
	}
	if out.ConfirmedReports > 0 {
		var last app.FraudReport
		if err := confirmed.Session(&gorm.Session{}).Order("confirmed_at DESC").Limit(1).Find(&last).Error; err != nil {
			return nil, fmt.Errorf("store: fraud lookup: %w", err)
		}
		out.LastConfirmedAt = last.ConfirmedAt
	}
	return out, nil
}

// exportFraudReports lists the resident's reports.
func exportFraudReports(tx *gorm.DB, u *app.User, _ *app.DataExport) (any, error) {
	list := []app.FraudReport{}
	err := tx.Where("reporter_id = ?", u.ID).Order("id").Find(&list).Error
	return list, err
}

var keptFraudReason = app.Text{
	Zh: "经民警核实的诈骗举报是反诈证据，账号注销后继续保存，但不再与您的账号关联。",
	En: "A fraud report the police confirmed is evidence; it stays after your account is deleted, no longer linked to it.",
}

// eraseFraudReports deletes the resident's reports that were not
// confirmed and detaches the confirmed ones, which the station keeps as
// evidence and which lookups still count.
func eraseFraudReports(tx *gorm.DB, u *app.User, e *erasing) error {
	var kept []app.FraudReport
	if err := tx.Where("reporter_id = ? AND status = ?", u.ID, app.FraudConfirmed).Find(&kept).Error; err != nil {
		return fmt.Errorf("store: erase fraud reports: %w", err)
	}
	for _, r := range kept {
		e.out.Kept = append(e.out.Kept, app.KeptRecord{Kind: "fraud_report", ID: r.ID, Label: r.Kind, Status: string(r.Status),
			At: closedAt(r.ConfirmedAt, r.UpdatedAt), Reason: keptFraudReason})
	}
	res := tx.Where("reporter_id = ? AND status <> ?", u.ID, app.FraudConfirmed).Delete(&app.FraudReport{})
	if res.Error != nil {
		return fmt.Errorf("store: erase fraud reports: %w", res.Error)
	}
	if res.RowsAffected > 0 {
		e.out.Deleted["fraud_reports"] = int(res.RowsAffected)
	}
	if err := tx.Model(&app.FraudReport{}).Where("reporter_id = ?", u.ID).Update("reporter_id", nil).Error; err != nil {
		return fmt.Errorf("store: detach fraud reports: %w", err)
	}
	return nil
}

// AddFraudScreenshot records a processed screenshot on a report in scope:
// only its reporter adds them. ENOTFOUND out of scope; ECONFLICT when the
// report holds app.MaxFraudScreenshots already.
func (s *Store) AddFraudScreenshot(ctx context.Context, reporterID int64, sc *app.FraudScreenshot) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Where("id = ? AND reporter_id = ?", sc.ReportID, reporterID)
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
		}
		var r app.FraudReport
		if err := q.First(&r).Error; err != nil {
			return notFound("add fraud screenshot", err)
		}
		var n int64
		if err := tx.Model(&app.FraudScreenshot{}).Where("report_id = ?", r.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("store: add fraud screenshot: count: %w", err)
		}
		if n >= app.MaxFraudScreenshots {
			return app.Errorf(app.ECONFLICT, "a report holds at most %d screenshots", app.MaxFraudScreenshots).
				WithMessage("too_many_screenshots", "Max", app.MaxFraudScreenshots)
		}
		sc.StationID, sc.UploaderID, sc.CreatedAt = r.StationID, &reporterID, dbTime(s.Now())
		if err := tx.Create(sc).Error; err != nil {
			return fmt.Errorf("store: add fraud screenshot: %w", err)
		}
		return nil
	})
}

// ListFraudScreenshots returns a report's screenshots, oldest first; the
// caller has found the report in its scope.
func (s *Store) ListFraudScreenshots(ctx context.Context, reportID int64) ([]app.FraudScreenshot, error) {
	list := []app.FraudScreenshot{}
	if err := s.db.WithContext(ctx).Where("report_id = ?", reportID).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("store: list fraud screenshots: %w", err)
	}
	return list, nil
}

// FindFraudScreenshot returns a screenshot of a report in scope (the
// reporter's own, or the station's), else ENOTFOUND.
func (s *Store) FindFraudScreenshot(ctx context.Context, id int64, scope FraudScope) (*app.FraudScreenshot, error) {
	db := s.db.WithContext(ctx)
	var sc app.FraudScreenshot
	reports := fraudWhere(scope, db.Model(&app.FraudReport{}).Select("id"))
	if err := db.Where("id = ? AND report_id IN (?)", id, reports).First(&sc).Error; err != nil {
		return nil, notFound("find fraud screenshot", err)
	}
	return &sc, nil
}

// eraseFraudScreenshots deletes the screenshots of the reports an erasure
// deletes (all but the confirmed ones, kept as evidence), and queues their
// files for removal. It runs before eraseFraudReports.
func eraseFraudScreenshots(tx *gorm.DB, u *app.User, e *erasing) error {
	reports := tx.Model(&app.FraudReport{}).Select("id").Where("reporter_id = ? AND status <> ?", u.ID, app.FraudConfirmed)
	var list []app.FraudScreenshot
	if err := tx.Where("report_id IN (?)", reports).Find(&list).Error; err != nil {
		return fmt.Errorf("store: erase fraud screenshots: %w", err)
	}
	for _, sc := range list {
		if err := queueBlobPurges(tx, []string{sc.BlobKey, sc.ThumbKey}, e.now); err != nil {
			return fmt.Errorf("store: erase fraud screenshots: %w", err)
		}
	}
	if len(list) == 0 {
		return nil
	}
	res := tx.Where("report_id IN (?)", reports).Delete(&app.FraudScreenshot{})
	if res.Error != nil {
		return fmt.Errorf("store: erase fraud screenshots: %w", res.Error)
	}
	e.out.Deleted["fraud_screenshots"] = int(res.RowsAffected)
	return nil
}

// exportFraudScreenshots lists the screenshots of the resident's reports
// and puts each in the archive.
func exportFraudScreenshots(tx *gorm.DB, u *app.User, out *app.DataExport) (any, error) {
	list := []app.FraudScreenshot{}
	err := tx.Where("report_id IN (?)", tx.Model(&app.FraudReport{}).Select("id").Where("reporter_id = ?", u.ID)).Order("id").Find(&list).Error
	if err != nil {
		return nil, err
	}
	for _, sc := range list {
		out.Files = append(out.Files, app.ExportFile{Path: fmt.Sprintf("files/fraud_screenshots/%d/%d.jpg", sc.ReportID, sc.ID),
			BlobKey: sc.BlobKey, ContentType: "image/jpeg"})
	}
	return list, nil
}
