package store

import (
	"fmt"
	"slices"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// addParticipants names the guards and volunteers who went along on a
// patrol entry; each must be an enabled guard or volunteer of one of the
// station's booths (EINVALID otherwise, without saying whose account it is).
func addParticipants(tx *gorm.DB, e *app.ShiftEntry, stationID int64, ids []int64) error {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil
	}
	var found []app.User
	err := tx.Where("id IN ? AND role IN ? AND disabled = ? AND booth_id IN (SELECT id FROM booths WHERE station_id = ?)",
		ids, []app.Role{app.RoleGuard, app.RoleVolunteer}, false, stationID).Find(&found).Error
	if err != nil {
		return fmt.Errorf("store: patrol participants: %w", err)
	}
	if len(found) != len(ids) {
		return app.Errorf(app.EINVALID, "participants: guards and volunteers of this station's booths only").WithMessage("participants_invalid")
	}
	for _, u := range found {
		p := app.EntryParticipant{EntryID: e.ID, UserID: u.ID, StationID: stationID}
		if err := tx.Create(&p).Error; err != nil {
			return fmt.Errorf("store: patrol participants: %w", err)
		}
		e.Participants = append(e.Participants, p)
	}
	return nil
}
