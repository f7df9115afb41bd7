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

var _ app.NoticeService = (*Store)(nil)

// Events about notices. Station events without an owner: every resident of
// the station may see them (app.EventFilter).
const (
	NoticePublished = "notice.published"
	NoticeScheduled = "notice.scheduled" // written ahead: published at its start
	NoticeUpdated   = "notice.updated"
	NoticeWithdrawn = "notice.withdrawn"
)

// announceBatch is how many notices one AnnounceDue transaction claims.
const announceBatch = 100

// noticeEvent is the payload of the notice events: ids and flags only.
type noticeEvent struct {
	ID      string `json:"id"`
	Status  string `json:"status"` // published, scheduled, updated, withdrawn
	Version int    `json:"version"`
	Urgent  bool   `json:"urgent"`
}

// noticeSeverityOrder sorts notices most severe first.
const noticeSeverityOrder = "CASE notices.severity WHEN 'extreme' THEN 3 WHEN 'severe' THEN 2 WHEN 'moderate' THEN 1 ELSE 0 END DESC"

// noticeStaff loads the acting officer or head, enabled, with a station.
func noticeStaff(tx *gorm.DB, actor app.Actor) (*app.User, error) {
	var u app.User
	if err := tx.First(&u, actor.ID).Error; err != nil {
		if app.ErrorCode(notFound("", err)) == app.ENOTFOUND {
			return nil, app.Errorf(app.EFORBIDDEN, "only a station's officers and heads write notices")
		}
		return nil, fmt.Errorf("store: notice author: %w", err)
	}
	if u.Disabled || !u.Role.Staff() || u.StationID == nil {
		return nil, app.Errorf(app.EFORBIDDEN, "only a station's officers and heads write notices")
	}
	return &u, nil
}

// checkNoticeBooths checks that every booth is the station's.
func checkNoticeBooths(tx *gorm.DB, stationID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var n int64
	if err := tx.Model(&app.Booth{}).Where("id IN ? AND station_id = ?", ids, stationID).Count(&n).Error; err != nil {
		return fmt.Errorf("store: notice booths: %w", err)
	}
	if int(n) != len(ids) {
		return app.Errorf(app.EINVALID, "booth_ids: booths of your station only").WithField("booth_ids")
	}
	return nil
}

// saveNoticeBooths replaces a notice's booths.
func saveNoticeBooths(tx *gorm.DB, n *app.Notice) error {
	if err := tx.Where("notice_id = ?", n.ID).Delete(&app.NoticeBooth{}).Error; err != nil {
		return fmt.Errorf("store: notice booths: %w", err)
	}
	for _, b := range n.BoothIDs {
		if err := tx.Create(&app.NoticeBooth{NoticeID: n.ID, BoothID: b, StationID: n.StationID}).Error; err != nil {
			return fmt.Errorf("store: notice booths: %w", err)
		}
	}
	return nil
}

// noticeChanged writes a revision, an event and an audit entry for a
// change to n made by u.
func noticeChanged(tx *gorm.DB, n *app.Notice, u *app.User, actor app.Actor, msgType, note string, now time.Time) error {
	rev := app.NoticeRevision{NoticeID: n.ID, StationID: n.StationID, Version: n.Version, MsgType: msgType, ActorID: &u.ID, At: now, Note: note}
	if err := tx.Create(&rev).Error; err != nil {
		return fmt.Errorf("store: notice revision: %w", err)
	}
	n.Revisions = append(n.Revisions, rev)
	name, status, action := NoticePublished, "published", "notice.create"
	if n.AnnouncedAt == nil {
		name, status = NoticeScheduled, "scheduled"
	}
	switch msgType {
	case app.MsgUpdate:
		name, status, action = NoticeUpdated, "updated", "notice.update"
	case app.MsgCancel:
		name, status, action = NoticeWithdrawn, "withdrawn", "notice.withdraw"
	}
	err := appendEvent(tx, &app.Event{StationID: n.StationID, Name: name, RecordID: n.ID},
		noticeEvent{ID: strconv.FormatInt(n.ID, 10), Status: status, Version: n.Version, Urgent: n.Urgent})
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("%s, %s: %s", n.Kind, n.Severity, n.Title)
	if note != "" {
		detail += " (" + note + ")"
	}
	return audit(tx, &app.AuditEntry{StationID: &n.StationID, ActorID: &u.ID, IP: actor.IP,
		Action: action, Target: fmt.Sprintf("notice/%d", n.ID), Detail: detail})
}

