package app

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Needs a resident can name in their safety profile, so the officer who
// takes their call knows how to reach them.
const (
	NeedHearing   = "hearing"
	NeedSpeech    = "speech"
	NeedSight     = "sight"
	NeedMobility  = "mobility"
	NeedCognitive = "cognitive"
)

// SafetyNeeds are the needs in the order they are shown.
var SafetyNeeds = []string{NeedHearing, NeedSpeech, NeedSight, NeedMobility, NeedCognitive}

// Limits of a safety profile.
const (
	MaxMedicalNotes      = 500
	MaxEmergencyContacts = 3
	maxContactField      = 50
)

// EmergencyContact is someone a resident wants told when they call for help.
type EmergencyContact struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Relation string `json:"relation"` // free text, e.g. "儿子"
}

// SafetyProfile is what a resident chooses to tell the officers who answer
// their calls (长者/健康信息). It is theirs: optional, shown to the staff of
// a call's station only while the call is open, erased with the account.
type SafetyProfile struct {
	UserID            int64              `json:"-" gorm:"primaryKey;autoIncrement:false"`
	MedicalNotes      string             `json:"medical_notes"`
	LivesAlone        bool               `json:"lives_alone"`
	Needs             []string           `json:"needs" gorm:"serializer:json"`
	EmergencyContacts []EmergencyContact `json:"emergency_contacts" gorm:"serializer:json"`
	NotifyContacts    bool               `json:"notify_contacts"`
	UpdatedAt         time.Time          `json:"updated_at"`
}

// Empty reports whether the profile says nothing.
func (p *SafetyProfile) Empty() bool {
	return p.MedicalNotes == "" && !p.LivesAlone && len(p.Needs) == 0 && len(p.EmergencyContacts) == 0
}

// Validate trims and checks a profile: notes up to 500 characters, needs
// from SafetyNeeds (each once, kept in their shown order), up to three
// contacts with a name, a mainland mobile number (normalised) and a
// relation of up to 50 characters; notify_contacts needs a contact.
// EINVALID naming the field otherwise.
func (p *SafetyProfile) Validate() error {
	p.MedicalNotes = strings.TrimSpace(p.MedicalNotes)
	if utf8.RuneCountInString(p.MedicalNotes) > MaxMedicalNotes {
		return Errorf(EINVALID, "medical_notes: at most %d characters", MaxMedicalNotes).WithField("medical_notes")
	}
	for _, n := range p.Needs {
		if !slices.Contains(SafetyNeeds, n) {
			return Errorf(EINVALID, "needs: each one of %s", strings.Join(SafetyNeeds, ", ")).WithField("needs")
		}
	}
	needs := []string{}
	for _, n := range SafetyNeeds {
		if slices.Contains(p.Needs, n) {
			needs = append(needs, n)
		}
	}
	p.Needs = needs
	if len(p.EmergencyContacts) > MaxEmergencyContacts {
		return Errorf(EINVALID, "emergency_contacts: at most %d", MaxEmergencyContacts).WithField("emergency_contacts")
	}
	if p.EmergencyContacts == nil {
		p.EmergencyContacts = []EmergencyContact{}
	}
	for i := range p.EmergencyContacts {
		c := &p.EmergencyContacts[i]
		c.Name, c.Relation = strings.TrimSpace(c.Name), strings.TrimSpace(c.Relation)
		if c.Name == "" || utf8.RuneCountInString(c.Name) > maxContactField {
			return Errorf(EINVALID, "emergency_contacts[%d].name: 1 to %d characters", i, maxContactField)
		}
		if utf8.RuneCountInString(c.Relation) > maxContactField {
			return Errorf(EINVALID, "emergency_contacts[%d].relation: at most %d characters", i, maxContactField)
		}
		phone, err := NormalizePhone(c.Phone)
		if err != nil {
			return Errorf(EINVALID, "emergency_contacts[%d].phone: an 11-digit mainland mobile number", i)
		}
		c.Phone = phone
	}
	if p.NotifyContacts && len(p.EmergencyContacts) == 0 {
		return Errorf(EINVALID, "notify_contacts: add an emergency contact first").WithField("notify_contacts")
	}
	return nil
}

// CallerIdentity is who is calling, as the staff of the call's station see
// it: the name, the phone to ring back and whether they use elder mode.
type CallerIdentity struct {
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	ElderMode bool   `json:"elder_mode"`
}

// CallerView is what the staff of a call's station see about its caller:
// the identity always (it stays on the record), the safety profile only
// while the call is open.
type CallerView struct {
	Caller  *CallerIdentity
	Profile *SafetyProfile
}

// CallPosition is one position of the caller's trail.
type CallPosition struct {
	ID        int64     `json:"-" gorm:"primaryKey"`
	CallID    int64     `json:"-"`
	StationID int64     `json:"-"`
	Lat       float64   `json:"lat"`
	Lng       float64   `json:"lng"`
	AccuracyM *float64  `json:"accuracy_m,omitempty"`
	At        time.Time `json:"at"`
}

// HandoffTargets are the emergency services a call can be handed to:
// police 110, ambulance 120, fire 119.
var HandoffTargets = []string{"110", "120", "119"}

// CheckHandoff checks a hand-off's target and trims its reference (the
// other service's incident number, up to 50 characters).
func CheckHandoff(to, reference string) (string, error) {
	if !slices.Contains(HandoffTargets, to) {
		return "", Errorf(EINVALID, "to: one of %s", strings.Join(HandoffTargets, ", "))
	}
	reference = strings.TrimSpace(reference)
	if utf8.RuneCountInString(reference) > maxContactField {
		return "", Errorf(EINVALID, "reference: at most %d characters", maxContactField)
	}
	return reference, nil
}

// SafetyService keeps residents' safety profiles and what staff see of a
// call's caller.
type SafetyService interface {
	// SafetyProfile returns a resident's profile; an empty one when they
	// have none.
	SafetyProfile(ctx context.Context, userID int64) (*SafetyProfile, error)
	// SaveSafetyProfile validates and stores a resident's profile.
	// EINVALID as Validate; EFORBIDDEN for an account that is no resident.
	SaveSafetyProfile(ctx context.Context, userID int64, p *SafetyProfile) error
	// CallerViews returns, for each call of the station among ids, what
	// its staff see of the caller, and audits the view (one entry per call,
	// naming the viewer and where from). Calls of other stations and calls
	// whose caller deleted their account are left out.
	CallerViews(ctx context.Context, stationID, viewerID int64, ids []int64, ip, via string) (map[int64]CallerView, error)
	// CallTrail returns the caller's last positions on a call, newest
	// first, up to limit.
	CallTrail(ctx context.Context, callID int64, limit int) ([]CallPosition, error)
	// HandOffCall records that a station officer handed a call to 110, 120
	// or 119: a timeline entry the caller sees and an assistance.updated
	// event. EINVALID as CheckHandoff, ENOTFOUND out of scope, EFORBIDDEN
	// for anyone but an active officer or head of the call's station.
	HandOffCall(ctx context.Context, id int64, scope CallScope, actorID int64, to, reference string, now time.Time) (*AssistanceCall, error)
}
