package app

import "time"

// Outbox message statuses.
const (
	MessagePending = "pending"
	MessageSent    = "sent"
	MessageFailed  = "failed" // given up after MessageGiveUp
)

// MessageGiveUp is how long the outbox keeps retrying a text before it
// marks it failed.
const MessageGiveUp = 24 * time.Hour

// OutboxMessage is a text message written in the transaction of the change
// that causes it and delivered after the commit, with retries. Kind is its
// i18n message id and Params fill it in Language; Body is rendered once,
// at the first attempt, so every retry sends the same body under the same
// IdempotencyKey.
type OutboxMessage struct {
	ID             int64      `json:"id,string" gorm:"primaryKey"`
	StationID      *int64     `json:"station_id,string,omitempty"`
	Phone          string     `json:"-"`
	Kind           string     `json:"kind"`
	Language       string     `json:"language"`
	Params         string     `json:"-"`
	Body           string     `json:"-"`
	IdempotencyKey string     `json:"-"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	NextAttemptAt  time.Time  `json:"next_attempt_at"`
	LastError      string     `json:"last_error"`
	CreatedAt      time.Time  `json:"created_at"`
	DoneAt         *time.Time `json:"done_at,omitempty"`
}

// MessageBackoff is how long the outbox waits after a failed attempt (the
// attempts so far): seconds first, doubling, at most five minutes.
func MessageBackoff(attempts int) time.Duration {
	const most = 5 * time.Minute
	if attempts < 1 {
		return time.Second
	}
	if attempts > 9 {
		return most
	}
	return min(time.Second<<(attempts-1), most)
}
