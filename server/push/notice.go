package push

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"policebooth/server/app"
)

// NoticeTTL is how long a push service keeps an urgent notice for a device
// that is offline: a notice stays relevant for hours, unlike a call alert.
const NoticeTTL = 12 * time.Hour

// NoticePublished is the kind of a push about an urgent notice, named like
// the event it follows.
const NoticePublished = "notice.published"

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

// NoticeAlert returns the payload of a push about an urgent notice.
func NoticeAlert(n *app.Notice) []byte {
	id := strconv.FormatInt(n.ID, 10)
	// A struct of strings always encodes.
	b, _ := json.Marshal(noticeAlert{Type: NoticePublished, ID: id, Title: n.Title, Language: n.Language,
		Severity: string(n.Severity), URL: "/notices/" + id})
	return b
}

// NotifyNotice sends payload with high urgency to the devices of the
// residents of a notice's area, in the background as NotifyStation does.
// A nil Sender sends nothing.
func (s *Sender) NotifyNotice(ctx context.Context, n *app.Notice, payload []byte) {
	if s == nil {
		return
	}
	notice := *n
	s.fanOut(ctx, "notice", n.ID, payload, UrgencyHigh, NoticeTTL, func(ctx context.Context) ([]app.PushSubscription, error) {
		return s.subs.NoticePushSubscriptions(ctx, &notice)
	})
}
