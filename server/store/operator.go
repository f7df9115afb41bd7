package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// SetDisabledByOperator disables or enables any account for the operator at
// the command line (policebooth admin), who stands outside the web's scopes.
// ENOTFOUND for a missing account.
func (s *Store) SetDisabledByOperator(ctx context.Context, userID int64, disabled bool) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var t app.User
		if err := tx.First(&t, userID).Error; err != nil {
			return notFound("find user", err)
		}
		if err := tx.Model(&t).Update("disabled", disabled).Error; err != nil {
			return fmt.Errorf("store: set disabled: %w", err)
		}
		action := ".enable"
		if disabled {
			action = ".disable"
			if err := revokeSessions(tx, t.ID, 0); err != nil {
				return err
			}
		}
		return audit(tx, &app.AuditEntry{StationID: t.StationID, Action: string(t.Role) + action, Target: userTarget(t.ID), Detail: "command line"})
	})
}
