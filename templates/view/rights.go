package view

// MyData is a resident's data-rights page: download, and the way to
// deletion.
type MyData struct {
	Kept []KeptRow
}

// KeptRow is a record the station keeps after deletion, as listed to the
// resident: what it is and why it stays (both translated).
type KeptRow struct {
	Label  string
	Reason string
}

// DeleteAccount is the confirmation step of an account deletion.
type DeleteAccount struct {
	Kept   []KeptRow
	Errors Errors
}

// Retention is a head's form for the station's retention periods, in days.
type Retention struct {
	StationName                 string
	Location, Photo, Attachment string
	Errors                      Errors
	Flash                       string
}
