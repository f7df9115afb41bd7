package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// noticeJSON is a community notice as the API shows it. A resident's
// copy says whether they have opened and acknowledged it; a head's carries
// its reach.
type noticeJSON struct {
	ID                   int64                `json:"id,string"`
	StationID            int64                `json:"station_id,string"`
	AuthorID             *int64               `json:"author_id,string,omitempty"`
	Title                string               `json:"title"`
	Body                 string               `json:"body"`
	Kind                 app.NoticeKind       `json:"kind"`
	Severity             app.NoticeSeverity   `json:"severity"`
	Urgent               bool                 `json:"urgent"`
	Public               bool                 `json:"public"`
	Language             string               `json:"language"`
	BoothIDs             []string             `json:"booth_ids"`
	StartsAt             time.Time            `json:"starts_at"`
	ExpiresAt            time.Time            `json:"expires_at"`
	Version              int                  `json:"version"`
	Status               string               `json:"status"` // scheduled, current, expired, withdrawn
	WithdrawnAt          *time.Time           `json:"withdrawn_at,omitempty"`
	WithdrawReason       string               `json:"withdraw_reason,omitempty"`
	NeedsAcknowledgement bool                 `json:"needs_acknowledgement"`
	CAPURL               string               `json:"cap_url,omitempty"`
	CreatedAt            time.Time            `json:"created_at"`
	UpdatedAt            time.Time            `json:"updated_at"`
	Unread               *bool                `json:"unread,omitempty"`
	ReadAt               *time.Time           `json:"read_at,omitempty"`
	AcknowledgedAt       *time.Time           `json:"acknowledged_at,omitempty"`
	Reach                *app.NoticeReach     `json:"reach,omitempty"`
	Revisions            []app.NoticeRevision `json:"revisions,omitempty"`
}

// noticeStatus says where a notice is in its life at now.
func noticeStatus(n *app.Notice, now time.Time) string {
	switch {
	case n.Withdrawn():
		return "withdrawn"
	case now.Before(n.StartsAt):
		return "scheduled"
	case !now.Before(n.ExpiresAt):
		return "expired"
	}
	return "current"
}

func (s *Server) toNoticeJSON(n *app.Notice, now time.Time) noticeJSON {
	out := noticeJSON{
		ID: n.ID, StationID: n.StationID, AuthorID: n.AuthorID, Title: n.Title, Body: n.Body, Kind: n.Kind,
		Severity: n.Severity, Urgent: n.Urgent, Public: n.Public, Language: n.Language, BoothIDs: []string{},
		StartsAt: n.StartsAt, ExpiresAt: n.ExpiresAt, Version: n.Version, Status: noticeStatus(n, now),
		WithdrawnAt: n.WithdrawnAt, WithdrawReason: n.WithdrawReason, NeedsAcknowledgement: n.NeedsAcknowledgement(),
		CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, Revisions: n.Revisions,
	}
	for _, b := range n.BoothIDs {
		out.BoothIDs = append(out.BoothIDs, itoa64(b))
	}
	if n.Public {
		out.CAPURL = s.capURL(n.ID)
	}
	return out
}

// withReceipt adds what a resident did with the notice.
func withReceipt(j noticeJSON, r *app.NoticeReceipt) noticeJSON {
	unread := r == nil || r.ReadAt == nil
	j.Unread = &unread
	if r != nil {
		j.ReadAt, j.AcknowledgedAt = r.ReadAt, r.AcknowledgedAt
	}
	return j
}

// noticeRequest is the body of POST and PATCH /notices.
type noticeRequest struct {
	Title     *string             `json:"title"`
	Body      *string             `json:"body"`
	Kind      *app.NoticeKind     `json:"kind"`
	Severity  *app.NoticeSeverity `json:"severity"`
	Urgent    *bool               `json:"urgent"`
	Public    *bool               `json:"public"`
	Language  *string             `json:"language"`
	BoothIDs  *[]string           `json:"booth_ids"`
	StartsAt  *time.Time          `json:"starts_at"`
	ExpiresAt *time.Time          `json:"expires_at"`
}

