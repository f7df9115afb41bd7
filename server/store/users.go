package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"policebooth/server/app"
)

var (
	_ app.UserService  = (*Store)(nil)
	_ app.StaffService = (*Store)(nil)
)

// CreateUser stores a new account; staff and admin accounts made this way
// (by the admin command line) are audited without an actor.
func (s *Store) CreateUser(ctx context.Context, u *app.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := insertUser(tx, u); err != nil {
			return err
		}
		if u.Role == app.RoleResident {
			return nil
		}
		return audit(tx, &app.AuditEntry{StationID: u.StationID, Action: string(u.Role) + ".create", Target: userTarget(u.ID), Detail: u.Name})
	})
	return s.userConflict(ctx, "create user", u, err)
}

// insertUser checks that the user's station or home booth exists and
// inserts the user.
func insertUser(tx *gorm.DB, u *app.User) error {
	if u.StationID != nil {
		var n int64
		if err := tx.Model(&app.Station{}).Where("id = ?", *u.StationID).Count(&n).Error; err != nil {
			return fmt.Errorf("store: check station: %w", err)
		}
		if n == 0 {
			return app.Errorf(app.EINVALID, "station %d does not exist", *u.StationID)
		}
	}
	if u.HomeBoothID != nil {
		if err := boothExists(tx, *u.HomeBoothID); err != nil {
			return err
		}
	}
	if err := tx.Create(u).Error; err != nil {
		return fmt.Errorf("store: insert user: %w", err)
	}
	return nil
}

func boothExists(tx *gorm.DB, id int64) error {
	var n int64
	if err := tx.Model(&app.Booth{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return fmt.Errorf("store: check booth: %w", err)
	}
	if n == 0 {
		return app.Errorf(app.EINVALID, "booth %d does not exist", id)
	}
	return nil
}

// userConflict turns a unique violation from inserting u into the conflict
// a client is shown: the phone number, or else the badge number, is taken.
// It asks after the transaction, since PostgreSQL aborts it on the error.
func (s *Store) userConflict(ctx context.Context, op string, u *app.User, err error) error {
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		return err
	}
	var n int64
	if qerr := s.db.WithContext(ctx).Model(&app.User{}).Where("phone = ?", u.Phone).Count(&n).Error; qerr != nil {
		return fmt.Errorf("store: %s: %w", op, qerr)
	}
	if n > 0 {
		return &app.Error{Code: app.ECONFLICT, Message: "phone already registered", Err: err}
	}
	return &app.Error{Code: app.ECONFLICT, Message: fmt.Sprintf("badge number %s is already used at this station", u.BadgeNo), Err: err}
}

// FindUser returns one account.
func (s *Store) FindUser(ctx context.Context, id int64) (*app.User, error) {
	var u app.User
	if err := s.db.WithContext(ctx).First(&u, id).Error; err != nil {
		return nil, notFound("find user", err)
	}
	return &u, nil
}

// FindUserByPhone returns the account of a phone number.
func (s *Store) FindUserByPhone(ctx context.Context, phone string) (*app.User, error) {
	p, err := app.NormalizePhone(phone)
	if err != nil {
		return nil, err
	}
	var u app.User
	if err := s.db.WithContext(ctx).Where("phone = ?", p).First(&u).Error; err != nil {
		return nil, notFound("find user by phone", err)
	}
	return &u, nil
}

// UpdateUser changes a user's own settings. It writes only the changed
// columns, so it cannot undo a concurrent disable or password change.
func (s *Store) UpdateUser(ctx context.Context, id int64, upd app.UserUpdate) (*app.User, error) {
	var u app.User
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&u, id).Error; err != nil {
			return notFound("update user", err)
		}
		changes := map[string]any{}
		if upd.Name != nil {
			name, err := app.ValidateName(*upd.Name)
			if err != nil {
				return err
			}
			changes["name"] = name
		}
		if upd.Language != nil {
			lang, err := app.ValidateLanguage(*upd.Language)
			if err != nil {
				return err
			}
			changes["language"] = lang
		}
		if upd.ElderMode != nil {
			changes["elder_mode"] = *upd.ElderMode
		}
		if upd.HomeBoothID != nil {
			if u.Role != app.RoleResident {
				return app.Errorf(app.EINVALID, "only residents have a home booth")
			}
			if err := boothExists(tx, *upd.HomeBoothID); err != nil {
				return err
			}
			changes["home_booth_id"] = *upd.HomeBoothID
		}
		if len(changes) == 0 {
			return nil
		}
		if err := tx.Model(&u).Updates(changes).Error; err != nil {
			return fmt.Errorf("store: update user: %w", err)
		}
		return tx.First(&u, id).Error
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// SetPassword stores a new password hash and revokes every other session.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, keepSessionID int64) error {
	if hash == "" {
		return app.Errorf(app.EINVALID, "an account needs a password")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&app.User{}).Where("id = ?", userID).
			Updates(map[string]any{"password_hash": hash, "must_change_password": false})
		if res.Error != nil {
			return fmt.Errorf("store: set password: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return app.ErrNotFound
		}
		return revokeSessions(tx, userID, keepSessionID)
	})
}

