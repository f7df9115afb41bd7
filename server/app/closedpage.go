package app

import "time"

// A resident whose page is closed learns by text (and push, where they
// subscribed) that an officer acknowledged or wrote on their call: with
// the page open they see it live.

// PageOpenWithin is how recently a resident's event stream must have been
// recorded for their page to count as open: open streams are recorded
// every 20 seconds, and a resident's record is cleared when their last
// stream closes.
const PageOpenWithin = 45 * time.Second

// PageOpen reports whether a resident whose event stream was last recorded
// at seenAt has a page open at now.
func PageOpen(seenAt *time.Time, now time.Time) bool {
	return seenAt != nil && now.Sub(*seenAt) < PageOpenWithin
}

// Texts to a resident whose page is closed, by i18n id.
const (
	TextCallAcknowledged = "sms.call_acknowledged"
	TextCallMessage      = "sms.call_message"
)
