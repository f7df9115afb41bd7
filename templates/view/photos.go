package view

// PhotoZone is the family-photo part of a newborn registration's page: the
// officer records consent and takes photos; the family sees its consents.
type PhotoZone struct {
	RequestID  string
	Officer    bool // may record consent and take photos
	Resident   bool // the family member who filed it
	Offer      bool // the registration is complete: invite the family to the photo zone
	Closed     bool // rejected or cancelled: no photo
	HasConsent bool // a consent is in force
	Guardians  []Option
	Consents   []ConsentRow
	Photos     []PhotoTile
	// IdempotencyKey makes a retried upload store one photo.
	IdempotencyKey string
	// Messages the upload script shows, by what went wrong.
	MsgNoConsent, MsgTooLarge, MsgType, MsgFailed string
}

// ConsentRow is one recorded consent.
type ConsentRow struct {
	ID          string
	Guardian    string // name and relation
	At          string
	Scope       string // what it allows
	Withdrawn   string // when, if withdrawn
	CanWithdraw bool
}

// PhotoTile is one photo with what its viewer may do.
type PhotoTile struct {
	ID       string
	Alt      string
	ThumbURL string
	URL      string
	FullURL  string
	Taken    string
	Keep     bool
	DeleteOn string // unless kept
	Expiring bool   // deleted within a week unless kept
	Links    []ShareLinkRow
}

// ShareLinkRow is a share link that still works.
type ShareLinkRow struct{ ID, Expires string }

// FamilyPhotos is one newborn registration's photos on the family's page.
type FamilyPhotos struct {
	RequestID string
	Title     string // the baby's name and the ticket
	Filer     bool   // the viewer filed it: may invite a second guardian
	Members   []string
	Consents  []ConsentRow
	Photos    []PhotoTile
}

// PhotosPage is the family's photos.
type PhotosPage struct {
	Invitations []FamilyInvitationRow // offers to the viewer's number, to accept or decline
	Families    []FamilyPhotos
	Expiring    int    // photos deleted within a week unless kept
	ExpiresOn   string // the first of those deletions
	SharedURL   string // a link just made: shown once
	NextURL     string
	Flash       string
	Error       string
}

// SharedPhotoPage is what a share link shows: one photo.
type SharedPhotoPage struct {
	ImageURL string
	Expires  string
}

// FamilyInvitationRow is an offer to see a family's photos: who made it
// and when.
type FamilyInvitationRow struct{ ID, From, Offered string }
