package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
)

func TestSlotsAreCreatedByHeadsAndBookedUpToCapacity(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	head := app.Actor{ID: c.head.ID, IP: "10.0.0.9"}
	start := clockOf(t).Now().Add(time.Hour).Truncate(time.Minute)

	slot := &app.Slot{BoothID: c.boothA.ID, StartsAt: start, EndsAt: start.Add(30 * time.Minute), Capacity: 1}
	if err := st.CreateSlot(ctx, head, slot); err != nil {
		t.Fatal(err)
	}
	if slot.ID == 0 || slot.StationID != c.station.ID {
		t.Fatalf("slot %+v: want an id and the booth's station", slot)
	}
	for name, tc := range map[string]struct {
		actor app.Actor
		slot  app.Slot
		code  string
	}{
		"an officer":                 {app.Actor{ID: c.officer.ID}, app.Slot{BoothID: c.boothA.ID, StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 2}, app.EFORBIDDEN},
		"another station's head":     {app.Actor{ID: c.otherHead.ID}, app.Slot{BoothID: c.boothA.ID, StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 2}, app.ENOTFOUND},
		"a booth of another station": {head, app.Slot{StationID: c.station.ID, BoothID: c.otherBooth.ID, StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 2}, app.ENOTFOUND},
		"a missing booth":            {head, app.Slot{BoothID: 9999, StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 2}, app.ENOTFOUND},
		"ends before it starts":      {head, app.Slot{BoothID: c.boothA.ID, StartsAt: start, EndsAt: start.Add(-time.Minute), Capacity: 2}, app.EINVALID},
		"no capacity":                {head, app.Slot{BoothID: c.boothA.ID, StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 0}, app.EINVALID},
		"already over":               {head, app.Slot{BoothID: c.boothA.ID, StartsAt: start.Add(-3 * time.Hour), EndsAt: start.Add(-2 * time.Hour), Capacity: 2}, app.EINVALID},
	} {
		if err := st.CreateSlot(ctx, tc.actor, &tc.slot); app.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
	if audits := auditActions(t, st, "slot."); len(audits) != 1 || audits[0].Action != "slot.create" || *audits[0].ActorID != c.head.ID || *audits[0].StationID != c.station.ID {
		t.Fatalf("slot audits %+v: want one slot.create by the head", audits)
	}

	atB := &app.Slot{BoothID: c.boothB.ID, StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 5}
	started := &app.Slot{BoothID: c.boothA.ID, StartsAt: clockOf(t).Now().Add(-time.Minute), EndsAt: clockOf(t).Now().Add(time.Hour), Capacity: 5}
	for _, sl := range []*app.Slot{atB, started} {
		if err := st.CreateSlot(ctx, app.Actor{ID: c.admin.ID}, sl); err != nil {
			t.Fatal(err)
		}
	}
	book := func(resident *app.User, slotID int64) (*app.ServiceRequest, error) {
		return st.CreateRequest(ctx, app.NewRequest{ResidentID: resident.ID, Services: []string{"other"}, SlotID: &slotID,
			Fields: map[string]map[string]string{"other": {"subject": "预约"}}})
	}
	if _, err := book(c.resident, atB.ID); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("booking booth B's time for booth A: %v, want invalid", err)
	}
	if _, err := book(c.resident, started.ID); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("booking a time that has begun: %v, want invalid", err)
	}
	if _, err := book(c.resident, 9999); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("booking a missing time: %v, want invalid", err)
	}

	first, err := book(c.resident, slot.ID)
	if err != nil || first.SlotID == nil || *first.SlotID != slot.ID {
		t.Fatalf("booking: %+v, %v", first, err)
	}
	if _, err := book(c.neighbour, slot.ID); app.ErrorCode(err) != app.ECONFLICT || app.ErrorMessage(err) != "that time is fully booked" {
		t.Fatalf("booking a full time: %v, want conflict \"that time is fully booked\"", err)
	}
	slots, err := st.ListSlots(ctx, c.boothA.ID, clockOf(t).Now(), 0)
	if err != nil || len(slots) != 1 || slots[0].ID != slot.ID || slots[0].Booked != 1 || slots[0].Capacity != 1 || !slots[0].StartsAt.Equal(start) {
		t.Fatalf("ListSlots from now = %+v, %v: want the one ahead, booked once", slots, err)
	}
	if all, _ := st.ListSlots(ctx, c.boothA.ID, time.Time{}, 0); len(all) != 2 || all[0].ID != started.ID {
		t.Fatalf("ListSlots from the start = %+v: want both of booth A's, earliest first", all)
	}

	move(t, st, first.ID, scopeOf(c.resident), app.RequestMove{ActorID: c.resident.ID, ByResident: true, To: app.RequestCancelled})
	if slots, _ := st.ListSlots(ctx, c.boothA.ID, clockOf(t).Now(), 0); slots[0].Booked != 0 {
		t.Fatalf("after a cancel the slot has %d bookings, want 0", slots[0].Booked)
	}
	if _, err := book(c.neighbour, slot.ID); err != nil {
		t.Fatalf("booking the place a cancel freed: %v", err)
	}
}

func TestConcurrentBookingsNeverOverfillASlot(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	start := clockOf(t).Now().Add(2 * time.Hour)
	slot := &app.Slot{BoothID: c.boothA.ID, StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 3}
	if err := st.CreateSlot(ctx, app.Actor{ID: c.head.ID}, slot); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = st.CreateRequest(ctx, app.NewRequest{ResidentID: c.resident.ID, Services: []string{"other"}, SlotID: &slot.ID,
				Fields: map[string]map[string]string{"other": {"subject": "预约"}}})
		})
	}
	wg.Wait()
	booked := 0
	for _, err := range errs {
		switch app.ErrorCode(err) {
		case "":
			booked++
		case app.ECONFLICT:
		default:
			t.Fatalf("booking: %v", err)
		}
	}
	slots, err := st.ListSlots(ctx, c.boothA.ID, clockOf(t).Now(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if booked != 3 || slots[0].Booked != 3 {
		t.Fatalf("%d bookings went through, the slot counts %d: want exactly its capacity, 3", booked, slots[0].Booked)
	}
}
