package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/notify"
)

// fraudScope is what the caller may see of fraud reports: a resident their
// own, staff their station's.
func fraudScope(c echo.Context) (app.FraudScope, error) {
	p := caller(c)
	if p.Role == app.RoleResident {
		return app.FraudScope{ReporterID: p.UserID}, nil
	}
	station, err := ownStation(c)
	if err != nil {
		return app.FraudScope{}, err
	}
	return app.FraudScope{StationID: station}, nil
}

type newFraudJSON struct {
	Kind        string `json:"kind"`
	Value       string `json:"value"`
	Description string `json:"description"`
	LossYuan    *int64 `json:"loss_yuan"`
}

// handleFraudCreate: POST /fraud-reports (resident).
func (s *Server) handleFraudCreate(c echo.Context) error {
	var r newFraudJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	rep, err := s.reportFraud(c, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, rep)
}

// reportFraud stores a report; a reporter who lost money is also texted to
// call 110 and 96110 now (through the outbox, not waiting for the gateway).
func (s *Server) reportFraud(c echo.Context, r newFraudJSON) (*app.FraudReport, error) {
	p := caller(c)
	rep, err := s.store.CreateFraudReport(c.Request().Context(), app.NewFraudReport{ReporterID: p.UserID, Kind: r.Kind, Value: r.Value,
		Description: r.Description, LossYuan: r.LossYuan}, s.now())
	if err != nil {
		return nil, err
	}
	if rep.NeedsCallAdvice() {
		if err := s.store.QueueText(c.Request().Context(), p.User.Phone, p.User.Language, "sms.fraud_loss", nil); err != nil {
			s.log.Warn("fraud loss advice not queued", "to", notify.MaskPhone(p.User.Phone), "report_id", rep.ID, "err", err)
		}
	}
	return rep, nil
}

// handleFraudList: GET /fraud-reports (resident: own; staff: station's).
func (s *Server) handleFraudList(c echo.Context) error {
	scope, err := fraudScope(c)
	if err != nil {
		return err
	}
	items, err := s.store.ListFraudReports(c.Request().Context(), scope, 200)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[app.FraudReport]{Items: items})
}

func (s *Server) findFraudReport(c echo.Context) (*app.FraudReport, error) {
	scope, err := fraudScope(c)
	if err != nil {
		return nil, err
	}
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	return s.store.FindFraudReport(c.Request().Context(), id, scope)
}

// handleFraudGet: GET /fraud-reports/:id (its reporter, station staff).
func (s *Server) handleFraudGet(c echo.Context) error {
	rep, err := s.findFraudReport(c)
	if err != nil {
		return err
	}
	out, err := s.withScreenshots(c, rep)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

type fraudMoveJSON struct {
	To   string `json:"to"`
	Note string `json:"note"`
}

// handleFraudTransition: POST /fraud-reports/:id/transitions (staff).
func (s *Server) handleFraudTransition(c echo.Context) error {
	var r fraudMoveJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	rep, err := s.moveFraud(c, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

func (s *Server) moveFraud(c echo.Context, r fraudMoveJSON) (*app.FraudReport, error) {
	station, id, err := fraudOfStation(c)
	if err != nil {
		return nil, err
	}
	return s.store.MoveFraudReport(c.Request().Context(), id, station, caller(c).UserID, app.FraudStatus(r.To), r.Note, s.now())
}

// handleFraudAdvice: POST /fraud-reports/:id/advice (staff): the reporter
// who lost money has called 110 and 96110.
func (s *Server) handleFraudAdvice(c echo.Context) error {
	rep, err := s.recordFraudAdvice(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

func (s *Server) recordFraudAdvice(c echo.Context) (*app.FraudReport, error) {
	station, id, err := fraudOfStation(c)
	if err != nil {
		return nil, err
	}
	return s.store.RecordFraudAdvice(c.Request().Context(), id, station, caller(c).UserID, s.now())
}

// handleFraudLookup: GET /fraud-reports/lookup?kind=&value= (anyone signed
// in): how many confirmed reports name the value; nothing about who.
func (s *Server) handleFraudLookup(c echo.Context) error {
	kind, value := c.QueryParam("kind"), c.QueryParam("value")
	if !validFraudKind(kind) {
		return app.Errorf(app.EINVALID, "kind: one of phone, sms, url, account, app, other")
	}
	out, err := s.store.LookupFraud(c.Request().Context(), kind, value)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func validFraudKind(kind string) bool { return slices.Contains(app.FraudKinds, kind) }

// fraudOfStation reads the :id of a fraud report and the caller's
// station, which triage is scoped to.
func fraudOfStation(c echo.Context) (station, id int64, err error) {
	if id, err = idParam(c); err != nil {
		return 0, 0, err
	}
	station, err = ownStation(c)
	return station, id, err
}
