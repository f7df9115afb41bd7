package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

var _ app.PhotoService = (*Store)(nil)

// Limits of the family photo.
const (
	maxPhotosPerRequest = 20
	retentionNoticeDays = 7
)

// Timeline entry kinds of the family photo.
const (
	kindConsent = "photo_consent"
	kindPhoto   = "photo"
	// kindConsentWithdrawn is the family withdrawing a consent.
	kindConsentWithdrawn = "photo_consent_withdrawn"
)

// blobPurge is a blob of a deleted photo still to be removed.
type blobPurge struct {
	BlobKey   string `gorm:"primaryKey"`
	CreatedAt time.Time
}

// familyRequests selects the ids of the requests whose photos a resident
// may see: those they filed and those they were invited to.
func familyRequests(db *gorm.DB, residentID int64) *gorm.DB {
	return db.Raw(`SELECT id FROM service_requests WHERE resident_id = ?
		UNION SELECT request_id FROM photo_family WHERE user_id = ?`, residentID, residentID)
}

// photosInScope narrows a photo query to what the scope may see.
func photosInScope(db *gorm.DB, q *gorm.DB, scope app.PhotoScope) (*gorm.DB, bool) {
	switch {
	case scope.ResidentID != 0 && scope.StationID == 0:
		return q.Where("photos.request_id IN (?)", familyRequests(db, scope.ResidentID)), true
	case scope.StationID != 0 && scope.ResidentID == 0:
		return q.Where("photos.station_id = ?", scope.StationID), true
	}
	return q, false
}

// newbornRequest loads a request of the station that registers a newborn,
// locked for the change on PostgreSQL.
func (s *Store) newbornRequest(tx *gorm.DB, requestID, stationID int64) (*app.ServiceRequest, error) {
	r, err := s.lockRequest(tx, requestID, app.RequestFilter{StationID: stationID})
	if err != nil {
		return nil, err
	}
	if r.Newborn == nil {
		return nil, app.Errorf(app.EINVALID, "photos go with newborn registrations only")
	}
	if r.Status == app.RequestRejected || r.Status == app.RequestCancelled {
		return nil, app.Errorf(app.ECONFLICT, "the registration is %s; no photo is taken", r.Status).WithMessage("photo_not_completed")
	}
	return r, nil
}

// photoTimeline writes a timeline entry and a request.updated event for a
// photo step.
func photoTimeline(tx *gorm.DB, r *app.ServiceRequest, actor int64, kind, to, note string, now time.Time) error {
	entry := app.TimelineEntry{RequestID: r.ID, StationID: r.StationID, At: now, ActorID: &actor, Kind: kind, To: to, Note: note}
	if err := tx.Create(&entry).Error; err != nil {
		return fmt.Errorf("store: %s: timeline: %w", kind, err)
	}
	if err := tx.Model(&app.ServiceRequest{}).Where("id = ?", r.ID).Update("updated_at", now).Error; err != nil {
		return fmt.Errorf("store: %s: %w", kind, err)
	}
	return requestChanged(tx, "request.updated", r, []string{kind})
}

