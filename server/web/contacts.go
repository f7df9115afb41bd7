package web

import (
	"context"

	"policebooth/server/app"
	"policebooth/server/notify"
)

// What a resident's emergency contacts are told, by text, when they chose
// so in their safety profile: who called, which booth is responding, and
// never where they are.
const (
	contactsRaised    = "contacts.raised"
	contactsResolved  = "contacts.resolved"
	contactsCancelled = "contacts.cancelled"
)

// tellContacts queues texts to the caller's emergency contacts about
// their call, after the call's change has committed: send_messages
// delivers them with retries. Failures to queue are logged.
func (s *Server) tellContacts(ctx context.Context, call *app.AssistanceCall, what string) {
	if call.CallerID == nil {
		return
	}
	p, err := s.store.SafetyProfile(ctx, *call.CallerID)
	if err != nil {
		s.log.Warn("tell contacts: load profile", "call_id", call.ID, "err", err)
		return
	}
	if !p.NotifyContacts || len(p.EmergencyContacts) == 0 {
		return
	}
	u, err := s.store.FindUser(ctx, *call.CallerID)
	if err != nil {
		s.log.Warn("tell contacts: load caller", "call_id", call.ID, "err", err)
		return
	}
	booth := ""
	if b, err := s.booth(ctx, call.BoothID); err == nil {
		booth = b.Name
		if st, err := s.station(ctx, b.StationID); err == nil {
			booth = st.Name + " " + b.Name
		}
	}
	for _, ct := range p.EmergencyContacts {
		if err := s.store.QueueText(ctx, ct.Phone, app.LanguageChinese, what, map[string]any{"Name": u.Name, "Booth": booth}); err != nil {
			s.log.Warn("text to emergency contact not queued", "to", notify.MaskPhone(ct.Phone), "call_id", call.ID, "err", err)
		}
	}
}
