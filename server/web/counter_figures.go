package web

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/templates/view"
)

// counterFigureRows are the counter's figures of a review: waits, visits
// against the station's target, service times, no-shows and ratings. The
// review page and the CSV both show these rows.
func (s *Server) counterFigureRows(c echo.Context, f *app.Figures) []view.Figure {
	minutes := func(v *float64) string {
		if v == nil {
			return t(c, "review.none")
		}
		return t(c, "counterfig.minutes", "N", strconv.FormatFloat(*v, 'f', -1, 64))
	}
	share := func(v *float64) string {
		if v == nil {
			return t(c, "review.none")
		}
		return strconv.Itoa(int(*v*100+0.5)) + "%"
	}
	v, r := f.Visits, f.Ratings
	rows := []view.Figure{
		{Label: t(c, "counterfig.visits"), Value: strconv.Itoa(v.Visits)},
		{Label: t(c, "counterfig.wait"), Value: minutes(v.MedianWaitMinutes)},
		{Label: t(c, "counterfig.visit"), Value: minutes(v.MedianVisitMinutes)},
		{Label: t(c, "counterfig.within", "Target", v.TargetMinutes), Value: share(v.WithinTargetShare)},
		{Label: t(c, "counterfig.no_shows"), Value: strconv.Itoa(v.NoShows)},
	}
	for _, sm := range v.ServiceMinutes {
		m := sm.Minutes
		rows = append(rows, view.Figure{Label: t(c, "counterfig.service", "Service", s.serviceName(c, sm.Code)), Value: minutes(&m)})
	}
	rows = append(rows,
		view.Figure{Label: t(c, "counterfig.ratings"), Value: strconv.Itoa(r.Count)},
		view.Figure{Label: t(c, "counterfig.satisfaction"), Value: share(r.Satisfaction)})
	for score := 5; score >= 1; score-- {
		rows = append(rows, view.Figure{Label: ratingLabel(c, score), Value: strconv.Itoa(r.ByScore[strconv.Itoa(score)])})
	}
	return append(rows, view.Figure{Label: t(c, "counterfig.unanswered"), Value: strconv.Itoa(r.Unanswered)})
}

// serviceName names a service in the reader's language, from the
// caller's station's catalogue; its code when that cannot be read.
func (s *Server) serviceName(c echo.Context, code string) string {
	station, ok := caller(c).stationOf()
	if !ok {
		return code
	}
	types, _, err := s.catalogue(c, station)
	if st, found := types[code]; err == nil && found {
		return st.Name.In(i18n.Lang(c.Request().Context()))
	}
	return code
}