// RecordPhotoConsent stores a guardian's consent on a newborn registration
// of the station, with a timeline entry, an event and an audit entry.
func (s *Store) RecordPhotoConsent(ctx context.Context, actor app.Actor, stationID int64, c *app.PhotoConsent) error {
	c.GuardianName = strings.TrimSpace(c.GuardianName)
	if c.GuardianName == "" {
		return app.Errorf(app.EINVALID, "guardian: name the guardian who consents").WithField("guardian")
	}
	if !c.KeepInAccount {
		return app.Errorf(app.EINVALID, "keep_in_account: the photo is kept in the family's account; without that consent no photo is taken").WithField("keep_in_account")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		r, err := s.newbornRequest(tx, c.RequestID, stationID)
		if err != nil {
			return err
		}
		at := slices.IndexFunc(r.Newborn.Guardians, func(g app.Guardian) bool { return g.Name == c.GuardianName })
		if at < 0 {
			return app.Errorf(app.EINVALID, "guardian: %s is not a guardian named on the registration", c.GuardianName).WithField("guardian")
		}
		now := s.Now()
		c.ID, c.StationID, c.RecordedBy, c.CreatedAt, c.WithdrawnAt, c.WithdrawnBy = 0, r.StationID, actor.ID, now, nil, nil
		c.GuardianRelation = r.Newborn.Guardians[at].Relation
		if err := tx.Create(c).Error; err != nil {
			return fmt.Errorf("store: record photo consent: %w", err)
		}
		if err := photoTimeline(tx, r, actor.ID, kindConsent, strconv.FormatInt(c.ID, 10), c.GuardianName, now); err != nil {
			return err
		}
		return audit(tx, &app.AuditEntry{StationID: &r.StationID, ActorID: &actor.ID, IP: actor.IP, Action: "photo_consent.record",
			Target: fmt.Sprintf("request/%d", r.ID), Detail: fmt.Sprintf("consent %d, welcome board %t", c.ID, c.WelcomeBoard)})
	})
}

// WithdrawPhotoConsent withdraws a consent on one of the resident's family
// registrations: no photo is taken under it any more, and it no longer
// allows the welcome board.
func (s *Store) WithdrawPhotoConsent(ctx context.Context, residentID, consentID int64) (*app.PhotoConsent, error) {
	var c app.PhotoConsent
	err := s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Where("id = ? AND request_id IN (?)", consentID, familyRequests(tx, residentID)).First(&c).Error
		if err != nil {
			return notFound("withdraw photo consent", err)
		}
		if !c.InForce() {
			return app.Errorf(app.ECONFLICT, "the consent was already withdrawn").WithMessage("consent_withdrawn")
		}
		now := s.Now()
		res := tx.Model(&app.PhotoConsent{}).Where("id = ? AND withdrawn_at IS NULL", c.ID).
			Updates(map[string]any{"withdrawn_at": now, "withdrawn_by": residentID})
		if res.Error != nil {
			return fmt.Errorf("store: withdraw photo consent: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Errorf(app.ECONFLICT, "the consent was already withdrawn").WithMessage("consent_withdrawn")
		}
		c.WithdrawnAt, c.WithdrawnBy = &now, &residentID
		var r app.ServiceRequest
		if err := tx.First(&r, c.RequestID).Error; err != nil {
			return fmt.Errorf("store: withdraw photo consent: %w", err)
		}
		entry := app.TimelineEntry{RequestID: r.ID, StationID: r.StationID, At: now, ActorID: &residentID, Kind: kindConsentWithdrawn,
			From: strconv.FormatInt(c.ID, 10), Note: c.GuardianName}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: withdraw photo consent: timeline: %w", err)
		}
		return requestChanged(tx, "request.updated", &r, []string{kindConsentWithdrawn})
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// ListPhotoConsents returns a request's consents, oldest first.
func (s *Store) ListPhotoConsents(ctx context.Context, requestID int64) ([]app.PhotoConsent, error) {
	list := []app.PhotoConsent{}
	if err := s.db.WithContext(ctx).Where("request_id = ?", requestID).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("store: list photo consents: %w", err)
	}
	return list, nil
}

