package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

func (s *Server) fraudKinds(c echo.Context, selected string) []view.Option {
	out := make([]view.Option, len(app.FraudKinds))
	for i, k := range app.FraudKinds {
		out[i] = view.Option{Value: k, Label: t(c, "fraud_kind."+k), Selected: k == selected}
	}
	return out
}

// handleFraudPage: GET /fraud.
func (s *Server) handleFraudPage(c echo.Context) error {
	return s.renderFraudPage(c, http.StatusOK, view.FraudPage{Errors: view.Errors{}})
}

func (s *Server) renderFraudPage(c echo.Context, status int, v view.FraudPage) error {
	scope, err := fraudScope(c)
	if err != nil {
		return err
	}
	v.Staff = scope.StationID != 0
	v.IdempotencyKey = newKey()
	if v.Kinds == nil {
		v.Kinds = s.fraudKinds(c, "phone")
	}
	reports, err := s.store.ListFraudReports(c.Request().Context(), scope, 100)
	if err != nil {
		return err
	}
	loc := s.residentLocation(c)
	if v.Staff {
		loc = s.stationLocation(c, scope.StationID)
	}
	for _, r := range reports {
		v.Reports = append(v.Reports, view.FraudRow{ID: itoa64(r.ID), Kind: t(c, "fraud_kind."+r.Kind), Value: r.RawValue,
			Status: t(c, "fraud_status."+string(r.Status)), At: pageTime(r.CreatedAt, loc), Loss: r.NeedsCallAdvice()})
	}
	return s.render(c, status, t(c, "fraud.title"), pages.FraudReports(v))
}

// handleFraudSubmit: POST /fraud, a resident reports.
func (s *Server) handleFraudSubmit(c echo.Context) error {
	r := newFraudJSON{Kind: c.FormValue("kind"), Value: c.FormValue("value"), Description: c.FormValue("description")}
	v := view.FraudPage{Errors: view.Errors{}, Kinds: s.fraudKinds(c, r.Kind), Value: r.Value, Description: r.Description,
		LossYuan: strings.TrimSpace(c.FormValue("loss_yuan"))}
	if v.LossYuan != "" {
		n, err := strconv.ParseInt(v.LossYuan, 10, 64)
		if err != nil || n < 0 {
			v.Errors["loss_yuan"] = t(c, "fraud.loss_invalid")
			return s.renderFraudPage(c, http.StatusBadRequest, v)
		}
		r.LossYuan = &n
	}
	rep, err := s.reportFraud(c, r)
	if err != nil {
		msg, status, err := s.formError(c, err)
		if err != nil {
			return err
		}
		v.Errors[""] = msg
		return s.renderFraudPage(c, status, v)
	}
	return c.Redirect(http.StatusSeeOther, "/fraud/"+itoa64(rep.ID))
}

// handleFraudReportPage: GET /fraud/:id.
func (s *Server) handleFraudReportPage(c echo.Context) error {
	flash := ""
	if d := c.QueryParam("done"); d == "moved" || d == "advised" || d == "screenshot" {
		flash = t(c, "fraud_done."+d)
	}
	return s.renderFraudReport(c, http.StatusOK, flash, view.Errors{})
}

func (s *Server) renderFraudReport(c echo.Context, status int, flash string, errs view.Errors) error {
	r, err := s.findFraudReport(c)
	if err != nil {
		return err
	}
	staffView := caller(c).Role != app.RoleResident
	loc := s.residentLocation(c)
	if staffView {
		loc = s.stationLocation(c, r.StationID)
	}
	v := view.FraudReportPage{Flash: flash, Errors: errs, ID: itoa64(r.ID), Kind: t(c, "fraud_kind."+r.Kind), Value: r.Value, RawValue: r.RawValue,
		Description: r.Description, Status: t(c, "fraud_status."+string(r.Status)), At: pageTime(r.CreatedAt, loc), Note: r.Note,
		Staff: staffView, NeedsAdvice: r.NeedsCallAdvice(), Advised: r.AdvisedAt != nil,
		CanMove: r.Status == app.FraudNew || r.Status == app.FraudReviewed, Confirmed: r.Status == app.FraudConfirmed,
		Reviewed: r.Status == app.FraudReviewed}
	if r.LossYuan != nil {
		v.Loss = t(c, "fraud.yuan", "N", strconv.FormatInt(*r.LossYuan, 10))
	}
	if r.AdvisedAt != nil {
		v.AdvisedLine = t(c, "fraud.advised_line", "Name", s.names(c.Request().Context()).of(r.AdvisedBy), "At", pageTime(*r.AdvisedAt, loc))
	}
	shots, err := s.store.ListFraudScreenshots(c.Request().Context(), r.ID)
	if err != nil {
		return err
	}
	for i := range shots {
		j := screenshotJSON(&shots[i])
		v.Screenshots = append(v.Screenshots, view.ScreenshotTile{URL: j.URL, ThumbURL: j.ThumbURL, Alt: t(c, "fraud.screenshot_alt", "N", i+1)})
	}
	v.CanAddScreenshot = !staffView && len(shots) < app.MaxFraudScreenshots
	v.IdempotencyKey = newKey()
	return s.render(c, status, t(c, "fraud.report_title", "ID", v.ID), pages.FraudReport(v))
}

