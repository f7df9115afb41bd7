package web

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// csvWriter writes CSV that a spreadsheet opens as data: a cell that
// starts with =, +, -, @, a tab or a carriage return would be read as a
// formula (=HYPERLINK(…) runs on a click), so it gets a leading ' as
// OWASP advises; plain numbers stay numbers.
type csvWriter struct{ *csv.Writer }

func newCSVWriter(w io.Writer) csvWriter { return csvWriter{csv.NewWriter(w)} }

// Write writes one row, each cell neutralised.
func (w csvWriter) Write(row []string) error {
	safe := make([]string, len(row))
	for i, cell := range row {
		safe[i] = csvCell(cell)
	}
	return w.Writer.Write(safe)
}

// csvCell neutralises one cell (see csvWriter).
func csvCell(s string) string {
	if s == "" || !strings.ContainsAny(s[:1], "=+-@\t\r") {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}