// AddPhoto records a processed photo under the newest consent in force on
// the request, at most 20 a registration, with a timeline entry, an event
// and an audit entry. Its deletion date comes from the station's photo
// retention period.
func (s *Store) AddPhoto(ctx context.Context, actor app.Actor, stationID int64, p *app.Photo) error {
	if p.FullKey == "" || p.DisplayKey == "" || p.ThumbKey == "" || p.Width <= 0 || p.Height <= 0 || p.Size <= 0 {
		return app.Errorf(app.EINVALID, "a photo needs its three stored copies and its size")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		r, err := s.newbornRequest(tx, p.RequestID, stationID)
		if err != nil {
			return err
		}
		var consent app.PhotoConsent
		err = tx.Where("request_id = ? AND withdrawn_at IS NULL AND keep_in_account", r.ID).Order("id DESC").First(&consent).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return app.Errorf(app.EINVALID, "no photo without consent: record a guardian's consent first")
		} else if err != nil {
			return fmt.Errorf("store: add photo: consent: %w", err)
		}
		var n int64
		if err := tx.Model(&app.Photo{}).Where("request_id = ?", r.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("store: add photo: count: %w", err)
		}
		if n >= maxPhotosPerRequest {
			return app.Errorf(app.ECONFLICT, "a registration holds at most %d photos", maxPhotosPerRequest).WithMessage("too_many_photos", "Max", maxPhotosPerRequest)
		}
		var station app.Station
		if err := tx.First(&station, r.StationID).Error; err != nil {
			return fmt.Errorf("store: add photo: station: %w", err)
		}
		days := station.PhotoRetentionDays
		if days <= 0 {
			days = 90
		}
		now := s.Now()
		p.ID, p.StationID, p.ConsentID, p.TakenBy, p.Keep, p.CreatedAt, p.NotifiedAt = 0, r.StationID, consent.ID, actor.ID, false, now, nil
		p.DeleteAfter = now.AddDate(0, 0, days)
		if err := tx.Create(p).Error; err != nil {
			return fmt.Errorf("store: add photo: %w", err)
		}
		if err := photoTimeline(tx, r, actor.ID, kindPhoto, strconv.FormatInt(p.ID, 10), "", now); err != nil {
			return err
		}
		return audit(tx, &app.AuditEntry{StationID: &r.StationID, ActorID: &actor.ID, IP: actor.IP, Action: "photo.take",
			Target: fmt.Sprintf("photo/%d", p.ID), Detail: fmt.Sprintf("request %d, consent %d", r.ID, consent.ID)})
	})
}

// FindPhoto returns a photo in scope.
func (s *Store) FindPhoto(ctx context.Context, id int64, scope app.PhotoScope) (*app.Photo, error) {
	db := s.db.WithContext(ctx)
	q, ok := photosInScope(db, db.Model(&app.Photo{}), scope)
	if !ok {
		return nil, app.ErrNotFound
	}
	var p app.Photo
	if err := q.Where("photos.id = ?", id).First(&p).Error; err != nil {
		return nil, notFound("find photo", err)
	}
	return &p, nil
}

// ListPhotos returns the photos in scope, newest first.
func (s *Store) ListPhotos(ctx context.Context, scope app.PhotoScope, requestID, before int64, limit int) ([]app.Photo, error) {
	db := s.db.WithContext(ctx)
	q, ok := photosInScope(db, db.Model(&app.Photo{}), scope)
	if !ok {
		return nil, app.Errorf(app.EINVALID, "a list of photos is a family's or a station's")
	}
	if requestID != 0 {
		q = q.Where("photos.request_id = ?", requestID)
	}
	if before != 0 {
		q = q.Where("photos.id < ?", before)
	}
	list := []app.Photo{}
	if err := q.Order("photos.id DESC").Limit(listLimit(limit)).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("store: list photos: %w", err)
	}
	return list, nil
}

// KeepPhoto marks or unmarks a family photo "keep". Unmarking starts a
// fresh notice period: the family is told again, at least a week before it
// is deleted.
func (s *Store) KeepPhoto(ctx context.Context, residentID, id int64, keep bool) (*app.Photo, error) {
	var p *app.Photo
	err := s.tx(ctx, func(tx *gorm.DB) error {
		p = &app.Photo{}
		q, _ := photosInScope(tx, tx.Model(&app.Photo{}), app.PhotoScope{ResidentID: residentID})
		if err := q.Where("photos.id = ?", id).First(p).Error; err != nil {
			return notFound("keep photo", err)
		}
		updates := map[string]any{"keep": keep, "notified_at": nil}
		// A photo kept past its date and then un-kept is not deleted at the
		// next run: the family gets at least a week's notice again.
		if earliest := s.Now().AddDate(0, 0, retentionNoticeDays); !keep && p.DeleteAfter.Before(earliest) {
			p.DeleteAfter = earliest
			updates["delete_after"] = earliest
		}
		if err := tx.Model(&app.Photo{}).Where("id = ?", p.ID).Updates(updates).Error; err != nil {
			return fmt.Errorf("store: keep photo: %w", err)
		}
		p.Keep, p.NotifiedAt = keep, nil
		return nil
	})
	return p, err
}

