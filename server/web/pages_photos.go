package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/notify"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// familyPageSize is how many photos the family's page shows at once.
const familyPageSize = 24

// pageDate is a day as pages show it, in the station's zone.
func pageDate(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// newbornFacts lists what a newborn registration records, as the request
// page shows it: the guardians' phone numbers masked.
func newbornFacts(c echo.Context, n *app.Newborn) []view.KeyValue {
	facts := []view.KeyValue{
		{Key: t(c, "nb.baby_name"), Value: n.BabyName}, {Key: t(c, "nb.sex"), Value: t(c, "nb."+n.Sex)},
		{Key: t(c, "nb.birth_date"), Value: n.BirthDate}, {Key: t(c, "nb.birth_place"), Value: n.BirthPlace},
		{Key: t(c, "nb.certificate"), Value: n.BirthCertificateNo},
	}
	for _, g := range n.Guardians {
		value := g.Name
		if g.Phone != "" {
			value += " · " + notify.MaskPhone(g.Phone)
		}
		facts = append(facts, view.KeyValue{Key: t(c, "nb."+g.Relation), Value: value})
	}
	return facts
}

// newbornFieldError puts a newborn registration's validation error by its
// field on the form, in the reader's language; false for other errors.
func newbornFieldError(c echo.Context, err error, errs view.Errors) bool {
	msg := app.ErrorMessage(err)
	switch {
	case app.ErrorCode(err) != app.EINVALID:
		return false
	case strings.HasPrefix(msg, "newborn.birth_date cannot be in the future"):
		errs["nb_birth_date"] = t(c, "nb.err_birth_future")
	case strings.HasPrefix(msg, "newborn.birth_date"):
		errs["nb_birth_date"] = t(c, "nb.err_birth_date")
	case strings.HasPrefix(msg, "newborn.guardians[0].phone"):
		errs["nb_guardian_phone"] = t(c, "err.phone_invalid")
	default:
		return false
	}
	return true
}

// consentRows shows a request's consents; the family may withdraw those in
// force.
func (s *Server) consentRows(c echo.Context, consents []app.PhotoConsent, loc *time.Location, family bool) []view.ConsentRow {
	rows := make([]view.ConsentRow, 0, len(consents))
	for _, pc := range consents {
		scope := t(c, "ph.scope_account")
		if pc.WelcomeBoard {
			scope += t(c, "ph.scope_and_board")
		}
		row := view.ConsentRow{ID: itoa64(pc.ID), Guardian: pc.GuardianName + "（" + t(c, "nb."+pc.GuardianRelation) + "）",
			At: pageTime(pc.CreatedAt, loc), Scope: scope, CanWithdraw: family && pc.InForce()}
		if pc.WithdrawnAt != nil {
			row.Withdrawn = t(c, "ph.withdrawn_at", "At", pageTime(*pc.WithdrawnAt, loc))
		}
		rows = append(rows, row)
	}
	return rows
}

// photoTile shows one photo with its URLs.
func photoTile(c echo.Context, p *app.Photo, loc *time.Location, now time.Time) view.PhotoTile {
	u := "/api/v1/photos/" + itoa64(p.ID)
	return view.PhotoTile{ID: itoa64(p.ID), Alt: t(c, "ph.photo_alt", "At", pageTime(p.CreatedAt, loc)), ThumbURL: u + "/thumb", URL: u, FullURL: u + "?size=full",
		Taken: pageTime(p.CreatedAt, loc), Keep: p.Keep, DeleteOn: pageDate(p.DeleteAfter, loc), Expiring: !p.Keep && p.DeleteAfter.Before(now.AddDate(0, 0, 7))}
}

// photoZone is the photo part of a newborn registration's page.
func (s *Server) photoZone(c echo.Context, r *app.ServiceRequest) (*view.PhotoZone, error) {
	ctx := c.Request().Context()
	p := caller(c)
	loc := s.stationLocation(c, r.StationID)
	z := &view.PhotoZone{
		RequestID: itoa64(r.ID), Officer: p.Role == app.RoleOfficer, Resident: p.Role == app.RoleResident,
		Offer: r.Status == app.RequestCompleted, Closed: r.Status == app.RequestRejected || r.Status == app.RequestCancelled,
		IdempotencyKey: newKey(),
		MsgNoConsent:   t(c, "ph.err_no_consent"), MsgTooLarge: t(c, "ph.err_size"), MsgType: t(c, "ph.err_type"), MsgFailed: t(c, "ph.err_failed"),
	}
	for _, g := range r.Newborn.Guardians {
		z.Guardians = append(z.Guardians, view.Option{Value: g.Name, Label: g.Name + "（" + t(c, "nb."+g.Relation) + "）"})
	}
	consents, err := s.store.ListPhotoConsents(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	for _, pc := range consents {
		z.HasConsent = z.HasConsent || pc.InForce()
	}
	z.Consents = s.consentRows(c, consents, loc, z.Resident)
	scope, err := photoScope(c)
	if err != nil {
		return nil, err
	}
	photos, err := s.store.ListPhotos(ctx, scope, r.ID, 0, 20)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range photos {
		z.Photos = append(z.Photos, photoTile(c, &photos[i], loc, now))
	}
	return z, nil
}

// handlePhotosPage: GET /photos, the family's newborn photos.
func (s *Server) handlePhotosPage(c echo.Context) error {
	flash := ""
	switch c.QueryParam("done") {
	case "keep":
		flash = t(c, "ph.kept_done")
	case "delete":
		flash = t(c, "ph.deleted_done")
	case "revoke":
		flash = t(c, "ph.revoked_done")
	case "withdraw":
		flash = t(c, "ph.withdrawn_done")
	case "invite":
		flash = t(c, "ph.invited_done")
	case "accepted":
		flash = t(c, "fam.accepted_done")
	case "declined":
		flash = t(c, "fam.declined_done")
	}
	shared := ""
	if ck, err := c.Cookie(shareLinkCookie); err == nil && c.QueryParam("done") == "share" {
		shared = ck.Value
		c.SetCookie(s.cookie(shareLinkCookie, "", -1))
		c.Response().Header().Set(offlineHeader, "no") // the link is not kept offline
	}
	return s.renderPhotos(c, http.StatusOK, flash, "", shared)
}

// renderPhotos shows the family's photos page with a message.
func (s *Server) renderPhotos(c echo.Context, status int, flash, errMsg, sharedURL string) error {
	ctx := c.Request().Context()
	me := caller(c).UserID
	var before int64
	if v := c.QueryParam("cursor"); v != "" {
		before, _ = strconv.ParseInt(v, 10, 64)
	}
	photos, err := s.store.ListPhotos(ctx, app.PhotoScope{ResidentID: me}, 0, before, familyPageSize)
	if err != nil {
		return err
	}
	now := s.now()
	links, err := s.store.ListShareLinks(ctx, me, 0, now)
	if err != nil {
		return err
	}
	v := view.PhotosPage{Flash: flash, Error: errMsg, SharedURL: sharedURL}
	offers, err := s.store.ListFamilyInvitations(ctx, me)
	if err != nil {
		return err
	}
	for _, o := range offers {
		v.Invitations = append(v.Invitations, view.FamilyInvitationRow{ID: itoa64(o.ID), From: o.From,
			Offered: pageTime(o.CreatedAt, s.stationLocation(c, o.StationID))})
	}
	index := map[int64]int{}
	var firstExpiry time.Time
	for i := range photos {
		p := &photos[i]
		loc := s.stationLocation(c, p.StationID)
		at, ok := index[p.RequestID]
		if !ok {
			r, err := s.store.FamilyRequest(ctx, me, p.RequestID)
			if err != nil {
				return err
			}
			fam := view.FamilyPhotos{RequestID: itoa64(r.ID), Title: r.Ticket, Filer: r.ResidentID != nil && *r.ResidentID == me}
			if r.Newborn != nil {
				fam.Title = t(c, "ph.family_title", "Baby", r.Newborn.BabyName, "Ticket", r.Ticket)
			}
			consents, err := s.store.ListPhotoConsents(ctx, r.ID)
			if err != nil {
				return err
			}
			fam.Consents = s.consentRows(c, consents, loc, true)
			if fam.Filer {
				members, err := s.store.ListFamily(ctx, r.ID)
				if err != nil {
					return err
				}
				for _, m := range members {
					fam.Members = append(fam.Members, m.Name)
				}
			}
			at = len(v.Families)
			index[p.RequestID] = at
			v.Families = append(v.Families, fam)
		}
		tile := photoTile(c, p, loc, now)
		for _, l := range links {
			if l.PhotoID == p.ID {
				tile.Links = append(tile.Links, view.ShareLinkRow{ID: itoa64(l.ID), Expires: pageTime(l.ExpiresAt, loc)})
			}
		}
		if tile.Expiring {
			v.Expiring++
			if firstExpiry.IsZero() || p.DeleteAfter.Before(firstExpiry) {
				firstExpiry = p.DeleteAfter
				v.ExpiresOn = tile.DeleteOn
			}
		}
		v.Families[at].Photos = append(v.Families[at].Photos, tile)
	}
	if len(photos) == familyPageSize {
		v.NextURL = "/photos?cursor=" + itoa64(photos[len(photos)-1].ID)
	}
	return s.render(c, status, t(c, "ph.page_title"), pages.Photos(v))
}

// afterPhotoForm answers a form on the family's page: back to it with a
// message, or the page again with what went wrong.
func (s *Server) afterPhotoForm(c echo.Context, done string, err error) error {
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/photos?done="+done)
	}
	msg, status, ferr := s.formError(c, err)
	if ferr != nil {
		return ferr
	}
	return s.renderPhotos(c, status, "", msg, "")
}

// handlePhotoPageKeep: POST /photos/:id/keep (form keep=1 or 0).
func (s *Server) handlePhotoPageKeep(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	_, err = s.store.KeepPhoto(c.Request().Context(), caller(c).UserID, id, c.FormValue("keep") == "1")
	return s.afterPhotoForm(c, "keep", err)
}

// handlePhotoPageDelete: POST /photos/:id/delete (form confirm=1).
func (s *Server) handlePhotoPageDelete(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.store.FindPhoto(ctx, id, app.PhotoScope{ResidentID: caller(c).UserID}); err != nil {
		return s.afterPhotoForm(c, "", err)
	}
	if c.FormValue("confirm") != "1" {
		return s.afterPhotoForm(c, "", app.Errorf(app.EINVALID, "%s", t(c, "ph.err_confirm")))
	}
	keys, err := s.store.DeletePhoto(ctx, caller(c).UserID, id)
	if err == nil {
		s.purgeBlobs(ctx, keys)
	}
	return s.afterPhotoForm(c, "delete", err)
}

// handlePhotoPageShare: POST /photos/:id/share (form days): the photos
// page shows the new link once, with copy and share buttons.
func (s *Server) handlePhotoPageShare(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	days, convErr := strconv.Atoi(strings.TrimSpace(c.FormValue("days")))
	if convErr != nil {
		return s.afterPhotoForm(c, "", app.Errorf(app.EINVALID, "%s", t(c, "ph.err_days")))
	}
	_, url, err := s.createShareLink(c, id, days)
	if app.ErrorCode(err) == app.EINVALID {
		err = app.Errorf(app.EINVALID, "%s", t(c, "ph.err_days"))
	}
	if err != nil {
		return s.afterPhotoForm(c, "", err)
	}
	// Post/redirect/get: the link, shown once, rides a short cookie to the
	// page, so refreshing it neither posts again nor shows the link again.
	c.SetCookie(s.cookie(shareLinkCookie, url, 120))
	return c.Redirect(http.StatusSeeOther, "/photos?done=share")
}

// shareLinkCookie carries a new share link from its form to the page that
// shows it once.
const shareLinkCookie = "pb_share_link"

// handleShareLinkPageRevoke: POST /share-links/:id/revoke.
func (s *Server) handleShareLinkPageRevoke(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return s.afterPhotoForm(c, "revoke", s.store.RevokeShareLink(c.Request().Context(), caller(c).UserID, id))
}

// handlePhotoConsentPageWithdraw: POST /photo-consents/:id/withdraw, from
// the family's page or the request page.
func (s *Server) handlePhotoConsentPageWithdraw(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	_, err = s.store.WithdrawPhotoConsent(c.Request().Context(), caller(c).UserID, id)
	return s.afterPhotoForm(c, "withdraw", err)
}

// handleFamilyPageInvite: POST /requests/:id/family (form phone).
func (s *Server) handleFamilyPageInvite(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	err = s.store.InviteFamily(c.Request().Context(), caller(c).UserID, id, c.FormValue("phone"))
	return s.afterPhotoForm(c, "invite", err)
}

// handleFamilyInvitationPageAnswer: POST /family-invitations/:id/accept
// and /decline, from the family's page.
func (s *Server) handleFamilyInvitationPageAnswer(accept bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		_, err = s.store.AnswerFamilyInvitation(c.Request().Context(), caller(c).UserID, id, accept)
		done := "declined"
		if accept {
			done = "accepted"
		}
		return s.afterPhotoForm(c, done, err)
	}
}

