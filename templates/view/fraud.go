package view

// FraudPage lists fraud reports: a resident's own, with the form to report
// one; staff their station's, to triage.
type FraudPage struct {
	Staff          bool
	Errors         Errors
	Kinds          []Option
	Value          string
	Description    string
	LossYuan       string
	IdempotencyKey string
	Reports        []FraudRow
}

// FraudRow is one report in a list.
type FraudRow struct {
	ID, Kind, Value, Status, At string
	Loss                        bool
}

// FraudReportPage is one report: the 110/96110 advice for a reporter who
// lost money; triage, the advice record and the notice for staff.
type FraudReportPage struct {
	Flash, ID, Kind, Value, RawValue, Description, Loss, Status, At, Note string
	Staff, NeedsAdvice, Advised, CanMove, Confirmed, Reviewed             bool
	AdvisedLine                                                           string
	Errors                                                                Errors
	Screenshots                                                           []ScreenshotTile
	CanAddScreenshot                                                      bool // the reporter, below the limit
	IdempotencyKey                                                        string
}

// ScreenshotTile is one screenshot on a fraud report's page.
type ScreenshotTile struct{ URL, ThumbURL, Alt string }

// FraudCheckPage checks a value before paying or calling back.
type FraudCheckPage struct {
	Kinds         []Option
	Value         string
	Checked       bool
	Confirmed     int64
	LastConfirmed string
	Errors        Errors
}
