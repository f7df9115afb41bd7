package app

import (
	"cmp"
	"slices"
	"time"
)

// Dashboard is a station at a glance for its head: who covers each booth
// right now, the calls still open, how the day is going, the counter's
// queue and what is going wrong.
type Dashboard struct {
	StationID int64            `json:"station_id,string"`
	Booths    []DashboardBooth `json:"booths"`
	OpenCalls []DashboardCall  `json:"open_calls"`
	Today     DashboardToday   `json:"today"`
	Queue     DashboardQueue   `json:"queue"`
	Alerts    DashboardAlerts  `json:"alerts"`
}

// DashboardBooth is one booth now: the officers clocked in there, whether
// one of their tablets has a live event stream, and the coverage gap open
// there, if any.
type DashboardBooth struct {
	ID         int64        `json:"id,string"`
	Name       string       `json:"name"`
	NameEn     string       `json:"-"`
	OnDuty     []OnDuty     `json:"on_duty"`
	TabletLive bool         `json:"tablet_live"`
	OpenGap    *CoverageGap `json:"open_gap"` // null: none
}

// OnDuty is an officer clocked in at a booth, since when.
type OnDuty struct {
	OfficerID int64     `json:"officer_id,string"`
	Name      string    `json:"name"`
	Since     time.Time `json:"since"`
}

// Uncovered reports whether nobody is clocked in at the booth.
func (b *DashboardBooth) Uncovered() bool { return len(b.OnDuty) == 0 }

// DarkTablet reports whether officers are on duty at the booth but none of
// their tablets has a live stream: calls would ring nowhere.
func (b *DashboardBooth) DarkTablet() bool { return len(b.OnDuty) > 0 && !b.TabletLive }

// DashboardCall is an open assistance call.
type DashboardCall struct {
	ID              int64      `json:"id,string"`
	BoothID         int64      `json:"booth_id,string"`
	Status          CallStatus `json:"status"`
	Category        string     `json:"-"`
	AgeSeconds      int        `json:"age_seconds"`
	EscalationLevel int        `json:"escalation_level"`
}

// Unacknowledged reports whether nobody has taken the call yet.
func (c *DashboardCall) Unacknowledged() bool { return c.Status == CallOpen }

// SortOpenCalls puts the calls that need someone now first (not yet
// acknowledged, the oldest first), then the others, the oldest first.
func SortOpenCalls(calls []DashboardCall) {
	slices.SortStableFunc(calls, func(a, b DashboardCall) int {
		if a.Unacknowledged() != b.Unacknowledged() {
			if a.Unacknowledged() {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.AgeSeconds, a.AgeSeconds)
	})
}

// DashboardToday is the station's local day so far.
type DashboardToday struct {
	Calls              int  `json:"calls"`
	MedianAckSeconds   *int `json:"median_ack_seconds"` // null: nothing acknowledged yet
	WorstAckSeconds    *int `json:"worst_ack_seconds"`
	RequestsCompleted  int  `json:"requests_completed"`
	RequestsPastTarget int  `json:"requests_past_target"`
}

// QueueWaiting are the statuses of the people still waiting at the counter:
// their request is in, nobody has started on it.
var QueueWaiting = []RequestStatus{RequestSubmitted, RequestAccepted}

// DashboardQueue is the counter's queue now.
type DashboardQueue struct {
	Waiting            int `json:"waiting"`
	LongestWaitMinutes int `json:"longest_wait_minutes"`
}

// DashboardAlerts counts what is going wrong: messages to the station's
// staff that did not reach them (Web Push deliveries whose last attempt
// failed) and booths whose on-duty tablets are dark.
type DashboardAlerts struct {
	UndeliveredMessages int `json:"undelivered_messages"`
	DarkTablets         int `json:"dark_tablets"`
}

// TabletLiveWithin is how recently an on-duty officer's event stream must
// have been seen for the booth's tablet to count as live.
const TabletLiveWithin = time.Minute
