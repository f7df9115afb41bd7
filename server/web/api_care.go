package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// careScope is what the caller may see of the care register: a resident
// their own, staff their station's.
func careScope(c echo.Context) (app.CareScope, error) {
	p := caller(c)
	if p.Role == app.RoleResident {
		return app.CareScope{ResidentID: p.UserID}, nil
	}
	station, err := ownStation(c)
	if err != nil {
		return app.CareScope{}, err
	}
	return app.CareScope{StationID: station}, nil
}

type newEnrolmentJSON struct {
	Reasons        []string `json:"reasons"`
	Cadence        string   `json:"cadence"`
	PreferredTimes string   `json:"preferred_times"`
	Note           string   `json:"note"`
	Phone          string   `json:"phone"`        // staff: the resident enrolled
	BoothID        string   `json:"booth_id"`     // staff: the booth that visits (default: the resident's home booth)
	ConsentBy      string   `json:"consent_by"`   // staff: resident or family
	ConsentName    string   `json:"consent_name"` // staff: the family member who consented
}

// handleCareEnrol: POST /care-enrolments (a resident for themselves; staff
// for a resident of their station, with the consent recorded).
func (s *Server) handleCareEnrol(c echo.Context) error {
	var r newEnrolmentJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	e, err := s.enrol(c, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, e)
}

func (s *Server) enrol(c echo.Context, r newEnrolmentJSON) (*app.CareEnrolment, error) {
	ctx := c.Request().Context()
	p := caller(c)
	n := app.NewEnrolment{Reasons: r.Reasons, Cadence: r.Cadence, PreferredTimes: r.PreferredTimes, Note: r.Note,
		ResidentID: p.UserID, EnrolledBy: p.UserID}
	var station int64
	if p.Role != app.RoleResident {
		var err error
		if station, err = ownStation(c); err != nil {
			return nil, err
		}
		phone, err := app.NormalizePhone(r.Phone)
		if err != nil {
			return nil, app.Errorf(app.EINVALID, "phone: the resident's mobile number")
		}
		u, err := s.store.FindUserByPhone(ctx, phone)
		if err != nil {
			if app.ErrorCode(err) == app.ENOTFOUND {
				return nil, app.Errorf(app.EINVALID, "no resident with that phone")
			}
			return nil, err
		}
		n.ResidentID, n.ByStaff, n.ConsentBy, n.ConsentName = u.ID, true, r.ConsentBy, r.ConsentName
		if r.BoothID != "" {
			if n.BoothID, err = parseID(r.BoothID); err != nil {
				return nil, app.Errorf(app.EINVALID, "booth_id is not a booth id")
			}
		}
	} else if r.Phone != "" || r.BoothID != "" || r.ConsentBy != "" || r.ConsentName != "" {
		return nil, app.Errorf(app.EINVALID, "phone, booth_id and consent are for staff enrolling a resident")
	}
	return s.store.Enrol(ctx, n, station, s.now())
}

// handleCareEnrolmentList: GET /care-enrolments (resident: own; staff:
// the station's, ?booth_id=).
func (s *Server) handleCareEnrolmentList(c echo.Context) error {
	scope, err := careScope(c)
	if err != nil {
		return err
	}
	booth, err := optionalID(c, "booth_id")
	if err != nil {
		return err
	}
	items, err := s.store.ListEnrolments(c.Request().Context(), scope, booth)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[app.CareEnrolment]{Items: items})
}

// handleCareEnrolmentGet: GET /care-enrolments/:id.
func (s *Server) handleCareEnrolmentGet(c echo.Context) error {
	scope, err := careScope(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	e, err := s.store.FindEnrolment(c.Request().Context(), id, scope)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

// handleCareLeave: DELETE /care-enrolments/:id (the resident).
func (s *Server) handleCareLeave(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.store.LeaveCare(c.Request().Context(), id, caller(c).UserID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleVisitsDue: GET /visits/due?booth_id= (staff): who is due or
// overdue a visit, overdue first.
func (s *Server) handleVisitsDue(c echo.Context) error {
	station, err := ownStation(c)
	if err != nil {
		return err
	}
	booth, err := optionalID(c, "booth_id")
	if err != nil {
		return err
	}
	items, err := s.store.DueVisits(c.Request().Context(), station, booth, s.now(), s.stationLocation(c, station))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[app.DueVisit]{Items: items})
}

type newVisitJSON struct {
	EnrolmentID       string     `json:"enrolment_id"`
	Outcome           string     `json:"outcome"`
	Wellbeing         string     `json:"wellbeing"`
	FraudWarningGiven bool       `json:"fraud_warning_given"`
	Note              string     `json:"note"`
	WrittenAt         *time.Time `json:"written_at"`
}

// handleVisitCreate: POST /visits (an officer on duty).
func (s *Server) handleVisitCreate(c echo.Context) error {
	var r newVisitJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	v, err := s.recordVisit(c, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) recordVisit(c echo.Context, r newVisitJSON) (*app.CareVisit, error) {
	station, err := ownStation(c)
	if err != nil {
		return nil, err
	}
	id, err := parseID(r.EnrolmentID)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "enrolment_id is not an enrolment id")
	}
	nv := app.NewVisit{EnrolmentID: id, OfficerID: caller(c).UserID, Outcome: r.Outcome, Wellbeing: r.Wellbeing,
		FraudWarningGiven: r.FraudWarningGiven, Note: r.Note, WrittenAt: r.WrittenAt}
	return s.store.RecordVisit(c.Request().Context(), nv, station, s.now())
}

// handleVisitList: GET /visits (resident: the visits made to them; staff:
// the station's, newest first).
func (s *Server) handleVisitList(c echo.Context) error {
	scope, err := careScope(c)
	if err != nil {
		return err
	}
	items, err := s.store.ListVisits(c.Request().Context(), scope, 200)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[app.CareVisit]{Items: items})
}

// handleVisitGet: GET /visits/:id (its resident, the station's staff).
func (s *Server) handleVisitGet(c echo.Context) error {
	scope, err := careScope(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	v, err := s.store.FindVisit(c.Request().Context(), id, scope)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// handleVisitFigures: GET /visits/figures?from=&to= (head).
func (s *Server) handleVisitFigures(c echo.Context) error {
	station, err := ownStation(c)
	if err != nil {
		return err
	}
	from, to, err := s.period(c, station)
	if err != nil {
		return err
	}
	f, err := s.store.VisitFigures(c.Request().Context(), station, from, to, s.now(), s.stationLocation(c, station))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, f)
}

// optionalID reads an optional id query parameter: 0 when absent.
func optionalID(c echo.Context, name string) (int64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	id, err := parseID(v)
	if err != nil {
		return 0, app.Errorf(app.EINVALID, "%s is not valid", name)
	}
	return id, nil
}
