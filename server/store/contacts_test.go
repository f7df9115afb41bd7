package store_test

import (
	"context"
	"testing"

	"policebooth/server/app"
)

// contactTexts lists the kinds of the texts queued to phone.
func contactTexts(t *testing.T, c *counter, phone string) []string {
	t.Helper()
	var kinds []string
	if err := c.st.DB().Table("outbox_messages").Where("phone = ? AND channel = ?", phone, app.ChannelSMS).Order("id").Pluck("kind", &kinds).Error; err != nil {
		t.Fatal(err)
	}
	return kinds
}

func TestACallsContactTextsAreQueuedInItsTransaction(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	const son = "13900000099"
	p := app.SafetyProfile{EmergencyContacts: []app.EmergencyContact{{Name: "王强", Phone: son, Relation: "儿子"}}, NotifyContacts: true}
	if err := st.SaveSafetyProfile(ctx, c.resident.ID, &p); err != nil {
		t.Fatal(err)
	}
	call, err := st.CreateCall(ctx, app.NewCall{CallerID: c.resident.ID, Category: "medical"}, st.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := contactTexts(t, c, son); len(got) != 1 || got[0] != "contacts.raised" {
		t.Fatalf("texts to the son after the call: %v, want contacts.raised", got)
	}
	// A refused call queues nothing.
	if _, err := st.CreateCall(ctx, app.NewCall{CallerID: c.resident.ID, Category: "crime"}, st.Now()); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("a second open call: %v", err)
	}
	if got := contactTexts(t, c, son); len(got) != 1 {
		t.Fatalf("texts to the son after a refused call: %v, want still one", got)
	}
	if _, err := st.MoveCall(ctx, call.ID, app.CallScope{CallerID: c.resident.ID}, c.resident.ID, app.CallCancelled, "", st.Now()); err != nil {
		t.Fatal(err)
	}
	if got := contactTexts(t, c, son); len(got) != 2 || got[1] != "contacts.cancelled" {
		t.Fatalf("texts to the son after the cancel: %v, want contacts.cancelled next", got)
	}
	// A neighbour who did not ask for it: nobody is texted.
	if _, err := st.CreateCall(ctx, app.NewCall{CallerID: c.neighbour.ID, Category: "other"}, st.Now()); err != nil {
		t.Fatal(err)
	}
	if got := contactTexts(t, c, son); len(got) != 2 {
		t.Fatalf("texts to the son after a neighbour's call: %v", got)
	}
}
