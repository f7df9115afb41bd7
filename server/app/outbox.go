package app

import "time"

// Outbox message statuses.
const (
	MessagePending = "pending"
	MessageSent    = "sent"
	MessageFailed  = "failed" // given up after MessageGiveUp
)

// Channels an outbox message goes by.
const (
	ChannelSMS  = "sms"  // a text to Phone through the SMS gateway
	ChannelPush = "push" // a Web Push alert to one subscription
)

// MessageGiveUp is how long the outbox keeps retrying a text before it
// marks it failed.
const MessageGiveUp = 24 * time.Hour

// OutboxMessage is a text or a push written in the transaction of the
// change that causes it and delivered after the commit, with retries. A
// text's Kind is its i18n message id and Params fill it in Language; its
// Body is rendered once, at the first attempt, so every retry sends the
// same body under the same IdempotencyKey. A push's Kind is its alert's
// kind and Body its payload, for SubscriptionID, with Urgency and a TTL.
type OutboxMessage struct {
	ID             int64      `json:"id,string" gorm:"primaryKey"`
	StationID      *int64     `json:"station_id,string,omitempty"`
	Channel        string     `json:"channel" gorm:"default:sms"` // ChannelSMS when not set
	Phone          string     `json:"-"`
	SubscriptionID *int64     `json:"-"`
	Urgency        string     `json:"-"`
	TTLSeconds     int        `json:"-" gorm:"column:ttl_seconds"`
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

// GiveUpAt is when the outbox stops retrying the message and marks it
// failed: MessageGiveUp after it was written, or sooner for a push whose
// TTL ends first (its push service would drop it then anyway).
func (m *OutboxMessage) GiveUpAt() time.Time {
	if ttl := time.Duration(m.TTLSeconds) * time.Second; m.Channel == ChannelPush && ttl > 0 && ttl < MessageGiveUp {
		return m.CreatedAt.Add(ttl)
	}
	return m.CreatedAt.Add(MessageGiveUp)
}
