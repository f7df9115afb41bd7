package app

import (
	"encoding/json"
	"strconv"
	"time"
)

// Kinds of push alerts, named like the events they follow.
const (
	CallCreatedAlert     = "assistance.created"
	CallEscalatedAlert   = "assistance.escalated"
	NoticePublishedAlert = "notice.published"
)

// PushUrgencyHigh is the urgency of every alert the booth pushes (RFC
// 8030, section 5.3): a call for help, an urgent notice.
const PushUrgencyHigh = "high"

// How long a push service keeps an alert for a device that is offline,
// which is also how long the outbox retries it: an alert about a call
// older than a minute is stale (the live board shows the call anyway); a
// notice stays relevant for hours.
const (
	CallAlertTTL   = 60 * time.Second
	NoticeAlertTTL = 12 * time.Hour
)

// PushAlert is what one push says and how it travels: Payload is the
// JSON the service worker reads, Kind its "type".
type PushAlert struct {
	Kind    string
	Payload []byte
	Urgency string
	TTL     time.Duration
}

// callAlert is the payload of a push about a call: enough for the service
// worker to show "a call for help" and open it; never the caller's message
// or where they are, since push services are third parties.
type callAlert struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Category string `json:"category"`
	URL      string `json:"url"`
}

// CallAlert returns the push about a call, kind CallCreatedAlert or
// CallEscalatedAlert.
func CallAlert(kind string, c *AssistanceCall) PushAlert {
	id := strconv.FormatInt(c.ID, 10)
	// A struct of strings always encodes.
	b, _ := json.Marshal(callAlert{Type: kind, ID: id, Category: c.Category, URL: "/calls/" + id})
	return PushAlert{Kind: kind, Payload: b, Urgency: PushUrgencyHigh, TTL: CallAlertTTL}
}

// noticeAlert is the payload of a push about an urgent notice. A notice is
// public text its station published, so its title may travel; its body
// stays on the server.
type noticeAlert struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Title    string `json:"title"`
	Language string `json:"lang"`
	Severity string `json:"severity"`
	URL      string `json:"url"`
}

// NoticeAlert returns the push about an urgent notice.
func NoticeAlert(n *Notice) PushAlert {
	id := strconv.FormatInt(n.ID, 10)
	// A struct of strings always encodes.
	b, _ := json.Marshal(noticeAlert{Type: NoticePublishedAlert, ID: id, Title: n.Title, Language: n.Language,
		Severity: string(n.Severity), URL: "/notices/" + id})
	return PushAlert{Kind: NoticePublishedAlert, Payload: b, Urgency: PushUrgencyHigh, TTL: NoticeAlertTTL}
}

// PushesOnSave reports whether saving a notice pushes it to the
// residents' phones: it is urgent and current as saved, and it was not
// already out as an urgent notice (wasUrgent), so a correction does not
// ring every phone again. One written ahead goes when it is announced.
func (n *Notice) PushesOnSave(wasUrgent bool) bool {
	return !wasUrgent && n.Urgent && n.Current(n.UpdatedAt)
}

// CallerUpdateAlert is the kind of a push to a caller whose page is
// closed: an officer took or wrote on their call.
const CallerUpdateAlert = "assistance.caller_update"

// CallerAlertTTL is how long a push to a caller is worth delivering: the
// text sent with it carries the same news for longer.
const CallerAlertTTL = time.Hour

// callerAlert is the payload of a push to a caller: what happened
// ("acknowledged" or "message") and the call to open, never what the
// officer wrote; the service worker words it.
type callerAlert struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	What string `json:"what"`
	URL  string `json:"url"`
}

// CallerAlert returns the push telling a caller that an officer took
// their call (TextCallAcknowledged) or wrote on it (TextCallMessage).
func CallerAlert(c *AssistanceCall, text string) PushAlert {
	id := strconv.FormatInt(c.ID, 10)
	what := "acknowledged"
	if text == TextCallMessage {
		what = "message"
	}
	// A struct of strings always encodes.
	b, _ := json.Marshal(callerAlert{Type: CallerUpdateAlert, ID: id, What: what, URL: "/calls/" + id})
	return PushAlert{Kind: CallerUpdateAlert, Payload: b, Urgency: PushUrgencyHigh, TTL: CallerAlertTTL}
}