// CreateNotice stores a notice of the actor's station.
func (s *Store) CreateNotice(ctx context.Context, actor app.Actor, d app.NoticeDraft, now time.Time) (*app.Notice, error) {
	now = dbTime(now)
	n := &app.Notice{Public: true}
	if err := d.Apply(n, now); err != nil {
		return nil, err
	}
	n.StartsAt, n.ExpiresAt = dbTime(n.StartsAt), dbTime(n.ExpiresAt)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		u, err := noticeStaff(tx, actor)
		if err != nil {
			return err
		}
		n.StationID, n.AuthorID, n.Version, n.CreatedAt, n.UpdatedAt = *u.StationID, &u.ID, 1, now, now
		if !n.StartsAt.After(now) {
			n.AnnouncedAt = &now
		}
		if err := checkNoticeBooths(tx, n.StationID, n.BoothIDs); err != nil {
			return err
		}
		if err := tx.Omit(clause.Associations).Create(n).Error; err != nil {
			return fmt.Errorf("store: create notice: %w", err)
		}
		if err := saveNoticeBooths(tx, n); err != nil {
			return err
		}
		if err := noticeChanged(tx, n, u, actor, app.MsgAlert, "", now); err != nil {
			return err
		}
		if n.PushesOnSave(false) {
			return queueNoticeAlert(tx, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// lockNotice loads a notice of the actor's station for a change.
func (s *Store) lockNotice(tx *gorm.DB, actor app.Actor, id int64) (*app.Notice, *app.User, error) {
	u, err := noticeStaff(tx, actor)
	if err != nil {
		return nil, nil, err
	}
	var n app.Notice
	q := tx
	if s.postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("id = ? AND station_id = ?", id, *u.StationID).First(&n).Error; err != nil {
		return nil, nil, notFound("find notice", err)
	}
	if n.Withdrawn() {
		return nil, nil, app.Errorf(app.ECONFLICT, "the notice was withdrawn").WithMessage("notice_withdrawn")
	}
	if err := loadNoticeDetail(tx, &n); err != nil {
		return nil, nil, err
	}
	return &n, u, nil
}

// UpdateNotice changes a notice of the actor's station.
func (s *Store) UpdateNotice(ctx context.Context, actor app.Actor, id int64, d app.NoticeDraft, now time.Time) (*app.Notice, error) {
	now = dbTime(now)
	var n *app.Notice
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u *app.User
		var err error
		if n, u, err = s.lockNotice(tx, actor, id); err != nil {
			return err
		}
		wasUrgent := n.Urgent && n.AnnouncedAt != nil
		if err := d.Apply(n, now); err != nil {
			return err
		}
		n.StartsAt, n.ExpiresAt = dbTime(n.StartsAt), dbTime(n.ExpiresAt)
		if err := checkNoticeBooths(tx, n.StationID, n.BoothIDs); err != nil {
			return err
		}
		n.Version++
		n.UpdatedAt = now
		if n.AnnouncedAt == nil && !n.StartsAt.After(now) {
			n.AnnouncedAt = &now // brought forward to now: it goes out with this update
		}
		err = tx.Model(n).Omit(clause.Associations).Select("title", "body", "kind", "severity", "urgent", "public", "language",
			"starts_at", "expires_at", "version", "announced_at", "updated_at").Updates(n).Error
		if err != nil {
			return fmt.Errorf("store: update notice: %w", err)
		}
		if d.BoothIDs != nil {
			if err := saveNoticeBooths(tx, n); err != nil {
				return err
			}
		}
		if err := noticeChanged(tx, n, u, actor, app.MsgUpdate, "", now); err != nil {
			return err
		}
		if n.PushesOnSave(wasUrgent) {
			return queueNoticeAlert(tx, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// WithdrawNotice withdraws a notice of the actor's station.
func (s *Store) WithdrawNotice(ctx context.Context, actor app.Actor, id int64, reason string, now time.Time) (*app.Notice, error) {
	now = dbTime(now)
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > app.MaxNoticeReasonLen {
		return nil, app.Errorf(app.EINVALID, "reason: at most %d characters", app.MaxNoticeReasonLen)
	}
	var n *app.Notice
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u *app.User
		var err error
		if n, u, err = s.lockNotice(tx, actor, id); err != nil {
			return err
		}
		n.Version++
		n.WithdrawnAt, n.WithdrawnBy, n.WithdrawReason, n.UpdatedAt = &now, &u.ID, reason, now
		err = tx.Model(n).Omit(clause.Associations).Select("version", "withdrawn_at", "withdrawn_by", "withdraw_reason", "updated_at").
			Updates(n).Error
		if err != nil {
			return fmt.Errorf("store: withdraw notice: %w", err)
		}
		return noticeChanged(tx, n, u, actor, app.MsgCancel, reason, now)
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// loadNoticeDetail reads a notice's booths and revisions.
func loadNoticeDetail(tx *gorm.DB, n *app.Notice) error {
	n.BoothIDs = []int64{}
	if err := tx.Model(&app.NoticeBooth{}).Where("notice_id = ?", n.ID).Order("booth_id").Pluck("booth_id", &n.BoothIDs).Error; err != nil {
		return fmt.Errorf("store: notice booths: %w", err)
	}
	if err := tx.Where("notice_id = ?", n.ID).Order("version").Find(&n.Revisions).Error; err != nil {
		return fmt.Errorf("store: notice revisions: %w", err)
	}
	return nil
}

// residentArea returns a resident's home booth and its station; ok is
// false for a resident without a home booth.
func residentArea(tx *gorm.DB, residentID int64) (booth app.Booth, ok bool, err error) {
	var u app.User
	if err := tx.First(&u, residentID).Error; err != nil {
		return booth, false, notFound("find resident", err)
	}
	if u.Role != app.RoleResident || u.HomeBoothID == nil {
		return booth, false, nil
	}
	if err := tx.First(&booth, *u.HomeBoothID).Error; err != nil {
		return booth, false, notFound("find home booth", err)
	}
	return booth, true, nil
}

// currentForBooth narrows notices to the current ones of a booth's area.
func (s *Store) currentForBooth(q *gorm.DB, b app.Booth, now time.Time) *gorm.DB {
	return q.Where("notices.station_id = ? AND notices.withdrawn_at IS NULL", b.StationID).
		Where(s.timeCompare("notices.starts_at", "<="), now).
		Where(s.timeCompare("notices.expires_at", ">"), now).
		Where("(NOT EXISTS (SELECT 1 FROM notice_booths nb WHERE nb.notice_id = notices.id) OR "+
			"EXISTS (SELECT 1 FROM notice_booths nb WHERE nb.notice_id = notices.id AND nb.booth_id = ?))", b.ID)
}

// FindNotice returns a notice in scope.
func (s *Store) FindNotice(ctx context.Context, id int64, scope app.NoticeScope, now time.Time) (*app.Notice, error) {
	db := s.db.WithContext(ctx)
	q := db.Where("notices.id = ?", id)
	switch {
	case scope.ResidentID != 0:
		b, ok, err := residentArea(db, scope.ResidentID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, app.ErrNotFound
		}
		q = s.currentForBooth(q, b, dbTime(now))
	case scope.StationID != 0:
		q = q.Where("notices.station_id = ?", scope.StationID)
	default:
		return nil, app.ErrNotFound
	}
	var n app.Notice
	if err := q.First(&n).Error; err != nil {
		return nil, notFound("find notice", err)
	}
	if err := loadNoticeDetail(db, &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// ListResidentNotices returns the current notices of a resident's area
// and records that they reached the resident.
func (s *Store) ListResidentNotices(ctx context.Context, residentID int64, now time.Time) ([]app.ResidentNotice, error) {
	now = dbTime(now)
	var out []app.ResidentNotice
	err := s.tx(ctx, func(tx *gorm.DB) error {
		b, ok, err := residentArea(tx, residentID)
		if err != nil || !ok {
			return err
		}
		var notices []app.Notice
		err = s.currentForBooth(tx.Model(&app.Notice{}), b, now).
			Order(noticeSeverityOrder).Order("notices.starts_at DESC, notices.id DESC").Limit(200).Find(&notices).Error
		if err != nil {
			return fmt.Errorf("store: list resident notices: %w", err)
		}
		if len(notices) == 0 {
			return nil
		}
		ids := make([]int64, len(notices))
		for i, n := range notices {
			ids[i] = n.ID
		}
		var receipts []app.NoticeReceipt
		if err := tx.Where("user_id = ? AND notice_id IN ?", residentID, ids).Find(&receipts).Error; err != nil {
			return fmt.Errorf("store: notice receipts: %w", err)
		}
		byNotice := map[int64]*app.NoticeReceipt{}
		for i := range receipts {
			byNotice[receipts[i].NoticeID] = &receipts[i]
		}
		// Only what reaches the resident for the first time is written, so
		// pages that refresh on every notice event mostly only read.
		var fresh []app.NoticeReceipt
		for _, n := range notices {
			if byNotice[n.ID] == nil {
				fresh = append(fresh, app.NoticeReceipt{NoticeID: n.ID, UserID: residentID, StationID: n.StationID, ReceivedAt: now})
			}
		}
		if len(fresh) > 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh).Error; err != nil {
				return fmt.Errorf("store: record notices received: %w", err)
			}
			for i := range fresh {
				byNotice[fresh[i].NoticeID] = &fresh[i]
			}
		}
		out = make([]app.ResidentNotice, len(notices))
		for i := range notices {
			out[i] = app.ResidentNotice{Notice: notices[i], Receipt: byNotice[notices[i].ID]}
		}
		return nil
	})
	return out, err
}

// ListStationNotices returns a station's notices, newest first.
func (s *Store) ListStationNotices(ctx context.Context, stationID, before int64, limit int) ([]app.Notice, error) {
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	q := s.db.WithContext(ctx).Where("station_id = ?", stationID)
	if before != 0 {
		q = q.Where("id < ?", before)
	}
	var notices []app.Notice
	if err := q.Order("id DESC").Limit(limit).Find(&notices).Error; err != nil {
		return nil, fmt.Errorf("store: list station notices: %w", err)
	}
	return notices, nil
}

// receipt records that a resident opened a current notice of their area,
// and when ack that they acknowledged it; the first time of each counts.
func (s *Store) receipt(ctx context.Context, id, residentID int64, now time.Time, ack bool) (*app.NoticeReceipt, error) {
	now = dbTime(now)
	var r app.NoticeReceipt
	err := s.tx(ctx, func(tx *gorm.DB) error {
		b, ok, err := residentArea(tx, residentID)
		if err != nil {
			return err
		}
		if !ok {
			return app.ErrNotFound
		}
		var n app.Notice
		if err := s.currentForBooth(tx.Where("notices.id = ?", id), b, now).First(&n).Error; err != nil {
			return notFound("find notice", err)
		}
		if ack && !n.NeedsAcknowledgement() {
			return app.Errorf(app.EINVALID, "only anti-fraud notices ask to be acknowledged")
		}
		fresh := app.NoticeReceipt{NoticeID: id, UserID: residentID, StationID: n.StationID, ReceivedAt: now}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh).Error; err != nil {
			return fmt.Errorf("store: notice receipt: %w", err)
		}
		where := tx.Model(&app.NoticeReceipt{}).Where("notice_id = ? AND user_id = ?", id, residentID)
		if err := where.Where("read_at IS NULL").Update("read_at", now).Error; err != nil {
			return fmt.Errorf("store: notice read: %w", err)
		}
		if ack {
			where := tx.Model(&app.NoticeReceipt{}).Where("notice_id = ? AND user_id = ?", id, residentID)
			if err := where.Where("acknowledged_at IS NULL").Update("acknowledged_at", now).Error; err != nil {
				return fmt.Errorf("store: notice acknowledged: %w", err)
			}
		}
		if err := tx.Where("notice_id = ? AND user_id = ?", id, residentID).First(&r).Error; err != nil {
			return fmt.Errorf("store: notice receipt: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// MarkNoticeRead records that a resident opened a notice.
func (s *Store) MarkNoticeRead(ctx context.Context, id, residentID int64, now time.Time) (*app.NoticeReceipt, error) {
	return s.receipt(ctx, id, residentID, now, false)
}

// AcknowledgeNotice records that a resident confirmed reading an
// anti-fraud notice.
func (s *Store) AcknowledgeNotice(ctx context.Context, id, residentID int64, now time.Time) (*app.NoticeReceipt, error) {
	return s.receipt(ctx, id, residentID, now, true)
}

// NoticeReach counts a notice's residents and receipts. Residents are
// those whose home booth is in the notice's area now, enabled.
func (s *Store) NoticeReach(ctx context.Context, n *app.Notice) (app.NoticeReach, error) {
	db := s.db.WithContext(ctx)
	var r app.NoticeReach
	q := db.Model(&app.User{}).Where("role = ? AND disabled = ?", app.RoleResident, false)
	if len(n.BoothIDs) > 0 {
		q = q.Where("home_booth_id IN ?", n.BoothIDs)
	} else {
		q = q.Where("home_booth_id IN (SELECT id FROM booths WHERE station_id = ?)", n.StationID)
	}
	var residents int64
	if err := q.Count(&residents).Error; err != nil {
		return r, fmt.Errorf("store: notice reach: %w", err)
	}
	var counts struct{ Received, Opened, Acknowledged int }
	err := db.Model(&app.NoticeReceipt{}).Where("notice_id = ?", n.ID).
		Select("COUNT(*) AS received, COUNT(read_at) AS opened, COUNT(acknowledged_at) AS acknowledged").Scan(&counts).Error
	if err != nil {
		return r, fmt.Errorf("store: notice reach: %w", err)
	}
	return app.NoticeReach{Residents: int(residents), Received: counts.Received, Opened: counts.Opened, Acknowledged: counts.Acknowledged}, nil
}

// publicFeedWindow is how long a withdrawn notice stays in the CAP feed as
// a Cancel, so that systems reading the feed learn of the withdrawal.
const publicFeedWindow = 24 * time.Hour

// PublicNotices returns the public notices for the CAP feed.
func (s *Store) PublicNotices(ctx context.Context, now time.Time) ([]app.Notice, error) {
	now = dbTime(now)
	db := s.db.WithContext(ctx)
	var notices []app.Notice
	err := db.Where("public = ?", true).
		Where(s.timeCompare("starts_at", "<="), now).
		Where(s.timeCompare("expires_at", ">"), now).
		Where("(withdrawn_at IS NULL OR "+s.timeCompare("withdrawn_at", ">")+")", now.Add(-publicFeedWindow)).
		Order("updated_at DESC, id DESC").Limit(200).Find(&notices).Error
	if err != nil {
		return nil, fmt.Errorf("store: public notices: %w", err)
	}
	for i := range notices {
		if err := loadNoticeDetail(db, &notices[i]); err != nil {
			return nil, err
		}
	}
	return notices, nil
}

// FindPublicNotice returns a public notice with its booths and revisions.
func (s *Store) FindPublicNotice(ctx context.Context, id int64) (*app.Notice, error) {
	db := s.db.WithContext(ctx)
	var n app.Notice
	if err := db.Where("id = ? AND public = ?", id, true).First(&n).Error; err != nil {
		return nil, notFound("find public notice", err)
	}
	if err := loadNoticeDetail(db, &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// AnnounceDue announces the notices written ahead whose start has come,
// each once across instances: on PostgreSQL the rows are claimed with
// SKIP LOCKED, on SQLite writers take turns.
func (s *Store) AnnounceDue(ctx context.Context, now time.Time) ([]app.Notice, error) {
	now = dbTime(now)
	due := func(q *gorm.DB) *gorm.DB {
		return q.Model(&app.Notice{}).Where("announced_at IS NULL AND withdrawn_at IS NULL").
			Where(s.timeCompare("starts_at", "<="), now).Where(s.timeCompare("expires_at", ">"), now)
	}
	// A look without a transaction first: most runs find nothing, and a
	// transaction would take SQLite's write lock (and wake every reader
	// of the log) every two seconds for it.
	var found []int64
	if err := due(s.db.WithContext(ctx)).Limit(1).Pluck("id", &found).Error; err != nil {
		return nil, fmt.Errorf("store: announce due notices: %w", err)
	}
	if len(found) == 0 {
		return nil, nil
	}
	var notices []app.Notice
	err := s.tx(ctx, func(tx *gorm.DB) error {
		q := due(tx)
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		if err := q.Order("starts_at, id").Limit(announceBatch).Find(&notices).Error; err != nil {
			return fmt.Errorf("store: announce due notices: %w", err)
		}
		for i := range notices {
			n := &notices[i]
			n.AnnouncedAt = &now
			if err := tx.Model(n).Update("announced_at", now).Error; err != nil {
				return fmt.Errorf("store: announce notice %d: %w", n.ID, err)
			}
			err := appendEvent(tx, &app.Event{StationID: n.StationID, Name: NoticePublished, RecordID: n.ID},
				noticeEvent{ID: strconv.FormatInt(n.ID, 10), Status: "published", Version: n.Version, Urgent: n.Urgent})
			if err != nil {
				return err
			}
			if err := loadNoticeDetail(tx, n); err != nil {
				return err
			}
			if n.Urgent {
				if err := queueNoticeAlert(tx, n); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return notices, nil
}

// NoticeReceiptOf returns what a resident did with a notice; ENOTFOUND
// when it has not reached them yet.
func (s *Store) NoticeReceiptOf(ctx context.Context, noticeID, residentID int64) (*app.NoticeReceipt, error) {
	var rs []app.NoticeReceipt
	if err := s.db.WithContext(ctx).Where("notice_id = ? AND user_id = ?", noticeID, residentID).Limit(1).Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("store: notice receipt: %w", err)
	}
	if len(rs) == 0 {
		return nil, app.ErrNotFound
	}
	return &rs[0], nil
}

// ResidentNoticeReceipts returns every receipt of a resident, oldest
// first. For the data export: which notices reached the resident, which
// they opened and which they acknowledged.
func (s *Store) ResidentNoticeReceipts(ctx context.Context, residentID int64) ([]app.NoticeReceipt, error) {
	var rs []app.NoticeReceipt
	if err := s.db.WithContext(ctx).Where("user_id = ?", residentID).Order("received_at, notice_id").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("store: resident notice receipts: %w", err)
	}
	return rs, nil
}

// NoticePushSubscriptions returns the push subscriptions of the enabled
// residents of a notice's area, for an urgent notice.
func (s *Store) NoticePushSubscriptions(ctx context.Context, n *app.Notice) ([]app.PushSubscription, error) {
	return noticePushSubscriptions(s.db.WithContext(ctx), n)
}

// noticePushSubscriptions is NoticePushSubscriptions on db, which may be a
// transaction.
func noticePushSubscriptions(db *gorm.DB, n *app.Notice) ([]app.PushSubscription, error) {
	q := db.Select("push_subscriptions.*").
		Joins("JOIN users ON users.id = push_subscriptions.user_id").
		Where("users.role = ? AND users.disabled = ?", app.RoleResident, false)
	if len(n.BoothIDs) > 0 {
		q = q.Where("users.home_booth_id IN ?", n.BoothIDs)
	} else {
		q = q.Where("users.home_booth_id IN (SELECT id FROM booths WHERE station_id = ?)", n.StationID)
	}
	var subs []app.PushSubscription
	if err := q.Order("push_subscriptions.id").Find(&subs).Error; err != nil {
		return nil, fmt.Errorf("store: notice push subscriptions: %w", err)
	}
	return subs, nil
}