// handleRequestPageConsent: POST /requests/:id/photo-consent, the officer
// records a guardian's consent (form guardian, keep_in_account, welcome_board).
func (s *Server) handleRequestPageConsent(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	keep := c.FormValue("keep_in_account") == "1"
	_, err = s.recordConsent(c, id, consentRequest{Guardian: c.FormValue("guardian"), KeepInAccount: &keep, WelcomeBoard: c.FormValue("welcome_board") == "1"})
	if app.ErrorCode(err) == app.EINVALID && !keep {
		err = app.Errorf(app.EINVALID, "%s", t(c, "ph.err_keep_required"))
	}
	return s.afterMove(c, id, err)
}

// handleRequestPagePhoto: POST /requests/:id/photos, the officer's photo
// sent without the page's script (multipart field photo).
func (s *Server) handleRequestPagePhoto(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	_, err = s.savePhoto(c)
	switch app.ErrorCode(err) {
	case "":
		return s.afterMove(c, id, nil)
	case app.EUNSUPPORTED:
		err = app.Errorf(app.EINVALID, "%s", t(c, "ph.err_type"))
	case app.ETOOLARGE:
		err = app.Errorf(app.EINVALID, "%s", t(c, "ph.err_size"))
	}
	var ae *app.Error
	if errors.As(err, &ae) && ae.Code == app.EINVALID {
		return s.afterMove(c, id, err)
	}
	return err
}

// handleSharedPhotoPage: GET /shared/:token, the one photo a share link
// opens, to anyone holding the link while it works.
func (s *Server) handleSharedPhotoPage(c echo.Context) error {
	token := c.Param("token")
	p, l, err := s.store.SharedPhoto(c.Request().Context(), token, s.now())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	v := view.SharedPhotoPage{ImageURL: "/shared/" + token + "/image", Expires: pageTime(l.ExpiresAt, s.stationLocation(c, p.StationID))}
	return s.render(c, http.StatusOK, t(c, "ph.shared_title"), pages.SharedPhoto(v))
}
