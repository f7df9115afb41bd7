package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// utf8BOM starts the CSV so spreadsheet programs read Chinese text as UTF-8.
const utf8BOM = "\ufeff"

// csvShiftPage is how many shifts (with their logs) the CSV reads at once.
const csvShiftPage = 100

// handleShiftsCSV: GET /shifts.csv (head): a period's shifts and their
// log entries, one row per entry (a shift without entries has one row).
func (s *Server) handleShiftsCSV(c echo.Context) error {
	f, err := s.shiftFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	// The figures first: a period they refuse is an error, not a cut-off
	// file. The CSV prints the counter's figures, not the entry counts.
	figures, err := s.periodFigures(c, f, s.now(), false)
	if err != nil {
		return err
	}
	loc := s.stationLocation(c, f.StationID)
	people := s.names(ctx)
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format(time.RFC3339)
	}
	name := "shifts-" + f.From.In(loc).Format("20060102") + "-" + f.To.In(loc).AddDate(0, 0, -1).Format("20060102") + ".csv"
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)
	if _, err := c.Response().Write([]byte(utf8BOM)); err != nil {
		return err
	}
	w := newCSVWriter(c.Response())
	header := []string{t(c, "csv.shift"), t(c, "csv.booth"), t(c, "csv.officer"), t(c, "csv.started"), t(c, "csv.ended"),
		t(c, "csv.handover"), t(c, "csv.handover_ack"), t(c, "csv.signed_off"), t(c, "csv.entry"), t(c, "csv.received"),
		t(c, "csv.written"), t(c, "csv.kind"), t(c, "csv.author"), t(c, "csv.text"), t(c, "csv.record"), t(c, "csv.corrects")}
	if err := w.Write(header); err != nil {
		return err
	}
	// Every shift of the period, oldest first, a page of them at a time.
	f.Before, f.Limit, f.Entries, f.OldestFirst = 0, csvShiftPage, true, true
	for {
		shifts, err := s.store.ListShifts(ctx, f)
		if err != nil {
			// The answer has begun: cut the connection, so the download
			// fails where a short file would pass for a whole one.
			s.log.Error("shifts csv: cut short", "err", err)
			panic(http.ErrAbortHandler)
		}
		for i := range shifts {
			sh := &shifts[i]
			base := []string{itoa64(sh.ID), s.boothName(c, sh.BoothID), people.of(&sh.OfficerID), at(&sh.StartedAt), at(sh.EndedAt),
				sh.HandoverNote, people.of(sh.HandoverAckBy), at(sh.SignedOffAt)}
			if len(sh.Entries) == 0 {
				if err := w.Write(append(base, make([]string, 8)...)); err != nil {
					return err
				}
			}
			for _, e := range sh.Entries {
				text := e.Text
				if e.AuthorID == nil && e.RecordID != nil {
					text, _ = s.systemEntry(c, e, people)
				}
				row := append(append([]string{}, base...), itoa64(e.ID), at(&e.CreatedAt), at(e.WrittenAt),
					t(c, "entry_kind."+e.Kind), people.of(e.AuthorID), text, idText(e.RecordID), idText(e.CorrectsID))
				if err := w.Write(row); err != nil {
					return err
				}
			}
		}
		if len(shifts) < f.Limit {
			break
		}
		f.After = shifts[len(shifts)-1].ID
	}
	// The period's counter figures follow the log, one per row.
	for _, fig := range s.counterFigureRows(c, figures) {
		row := make([]string, len(header))
		row[0], row[1], row[2] = t(c, "csv.counter_figure"), fig.Label, fig.Value
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

func idText(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}
