package push

import (
	"context"
	"encoding/json"
	"strconv"

	"policebooth/server/app"
)

// CallerUpdate is the kind of a push to a resident whose page is closed:
// an officer acknowledged or wrote on their call.
const CallerUpdate = "assistance.caller_update"

// callerAlert is the payload of a push to a caller: a title in their
// language and the call to open, never what the officer wrote.
type callerAlert struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// CallerAlert returns the payload of a push to a call's caller with title.
func CallerAlert(c *app.AssistanceCall, title string) []byte {
	id := strconv.FormatInt(c.ID, 10)
	// A struct of strings always encodes.
	b, _ := json.Marshal(callerAlert{Type: CallerUpdate, ID: id, Title: title, URL: "/calls/" + id})
	return b
}

// NotifyUser sends payload with high urgency to every subscription of one
// user, in the background as NotifyStation does. A nil Sender sends
// nothing.
func (s *Sender) NotifyUser(ctx context.Context, userID int64, payload []byte) {
	if s == nil {
		return
	}
	s.fanOut(ctx, "user", userID, payload, UrgencyHigh, TTL, func(ctx context.Context) ([]app.PushSubscription, error) {
		return s.subs.UserPushSubscriptions(ctx, userID)
	})
}
