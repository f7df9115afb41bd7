package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// serviceType is one service of the default catalogue. The rows ship in a
// migration, so a later migration can improve them for every station.
type serviceType struct {
	Code          string `gorm:"primaryKey"`
	NameZh        string
	NameEn        string
	DescriptionZh string
	DescriptionEn string
	Documents     []app.Text      `gorm:"serializer:json;type:text"`
	Fields        []app.FieldSpec `gorm:"serializer:json;type:text"`
	TargetMinutes int
	NeedsVisit    bool
	SortOrder     int
}

// serviceSetting is a station's change to one default service type; a NULL
// column keeps the default.
type serviceSetting struct {
	StationID     int64  `gorm:"primaryKey;autoIncrement:false"`
	Code          string `gorm:"primaryKey"`
	Enabled       *bool
	TargetMinutes *int
	NoteZh        *string
	NoteEn        *string
	UpdatedAt     time.Time
}

// Bounds of a station's service settings.
const (
	maxTargetMinutes  = 8 * 60
	maxServiceNoteLen = 500
)

// ServiceTypes returns a station's catalogue in catalogue order: the
// defaults with the station's settings applied, disabled ones included.
// Station 0 gives the defaults alone; a station that does not exist is
// ENOTFOUND.
func (s *Store) ServiceTypes(ctx context.Context, stationID int64) ([]app.ServiceType, error) {
	db := s.db.WithContext(ctx)
	if stationID != 0 {
		if err := db.Select("id").First(&app.Station{}, stationID).Error; err != nil {
			return nil, notFound("service types", err)
		}
	}
	return catalogue(db, stationID)
}

// catalogue reads the default service types and overlays a station's
// settings (none for station 0).
func catalogue(db *gorm.DB, stationID int64) ([]app.ServiceType, error) {
	var rows []serviceType
	if err := db.Order("sort_order, code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: read service types: %w", err)
	}
	settings := map[string]serviceSetting{}
	if stationID != 0 {
		var list []serviceSetting
		if err := db.Where("station_id = ?", stationID).Find(&list).Error; err != nil {
			return nil, fmt.Errorf("store: read service settings: %w", err)
		}
		for _, set := range list {
			settings[set.Code] = set
		}
	}
	types := make([]app.ServiceType, len(rows))
	for i, r := range rows {
		t := app.ServiceType{
			Code:          r.Code,
			Name:          app.Text{Zh: r.NameZh, En: r.NameEn},
			Description:   app.Text{Zh: r.DescriptionZh, En: r.DescriptionEn},
			Documents:     r.Documents,
			Fields:        r.Fields,
			TargetMinutes: r.TargetMinutes,
			NeedsVisit:    r.NeedsVisit,
			Enabled:       true,
		}
		if t.Documents == nil {
			t.Documents = []app.Text{}
		}
		if t.Fields == nil {
			t.Fields = []app.FieldSpec{}
		}
		if set, ok := settings[r.Code]; ok {
			set.applyTo(&t)
		}
		types[i] = t
	}
	return types, nil
}

// applyTo lays a station's setting over a default service type (enabled
// unless the station says otherwise).
func (set serviceSetting) applyTo(t *app.ServiceType) {
	if set.Enabled != nil {
		t.Enabled = *set.Enabled
	}
	if set.TargetMinutes != nil {
		t.TargetMinutes = *set.TargetMinutes
	}
	if set.NoteZh != nil {
		t.Note.Zh = *set.NoteZh
	}
	if set.NoteEn != nil {
		t.Note.En = *set.NoteEn
	}
}

// SetServiceSetting stores a station's change to a service type, replacing
// its earlier one: a nil field goes back to the default. Only a head of the
// station or the admin may; a head of another station gets ENOTFOUND.
func (s *Store) SetServiceSetting(ctx context.Context, actor app.Actor, set app.ServiceSetting) error {
	row := serviceSetting{StationID: set.StationID, Code: set.Code, Enabled: set.Enabled, TargetMinutes: set.TargetMinutes}
	if set.TargetMinutes != nil && (*set.TargetMinutes < 1 || *set.TargetMinutes > maxTargetMinutes) {
		return app.Errorf(app.EINVALID, "a target time needs 1 to %d minutes", maxTargetMinutes)
	}
	if set.Note != nil {
		zh, en := strings.TrimSpace(set.Note.Zh), strings.TrimSpace(set.Note.En)
		if utf8.RuneCountInString(zh) > maxServiceNoteLen || utf8.RuneCountInString(en) > maxServiceNoteLen {
			return app.Errorf(app.EINVALID, "a note needs at most %d characters in each language", maxServiceNoteLen)
		}
		row.NoteZh, row.NoteEn = &zh, &en
	}
	defer s.forgetExpected(0) // the targets the waits fall back on may change
	return s.tx(ctx, func(tx *gorm.DB) error {
		a, err := stationHead(tx, actor, set.StationID)
		if err != nil {
			return err
		}
		if err := tx.Select("code").Where("code = ?", set.Code).First(&serviceType{}).Error; err != nil {
			return notFound("set service setting", err)
		}
		row.UpdatedAt = s.Now()
		err = tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "station_id"}, {Name: "code"}},
			DoUpdates: clause.AssignmentColumns([]string{"enabled", "target_minutes", "note_zh", "note_en", "updated_at"}),
		}).Create(&row).Error
		if err != nil {
			return fmt.Errorf("store: set service setting: %w", err)
		}
		return audit(tx, &app.AuditEntry{StationID: &set.StationID, ActorID: &a.ID, IP: actor.IP,
			Action: "service.update", Target: "service/" + set.Code, Detail: settingDetail(set)})
	})
}

// settingDetail describes a setting for the audit log.
func settingDetail(set app.ServiceSetting) string {
	var parts []string
	if set.Enabled != nil {
		parts = append(parts, "enabled "+strconv.FormatBool(*set.Enabled))
	}
	if set.TargetMinutes != nil {
		parts = append(parts, fmt.Sprintf("target %d min", *set.TargetMinutes))
	}
	if set.Note != nil {
		parts = append(parts, "note "+strconv.Quote(set.Note.Zh)+" / "+strconv.Quote(set.Note.En))
	}
	if len(parts) == 0 {
		return "defaults"
	}
	return strings.Join(parts, ", ")
}

// stationHead loads the acting user and checks they run stationID: its
// head, or the admin. Someone else's station is not found, so its
// existence does not leak.
func stationHead(tx *gorm.DB, actor app.Actor, stationID int64) (*app.User, error) {
	var a app.User
	err := tx.First(&a, actor.ID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && a.Disabled) {
		return nil, app.Errorf(app.EUNAUTHORIZED, "sign in again")
	}
	if err != nil {
		return nil, fmt.Errorf("store: load actor: %w", err)
	}
	switch a.Role {
	case app.RoleAdmin:
		if err := tx.Select("id").First(&app.Station{}, stationID).Error; err != nil {
			return nil, notFound("load station", err)
		}
	case app.RoleHead:
		if a.StationID == nil || *a.StationID != stationID {
			return nil, app.ErrNotFound
		}
	default:
		return nil, app.Errorf(app.EFORBIDDEN, "only the station's head and the admin change its services and time slots")
	}
	return &a, nil
}