// MarkPhoneVerified records that the user proved they own their number.
func (s *Store) MarkPhoneVerified(ctx context.Context, userID int64) error {
	res := s.db.WithContext(ctx).Model(&app.User{}).Where("id = ?", userID).Update("phone_verified", true)
	if res.Error != nil {
		return fmt.Errorf("store: mark phone verified: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return app.ErrNotFound
	}
	return nil
}

// revokeSessions ends every live session of a user but keep (0 keeps none).
func revokeSessions(tx *gorm.DB, userID, keep int64) error {
	err := tx.Model(&app.Session{}).Where("user_id = ? AND revoked_at IS NULL AND id <> ?", userID, keep).
		Update("revoked_at", tx.NowFunc()).Error
	if err != nil {
		return fmt.Errorf("store: revoke sessions: %w", err)
	}
	return nil
}

// NearestBooth returns the booth closest to a point (app.NearestBooth).
func (s *Store) NearestBooth(ctx context.Context, lat, lng float64) (*app.Booth, error) {
	booths, err := s.ListBooths(ctx)
	if err != nil {
		return nil, err
	}
	if nearest := app.NearestBooth(booths, lat, lng); nearest != nil {
		return nearest, nil
	}
	return nil, app.ErrNotFound
}

// CreateStaff stores an officer, a guard or a volunteer created by a head
// (for the head's station, a guard or volunteer at one of its booths) or a
// head, officer, guard or volunteer created by the admin. The new account
// must change its password at first sign-in.
func (s *Store) CreateStaff(ctx context.Context, actor app.Actor, u *app.User) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := manager(tx, actor)
		if err != nil {
			return err
		}
		switch {
		case a.Role == app.RoleHead && u.Role == app.RoleOfficer:
			u.StationID = a.StationID // a head staffs their own station only
		case a.Role == app.RoleHead && u.Role.Responder():
			u.StationID = nil
		case a.Role == app.RoleHead:
			return app.Errorf(app.EFORBIDDEN, "a station head creates officer, guard and volunteer accounts only")
		case u.Role.Responder():
			u.StationID = nil
		case !u.Role.Staff():
			return app.Errorf(app.EINVALID, "staff accounts are officers, heads, guards or volunteers")
		}
		u.MustChangePassword = true
		if err := u.Validate(); err != nil {
			return err
		}
		station := u.StationID
		if u.Role.Responder() {
			if station, err = boothStation(tx, *u.BoothID); err != nil {
				return err
			}
			if a.Role == app.RoleHead && *station != *a.StationID {
				return app.Errorf(app.EINVALID, "booth %d is not one of your station's", *u.BoothID).WithMessage("booth_required")
			}
		}
		if err := insertUser(tx, u); err != nil {
			return err
		}
		return audit(tx, &app.AuditEntry{StationID: station, ActorID: &a.ID, IP: actor.IP,
			Action: string(u.Role) + ".create", Target: userTarget(u.ID), Detail: staffDetail(u)})
	})
	return s.userConflict(ctx, "create staff", u, err)
}

// boothStation is the station of a booth; EINVALID when there is no such
// booth.
func boothStation(tx *gorm.DB, boothID int64) (*int64, error) {
	var ids []int64
	if err := tx.Model(&app.Booth{}).Where("id = ?", boothID).Pluck("station_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("store: booth's station: %w", err)
	}
	if len(ids) == 0 {
		return nil, app.Errorf(app.EINVALID, "booth %d does not exist", boothID).WithMessage("booth_required")
	}
	return &ids[0], nil
}

// accountStation is the station an account belongs to: its own, or for a
// guard or volunteer their booth's; nil for residents and the admin.
func accountStation(tx *gorm.DB, u *app.User) (*int64, error) {
	if u.BoothID != nil && u.Role.Responder() {
		return boothStation(tx, *u.BoothID)
	}
	return u.StationID, nil
}

