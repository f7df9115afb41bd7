package app

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Kinds of value a fraud report (反诈举报) names.
var FraudKinds = []string{"phone", "sms", "url", "account", "app", "other"}

// FraudStatus is where a fraud report is in its triage.
type FraudStatus string

// Statuses of a fraud report.
const (
	FraudNew       FraudStatus = "new"
	FraudReviewed  FraudStatus = "reviewed"
	FraudConfirmed FraudStatus = "confirmed"
	FraudDismissed FraudStatus = "dismissed"
)

// CheckFraudMove allows new → reviewed, confirmed or dismissed and
// reviewed → confirmed or dismissed; confirmed and dismissed are final.
func CheckFraudMove(from, to FraudStatus) error {
	ok := (from == FraudNew && (to == FraudReviewed || to == FraudConfirmed || to == FraudDismissed)) ||
		(from == FraudReviewed && (to == FraudConfirmed || to == FraudDismissed))
	if !ok {
		return Errorf(ECONFLICT, "a %s report cannot become %s", from, to)
	}
	return nil
}

// Limits of fraud report texts and amounts.
const (
	MaxFraudValue       = 500
	MaxFraudDescription = 2000
	MaxFraudLossYuan    = 1_000_000_000
)

// FraudReport is a resident's report of a suspicious phone number, text,
// URL, payment account, app or other thing.
type FraudReport struct {
	ID          int64       `json:"id,string" gorm:"primaryKey"`
	StationID   int64       `json:"station_id,string"`
	BoothID     int64       `json:"booth_id,string"`
	ReporterID  *int64      `json:"reporter_id,string,omitempty"` // nil once the reporter deleted their account
	Kind        string      `json:"kind"`
	Value       string      `json:"value"`     // normalised: what lookups match
	RawValue    string      `json:"raw_value"` // as the resident wrote it
	Description string      `json:"description,omitempty"`
	LossYuan    *int64      `json:"loss_yuan,omitempty"`
	Status      FraudStatus `json:"status"`
	Note        string      `json:"note,omitempty"` // the officer's triage note
	ReviewedBy  *int64      `json:"reviewed_by,string,omitempty"`
	ReviewedAt  *time.Time  `json:"reviewed_at,omitempty"`
	ConfirmedAt *time.Time  `json:"confirmed_at,omitempty"`
	AdvisedBy   *int64      `json:"advised_by,string,omitempty"` // the officer who made sure 110 and 96110 were called
	AdvisedAt   *time.Time  `json:"advised_at,omitempty"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// NeedsCallAdvice reports whether the reporter lost money and must be told
// to call 110 and the anti-fraud line 96110 now.
func (r *FraudReport) NeedsCallAdvice() bool { return r.LossYuan != nil && *r.LossYuan > 0 }

// NewFraudReport is what a resident reports.
type NewFraudReport struct {
	ReporterID  int64
	Kind        string
	Value       string
	Description string
	LossYuan    *int64
}

// Validate checks a report and normalises its value.
func (n *NewFraudReport) Validate() (normal string, err error) {
	n.Value = strings.TrimSpace(n.Value)
	n.Description = strings.TrimSpace(n.Description)
	if !slices.Contains(FraudKinds, n.Kind) {
		return "", Errorf(EINVALID, "kind: one of %s", strings.Join(FraudKinds, ", "))
	}
	if n.Value == "" {
		return "", Errorf(EINVALID, "value: what you want to report")
	}
	if err := checkText("value", n.Value, MaxFraudValue); err != nil {
		return "", err
	}
	if err := checkText("description", n.Description, MaxFraudDescription); err != nil {
		return "", err
	}
	if n.LossYuan != nil && (*n.LossYuan < 0 || *n.LossYuan > MaxFraudLossYuan) {
		return "", Errorf(EINVALID, "loss_yuan: 0 to %d", MaxFraudLossYuan)
	}
	return NormalizeFraudValue(n.Kind, n.Value)
}

// NormalizeFraudValue makes the form lookups match: a phone number its
// digits without +86 or separators, a URL its lower-cased host and path
// (no scheme, www., query, fragment or trailing slash), anything else
// trimmed, lower-cased and with its spaces collapsed.
func NormalizeFraudValue(kind, value string) (string, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", Errorf(EINVALID, "value: what to check")
	}
	if err := checkText("value", value, MaxFraudValue); err != nil {
		return "", err
	}
	switch kind {
	case "phone":
		var b strings.Builder
		for _, r := range value {
			switch {
			case r >= '0' && r <= '9':
				b.WriteRune(r)
			case r == '+' || r == '-' || r == '(' || r == ')' || r == '.' || unicode.IsSpace(r):
			default:
				return "", Errorf(EINVALID, "value: a phone number has digits, spaces, + - ( ) only")
			}
		}
		d := b.String()
		switch {
		case strings.HasPrefix(d, "0086"):
			d = d[4:]
		case strings.HasPrefix(d, "86") && len(d) == 13:
			d = d[2:]
		}
		if len(d) < 3 || len(d) > 20 {
			return "", Errorf(EINVALID, "value: a phone number of 3 to 20 digits")
		}
		return d, nil
	case "url":
		raw := value
		if !strings.Contains(raw, "://") {
			raw = "http://" + raw
		}
		u, err := url.Parse(raw)
		if err != nil || u.Hostname() == "" {
			return "", Errorf(EINVALID, "value: a web address like example.com/pay")
		}
		host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		return host + strings.TrimRight(strings.ToLower(u.EscapedPath()), "/"), nil
	}
	return strings.Join(strings.Fields(strings.ToLower(value)), " "), nil
}

// FraudLookup is what anyone signed in learns about a value: counts only,
// nothing about who reported it.
type FraudLookup struct {
	Kind             string     `json:"kind"`
	Value            string     `json:"value"`
	ConfirmedReports int64      `json:"confirmed_reports"`
	LastConfirmedAt  *time.Time `json:"last_confirmed_at"`
}

// FraudScreenshot is a picture a resident adds to their fraud report (the
// scam's text message, chat or payment page), kept as the photo pipeline's
// re-encoded copy without metadata, with a thumbnail. Only the reporter
// and the station's staff see it.
type FraudScreenshot struct {
	ID         int64     `json:"id,string" gorm:"primaryKey"`
	ReportID   int64     `json:"report_id,string"`
	StationID  int64     `json:"-"`
	UploaderID *int64    `json:"-"`
	BlobKey    string    `json:"-"`
	ThumbKey   string    `json:"-"`
	Width      int       `json:"width"`
	Height     int       `json:"height"`
	Size       int64     `json:"size"`
	CreatedAt  time.Time `json:"created_at"`
}

// MaxFraudScreenshots is how many screenshots one report may hold.
const MaxFraudScreenshots = 5
