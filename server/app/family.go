package app

import (
	"context"
	"time"
)

// FamilyInvitation is an offer from the filer of a newborn registration to
// the holder of a phone number: once that person, signed in with the number
// verified, accepts it, they become a PhotoFamilyMember and see the
// registration's photos. Until then they see only who offered, and the
// filer learns nothing about the number: every invitation is answered the
// same way and counts against the limit, whether or not the number has an
// account.
type FamilyInvitation struct {
	ID         int64            `json:"id,string" gorm:"primaryKey"`
	StationID  int64            `json:"-"`
	RequestID  int64            `json:"-"` // shown once accepted (FamilyAnswer)
	Phone      string           `json:"-"`
	InvitedBy  int64            `json:"-"`
	From       string           `json:"from" gorm:"-"` // the inviter's name, for the invitee to decide
	Status     InvitationStatus `json:"status"`
	CreatedAt  time.Time        `json:"created_at"`
	AnsweredAt *time.Time       `json:"answered_at,omitempty"`
	AnsweredBy *int64           `json:"-"`
}

// TableName is family_invitations.
func (FamilyInvitation) TableName() string { return "family_invitations" }

// InvitationStatus is where a family invitation stands.
type InvitationStatus string

// The states of a family invitation: offered, then accepted or declined,
// once.
const (
	InvitationOffered  InvitationStatus = "offered"
	InvitationAccepted InvitationStatus = "accepted"
	InvitationDeclined InvitationStatus = "declined"
)

// MaxFamilyInvitations is how many open or accepted invitations one
// registration may have.
const MaxFamilyInvitations = 3

// FamilyService keeps the offers to see a newborn's photos.
type FamilyService interface {
	// InviteFamily offers the holder of phone the photos of a newborn
	// registration the resident filed. ENOTFOUND unless they filed it;
	// EINVALID for a bad or their own number or another kind of request;
	// ECONFLICT when MaxFamilyInvitations are open or accepted.
	InviteFamily(ctx context.Context, residentID, requestID int64, phone string) error
	// ListFamilyInvitations returns the open offers to the resident's
	// number, newest first, each with the inviter's name.
	ListFamilyInvitations(ctx context.Context, residentID int64) ([]FamilyInvitation, error)
	// AnswerFamilyInvitation accepts or declines an offer to the
	// resident's number. ENOTFOUND for another number's offer; ECONFLICT
	// once answered.
	AnswerFamilyInvitation(ctx context.Context, residentID, id int64, accept bool) (*FamilyInvitation, error)
}
