package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

var _ app.FamilyService = (*Store)(nil)

// InviteFamily offers the holder of phone the photos of a newborn
// registration the resident filed. The offer is kept whether or not the
// number has an account, and a number offered before is offered once, so
// the answer the filer gets never depends on who holds the number.
// ENOTFOUND unless the resident filed it; EINVALID for a bad or their own
// number or another kind of request; ECONFLICT when the registration has
// app.MaxFamilyInvitations open or accepted offers.
func (s *Store) InviteFamily(ctx context.Context, residentID, requestID int64, phone string) error {
	phone, err := app.NormalizePhone(phone)
	if err != nil {
		return app.Errorf(app.EINVALID, "phone: not a mobile number")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		r, err := s.lockRequest(tx, requestID, app.RequestFilter{ResidentID: residentID})
		if err != nil {
			return err
		}
		if r.Newborn == nil {
			return app.Errorf(app.EINVALID, "photos go with newborn registrations only")
		}
		var filer app.User
		if err := tx.Select("phone").Where("id = ?", residentID).First(&filer).Error; err != nil {
			return fmt.Errorf("store: invite family: %w", err)
		}
		if filer.Phone == phone {
			return app.Errorf(app.EINVALID, "phone: that is your own number")
		}
		var open int64
		err = tx.Model(&app.FamilyInvitation{}).Where("request_id = ? AND status <> ? AND phone <> ?", r.ID, app.InvitationDeclined, phone).Count(&open).Error
		if err != nil {
			return fmt.Errorf("store: invite family: count: %w", err)
		}
		if open >= app.MaxFamilyInvitations {
			return app.Errorf(app.ECONFLICT, "at most %d family members may be invited", app.MaxFamilyInvitations).
				WithMessage("too_many_invites", "Max", app.MaxFamilyInvitations)
		}
		// A declined offer stays declined: asking again changes nothing.
		inv := app.FamilyInvitation{StationID: r.StationID, RequestID: r.ID, Phone: phone, InvitedBy: residentID,
			Status: app.InvitationOffered, CreatedAt: dbTime(s.Now())}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&inv).Error; err != nil {
			return fmt.Errorf("store: invite family: %w", err)
		}
		return nil
	})
}

// invitee is the resident an offer may be answered by: verified, so a
// number is proved held before its offers are seen.
func invitee(tx *gorm.DB, residentID int64) (*app.User, error) {
	var u app.User
	err := tx.Where("id = ? AND role = ? AND NOT disabled", residentID, app.RoleResident).First(&u).Error
	if err != nil {
		return nil, notFound("family invitee", err)
	}
	if err := app.CheckCanWrite(&u); err != nil {
		return nil, err
	}
	return &u, nil
}

// ListFamilyInvitations returns the open offers to the resident's verified
// number, newest first, each with the inviter's name. An unverified
// resident has none to see.
func (s *Store) ListFamilyInvitations(ctx context.Context, residentID int64) ([]app.FamilyInvitation, error) {
	db := s.db.WithContext(ctx)
	list := []app.FamilyInvitation{}
	u, err := invitee(db, residentID)
	if errors.Is(err, app.ErrPhoneUnverified) {
		return list, nil
	} else if err != nil {
		return nil, err
	}
	if err := db.Where("phone = ? AND status = ?", u.Phone, app.InvitationOffered).Order("id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("store: list family invitations: %w", err)
	}
	if err := nameInviters(db, list); err != nil {
		return nil, err
	}
	return list, nil
}

// nameInviters fills in who made each offer.
func nameInviters(db *gorm.DB, list []app.FamilyInvitation) error {
	ids := make([]int64, len(list))
	for i := range list {
		ids[i] = list[i].InvitedBy
	}
	if len(ids) == 0 {
		return nil
	}
	var users []app.User
	if err := db.Select("id", "name").Where("id IN ?", ids).Find(&users).Error; err != nil {
		return fmt.Errorf("store: family invitations: inviters: %w", err)
	}
	names := map[int64]string{}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	for i := range list {
		list[i].From = names[list[i].InvitedBy]
	}
	return nil
}

// AnswerFamilyInvitation accepts or declines an offer to the resident's
// verified number. Accepting makes them a member of the family: from then
// on they see the registration's photos, and the filer sees their name.
// ENOTFOUND for another number's offer (or an unverified resident's);
// ECONFLICT once answered.
func (s *Store) AnswerFamilyInvitation(ctx context.Context, residentID, id int64, accept bool) (*app.FamilyInvitation, error) {
	var inv app.FamilyInvitation
	err := s.tx(ctx, func(tx *gorm.DB) error {
		u, err := invitee(tx, residentID)
		if errors.Is(err, app.ErrPhoneUnverified) {
			return app.ErrNotFound
		} else if err != nil {
			return err
		}
		q := tx.Where("id = ? AND phone = ?", id, u.Phone)
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
		}
		if err := q.First(&inv).Error; err != nil {
			return notFound("answer family invitation", err)
		}
		if inv.Status != app.InvitationOffered {
			return app.Errorf(app.ECONFLICT, "this invitation was %s already", inv.Status).WithMessage("invitation_answered")
		}
		now := dbTime(s.Now())
		inv.Status, inv.AnsweredAt, inv.AnsweredBy = app.InvitationDeclined, &now, &u.ID
		if accept {
			inv.Status = app.InvitationAccepted
			m := app.PhotoFamilyMember{RequestID: inv.RequestID, UserID: u.ID, InvitedBy: inv.InvitedBy, CreatedAt: now}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&m).Error; err != nil {
				return fmt.Errorf("store: accept family invitation: %w", err)
			}
		}
		err = tx.Model(&app.FamilyInvitation{}).Where("id = ?", inv.ID).
			Updates(map[string]any{"status": inv.Status, "answered_at": now, "answered_by": u.ID}).Error
		if err != nil {
			return fmt.Errorf("store: answer family invitation: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	one := []app.FamilyInvitation{inv}
	if err := nameInviters(s.db.WithContext(ctx), one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// exportFamilyInvitations lists the offers the resident made and those
// made to their number.
func exportFamilyInvitations(tx *gorm.DB, u *app.User, _ *app.DataExport) (any, error) {
	type offer struct {
		app.FamilyInvitation
		RequestID string `json:"request_id"`
		Phone     string `json:"phone"`
		Made      bool   `json:"made_by_me"`
	}
	var rows []app.FamilyInvitation
	if err := tx.Where("invited_by = ? OR phone = ?", u.ID, u.Phone).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	if err := nameInviters(tx, rows); err != nil {
		return nil, err
	}
	list := make([]offer, len(rows))
	for i, r := range rows {
		list[i] = offer{FamilyInvitation: r, RequestID: strconv.FormatInt(r.RequestID, 10), Phone: r.Phone, Made: r.InvitedBy == u.ID}
	}
	return list, nil
}