// handleFraudMoveForm: POST /fraud/:id/move (staff).
func (s *Server) handleFraudMoveForm(c echo.Context) error {
	if _, err := s.moveFraud(c, fraudMoveJSON{To: c.FormValue("to"), Note: c.FormValue("note")}); err != nil {
		msg, status, err := s.formError(c, err)
		if err != nil {
			return err
		}
		return s.renderFraudReport(c, status, "", view.Errors{"": msg})
	}
	return c.Redirect(http.StatusSeeOther, "/fraud/"+c.Param("id")+"?done=moved")
}

// handleFraudAdviceForm: POST /fraud/:id/advice (staff).
func (s *Server) handleFraudAdviceForm(c echo.Context) error {
	if _, err := s.recordFraudAdvice(c); err != nil {
		msg, status, err := s.formError(c, err)
		if err != nil {
			return err
		}
		return s.renderFraudReport(c, status, "", view.Errors{"": msg})
	}
	return c.Redirect(http.StatusSeeOther, "/fraud/"+c.Param("id")+"?done=advised")
}

// handleFraudScreenshotForm: POST /fraud/:id/screenshots, the reporter's
// screenshot sent from the report's page (multipart field screenshot).
func (s *Server) handleFraudScreenshotForm(c echo.Context) error {
	_, err := s.saveFraudScreenshot(c)
	switch app.ErrorCode(err) {
	case "":
		return c.Redirect(http.StatusSeeOther, "/fraud/"+c.Param("id")+"?done=screenshot")
	case app.EUNSUPPORTED:
		err = app.Errorf(app.EINVALID, "%s", t(c, "ph.err_type"))
	case app.ETOOLARGE:
		err = app.Errorf(app.EINVALID, "%s", t(c, "ph.err_size"))
	}
	msg, status, ferr := s.formError(c, err)
	if ferr != nil {
		return ferr
	}
	return s.renderFraudReport(c, status, "", view.Errors{"screenshot": msg})
}

// handleFraudNoticePage: GET /fraud/:id/notice (staff): the notice form,
// prefilled from a confirmed report, one step from publishing.
func (s *Server) handleFraudNoticePage(c echo.Context) error {
	r, err := s.findFraudReport(c)
	if err != nil {
		return err
	}
	if r.Status != app.FraudConfirmed {
		return app.Errorf(app.ECONFLICT, "only a confirmed report becomes a notice")
	}
	lang := caller(c).User.Language
	if lang == "" {
		lang = app.LanguageChinese
	}
	n := &app.Notice{Kind: app.NoticeAntiFraud, Severity: app.SeveritySevere, Public: true, Language: lang,
		Title: t(c, "fraud.notice_title", "Kind", t(c, "fraud_kind."+r.Kind), "Value", r.Value),
		Body:  t(c, "fraud.notice_body", "Kind", t(c, "fraud_kind."+r.Kind), "Value", r.Value)}
	v, err := s.noticeForm(c, n, view.Errors{})
	if err != nil {
		return err
	}
	v.Action, v.IdempotencyKey = "/notices/new", newKey()
	return s.render(c, http.StatusOK, t(c, "notices.new"), pages.NoticeForm(v))
}

// handleFraudCheckPage: GET /fraud/check?kind=&value= (anyone signed in).
func (s *Server) handleFraudCheckPage(c echo.Context) error {
	kind, value := c.QueryParam("kind"), c.QueryParam("value")
	if kind == "" {
		kind = "phone"
	}
	v := view.FraudCheckPage{Kinds: s.fraudKinds(c, kind), Value: value, Errors: view.Errors{}}
	status := http.StatusOK
	if value != "" {
		if !validFraudKind(kind) {
			v.Errors["kind"], status = t(c, "fraud.kind_invalid"), http.StatusBadRequest
		} else if res, err := s.store.LookupFraud(c.Request().Context(), kind, value); err != nil {
			if app.ErrorCode(err) != app.EINVALID {
				return err
			}
			v.Errors["value"], status = t(c, "err.invalid", "Message", app.ErrorMessage(err)), http.StatusBadRequest
		} else {
			v.Checked, v.Confirmed = true, res.ConfirmedReports
			if res.LastConfirmedAt != nil {
				v.LastConfirmed = res.LastConfirmedAt.In(s.residentLocation(c)).Format("2006-01-02")
			}
		}
	}
	return s.render(c, status, t(c, "fraud.check_title"), pages.FraudCheck(v))
}