// SetDisabled disables or enables an account in the actor's scope; a
// disabled account loses every session at once.
func (s *Store) SetDisabled(ctx context.Context, actor app.Actor, userID int64, disabled bool) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		a, t, station, err := managed(tx, actor, userID)
		if err != nil {
			return err
		}
		if err := tx.Model(t).Update("disabled", disabled).Error; err != nil {
			return fmt.Errorf("store: set disabled: %w", err)
		}
		action := ".enable"
		if disabled {
			action = ".disable"
			if err := revokeSessions(tx, t.ID, 0); err != nil {
				return err
			}
		}
		return audit(tx, &app.AuditEntry{StationID: station, ActorID: &a.ID, IP: actor.IP,
			Action: string(t.Role) + action, Target: userTarget(t.ID), Detail: staffDetail(t)})
	})
}

// ResetStaffPassword sets a one-time password on an account in the actor's
// scope and ends its sessions.
func (s *Store) ResetStaffPassword(ctx context.Context, actor app.Actor, userID int64, hash string) error {
	if hash == "" {
		return app.Errorf(app.EINVALID, "an account needs a password")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		a, t, station, err := managed(tx, actor, userID)
		if err != nil {
			return err
		}
		err = tx.Model(t).Updates(map[string]any{"password_hash": hash, "must_change_password": true}).Error
		if err != nil {
			return fmt.Errorf("store: reset password: %w", err)
		}
		if err := revokeSessions(tx, t.ID, 0); err != nil {
			return err
		}
		return audit(tx, &app.AuditEntry{StationID: station, ActorID: &a.ID, IP: actor.IP,
			Action: string(t.Role) + ".reset_password", Target: userTarget(t.ID), Detail: staffDetail(t)})
	})
}

// ListStaff returns the heads, officers, guards and volunteers of a
// station (guards and volunteers by their booth's station): heads first,
// then officers, guards and volunteers, each by name. "booth_id IS NOT
// NULL", implied by the IN, lets PostgreSQL read both sides through their
// partial indexes: without it, it read every resident (111 ms on a
// district of a million, where the indexes take 1.4 ms).
func (s *Store) ListStaff(ctx context.Context, stationID int64) ([]app.User, error) {
	var users []app.User
	err := s.db.WithContext(ctx).
		Where("(station_id = ? AND role IN ?) OR (role IN ? AND booth_id IS NOT NULL AND booth_id IN (SELECT id FROM booths WHERE station_id = ?))",
			stationID, []app.Role{app.RoleHead, app.RoleOfficer}, []app.Role{app.RoleGuard, app.RoleVolunteer}, stationID).
		Order("CASE role WHEN 'head' THEN 0 WHEN 'officer' THEN 1 WHEN 'guard' THEN 2 ELSE 3 END, name, id").Find(&users).Error
	if err != nil {
		return nil, fmt.Errorf("store: list staff: %w", err)
	}
	return users, nil
}

// manager loads the acting user and checks they may manage accounts at all.
func manager(tx *gorm.DB, actor app.Actor) (*app.User, error) {
	var a app.User
	err := tx.First(&a, actor.ID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && a.Disabled) {
		return nil, app.Errorf(app.EUNAUTHORIZED, "sign in again")
	}
	if err != nil {
		return nil, fmt.Errorf("store: load actor: %w", err)
	}
	if a.Role != app.RoleHead && a.Role != app.RoleAdmin {
		return nil, app.Errorf(app.EFORBIDDEN, "only station heads and the admin manage accounts")
	}
	return &a, nil
}

// managed loads the actor, the account they act on and that account's
// station; an account outside the actor's scope is not found, so its
// existence does not leak.
func managed(tx *gorm.DB, actor app.Actor, userID int64) (a, t *app.User, station *int64, err error) {
	if a, err = manager(tx, actor); err != nil {
		return nil, nil, nil, err
	}
	t = &app.User{}
	if err := tx.First(t, userID).Error; err != nil {
		return nil, nil, nil, notFound("load user", err)
	}
	if station, err = accountStation(tx, t); err != nil {
		return nil, nil, nil, err
	}
	if !app.CanManage(a, t, station) {
		return nil, nil, nil, app.ErrNotFound
	}
	return a, t, station, nil
}

func userTarget(id int64) string { return fmt.Sprintf("user/%d", id) }

// staffDetail names an account in the audit log without its phone number.
func staffDetail(u *app.User) string {
	if u.BadgeNo != "" {
		return u.Name + " " + u.BadgeNo
	}
	return u.Name
}
