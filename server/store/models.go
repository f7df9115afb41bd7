package store

import "policebooth/server/app"

// models are the records the store keeps; a test checks each against the
// migrated schema of both dialects.
var models = []any{
	&app.Station{},
	&app.Booth{},
	&app.Event{},
	&app.AuditEntry{},
	&app.IdempotentResponse{},
	&app.Key{},
	&app.User{},
	&app.Session{},
	&refreshToken{},
	&phoneCode{},
	&throttle{},
	&serviceType{},
	&serviceSetting{},
	&app.Slot{},
	&app.ServiceRequest{},
	&app.RequestService{},
	&app.TimelineEntry{},
	&app.Attachment{},
	&ticketCounter{},
	&app.AssistanceCall{},
	&app.CallEntry{},
	&app.CallMessage{},
	&app.PushSubscription{},
	&app.Shift{},
	&app.ShiftEntry{},
	&app.CoverageGap{},
	&app.PhotoConsent{},
	&app.Photo{},
	&app.PhotoFamilyMember{},
	&app.ShareLink{},
	&blobPurge{},
	&app.Notice{},
	&app.NoticeBooth{},
	&app.NoticeRevision{},
	&app.NoticeReceipt{},
}