func (r noticeRequest) draft() (app.NoticeDraft, error) {
	d := app.NoticeDraft{Title: r.Title, Body: r.Body, Kind: r.Kind, Severity: r.Severity, Urgent: r.Urgent,
		Public: r.Public, Language: r.Language, StartsAt: r.StartsAt, ExpiresAt: r.ExpiresAt}
	if r.BoothIDs != nil {
		ids := make([]int64, 0, len(*r.BoothIDs))
		for _, v := range *r.BoothIDs {
			id, err := parseID(v)
			if err != nil {
				return d, app.Errorf(app.EINVALID, "booth_ids: booth ids as strings")
			}
			ids = append(ids, id)
		}
		d.BoothIDs = &ids
	}
	return d, nil
}

// handleNoticeList: GET /notices. A resident gets the current notices of
// their area, most severe and newest first, each marked unread until
// opened; staff get their station's, newest first (?cursor=), heads with
// each one's reach.
func (s *Server) handleNoticeList(c echo.Context) error {
	p := caller(c)
	ctx := c.Request().Context()
	now := s.now()
	before, err := cursorParam(c)
	if err != nil {
		return err
	}
	if p.Role == app.RoleResident {
		notices, err := s.store.ListResidentNotices(ctx, p.UserID, now)
		if err != nil {
			return err
		}
		out := list[noticeJSON]{Items: make([]noticeJSON, 0, len(notices))}
		for i := range notices {
			out.Items = append(out.Items, withReceipt(s.toNoticeJSON(&notices[i].Notice, now), notices[i].Receipt))
		}
		return c.JSON(http.StatusOK, out)
	}
	station, err := ownStation(c)
	if err != nil {
		return err
	}
	const page = 20
	notices, err := s.store.ListStationNotices(ctx, station, before, page)
	if err != nil {
		return err
	}
	out := list[noticeJSON]{Items: make([]noticeJSON, 0, len(notices))}
	for i := range notices {
		j := s.toNoticeJSON(&notices[i], now)
		if p.Role == app.RoleHead {
			if j.Reach, err = s.noticeReach(ctx, &notices[i]); err != nil {
				return err
			}
		}
		out.Items = append(out.Items, j)
	}
	if len(notices) == page {
		out.NextCursor = itoa64(notices[len(notices)-1].ID)
	}
	return c.JSON(http.StatusOK, out)
}

// noticeReach counts a notice's reach; the list view has no booths loaded.
func (s *Server) noticeReach(ctx context.Context, n *app.Notice) (*app.NoticeReach, error) {
	if n.BoothIDs == nil {
		full, err := s.store.FindNotice(ctx, n.ID, app.NoticeScope{StationID: n.StationID}, s.now())
		if err != nil {
			return nil, err
		}
		n.BoothIDs = full.BoothIDs
	}
	r, err := s.store.NoticeReach(ctx, n)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// handleNoticeCreate: POST /notices (staff). An urgent notice that starts
// now is pushed to the devices of the residents of its area.
func (s *Server) handleNoticeCreate(c echo.Context) error {
	var r noticeRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	if _, err := ownStation(c); err != nil {
		return err
	}
	d, err := r.draft()
	if err != nil {
		return err
	}
	n, err := s.publishNotice(c, d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.toNoticeJSON(n, s.now()))
}

// publishNotice stores a new notice; the store queues its pushes when it
// is urgent and current (app.Notice.PushesOnSave).
func (s *Server) publishNotice(c echo.Context, d app.NoticeDraft) (*app.Notice, error) {
	return s.store.CreateNotice(c.Request().Context(), actorOf(c), d, s.now())
}

// updateNotice saves an update; the store queues the notice's pushes when
// the update made it urgent, or brought an urgent one forward to now: a
// correction to a notice already pushed does not ring every phone again.
func (s *Server) updateNotice(c echo.Context, id int64, d app.NoticeDraft, now time.Time) (*app.Notice, error) {
	return s.store.UpdateNotice(c.Request().Context(), actorOf(c), id, d, now)
}

// AnnounceNotices is one run of the announce_notices job: it announces
// the notices written ahead whose start has come; the store queues the
// urgent ones' pushes.
func (s *Server) AnnounceNotices(ctx context.Context, now time.Time) error {
	_, err := s.store.AnnounceDue(ctx, now)
	return err
}

// handleNoticeGetOrCAP: GET /notices/:id, and GET /notices/{id}.cap.xml
// (Echo's router cannot end a parameter at a literal suffix, so one route
// serves both). The alert is for anyone; the notice itself for a resident
// of its area while current, and for its station's staff.
func (s *Server) handleNoticeGetOrCAP(c echo.Context) error {
	if raw, ok := strings.CutSuffix(c.Param("id"), capSuffix); ok {
		return s.handleNoticeCAP(c, raw)
	}
	return s.require()(s.handleNoticeGet)(c)
}

// handleNoticeGet: GET /notices/:id (signed in).
func (s *Server) handleNoticeGet(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p := caller(c)
	ctx := c.Request().Context()
	now := s.now()
	switch {
	case p.Role == app.RoleResident:
		n, err := s.store.FindNotice(ctx, id, app.NoticeScope{ResidentID: p.UserID}, now)
		if err != nil {
			return err
		}
		mine, err := s.store.NoticeReceiptOf(ctx, id, p.UserID)
		if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
			return err
		}
		j := withReceipt(s.toNoticeJSON(n, now), mine)
		j.Revisions = nil
		return c.JSON(http.StatusOK, j)
	default:
		station, err := ownStation(c)
		if err != nil {
			return err
		}
		n, err := s.store.FindNotice(ctx, id, app.NoticeScope{StationID: station}, now)
		if err != nil {
			return err
		}
		j := s.toNoticeJSON(n, now)
		if p.Role == app.RoleHead {
			if j.Reach, err = s.noticeReach(ctx, n); err != nil {
				return err
			}
		}
		return c.JSON(http.StatusOK, j)
	}
}