// DeletePhoto deletes a family photo for good: the row, its share links
// and, through the purge queue, every stored copy.
func (s *Store) DeletePhoto(ctx context.Context, residentID, id int64) ([]string, error) {
	var keys []string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var p app.Photo
		q, _ := photosInScope(tx, tx.Model(&app.Photo{}), app.PhotoScope{ResidentID: residentID})
		if err := q.Where("photos.id = ?", id).First(&p).Error; err != nil {
			return notFound("delete photo", err)
		}
		deleted, err := deletePhotos(tx, []app.Photo{p})
		keys = deleted
		return err
	})
	return keys, err
}

// deletePhotos removes photos and their share links in the caller's
// transaction, queues their blobs for removal and returns the blob keys of
// the photos it deleted (another instance may have taken some first).
func deletePhotos(tx *gorm.DB, photos []app.Photo) ([]string, error) {
	var keys []string
	for _, p := range photos {
		if err := tx.Where("photo_id = ?", p.ID).Delete(&app.ShareLink{}).Error; err != nil {
			return nil, fmt.Errorf("store: delete photo: share links: %w", err)
		}
		res := tx.Delete(&app.Photo{}, p.ID)
		if res.Error != nil {
			return nil, fmt.Errorf("store: delete photo: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			continue
		}
		if err := queueBlobPurges(tx, p.BlobKeys(), tx.NowFunc()); err != nil {
			return nil, fmt.Errorf("store: delete photo: %w", err)
		}
		keys = append(keys, p.BlobKeys()...)
	}
	return keys, nil
}

// queueBlobPurges queues stored files for removal in the caller's
// transaction; the purge_blobs job removes them after the commit.
func queueBlobPurges(tx *gorm.DB, keys []string, now time.Time) error {
	for _, k := range keys {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&blobPurge{BlobKey: k, CreatedAt: dbTime(now)}).Error; err != nil {
			return fmt.Errorf("queue blob: %w", err)
		}
	}
	return nil
}

// PendingBlobPurges returns blobs of deleted photos not yet removed, oldest
// first.
func (s *Store) PendingBlobPurges(ctx context.Context, limit int) ([]string, error) {
	var keys []string
	if err := s.db.WithContext(ctx).Model(&blobPurge{}).Order("created_at, blob_key").Limit(listLimit(limit)).Pluck("blob_key", &keys).Error; err != nil {
		return nil, fmt.Errorf("store: pending blob purges: %w", err)
	}
	return keys, nil
}

// BlobsPurged forgets blobs the blob store has removed.
func (s *Store) BlobsPurged(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	if err := s.db.WithContext(ctx).Where("blob_key IN ?", keys).Delete(&blobPurge{}).Error; err != nil {
		return fmt.Errorf("store: blobs purged: %w", err)
	}
	return nil
}

// ListFamily returns the residents invited to a request's photos.
func (s *Store) ListFamily(ctx context.Context, requestID int64) ([]app.User, error) {
	list := []app.User{}
	err := s.db.WithContext(ctx).Where("id IN (?)", s.db.Model(&app.PhotoFamilyMember{}).Select("user_id").Where("request_id = ?", requestID)).
		Order("id").Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("store: list family: %w", err)
	}
	return list, nil
}

