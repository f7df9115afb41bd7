package store

import (
	"fmt"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// What a resident's emergency contacts are told, by text, when they chose
// so in their safety profile: who called, which booth is responding, and
// never where they are. The names are the texts' i18n ids.
const (
	contactsRaised    = "contacts.raised"
	contactsResolved  = "contacts.resolved"
	contactsCancelled = "contacts.cancelled"
)

// queueContactTexts queues, in the transaction of a call's change, the
// texts kind to the caller's emergency contacts when their safety profile
// asks for them.
func queueContactTexts(tx *gorm.DB, c *app.AssistanceCall, kind string) error {
	if c.CallerID == nil {
		return nil
	}
	p, err := safetyProfile(tx, *c.CallerID)
	if err != nil {
		return err
	}
	if !p.NotifyContacts || len(p.EmergencyContacts) == 0 {
		return nil
	}
	var caller app.User
	if err := tx.First(&caller, *c.CallerID).Error; err != nil {
		return fmt.Errorf("store: text contacts: load caller: %w", err)
	}
	var booth app.Booth
	if err := tx.First(&booth, c.BoothID).Error; err != nil {
		return fmt.Errorf("store: text contacts: load booth: %w", err)
	}
	var station app.Station
	if err := tx.First(&station, booth.StationID).Error; err != nil {
		return fmt.Errorf("store: text contacts: load station: %w", err)
	}
	params := map[string]any{"Name": caller.Name, "Booth": station.Name + " " + booth.Name}
	for _, ct := range p.EmergencyContacts {
		if err := queueText(tx, nil, ct.Phone, app.LanguageChinese, kind, params); err != nil {
			return err
		}
	}
	return nil
}
