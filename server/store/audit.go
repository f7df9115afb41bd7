package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// Audit records a staff action.
func (s *Store) Audit(ctx context.Context, e *app.AuditEntry) error {
	return audit(s.db.WithContext(ctx), e)
}

// audit records a staff action inside the caller's transaction.
func audit(tx *gorm.DB, e *app.AuditEntry) error {
	if err := tx.Create(e).Error; err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	return nil
}
