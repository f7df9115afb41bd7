package store

import (
	"context"
	"fmt"
	"strings"

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

// ListAudit returns a station's audit entries matching f, newest first.
func (s *Store) ListAudit(ctx context.Context, f app.AuditFilter) ([]app.AuditEntry, error) {
	q := s.db.WithContext(ctx).Where("station_id = ?", f.StationID)
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action LIKE ? ESCAPE '\\'", likePrefix(f.Action))
	}
	if !f.From.IsZero() {
		q = q.Where(s.timeCompare("created_at", ">="), f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where(s.timeCompare("created_at", "<"), f.To.UTC())
	}
	if f.Before != 0 {
		q = q.Where("id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var entries []app.AuditEntry
	if err := q.Order("id DESC").Limit(limit).Find(&entries).Error; err != nil {
		return nil, fmt.Errorf("store: list audit: %w", err)
	}
	return entries, nil
}

// likePrefix escapes LIKE's wildcards so user input matches literally.
func likePrefix(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

// actorID is the audit log's actor: none for the command line (ID 0).
func actorID(a app.Actor) *int64 {
	if a.ID == 0 {
		return nil
	}
	return &a.ID
}
