package store

import (
	"fmt"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// What a resident's emergency contacts are told, by text, when they chose
// so in their safety profile: who called, which booth is responding, and
// never where they are. The kinds are i18n message ids.
const (
	contactsRaised    = "contacts.raised"
	contactsResolved  = "contacts.resolved"
	contactsCancelled = "contacts.cancelled"
)

// contactsTold is what the contacts are told when a call moves to a status.
var contactsTold = map[app.CallStatus]string{
	app.CallOpen:      contactsRaised,
	app.CallResolved:  contactsResolved,
	app.CallCancelled: contactsCancelled,
}

// tellContacts queues a text to each emergency contact of the call's
// caller, in the transaction of the call's change, when the call has just
// moved to a status the contacts hear of and the caller asked for it: the
// texts exist exactly when the change does, and send_messages delivers
// them with retries.
func tellContacts(tx *gorm.DB, c *app.AssistanceCall) error {
	kind, ok := contactsTold[c.Status]
	if !ok || c.CallerID == nil {
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
	if err := tx.Select("id", "name").First(&caller, *c.CallerID).Error; err != nil {
		return fmt.Errorf("store: tell contacts: load caller: %w", err)
	}
	var booth app.Booth
	if err := tx.First(&booth, c.BoothID).Error; err != nil {
		return fmt.Errorf("store: tell contacts: load booth: %w", err)
	}
	var station app.Station
	if err := tx.Select("id", "name").First(&station, c.StationID).Error; err != nil {
		return fmt.Errorf("store: tell contacts: load station: %w", err)
	}
	params := map[string]any{"Name": caller.Name, "Booth": station.Name + " " + booth.Name}
	for _, ct := range p.EmergencyContacts {
		if err := queueText(tx, &c.StationID, ct.Phone, app.LanguageChinese, kind, params); err != nil {
			return err
		}
	}
	return nil
}
