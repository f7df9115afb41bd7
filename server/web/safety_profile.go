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

// handleSafetyProfileGet: GET /me/safety-profile (resident), an empty
// profile when they keep none.
func (s *Server) handleSafetyProfileGet(c echo.Context) error {
	p, err := s.store.SafetyProfile(c.Request().Context(), caller(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// safetyProfileJSON is the body of PUT /me/safety-profile.
type safetyProfileJSON struct {
	MedicalNotes      string                 `json:"medical_notes"`
	LivesAlone        bool                   `json:"lives_alone"`
	Needs             []string               `json:"needs"`
	EmergencyContacts []app.EmergencyContact `json:"emergency_contacts"`
	NotifyContacts    bool                   `json:"notify_contacts"`
}

// handleSafetyProfilePut: PUT /me/safety-profile replaces the resident's profile.
func (s *Server) handleSafetyProfilePut(c echo.Context) error {
	var r safetyProfileJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	p := app.SafetyProfile{MedicalNotes: r.MedicalNotes, LivesAlone: r.LivesAlone, Needs: r.Needs,
		EmergencyContacts: r.EmergencyContacts, NotifyContacts: r.NotifyContacts}
	if err := s.store.SaveSafetyProfile(c.Request().Context(), caller(c).UserID, &p); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// safetyProfilePage fills the form from a profile.
func safetyProfilePage(c echo.Context, p *app.SafetyProfile) view.SafetyProfilePage {
	v := view.SafetyProfilePage{MedicalNotes: p.MedicalNotes, LivesAlone: p.LivesAlone, NotifyContacts: p.NotifyContacts,
		Needs: needsOptions(c, p), Errors: view.Errors{}}
	for i := range app.MaxEmergencyContacts {
		row := view.ContactRow{N: strconv.Itoa(i + 1)}
		if i < len(p.EmergencyContacts) {
			ct := p.EmergencyContacts[i]
			row.Name, row.Phone, row.Relation = ct.Name, ct.Phone, ct.Relation
		}
		v.Contacts = append(v.Contacts, row)
	}
	return v
}

// handleSafetyProfilePage: GET /safety-profile, the resident's form.
func (s *Server) handleSafetyProfilePage(c echo.Context) error {
	p, err := s.store.SafetyProfile(c.Request().Context(), caller(c).UserID)
	if err != nil {
		return err
	}
	v := safetyProfilePage(c, p)
	v.Saved = c.QueryParam("saved") != ""
	return s.render(c, http.StatusOK, t(c, "safety.title"), pages.SafetyProfile(v))
}

// handleSafetyProfileSubmit: POST /safety-profile saves the form; rows of
// contacts left blank are skipped.
func (s *Server) handleSafetyProfileSubmit(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return app.Errorf(app.EINVALID, "a form was expected")
	}
	p := app.SafetyProfile{MedicalNotes: form.Get("medical_notes"), LivesAlone: form.Get("lives_alone") != "",
		Needs: form["needs"], NotifyContacts: form.Get("notify_contacts") != ""}
	for i := 1; i <= app.MaxEmergencyContacts; i++ {
		n := strconv.Itoa(i)
		ct := app.EmergencyContact{Name: form.Get("contact_name_" + n), Phone: form.Get("contact_phone_" + n), Relation: form.Get("contact_relation_" + n)}
		if strings.TrimSpace(ct.Name+ct.Phone+ct.Relation) != "" {
			p.EmergencyContacts = append(p.EmergencyContacts, ct)
		}
	}
	entered := p
	if err := s.store.SaveSafetyProfile(c.Request().Context(), caller(c).UserID, &p); err != nil {
		msg, status, ferr := s.formError(c, err)
		if ferr != nil {
			return ferr
		}
		v := safetyProfilePage(c, &entered)
		v.Errors[""] = msg
		return s.render(c, status, t(c, "safety.title"), pages.SafetyProfile(v))
	}
	return c.Redirect(http.StatusSeeOther, "/safety-profile?saved=1")
}