// FamilyRequest returns a request whose photos the resident may see (filed
// or invited to), else ENOTFOUND.
func (s *Store) FamilyRequest(ctx context.Context, residentID, requestID int64) (*app.ServiceRequest, error) {
	db := s.db.WithContext(ctx)
	var r app.ServiceRequest
	if err := db.Where("id = ? AND id IN (?)", requestID, familyRequests(db, residentID)).First(&r).Error; err != nil {
		return nil, notFound("family request", err)
	}
	return &r, nil
}

// shareTokenHash is what is stored of a share token.
func shareTokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreateShareLink makes a link to one family photo that expires after days
// (0: 7; at most 30). token is the secret the link carries, made by the
// caller; only its hash is kept. ENOTFOUND unless the resident is of the
// family, EINVALID for a bad lifetime.
func (s *Store) CreateShareLink(ctx context.Context, residentID, photoID int64, days int, token string) (*app.ShareLink, error) {
	if days == 0 {
		days = app.ShareDaysDefault
	}
	if days < 1 || days > app.ShareDaysMax {
		return nil, app.Errorf(app.EINVALID, "days: a link lasts 1 to %d days", app.ShareDaysMax)
	}
	if len(token) < 20 {
		return nil, app.Errorf(app.EINVALID, "a share token is too short")
	}
	p, err := s.FindPhoto(ctx, photoID, app.PhotoScope{ResidentID: residentID})
	if err != nil {
		return nil, err
	}
	now := s.Now()
	l := &app.ShareLink{PhotoID: p.ID, StationID: p.StationID, TokenHash: shareTokenHash(token), CreatedBy: residentID,
		CreatedAt: now, ExpiresAt: now.AddDate(0, 0, days)}
	if err := s.db.WithContext(ctx).Create(l).Error; err != nil {
		return nil, fmt.Errorf("store: create share link: %w", err)
	}
	return l, nil
}

// ListShareLinks returns the links of the resident's family photos that
// still work, newest first; photoID 0 for every photo.
func (s *Store) ListShareLinks(ctx context.Context, residentID, photoID int64, now time.Time) ([]app.ShareLink, error) {
	db := s.db.WithContext(ctx)
	photos, _ := photosInScope(db, db.Model(&app.Photo{}).Select("photos.id"), app.PhotoScope{ResidentID: residentID})
	q := db.Where("photo_id IN (?) AND revoked_at IS NULL", photos).Where(s.timeCompare("expires_at", ">"), dbTime(now))
	if photoID != 0 {
		q = q.Where("photo_id = ?", photoID)
	}
	list := []app.ShareLink{}
	if err := q.Order("id DESC").Limit(200).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("store: list share links: %w", err)
	}
	return list, nil
}

// RevokeShareLink ends a link of one of the resident's family photos.
// ENOTFOUND otherwise; revoking twice is harmless.
func (s *Store) RevokeShareLink(ctx context.Context, residentID, linkID int64) error {
	db := s.db.WithContext(ctx)
	photos, _ := photosInScope(db, db.Model(&app.Photo{}).Select("photos.id"), app.PhotoScope{ResidentID: residentID})
	var l app.ShareLink
	if err := db.Where("id = ? AND photo_id IN (?)", linkID, photos).First(&l).Error; err != nil {
		return notFound("revoke share link", err)
	}
	if l.RevokedAt != nil {
		return nil
	}
	if err := db.Model(&l).Update("revoked_at", s.Now()).Error; err != nil {
		return fmt.Errorf("store: revoke share link: %w", err)
	}
	return nil
}

// SharedPhoto returns the one photo a share token opens while the link is
// neither expired nor revoked, else ENOTFOUND.
func (s *Store) SharedPhoto(ctx context.Context, token string, now time.Time) (*app.Photo, *app.ShareLink, error) {
	db := s.db.WithContext(ctx)
	var l app.ShareLink
	err := db.Where("token_hash = ? AND revoked_at IS NULL", shareTokenHash(token)).Where(s.timeCompare("expires_at", ">"), dbTime(now)).First(&l).Error
	if err != nil {
		return nil, nil, notFound("shared photo", err)
	}
	var p app.Photo
	if err := db.First(&p, l.PhotoID).Error; err != nil {
		return nil, nil, notFound("shared photo", err)
	}
	return &p, &l, nil
}

