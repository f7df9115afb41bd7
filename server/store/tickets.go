package store

import (
	"fmt"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// ticketCounter is the last ticket number given out at a booth on a local
// day.
type ticketCounter struct {
	BoothID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Day       string `gorm:"primaryKey"`
	StationID int64
	Last      int
}

// issueTicket gives a stored request the next ticket of its booth's day
// (r.TicketDay), named after the booth: A-017. Call it as the last
// statement of the request's transaction. On PostgreSQL it is one
// statement, the upsert of the booth-day counter chained with the
// request's update, so the counter's row is locked from that statement to
// the commit only: requests filed together at one booth wait for each
// other's last statement, not for whole transactions. A transaction that
// fails gives its number back, so the numbers of a booth's day stay gapless
// and unique across instances. SQLite's immediate transactions already let
// one writer in at a time; there it takes two statements.
func (s *Store) issueTicket(tx *gorm.DB, r *app.ServiceRequest, boothName string) error {
	var issued struct {
		Ticket   string
		TicketNo int
	}
	var err error
	if s.postgres {
		err = tx.Raw(`WITH counter AS (
			INSERT INTO ticket_counters (booth_id, day, station_id, last) VALUES (?, ?, ?, 1)
			ON CONFLICT (booth_id, day) DO UPDATE SET last = ticket_counters.last + 1
			RETURNING last)
		UPDATE service_requests SET ticket_no = counter.last,
			ticket = ? || '-' || lpad(counter.last::text, greatest(3, length(counter.last::text)), '0')
		FROM counter WHERE service_requests.id = ?
		RETURNING service_requests.ticket, service_requests.ticket_no`,
			r.BoothID, r.TicketDay, r.StationID, boothName, r.ID).Scan(&issued).Error
	} else {
		err = tx.Exec(`INSERT INTO ticket_counters (booth_id, day, station_id, last) VALUES (?, ?, ?, 1)
			ON CONFLICT (booth_id, day) DO UPDATE SET last = ticket_counters.last + 1`,
			r.BoothID, r.TicketDay, r.StationID).Error
		if err == nil {
			err = tx.Raw(`UPDATE service_requests SET ticket_no = c.last, ticket = printf('%s-%03d', ?, c.last)
				FROM ticket_counters c WHERE c.booth_id = service_requests.booth_id AND c.day = service_requests.ticket_day
				AND service_requests.id = ?
				RETURNING ticket, ticket_no`, boothName, r.ID).Scan(&issued).Error
		}
	}
	if err != nil {
		return fmt.Errorf("store: issue ticket: %w", err)
	}
	if issued.TicketNo == 0 {
		return fmt.Errorf("store: issue ticket: request %d got no number", r.ID)
	}
	r.Ticket, r.TicketNo = issued.Ticket, issued.TicketNo
	return nil
}
