// Package view holds the display-shaped models that templates render.
// Handlers fill them; templates never query.
package view

// Page is what the layout needs around every page.
type Page struct {
	Title string // the page's own title; the layout adds the booth's name
	Path  string // the current path, for the language switch to come back to
	Booth Booth
	Asset Assets
	User  *User // nil when nobody is signed in
	// LiveFrom is the event id the page was rendered at; a signed-in page's
	// live script resumes the event stream from it.
	LiveFrom string
	// RenderedAt is when the page was made: an offline copy says so.
	RenderedAt string
	// Urgent are the resident's unread urgent notices, a banner on every
	// page until read.
	Urgent UrgentNotices
	// OpenCall is the resident's open call, a banner on every page but its own.
	OpenCall *OpenCallBanner
	// PrivacyOutdated asks a resident to accept a new privacy policy; it
	// never blocks the page.
	PrivacyOutdated bool
	PrivacyVersion  string
	// Operator is who is signed in on a staff tablet, named in its header.
	Operator string
}

// OpenCallBanner points a resident back to their open call.
type OpenCallBanner struct {
	ID, Status string
}

// User is the signed-in person as the layout shows them.
type User struct {
	ID    string
	Name  string
	Role  string // resident, officer, head, admin
	Elder bool   // the large, simple layout (长辈版)
}

// Booth names the booth the page speaks for, with its phone number.
type Booth struct {
	StationName string
	BoothName   string
	Phone       string
}

// Assets are the content-hashed URLs of the shell's static files.
type Assets struct {
	CSS       string
	JS        string
	HTMX      string
	Live      string
	Assist    string
	Photo     string
	Outbox    string
	Icon      string
	TouchIcon string
}

// ErrorPage describes an error shown to a person.
type ErrorPage struct {
	Status int
}

// Login is the sign-in form.
type Login struct {
	Phone  string
	Next   string
	Errors Errors
	Flash  string
}

// Register is the sign-up form.
type Register struct {
	Phone, Name    string
	Booths         []Option
	Errors         Errors
	PrivacyVersion string // the policy the form asks to accept
}

// Verify is the form for the code sent to a phone, to verify it (Purpose
// "verify") or to set a new password (Purpose "reset").
type Verify struct {
	Purpose string
	Phone   string
	Errors  Errors
	Flash   string
}

// Forgot asks for the phone whose password is forgotten.
type Forgot struct {
	Phone  string
	Errors Errors
}

// ChangePassword is the form to set a new password.
type ChangePassword struct {
	Required bool // the password was reset by a head and must change now
	Errors   Errors
	Flash    string
}

// Home is what every role's home page starts from.
type Home struct {
	OfferElder  bool // a resident who has not yet chosen: offer elder mode
	Elder       bool
	Name        string
	StationName string
	BoothName   string
	BadgeNo     string
	// FamilyOffers counts the resident's open invitations to family photos.
	FamilyOffers int
}

// StaffRow is one officer in a head's list.
type StaffRow struct {
	ID                 string
	Role               string // officer, guard or volunteer, as a label
	Name               string
	Phone              string
	BadgeNo            string
	Disabled           bool
	MustChangePassword bool
}

// StaffPage is a head's management of their station's officers.
type StaffPage struct {
	StationName string
	Officers    []StaffRow
	Form        NewStaff
	Flash       string
}

// NewStaff is the form to create a staff account.
type NewStaff struct {
	Phone, Name, BadgeNo string
	Role, BoothID        string
	Roles                []Option // officer, guard, volunteer
	Booths               []Option // the booth of a guard or volunteer
	Errors               Errors
}

// AuditRow is one recorded staff action.
type AuditRow struct {
	At, Actor, Action, Target, Detail string
}

// AuditPage is a head's view of their station's audit log.
type AuditPage struct {
	Rows       []AuditRow
	Actors     []Option
	Action     string
	From, To   string
	NextURL    string // the next page, empty on the last
	FilterNote string
	// FailedTexts are the station's texts given up after 24 hours.
	FailedTexts []FailedText
}

// FailedText is a text message the outbox gave up on.
type FailedText struct {
	At, To, Kind, Error string
}

// StationRow is one station in the admin's list.
type StationRow struct {
	ID, Name, NameEn, TimeZone string
	Booths                     []string
	Heads                      []string
}

// AdminPage is the admin's management of stations, booths and heads.
type AdminPage struct {
	Stations []StationRow
	Options  []Option // stations, for the booth and head forms
	Errors   Errors
	Flash    string
}