// ClaimRetentionNotices finds the families with photos not marked "keep"
// that will be deleted within a week and claims each photo's notice with a
// conditional update, so with several instances each family is told once.
// It returns one notice per family whose photos this call claimed.
func (s *Store) ClaimRetentionNotices(ctx context.Context, now time.Time) ([]app.RetentionNotice, error) {
	var out []app.RetentionNotice
	err := s.tx(ctx, func(db *gorm.DB) error {
		var due []app.Photo
		err := db.Where("NOT keep AND notified_at IS NULL").Where(s.timeCompare("delete_after", "<="), dbTime(now.AddDate(0, 0, retentionNoticeDays))).
			Order("id").Limit(500).Find(&due).Error
		if err != nil {
			return fmt.Errorf("store: retention notices: %w", err)
		}
		byResident := map[int64]*app.RetentionNotice{}
		stations := map[int64]int64{}
		var order []int64
		for _, p := range due {
			res := db.Model(&app.Photo{}).Where("id = ? AND notified_at IS NULL AND NOT keep", p.ID).Update("notified_at", dbTime(now))
			if res.Error != nil {
				return fmt.Errorf("store: claim retention notice: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				continue // another instance has it
			}
			var r app.ServiceRequest
			if err := db.Select("id, resident_id").First(&r, p.RequestID).Error; err != nil || r.ResidentID == nil {
				continue
			}
			n := byResident[*r.ResidentID]
			if n == nil {
				n = &app.RetentionNotice{ResidentID: *r.ResidentID, DeleteOn: p.DeleteAfter}
				byResident[*r.ResidentID] = n
				stations[*r.ResidentID] = p.StationID
				order = append(order, *r.ResidentID)
			}
			n.Photos++
			if p.DeleteAfter.Before(n.DeleteOn) {
				n.DeleteOn = p.DeleteAfter
			}
		}
		for _, id := range order {
			n := byResident[id]
			var u app.User
			if err := db.Select("id, phone, language").First(&u, id).Error; err != nil {
				continue
			}
			n.Phone, n.Language = u.Phone, u.Language
			station := stations[id]
			var zone string
			if err := db.Model(&app.Station{}).Where("id = ?", station).Pluck("time_zone", &zone).Error; err != nil {
				return err
			}
			loc, err := time.LoadLocation(zone)
			if err != nil {
				return err
			}
			// The date the family reads is the station's, not UTC's.
			n.StationID, n.DeleteDate = station, n.DeleteOn.In(loc).Format(time.DateOnly)
			err = queueText(db, &station, u.Phone, u.Language, "sms.photo_retention",
				map[string]any{"Count": n.Photos, "Date": n.DeleteDate})
			if err != nil {
				return err
			}
			out = append(out, *n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: retention notices: %w", err)
	}
	return out, nil
}

// PurgeExpiredPhotos deletes up to limit photos not marked "keep" whose
// retention has ended, and returns the blob keys to remove. Each photo is
// deleted by a conditional DELETE (rows taken by SKIP LOCKED on
// PostgreSQL), so instances running it together delete each once.
func (s *Store) PurgeExpiredPhotos(ctx context.Context, now time.Time, limit int) ([]string, error) {
	var keys []string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Where("NOT keep").Where(s.timeCompare("delete_after", "<="), dbTime(now)).Order("id").Limit(listLimit(limit))
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked})
		}
		var due []app.Photo
		if err := q.Find(&due).Error; err != nil {
			return fmt.Errorf("store: expired photos: %w", err)
		}
		var err error
		keys, err = deletePhotos(tx, due)
		return err
	})
	return keys, err
}