// handleNoticeUpdate: PATCH /notices/:id (staff of its station). An update
// that leaves the notice urgent and current is pushed again.
func (s *Server) handleNoticeUpdate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var r noticeRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	if _, err := ownStation(c); err != nil {
		return err
	}
	d, err := r.draft()
	if err != nil {
		return err
	}
	now := s.now()
	n, err := s.updateNotice(c, id, d, now)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.toNoticeJSON(n, now))
}

type withdrawRequest struct {
	Reason string `json:"reason"`
}

// handleNoticeWithdraw: POST /notices/:id/withdraw (staff of its station).
func (s *Server) handleNoticeWithdraw(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var r withdrawRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &r); err != nil {
			return err
		}
	}
	if _, err := ownStation(c); err != nil {
		return err
	}
	n, err := s.store.WithdrawNotice(c.Request().Context(), actorOf(c), id, r.Reason, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.toNoticeJSON(n, s.now()))
}

// receiptJSON is what a resident did with a notice.
type receiptJSON struct {
	NoticeID       string     `json:"notice_id"`
	ReceivedAt     time.Time  `json:"received_at"`
	ReadAt         *time.Time `json:"read_at,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
}

func toReceiptJSON(r *app.NoticeReceipt) receiptJSON {
	return receiptJSON{NoticeID: strconv.FormatInt(r.NoticeID, 10), ReceivedAt: r.ReceivedAt, ReadAt: r.ReadAt, AcknowledgedAt: r.AcknowledgedAt}
}

// handleNoticeRead: POST /notices/:id/read (resident): the notice is opened.
func (s *Server) handleNoticeRead(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := s.store.MarkNoticeRead(c.Request().Context(), id, caller(c).UserID, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toReceiptJSON(r))
}

// handleNoticeAcknowledge: POST /notices/:id/acknowledge (resident): "I
// have read this", for anti-fraud notices.
func (s *Server) handleNoticeAcknowledge(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := s.store.AcknowledgeNotice(c.Request().Context(), id, caller(c).UserID, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toReceiptJSON(r))
}

// handleNoticeReach: GET /notices/:id/reach (head): how many residents of
// the area received, opened and acknowledged the notice.
func (s *Server) handleNoticeReach(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	station, err := ownStation(c)
	if err != nil {
		return err
	}
	n, err := s.store.FindNotice(c.Request().Context(), id, app.NoticeScope{StationID: station}, s.now())
	if err != nil {
		return err
	}
	r, err := s.noticeReach(c.Request().Context(), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
