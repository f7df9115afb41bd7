package store

// ticketCounter is the last ticket number given out at a booth on a local
// day. Tickets are issued at arrival (issueTicket, queue.go).
type ticketCounter struct {
	BoothID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Day       string `gorm:"primaryKey"`
	StationID int64
	Last      int
}
