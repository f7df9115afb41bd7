package store

import (
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// appendEvent writes an event in the caller's transaction, so the event
// exists exactly when the change it reports does. payload must hold ids,
// statuses and names only, never personal data.
func appendEvent(tx *gorm.DB, ev *app.Event, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("store: encode event %s: %w", ev.Name, err)
	}
	ev.Payload = string(b)
	if err := tx.Create(ev).Error; err != nil {
		return fmt.Errorf("store: append event %s: %w", ev.Name, err)
	}
	return nil
}
