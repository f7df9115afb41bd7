package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// apiOperation documents one API route. The OpenAPI document is built from
// apiOperations, and a test fails when a registered route is missing here
// or a documented one is not registered.
type apiOperation struct {
	Method   string
	Path     string // as registered under /api/v1, with :params
	Summary  string
	Tag      string
	Auth     bool   // needs a signed-in caller
	Request  string // schema name of the JSON body, if any
	Response string // schema name of the success body
	Status   int    // success status
	Errors   []int
	// Route is the registered route that serves Path, when the two differ:
	// Echo cannot end a parameter at a literal suffix (/notices/{id}.cap.xml).
	Route string
	// MediaType is the success body's type when it is not JSON.
	MediaType string
}

var apiOperations = []apiOperation{
	{Method: http.MethodGet, Path: "/openapi.json", Summary: "This document", Tag: "meta", Response: "OpenAPI", Status: 200},
	{Method: http.MethodGet, Path: "/booths", Summary: "List the booths residents can choose from", Tag: "stations", Response: "BoothList", Status: 200},
	{Method: http.MethodPatch, Path: "/booths/:id", Summary: "A head sets how long a call may wait for an acknowledgement before it escalates", Tag: "stations", Auth: true, Request: "BoothUpdate", Response: "Booth", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodPost, Path: "/auth/register", Summary: "Sign up as a resident; the same answer whether or not the number is taken (a new number gets its code, the owner of a taken one a text that someone tried); then verify or sign in", Tag: "accounts", Request: "Register", Response: "Status", Status: 202, Errors: []int{400, 429, 503}},
	{Method: http.MethodGet, Path: "/privacy", Summary: "The privacy policy and user agreement in force: the version sign-up must accept and where to read it", Tag: "accounts", Response: "Privacy", Status: 200},
	{Method: http.MethodPost, Path: "/me/privacy", Summary: "A resident accepts the privacy policy and user agreement in force (version from GET /privacy)", Tag: "accounts", Auth: true, Request: "PrivacyAcceptance", Response: "User", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodPost, Path: "/auth/login", Summary: "Sign in with phone and password", Tag: "accounts", Request: "Login", Response: "TokenPair", Status: 200, Errors: []int{400, 401, 429}},
	{Method: http.MethodPost, Path: "/auth/refresh", Summary: "Rotate a refresh token; a retry within 10 s returns the same pair, later reuse ends the session", Tag: "accounts", Request: "Refresh", Response: "TokenPair", Status: 200, Errors: []int{400, 401}},
	{Method: http.MethodPost, Path: "/auth/logout", Summary: "End the caller's session", Tag: "accounts", Auth: true, Response: "Empty", Status: 204, Errors: []int{401}},
	{Method: http.MethodPost, Path: "/auth/codes", Summary: "Send a one-time code to verify a phone or reset a password", Tag: "accounts", Request: "CodeRequest", Response: "Status", Status: 202, Errors: []int{400, 429}},
	{Method: http.MethodPost, Path: "/auth/verify", Summary: "Verify a phone with its code; answers a token pair (tries counted per address and per phone, across codes)", Tag: "accounts", Request: "Verify", Response: "TokenPair", Status: 200, Errors: []int{400, 429}},
	{Method: http.MethodPost, Path: "/auth/reset", Summary: "Set a new password with a reset code; every session ends", Tag: "accounts", Request: "Reset", Response: "Status", Status: 200, Errors: []int{400, 429}},
	{Method: http.MethodGet, Path: "/events", Summary: "The caller's live events (text/event-stream): id (an opaque position to resume from), event <record>.<change>, data JSON with the record's id and status. Last-Event-ID or ?last_event_id= resumes; from before the log's replay window the stream sends one reload event instead", Tag: "events", Auth: true, Response: "EventStream", Status: 200, Errors: []int{400, 401}},
	{Method: http.MethodGet, Path: "/me", Summary: "The caller's account", Tag: "accounts", Auth: true, Response: "User", Status: 200, Errors: []int{401}},
	{Method: http.MethodPatch, Path: "/me", Summary: "Change name, language, home booth, elder mode or password (a new password ends every other session)", Tag: "accounts", Auth: true, Request: "MeUpdate", Response: "User", Status: 200, Errors: []int{400, 401}},
	{Method: http.MethodGet, Path: "/staff", Summary: "A station's heads and officers (head: own station; admin: ?station_id=)", Tag: "staff", Auth: true, Response: "UserList", Status: 200, Errors: []int{401, 403}},
	{Method: http.MethodPost, Path: "/staff", Summary: "Create an officer, or a guard or volunteer of a booth (head), or also a head (admin); the account sets its own password at first sign-in", Tag: "staff", Auth: true, Request: "NewStaff", Response: "User", Status: 201, Errors: []int{400, 401, 403, 409}},
	{Method: http.MethodPost, Path: "/staff/:id/disable", Summary: "Disable a staff account; its tokens stop working at once", Tag: "staff", Auth: true, Response: "Status", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/staff/:id/enable", Summary: "Enable a staff account again", Tag: "staff", Auth: true, Response: "Status", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/staff/:id/reset-password", Summary: "Set a one-time password the officer must change at next sign-in", Tag: "staff", Auth: true, Request: "PasswordReset", Response: "Status", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodGet, Path: "/audit", Summary: "The head's station's audit log (?actor=&action=&from=&to=&cursor=)", Tag: "staff", Auth: true, Response: "AuditList", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodPost, Path: "/stations", Summary: "Create a station (admin)", Tag: "stations", Auth: true, Request: "NewStation", Response: "Station", Status: 201, Errors: []int{400, 401, 403}},
	{Method: http.MethodGet, Path: "/service-types", Summary: "The counter's services (?booth_id=; else the caller's station)", Tag: "requests", Response: "ServiceTypeList", Status: 200, Errors: []int{400, 404}},
	{Method: http.MethodPatch, Path: "/service-types/:code", Summary: "A head's setting for a service: enabled, target minutes, note", Tag: "requests", Auth: true, Request: "ServiceSetting", Response: "ServiceTypeList", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodGet, Path: "/slots", Summary: "A booth's booking times not yet started, with the places remaining (?booth_id=&date=, a local date of the station)", Tag: "requests", Auth: true, Response: "SlotList", Status: 200, Errors: []int{400, 401, 404}},
	{Method: http.MethodPost, Path: "/slots", Summary: "Open a booking time (head)", Tag: "requests", Auth: true, Request: "NewSlot", Response: "Slot", Status: 201, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodPost, Path: "/service-requests", Summary: "Submit a visit bundling services (resident), or file a walk-in at the counter (staff, with booth_id and walk_in {name, phone}: arrived at once, with its ticket). A resident's request gets its ticket on arrival. Idempotency-Key honoured", Tag: "requests", Auth: true, Request: "NewRequest", Response: "Request", Status: 201, Errors: []int{400, 401, 403, 409}},
	{Method: http.MethodGet, Path: "/service-requests", Summary: "Requests: a resident's own, staff their station's (?status=&type=&booth_id=&assignee=&from=&to=&cursor=&limit=)", Tag: "requests", Auth: true, Response: "RequestList", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodGet, Path: "/service-requests/:id", Summary: "One request with its timeline", Tag: "requests", Auth: true, Response: "Request", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/service-requests/:id/transitions", Summary: "Move a request (staff; a resident may only cancel)", Tag: "requests", Auth: true, Request: "Transition", Response: "Request", Status: 200, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/service-requests/:id/assignment", Summary: "Hand a request to another officer of the station", Tag: "requests", Auth: true, Request: "Assignment", Response: "Request", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodPost, Path: "/service-requests/:id/notes", Summary: "Add a staff note to the timeline", Tag: "requests", Auth: true, Request: "Note", Response: "Request", Status: 201, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodPut, Path: "/service-requests/:id/checklist", Summary: "Tick the documents seen (\"code:index\")", Tag: "requests", Auth: true, Request: "Checklist", Response: "Request", Status: 200, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/service-requests/:id/attachments", Summary: "Add a document photo or PDF (multipart field file, at most 10 MB)", Tag: "requests", Auth: true, Response: "Attachment", Status: 201, Errors: []int{400, 401, 403, 404, 409, 413, 415}},
	{Method: http.MethodGet, Path: "/attachments/:id", Summary: "A document's bytes, to its owner and station staff", Tag: "requests", Auth: true, Response: "Binary", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/assistance-calls", Summary: "Call for help now; reaches every officer of the booth's station. Never refused past the hourly bound: marked repeated with calls_this_hour. Idempotency-Key honoured", Tag: "assistance", Auth: true, Request: "NewCall", Response: "Call", Status: 201, Errors: []int{400, 401, 403, 409}},
	{Method: http.MethodGet, Path: "/assistance-calls", Summary: "Calls, newest first: a resident's own, staff their station's (?open=1); an available guard or volunteer their booth's open calls, reduced to id, status, category, message, distance_m and created_at; ?limit= (1 to 100, default 100) and ?cursor= (the next_cursor of the page before)", Tag: "assistance", Auth: true, Response: "CallList", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/assistance-calls/:id/assists", Summary: "A guard or volunteer of the call's booth, while available, answers it: on_my_way, then arrived. The officer still owns the call", Tag: "assistance", Auth: true, Request: "Assist", Response: "AssistAnswer", Status: 201, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPut, Path: "/me/availability", Summary: "A guard or volunteer is ready to help now, or not (off by default)", Tag: "assistance", Auth: true, Request: "Availability", Response: "User", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodPut, Path: "/booths/:id/volunteers-visible", Summary: "Whether the booth's callers see that a community volunteer is on the way (the station's officers and head)", Tag: "assistance", Auth: true, Request: "VolunteersVisible", Response: "VolunteersVisibleState", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodGet, Path: "/assistance-calls/:id", Summary: "One call with its timeline and messages; for the staff of its station also the caller (name, phone, elder mode: every such view audited), the caller's safety profile while the call is open, the trail of positions and map links (AMap in GCJ-02, Baidu in BD-09, geo: in WGS-84)", Tag: "assistance", Auth: true, Response: "Call", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/assistance-calls/:id/location", Summary: "The caller's newer position", Tag: "assistance", Auth: true, Request: "Location", Response: "Status", Status: 200, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/assistance-calls/:id/messages", Summary: "A short message between the caller and the officers", Tag: "assistance", Auth: true, Request: "Note", Response: "CallMessage", Status: 201, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/assistance-calls/:id/handoffs", Summary: "A station officer or head records that the call was handed to 110, 120 or 119 (acknowledged or not): a timeline step the caller sees. Idempotency-Key honoured", Tag: "assistance", Auth: true, Request: "Handoff", Response: "Call", Status: 201, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodPost, Path: "/assistance-calls/:id/photos", Summary: "The caller, or the officer who took the call, adds a photo to the open call (multipart field photo, at most 12 MB): metadata stripped, decompression bombs refused; kept like the call's location. Idempotency-Key honoured", Tag: "assistance", Auth: true, Response: "CallPhoto", Status: 201, Errors: []int{400, 401, 403, 404, 409, 413, 415}},
	{Method: http.MethodGet, Path: "/assistance-calls/:id/photos", Summary: "A call's photos, oldest first, to the caller and the staff of its station", Tag: "assistance", Auth: true, Response: "CallPhotoList", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodGet, Path: "/assistance-calls/:id/photos/:photo_id", Summary: "A call photo's display copy (?size=full: the full-size copy as a download), to the caller and the staff of its station; staff views are audited", Tag: "assistance", Auth: true, Response: "Binary", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodGet, Path: "/assistance-calls/:id/photos/:photo_id/thumb", Summary: "A call photo's thumbnail, to the caller and the staff of its station", Tag: "assistance", Auth: true, Response: "Binary", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/safety-timers", Summary: "Start the calling resident's safety timer (安全守护), 1–240 minutes, one at a time (409 while one runs); the phone's position is raised with the call. Without a check-in, the phone alerts for 30 s after the time runs out, then an assistance call is raised by itself, once. Idempotency-Key honoured", Tag: "assistance", Auth: true, Request: "NewSafetyTimer", Response: "SafetyTimer", Status: 201, Errors: []int{400, 401, 403, 409}},
	{Method: http.MethodPost, Path: "/safety-timers/:id/check-in", Summary: "\"I'm safe\": end the resident's running timer; 409 once it has ended or raised its call", Tag: "assistance", Auth: true, Response: "SafetyTimer", Status: 200, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodGet, Path: "/me/safety-profile", Summary: "The calling resident's safety profile (empty when none is kept)", Tag: "accounts", Auth: true, Response: "SafetyProfile", Status: 200, Errors: []int{401, 403}},
	{Method: http.MethodPut, Path: "/me/safety-profile", Summary: "Replace the calling resident's safety profile: notes up to 500 characters, needs, up to 3 emergency contacts with mainland mobile numbers; shown to the staff of their calls' station while a call is open, erased with the account", Tag: "accounts", Auth: true, Request: "SafetyProfile", Response: "SafetyProfile", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodPost, Path: "/assistance-calls/:id/transitions", Summary: "Move a call (officers; the caller may only cancel); 409 when another officer acknowledged first", Tag: "assistance", Auth: true, Request: "CallTransition", Response: "Call", Status: 200, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodGet, Path: "/push/key", Summary: "The VAPID public key browsers subscribe with (Web Push is best effort)", Tag: "assistance", Auth: true, Response: "PushKey", Status: 200, Errors: []int{401, 503}},
	{Method: http.MethodPost, Path: "/push-subscriptions", Summary: "Store this browser's push subscription (PushSubscription.toJSON())", Tag: "assistance", Auth: true, Request: "PushSubscription", Response: "Status", Status: 201, Errors: []int{400, 401, 403}},
	{Method: http.MethodDelete, Path: "/push-subscriptions", Summary: "Remove one of the caller's push subscriptions", Tag: "assistance", Auth: true, Request: "Unsubscribe", Response: "Empty", Status: 204, Errors: []int{400, 401, 404}},
	{Method: http.MethodPost, Path: "/shifts/clock-in", Summary: "Clock in at a booth of the officer's station, with the device location if given (far away is flagged)", Tag: "shifts", Auth: true, Request: "ClockIn", Response: "Shift", Status: 201, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/shifts/clock-out", Summary: "Clock out with the handover note for the next officer", Tag: "shifts", Auth: true, Request: "ClockOut", Response: "Shift", Status: 200, Errors: []int{400, 401, 403, 409}},
	{Method: http.MethodGet, Path: "/shifts/current", Summary: "The officer's open shift with its log and the booth's open handover; 404 off duty", Tag: "shifts", Auth: true, Response: "CurrentShift", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodGet, Path: "/shifts/figures", Summary: "A period's figures and charts data (?booth_id=&officer_id=&from=&to=, dates; default the last 7 days)", Tag: "shifts", Auth: true, Response: "Figures", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodGet, Path: "/dashboard", Summary: "The head's station at a glance: each booth's officers on duty, live tablet and open gap; open calls, those not acknowledged first; today's figures; the counter's queue; alerts (?station_id= only the head's own; another station's is 404)", Tag: "shifts", Auth: true, Response: "Dashboard", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodGet, Path: "/shifts.csv", Summary: "A period's shifts and log entries as CSV, UTF-8 with BOM (?booth_id=&from=&to=; default the last 7 days)", Tag: "shifts", Auth: true, Response: "Binary", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodGet, Path: "/shifts", Summary: "The station's shifts (?booth_id=&officer_id=&from=&to=&cursor=&limit=)", Tag: "shifts", Auth: true, Response: "ShiftList", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodGet, Path: "/shifts/:id", Summary: "One shift with its log (corrections point at what they correct) and its figures", Tag: "shifts", Auth: true, Response: "ShiftDetail", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/shifts/:id/entries", Summary: "Append to a shift's log (the shift's officer; a head: kind head_note, also once sealed). Idempotency-Key honoured", Tag: "shifts", Auth: true, Request: "NewEntry", Response: "ShiftEntry", Status: 201, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/shifts/:id/sign-off", Summary: "Sign a finished shift off; its log is sealed", Tag: "shifts", Auth: true, Request: "SignOff", Response: "Shift", Status: 200, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/shifts/:id/handover-ack", Summary: "Acknowledge an earlier shift's handover (an officer clocked in at its booth)", Tag: "shifts", Auth: true, Response: "Shift", Status: 200, Errors: []int{401, 403, 404, 409}},
	{Method: http.MethodPut, Path: "/me/pin", Summary: "Set one's 6-digit PIN for switching on a shared tablet (password required)", Tag: "shifts", Auth: true, Request: "Pin", Response: "Empty", Status: 204, Errors: []int{400, 401, 403, 429}},
	{Method: http.MethodPost, Path: "/auth/pin", Summary: "Hand this device to another officer of the station with their PIN: the caller's session ends, theirs begins", Tag: "shifts", Auth: true, Request: "PinSwitch", Response: "TokenPair", Status: 200, Errors: []int{400, 401, 403, 404, 429}},
	{Method: http.MethodGet, Path: "/notices", Summary: "Notices: a resident's current ones of their area, most severe and newest first, with unread marks; staff their station's, newest first (?cursor=), heads with reach", Tag: "notices", Auth: true, Response: "NoticeList", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodPost, Path: "/notices", Summary: "Publish a notice (officers, heads); urgent ones go out live and by Web Push. Idempotency-Key honoured", Tag: "notices", Auth: true, Request: "NewNotice", Response: "Notice", Status: 201, Errors: []int{400, 401, 403}},
	{Method: http.MethodGet, Path: "/notices.cap.xml", Summary: "Atom feed (RFC 4287) of the current public notices, each entry linking to its CAP 1.2 alert", Tag: "notices", Response: "AtomFeed", MediaType: atomMediaType, Status: 200},
	{Method: http.MethodGet, Path: "/notices/:id", Summary: "One notice: for a resident of its area while current, for its station's staff with revisions (heads: reach)", Tag: "notices", Auth: true, Response: "Notice", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodGet, Path: "/notices/:id.cap.xml", Route: "/notices/:id", Summary: "One public notice as an OASIS CAP 1.2 alert: Alert, Update or Cancel with references to the earlier messages", Tag: "notices", Response: "CAPAlert", MediaType: capMediaType, Status: 200, Errors: []int{404}},
	{Method: http.MethodPatch, Path: "/notices/:id", Summary: "Change a notice of the caller's station (an Update)", Tag: "notices", Auth: true, Request: "NoticeUpdate", Response: "Notice", Status: 200, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/notices/:id/withdraw", Summary: "Withdraw a notice (a Cancel): residents no longer see it", Tag: "notices", Auth: true, Request: "Withdraw", Response: "Notice", Status: 200, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/notices/:id/read", Summary: "A resident opened a notice of their area", Tag: "notices", Auth: true, Response: "NoticeReceipt", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/notices/:id/acknowledge", Summary: "A resident confirms reading an anti-fraud notice (\"I have read this\")", Tag: "notices", Auth: true, Response: "NoticeReceipt", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodGet, Path: "/notices/:id/reach", Summary: "How many residents of the area received, opened and acknowledged a notice (head)", Tag: "notices", Auth: true, Response: "NoticeReach", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/stations/:id/booths", Summary: "Create a booth of a station (admin)", Tag: "stations", Auth: true, Request: "NewBooth", Response: "Booth", Status: 201, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodGet, Path: "/me/export", Summary: "Everything the booth holds about the calling resident: application/zip with README.txt, data.json (account, sessions, devices, service_requests, assistance_calls, kept_after_deletion) and files/", Tag: "accounts", Auth: true, Response: "Binary", Status: 200, Errors: []int{401, 403, 429}},
	{Method: http.MethodDelete, Path: "/me", Summary: "Delete the calling resident's account (password again); personal data is erased, records kept by law are detached and listed; every session ends. 409 while a call is open", Tag: "accounts", Auth: true, Request: "AccountDeletion", Response: "Erasure", Status: 200, Errors: []int{400, 401, 403, 409, 429}},
	{Method: http.MethodGet, Path: "/stations/:id/retention", Summary: "The head's station's retention periods, in days", Tag: "stations", Auth: true, Response: "Retention", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPatch, Path: "/stations/:id/retention", Summary: "A head sets how long the station keeps call locations (1–365 days), photos (7–365) and documents (30–3650); audited", Tag: "stations", Auth: true, Request: "RetentionUpdate", Response: "Retention", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodPost, Path: "/service-requests/:id/photo-consents", Summary: "An officer records a guardian's consent to the family photo of a newborn registration (who, when, to what)", Tag: "photos", Auth: true, Request: "NewPhotoConsent", Response: "PhotoConsent", Status: 201, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/photo-consents/:id/withdrawal", Summary: "The family withdraws a consent: no more photos are taken under it", Tag: "photos", Auth: true, Response: "PhotoConsent", Status: 200, Errors: []int{401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/service-requests/:id/photos", Summary: "An officer uploads the family photo (multipart field photo, JPEG or PNG, at most 12 MB and 24 MP); metadata stripped, orientation applied. 400 without a consent in force. Idempotency-Key honoured", Tag: "photos", Auth: true, Response: "Photo", Status: 201, Errors: []int{400, 401, 403, 404, 409, 413, 415}},
	{Method: http.MethodPost, Path: "/service-requests/:id/family", Summary: "The resident who filed a newborn registration offers its photos to the holder of a phone number, who sees them once they accept; the answer never says whether the number has an account (at most 3 open or accepted offers)", Tag: "photos", Auth: true, Request: "FamilyInvite", Response: "Status", Status: 202, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodGet, Path: "/family-invitations", Summary: "The open offers of family photos to the resident's verified number: who offered and when (none before the number is verified)", Tag: "photos", Auth: true, Response: "FamilyInvitationList", Status: 200, Errors: []int{401, 403}},
	{Method: http.MethodPost, Path: "/family-invitations/:id/accept", Summary: "Accept an offer: the registration's photos become the resident's to see, and the filer sees their name. 409 once answered", Tag: "photos", Auth: true, Response: "FamilyInvitation", Status: 200, Errors: []int{401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/family-invitations/:id/decline", Summary: "Decline an offer; the filer is not told. 409 once answered", Tag: "photos", Auth: true, Response: "FamilyInvitation", Status: 200, Errors: []int{401, 403, 404, 409}},
	{Method: http.MethodGet, Path: "/photos", Summary: "Photos: the family's, or the station's for staff (?request_id=&cursor=&limit=)", Tag: "photos", Auth: true, Response: "PhotoList", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodGet, Path: "/photos/:id", Summary: "A photo's display copy (?size=full: the full-size copy as a download), to the family and station staff; staff views are audited", Tag: "photos", Auth: true, Response: "Binary", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodGet, Path: "/photos/:id/thumb", Summary: "A photo's thumbnail, to the family and station staff; staff views are audited", Tag: "photos", Auth: true, Response: "Binary", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/photos/:id/keep", Summary: "The family keeps a photo past the retention period (keep: false undoes it)", Tag: "photos", Auth: true, Request: "PhotoKeep", Response: "Photo", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodDelete, Path: "/photos/:id", Summary: "The family deletes a photo for good, every stored copy with it", Tag: "photos", Auth: true, Response: "Empty", Status: 204, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/photos/:id/share-links", Summary: "The family makes a link to this one photo that expires (days: 7 unless given, at most 30); the URL is shown only now", Tag: "photos", Auth: true, Request: "NewShareLink", Response: "ShareLink", Status: 201, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodDelete, Path: "/share-links/:id", Summary: "The family revokes a share link", Tag: "photos", Auth: true, Response: "Empty", Status: 204, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/care-enrolments", Summary: "Join the care register (a resident for themselves), or enrol a resident by phone with the consent recorded (staff: consent_by resident, or family with consent_name). Idempotency-Key honoured", Tag: "care", Auth: true, Request: "NewCareEnrolment", Response: "CareEnrolment", Status: 201, Errors: []int{400, 401, 403, 409}},
	{Method: http.MethodGet, Path: "/care-enrolments", Summary: "Care enrolments: a resident's own, staff their station's (?booth_id=)", Tag: "care", Auth: true, Response: "CareEnrolmentList", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodGet, Path: "/care-enrolments/:id", Summary: "One care enrolment, to its resident and the station's staff", Tag: "care", Auth: true, Response: "CareEnrolment", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodDelete, Path: "/care-enrolments/:id", Summary: "The resident leaves the care register; the visits made stay on their page", Tag: "care", Auth: true, Response: "Empty", Status: 204, Errors: []int{401, 403, 404}},
	{Method: http.MethodGet, Path: "/visits/due", Summary: "Residents due or overdue a planned visit (from the cadence and the last visit; two days after nobody was home), or with an open follow-up; overdue first (?booth_id=)", Tag: "care", Auth: true, Response: "DueVisitList", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodPost, Path: "/visits", Summary: "Record a visit (an officer on duty): an entry in their shift log; needs_help opens a follow-up, urgent an assistance call already acknowledged by the officer. 409 off duty. Idempotency-Key honoured", Tag: "care", Auth: true, Request: "NewVisit", Response: "CareVisit", Status: 201, Errors: []int{400, 401, 403, 409}},
	{Method: http.MethodGet, Path: "/visits", Summary: "Visits: a resident's own (who visited, when), staff their station's, newest first", Tag: "care", Auth: true, Response: "CareVisitList", Status: 200, Errors: []int{401, 403}},
	{Method: http.MethodGet, Path: "/visits/figures", Summary: "The head's review of planned visits: done in the period per booth and per officer (?from=&to=, dates; default the last 7 days), due and overdue now per booth", Tag: "care", Auth: true, Response: "VisitFigures", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodGet, Path: "/visits/:id", Summary: "One visit, to its resident and the station's staff", Tag: "care", Auth: true, Response: "CareVisit", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/fraud-reports", Summary: "A resident reports a suspicious phone number, text, URL, payment account, app or other; the value is normalised (phone: digits without +86; URL: lower-cased host and path). With a loss the reporter is told, on the page and by text, to call 110 and 96110 now. Idempotency-Key honoured", Tag: "fraud", Auth: true, Request: "NewFraudReport", Response: "FraudReport", Status: 201, Errors: []int{400, 401, 403}},
	{Method: http.MethodGet, Path: "/fraud-reports", Summary: "Fraud reports: a resident's own, staff their station's, newest first", Tag: "fraud", Auth: true, Response: "FraudReportList", Status: 200, Errors: []int{401, 403}},
	{Method: http.MethodGet, Path: "/fraud-reports/lookup", Summary: "Check a value before paying or calling back (?kind=&value=): how many confirmed reports name it and when the last was confirmed; nothing about who reported it", Tag: "fraud", Auth: true, Response: "FraudLookup", Status: 200, Errors: []int{400, 401}},
	{Method: http.MethodGet, Path: "/fraud-reports/:id", Summary: "One fraud report, to its reporter and the station's staff", Tag: "fraud", Auth: true, Response: "FraudReport", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/fraud-reports/:id/transitions", Summary: "Triage a report (staff): new → reviewed, confirmed or dismissed; reviewed → confirmed or dismissed; 409 otherwise", Tag: "fraud", Auth: true, Request: "FraudTransition", Response: "FraudReport", Status: 200, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/fraud-reports/:id/screenshots", Summary: "The reporter adds a screenshot to their report (multipart field screenshot, JPEG or PNG, at most 12 MB and 24 MP) through the photo pipeline: metadata stripped, a thumbnail made; at most 5 per report. Idempotency-Key honoured", Tag: "fraud", Auth: true, Response: "FraudScreenshot", Status: 201, Errors: []int{400, 401, 403, 404, 409, 413, 415}},
	{Method: http.MethodGet, Path: "/fraud-screenshots/:id", Summary: "A fraud report's screenshot (?size=thumb: its thumbnail), to the reporter and the station's staff", Tag: "fraud", Auth: true, Response: "Binary", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/fraud-reports/:id/advice", Summary: "Staff record that the reporter who lost money called 110 and 96110; 409 without a loss or when recorded", Tag: "fraud", Auth: true, Response: "FraudReport", Status: 200, Errors: []int{401, 403, 404, 409}},
	{Method: http.MethodGet, Path: "/booths/:id/opening-hours", Summary: "A booth's weekly opening hours and closed dates (station's zone; weekday 1 is Monday)", Tag: "queue", Auth: true, Response: "OpeningHours", Status: 200, Errors: []int{401, 404}},
	{Method: http.MethodPut, Path: "/booths/:id/opening-hours", Summary: "A head sets a booth's hours and closed dates; bookable slots for the next 14 days follow from them (booked ones stay)", Tag: "queue", Auth: true, Request: "OpeningHours", Response: "OpeningHours", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodGet, Path: "/booths/:id/queue", Summary: "A booth's line (staff): tickets being served at their windows, the waiting ones in calling order with their expected waits", Tag: "queue", Auth: true, Response: "Queue", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/booths/:id/queue/next", Summary: "Call the next number (an officer clocked in at the booth): booked arrivals whose slot has started first, then by arrival; the request becomes called to the officer's window. 409 when nobody waits", Tag: "queue", Auth: true, Response: "Request", Status: 200, Errors: []int{401, 403, 404, 409}},
	{Method: http.MethodGet, Path: "/booths/:id/arrival-code", Summary: "The code and address in the booth's printed arrival QR code (head)", Tag: "queue", Auth: true, Response: "ArrivalCode", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodGet, Path: "/booths/:id/display-keys", Summary: "A booth's display keys (head); the keys themselves are shown only when made", Tag: "queue", Auth: true, Response: "DisplayKeyList", Status: 200, Errors: []int{401, 403, 404}},
	{Method: http.MethodPost, Path: "/booths/:id/display-keys", Summary: "Make a key that opens the booth's display (叫号屏) without signing in: {id, key, url}", Tag: "queue", Auth: true, Response: "DisplayKey", Status: 201, Errors: []int{401, 403, 404}},
	{Method: http.MethodDelete, Path: "/booths/:id/display-keys/:key_id", Summary: "Revoke a display key; a screen open with it stops", Tag: "queue", Auth: true, Response: "Empty", Status: 204, Errors: []int{401, 403, 404}},
	{Method: http.MethodPut, Path: "/service-requests/:id/booking", Summary: "Book or move the request's time slot (resident; an empty slot_id drops it); never past a slot's capacity; after a no-show, booking again puts the request back to submitted. Idempotency-Key honoured", Tag: "queue", Auth: true, Request: "Booking", Response: "Request", Status: 200, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodDelete, Path: "/service-requests/:id/booking", Summary: "Drop the request's booking (resident)", Tag: "queue", Auth: true, Response: "Request", Status: 200, Errors: []int{401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/service-requests/:id/arrival", Summary: "The visitor is at the booth: the resident within 300 m (lat, lng) or with the code of the booth's QR code, or an officer for them; sets arrived_at and issues the day's next ticket without changing the status", Tag: "queue", Auth: true, Request: "Arrival", Response: "Request", Status: 200, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/service-requests/:id/recall", Summary: "Call a called request's number again (the officer on duty at its booth)", Tag: "queue", Auth: true, Response: "Request", Status: 200, Errors: []int{401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/service-requests/:id/skip", Summary: "Pass over a called request whose visitor did not come: back to the end of the line", Tag: "queue", Auth: true, Response: "Request", Status: 200, Errors: []int{401, 403, 404, 409}},
	{Method: http.MethodPost, Path: "/service-requests/:id/rating", Summary: "Rate a completed visit once (好差评): 5 非常满意 … 1 非常不满意; a comment is required for 1 and 2, which reach the head. 409 for a second rating. Idempotency-Key honoured", Tag: "queue", Auth: true, Request: "NewRating", Response: "Rating", Status: 201, Errors: []int{400, 401, 403, 404, 409}},
	{Method: http.MethodPut, Path: "/stations/:id/visit-target", Summary: "A head sets the minutes a counter visit should take from arrival to completion (5 to 240; default 20), the review's target", Tag: "queue", Auth: true, Request: "VisitTarget", Response: "VisitTarget", Status: 200, Errors: []int{400, 401, 403, 404}},
	{Method: http.MethodGet, Path: "/ratings", Summary: "The station's ratings, newest first, without who gave them (head; ?unanswered=1 for bad ones awaiting an answer; ?cursor=)", Tag: "queue", Auth: true, Response: "RatingList", Status: 200, Errors: []int{400, 401, 403}},
	{Method: http.MethodPost, Path: "/ratings/:id/response", Summary: "The head's answer to a rating, once; it reaches the resident by text and stays on the request", Tag: "queue", Auth: true, Request: "RatingAnswer", Response: "Rating", Status: 201, Errors: []int{400, 401, 403, 404, 409}},
}

var apiSchemas = map[string]any{
	"OpenAPI": map[string]any{"type": "object"},
	"Error": object(map[string]any{
		"error": object(map[string]any{"code": str(), "message": str()}, "code", "message"),
	}, "error"),
	"Booth": object(map[string]any{
		"id": str(), "name": str(), "name_en": str(), "station_id": str(), "phone": str(),
		"lat": number(), "lng": number(), "ack_limit_seconds": map[string]any{"type": "integer"},
	}, "id", "name", "station_id", "lat", "lng"),
	"BoothList": listOf("Booth"),
	"Empty":     map[string]any{"type": "null"},
	"Status":    object(map[string]any{"status": str()}),
	"User": object(map[string]any{
		"id": str(), "phone": str(), "name": str(), "role": enum("resident", "officer", "head", "admin", "guard", "volunteer"),
		"station_id": str(), "home_booth_id": str(), "booth_id": str(), "available": boolean(), "badge_no": str(), "language": enum("zh-CN", "en"),
		"phone_verified": boolean(), "must_change_password": boolean(), "disabled": boolean(), "elder_mode": boolean(),
		"privacy_version": str(), "privacy_accepted_at": dateTime(),
	}, "id", "phone", "name", "role", "language"),
	"UserList": listOf("User"),
	"TokenPair": object(map[string]any{
		"user": ref("User"), "access_token": str(), "refresh_token": str(), "expires_in": map[string]any{"type": "integer"},
	}, "user", "access_token", "refresh_token", "expires_in"),
	"Register": object(map[string]any{
		"phone": str(), "password": str(), "name": str(), "language": enum("zh-CN", "en"), "home_booth_id": str(),
		"lat": number(), "lng": number(), "privacy_version": str(),
	}, "phone", "password", "name", "privacy_version"),
	"Privacy":           object(map[string]any{"version": str(), "url": str()}, "version", "url"),
	"PrivacyAcceptance": object(map[string]any{"version": str()}, "version"),
	"Login":             object(map[string]any{"phone": str(), "password": str()}, "phone", "password"),
	"Refresh":           object(map[string]any{"refresh_token": str()}, "refresh_token"),
	"CodeRequest":       object(map[string]any{"phone": str(), "purpose": enum("verify", "reset")}, "phone", "purpose"),
	"Verify":            object(map[string]any{"phone": str(), "code": str()}, "phone", "code"),
	"Reset":             object(map[string]any{"phone": str(), "code": str(), "password": str()}, "phone", "code", "password"),
	"PasswordReset":     object(map[string]any{"password": str()}, "password"),
	"MeUpdate": object(map[string]any{
		"name": str(), "language": enum("zh-CN", "en"), "home_booth_id": str(), "password": str(), "current_password": str(),
		"elder_mode": boolean(),
	}),
	"NewStaff": object(map[string]any{
		"phone": str(), "name": str(), "password": str(), "badge_no": str(), "role": enum("officer", "head", "guard", "volunteer"), "station_id": str(),
		"booth_id": str(),
	}, "phone", "name", "password"),
	"Audit": object(map[string]any{
		"id": str(), "at": map[string]any{"type": "string", "format": "date-time"}, "actor_id": str(),
		"action": str(), "target": str(), "detail": str(), "ip": str(),
	}, "id", "at", "action"),
	"AuditList":  listOf("Audit"),
	"NewStation": object(map[string]any{"name": str(), "name_en": str(), "time_zone": str(), "phone": str()}, "name"),
	"Station": object(map[string]any{
		"id": str(), "name": str(), "name_en": str(), "time_zone": str(), "phone": str(),
	}, "id", "name", "time_zone"),
	"Binary":          map[string]any{"type": "string", "format": "binary"},
	"NewPhotoConsent": object(map[string]any{"guardian": str(), "keep_in_account": boolean(), "welcome_board": boolean()}, "guardian", "keep_in_account"),
	"PhotoConsent": object(map[string]any{
		"id": str(), "request_id": str(), "guardian": str(), "relation": enum("father", "mother", "guardian"), "keep_in_account": boolean(),
		"welcome_board": boolean(), "recorded_by": str(), "created_at": dateTime(), "withdrawn_at": dateTime(),
	}, "id", "request_id", "guardian", "keep_in_account", "welcome_board", "created_at"),
	"Photo": object(map[string]any{
		"id": str(), "request_id": str(), "width": map[string]any{"type": "integer"}, "height": map[string]any{"type": "integer"},
		"size": map[string]any{"type": "integer"}, "keep": boolean(), "created_at": dateTime(), "delete_after": dateTime(),
		"url": str(), "full_url": str(), "thumb_url": str(),
	}, "id", "request_id", "keep", "created_at", "url"),
	"PhotoList":    listOf("Photo"),
	"PhotoKeep":    object(map[string]any{"keep": boolean()}, "keep"),
	"NewShareLink": object(map[string]any{"days": map[string]any{"type": "integer", "minimum": 1, "maximum": 30}}),
	"ShareLink":    object(map[string]any{"id": str(), "photo_id": str(), "url": str(), "created_at": dateTime(), "expires_at": dateTime()}, "id", "photo_id", "expires_at"),
	"FamilyInvite": object(map[string]any{"phone": str()}, "phone"),
	"FamilyInvitation": object(map[string]any{"id": str(), "from": str(), "status": enum("offered", "accepted", "declined"),
		"created_at": dateTime(), "answered_at": dateTime(), "request_id": str()}, "id", "from", "status", "created_at"),
	"FamilyInvitationList": listOf("FamilyInvitation"),
	"EventStream":          map[string]any{"type": "string", "description": "text/event-stream"},
	"CallPhoto": object(map[string]any{
		"id": str(), "call_id": str(), "added_by": str(), "width": map[string]any{"type": "integer"}, "height": map[string]any{"type": "integer"},
		"size": map[string]any{"type": "integer"}, "created_at": dateTime(), "url": str(), "full_url": str(), "thumb_url": str(),
	}, "id", "call_id", "created_at", "url", "thumb_url"),
	"CallPhotoList": listOf("CallPhoto"),
	"ServiceType": object(map[string]any{
		"code": str(), "name": str(), "description": str(), "documents": map[string]any{"type": "array", "items": str()},
		"fields": map[string]any{"type": "array", "items": object(map[string]any{
			"code": str(), "kind": enum("text", "number", "date", "choice", "id_card"), "label": object(map[string]any{"zh": str(), "en": str()}),
			"required": boolean(), "choices": map[string]any{"type": "array", "items": object(map[string]any{"value": str(), "label": object(map[string]any{"zh": str(), "en": str()})})},
		})},
		"target_minutes": map[string]any{"type": "integer"}, "needs_visit": boolean(), "enabled": boolean(), "note": str(),
	}, "code", "name", "documents", "fields", "target_minutes"),
	"ServiceTypeList": listOf("ServiceType"),
	"ServiceSetting":  object(map[string]any{"enabled": boolean(), "target_minutes": map[string]any{"type": "integer"}, "note": object(map[string]any{"zh": str(), "en": str()})}),
	"Slot": object(map[string]any{
		"id": str(), "booth_id": str(), "starts_at": dateTime(), "ends_at": dateTime(), "capacity": map[string]any{"type": "integer"}, "booked": map[string]any{"type": "integer"},
		"remaining": integer(),
	}, "id", "booth_id", "starts_at", "ends_at", "capacity", "booked", "remaining"),
	"SlotList": listOf("Slot"),
	"NewSlot":  object(map[string]any{"booth_id": str(), "starts_at": dateTime(), "ends_at": dateTime(), "capacity": map[string]any{"type": "integer"}}, "booth_id", "starts_at", "ends_at", "capacity"),
	"Newborn": object(map[string]any{
		"baby_name": str(), "sex": enum("male", "female"), "birth_date": map[string]any{"type": "string", "format": "date"}, "birth_place": str(), "birth_certificate_no": str(),
		"guardians": map[string]any{"type": "array", "items": object(map[string]any{"name": str(), "relation": enum("father", "mother", "guardian"), "phone": str()}, "name", "relation")},
	}, "baby_name", "sex", "birth_date", "birth_place", "birth_certificate_no", "guardians"),
	"NewRequest": object(map[string]any{
		"services": map[string]any{"type": "array", "items": str()},
		"fields":   map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "object", "additionalProperties": str()}},
		"slot_id":  str(), "note": str(), "booth_id": str(), "newborn": ref("Newborn"),
		"walk_in": object(map[string]any{"name": str(), "phone": str()}, "name", "phone"),
	}, "services"),
	"Timeline":   object(map[string]any{"at": dateTime(), "actor_id": str(), "kind": str(), "from": str(), "to": str(), "note": str()}, "at", "kind"),
	"Attachment": object(map[string]any{"id": str(), "name": str(), "content_type": str(), "size": map[string]any{"type": "integer"}, "url": str(), "created_at": dateTime()}, "id", "url"),
	"Request": object(map[string]any{
		"id": str(), "station_id": str(), "booth_id": str(), "resident_id": str(), "ticket": str(),
		"status":     enum("submitted", "accepted", "called", "in_progress", "on_hold", "completed", "rejected", "cancelled", "no_show"),
		"services":   map[string]any{"type": "array", "items": object(map[string]any{"code": str(), "name": str(), "fields": map[string]any{"type": "object", "additionalProperties": str()}})},
		"arrived_at": dateTime(), "called_at": dateTime(), "window": integer(), "queue_position": integer(), "eta_minutes": integer(),
		"walk_in": object(map[string]any{"name": str(), "phone": str()}), "rating": ref("Rating"),
		"note": str(), "slot_id": str(), "assignee_id": str(), "target_minutes": map[string]any{"type": "integer"}, "waited_minutes": map[string]any{"type": "integer"},
		"overdue": boolean(), "checked": map[string]any{"type": "array", "items": str()}, "newborn": ref("Newborn"),
		"created_at": dateTime(), "updated_at": dateTime(), "closed_at": dateTime(),
		"timeline":    map[string]any{"type": "array", "items": ref("Timeline")},
		"attachments": map[string]any{"type": "array", "items": ref("Attachment")},
	}, "id", "status", "services", "created_at"),
	"RequestList": listOf("Request"),
	"Transition":  object(map[string]any{"to": enum("accepted", "in_progress", "on_hold", "completed", "rejected", "cancelled"), "note": str()}, "to"),
	"Assignment":  object(map[string]any{"assignee_id": str(), "note": str()}, "assignee_id"),
	"Note":        object(map[string]any{"text": str()}, "text"),
	"Checklist":   object(map[string]any{"checked": map[string]any{"type": "array", "items": str()}}, "checked"),
	"NewCall": object(map[string]any{
		"category": enum("crime", "medical", "lost_person", "domestic", "traffic", "other"), "message": str(), "silent": boolean(),
		"lat": number(), "lng": number(), "accuracy_m": number(), "booth_id": str(), "written_at": dateTime(),
	}, "category"),
	"Call": object(map[string]any{
		"id": str(), "station_id": str(), "booth_id": str(), "caller_id": str(), "category": str(), "message": str(), "silent": boolean(),
		"lat": number(), "lng": number(), "accuracy_m": number(), "status": enum("open", "acknowledged", "en_route", "on_scene", "resolved", "cancelled"),
		"acknowledged_by": str(), "acknowledged_at": dateTime(), "escalation_level": map[string]any{"type": "integer"}, "created_at": dateTime(),
		"repeated": boolean(), "calls_this_hour": map[string]any{"type": "integer"},
		"timeline":             map[string]any{"type": "array", "items": ref("Timeline")},
		"messages":             map[string]any{"type": "array", "items": ref("CallMessage")},
		"caller":               object(map[string]any{"name": str(), "phone": str(), "elder_mode": boolean()}, "name", "phone", "elder_mode"),
		"profile":              ref("SafetyProfile"),
		"trail":                map[string]any{"type": "array", "items": object(map[string]any{"lat": number(), "lng": number(), "accuracy_m": number(), "at": dateTime()}, "lat", "lng", "at")},
		"map":                  object(map[string]any{"amap": str(), "baidu": str(), "geo": str()}, "amap", "baidu", "geo"),
		"distance_m":           integer(),
		"volunteer_on_the_way": boolean(),
		"assists":              map[string]any{"type": "array", "items": object(map[string]any{"user_id": str(), "status": enum("on_my_way", "arrived"), "at": dateTime()}, "status", "at")},
	}, "id", "status", "category", "created_at"),
	"Assist":                 object(map[string]any{"status": enum("on_my_way", "arrived")}, "status"),
	"AssistAnswer":           object(map[string]any{"call_id": str(), "status": enum("on_my_way", "arrived"), "at": dateTime()}, "call_id", "status", "at"),
	"Availability":           object(map[string]any{"available": boolean()}, "available"),
	"VolunteersVisible":      object(map[string]any{"visible": boolean()}, "visible"),
	"VolunteersVisibleState": object(map[string]any{"id": str(), "volunteers_visible": boolean()}, "id", "volunteers_visible"),
	"NewSafetyTimer":         object(map[string]any{"minutes": map[string]any{"type": "integer", "minimum": 1, "maximum": 240}, "note": str(), "lat": number(), "lng": number(), "accuracy_m": number()}, "minutes"),
	"SafetyTimer": object(map[string]any{
		"id": str(), "minutes": map[string]any{"type": "integer"}, "note": str(), "lat": number(), "lng": number(), "accuracy_m": number(),
		"status": enum("active", "checked_in", "firing", "fired"), "started_at": dateTime(), "due_at": dateTime(), "fire_at": dateTime(),
		"ended_at": dateTime(), "call_id": str(),
	}, "id", "minutes", "status", "started_at", "due_at", "fire_at"),
	"Handoff": object(map[string]any{"to": enum("110", "120", "119"), "reference": str()}, "to"),
	"SafetyProfile": object(map[string]any{
		"medical_notes": str(), "lives_alone": boolean(),
		"needs":              map[string]any{"type": "array", "items": enum("hearing", "speech", "sight", "mobility", "cognitive")},
		"emergency_contacts": map[string]any{"type": "array", "maxItems": 3, "items": object(map[string]any{"name": str(), "phone": str(), "relation": str()}, "name", "phone")},
		"notify_contacts":    boolean(), "updated_at": dateTime(),
	}),
	"CallList":         listOf("Call"),
	"CallMessage":      object(map[string]any{"id": str(), "author_id": str(), "text": str(), "created_at": dateTime()}, "id", "text"),
	"Location":         object(map[string]any{"lat": number(), "lng": number(), "accuracy_m": number()}, "lat", "lng", "accuracy_m"),
	"CallTransition":   object(map[string]any{"to": enum("acknowledged", "en_route", "on_scene", "resolved", "cancelled"), "note": str()}, "to"),
	"BoothUpdate":      object(map[string]any{"ack_limit_seconds": map[string]any{"type": "integer", "minimum": 5, "maximum": 600}}, "ack_limit_seconds"),
	"PushKey":          object(map[string]any{"public_key": str()}, "public_key"),
	"PushSubscription": object(map[string]any{"endpoint": str(), "keys": object(map[string]any{"p256dh": str(), "auth": str()}, "p256dh", "auth")}, "endpoint", "keys"),
	"Unsubscribe":      object(map[string]any{"endpoint": str()}, "endpoint"),
	"ClockIn":          object(map[string]any{"booth_id": str(), "lat": number(), "lng": number(), "window": integer()}, "booth_id"),
	"ClockOut":         object(map[string]any{"handover_note": str()}, "handover_note"),
	"Shift":            object(map[string]any{"id": str(), "station_id": str(), "booth_id": str(), "officer_id": str(), "started_at": str(), "ended_at": str(), "distance_m": number(), "far": boolean(), "handover_note": str(), "handover_ack_by": str(), "handover_ack_at": str(), "signed_off_by": str(), "signed_off_at": str(), "sign_off_comment": str(), "entries": map[string]any{"type": "array", "items": ref("ShiftEntry")}}, "id", "booth_id", "officer_id", "started_at"),
	"ShiftEntry":       object(map[string]any{"id": str(), "shift_id": str(), "author_id": str(), "kind": str(), "text": str(), "event": str(), "done_by": str(), "record_id": str(), "corrects": str(), "written_at": str(), "created_at": str(), "participants": map[string]any{"type": "array", "items": object(map[string]any{"user_id": str()}, "user_id")}}, "id", "kind", "created_at"),
	"ShiftList":        listOf("Shift"),
	"CurrentShift":     object(map[string]any{"id": str(), "booth_id": str(), "started_at": str(), "entries": map[string]any{"type": "array", "items": ref("ShiftEntry")}, "open_handover": ref("Shift")}, "id"),
	"ShiftDetail":      object(map[string]any{"id": str(), "booth_id": str(), "officer_id": str(), "entries": map[string]any{"type": "array", "items": ref("ShiftEntry")}, "figures": ref("Figures")}, "id", "figures"),
	"Dashboard": object(map[string]any{
		"station_id": str(),
		"booths": map[string]any{"type": "array", "items": object(map[string]any{"id": str(), "name": str(),
			"on_duty":     map[string]any{"type": "array", "items": object(map[string]any{"officer_id": str(), "name": str(), "since": str()}, "officer_id", "name", "since")},
			"tablet_live": boolean(), "open_gap": map[string]any{"type": []string{"object", "null"}, "properties": map[string]any{"id": str(), "booth_id": str(), "started_at": str()}}},
			"id", "name", "on_duty", "tablet_live", "open_gap")},
		"open_calls": map[string]any{"type": "array", "items": object(map[string]any{"id": str(), "booth_id": str(), "status": str(), "age_seconds": number(), "escalation_level": number()},
			"id", "booth_id", "status", "age_seconds", "escalation_level")},
		"today": object(map[string]any{"calls": number(), "median_ack_seconds": map[string]any{"type": []string{"number", "null"}}, "worst_ack_seconds": map[string]any{"type": []string{"number", "null"}},
			"requests_completed": number(), "requests_past_target": number()}, "calls", "median_ack_seconds", "worst_ack_seconds", "requests_completed", "requests_past_target"),
		"queue":  object(map[string]any{"waiting": number(), "longest_wait_minutes": number()}, "waiting", "longest_wait_minutes"),
		"alerts": object(map[string]any{"undelivered_messages": number(), "dark_tablets": number()}, "undelivered_messages", "dark_tablets"),
	}, "booths", "open_calls", "today", "queue", "alerts"),
	"Figures": object(map[string]any{"calls": number(), "acknowledged": number(), "ack_median_s": number(), "ack_worst_s": number(), "requests_completed": number(), "requests_past_target": number(), "gaps": number(), "gap_minutes": number(), "entries": map[string]any{"type": "object"}, "handoffs": map[string]any{"type": "object", "additionalProperties": number()}, "by_hour": map[string]any{"type": "array"}, "by_day": map[string]any{"type": "array"},
		"visits": object(map[string]any{"visits": integer(), "median_wait_minutes": number(), "median_visit_minutes": number(), "within_target_share": number(),
			"target_minutes": integer(), "no_shows": integer(), "service_minutes": map[string]any{"type": "array", "items": object(map[string]any{"code": str(), "visits": integer(), "median_minutes": number()})}},
			"median_wait_minutes", "median_visit_minutes", "within_target_share", "no_shows"),
		"ratings": object(map[string]any{"count": integer(), "satisfaction": number(), "by_score": map[string]any{"type": "object", "additionalProperties": integer()}, "unanswered": integer()},
			"count", "satisfaction", "by_score")}, "calls", "visits", "ratings"),
	"NewEntry": object(map[string]any{"kind": str(), "text": str(), "corrects": str(), "written_at": str(), "participants": map[string]any{"type": "array", "maxItems": 10, "items": str()}}, "kind", "text"),
	"NewCareEnrolment": object(map[string]any{
		"reasons": map[string]any{"type": "array", "items": enum("lives_alone", "elderly", "disability", "recent_fraud_victim", "other")},
		"cadence": enum("weekly", "fortnightly", "monthly"), "preferred_times": str(), "note": str(),
		"phone": str(), "booth_id": str(), "consent_by": enum("resident", "family"), "consent_name": str(),
	}, "reasons", "cadence"),
	"CareEnrolment": object(map[string]any{
		"id": str(), "station_id": str(), "booth_id": str(), "resident_id": str(),
		"reasons": map[string]any{"type": "array", "items": str()}, "cadence": enum("weekly", "fortnightly", "monthly"),
		"preferred_times": str(), "note": str(), "consent_by": enum("resident", "family"), "consent_name": str(), "consent_at": dateTime(),
		"enrolled_by": str(), "created_at": dateTime(), "updated_at": dateTime(),
	}, "id", "resident_id", "reasons", "cadence", "consent_by", "consent_at"),
	"CareEnrolmentList": listOf("CareEnrolment"),
	"DueVisit": object(map[string]any{
		"enrolment_id": str(), "resident_id": str(), "resident_name": str(), "booth_id": str(),
		"reasons": map[string]any{"type": "array", "items": str()}, "cadence": str(), "preferred_times": str(),
		"last_visit_at": dateTime(), "last_outcome": enum("visited", "not_home", "declined"),
		"due_on": map[string]any{"type": "string", "format": "date"}, "overdue": boolean(), "follow_up": boolean(),
	}, "enrolment_id", "resident_id", "due_on", "overdue", "follow_up"),
	"DueVisitList": listOf("DueVisit"),
	"NewVisit": object(map[string]any{
		"enrolment_id": str(), "outcome": enum("visited", "not_home", "declined"), "wellbeing": enum("good", "needs_help", "urgent"),
		"fraud_warning_given": boolean(), "note": str(), "written_at": dateTime(),
	}, "enrolment_id", "outcome"),
	"CareVisit": object(map[string]any{
		"id": str(), "station_id": str(), "booth_id": str(), "enrolment_id": str(), "resident_id": str(), "officer_id": str(),
		"officer_name": str(), "shift_id": str(), "outcome": enum("visited", "not_home", "declined"),
		"wellbeing": enum("good", "needs_help", "urgent"), "fraud_warning_given": boolean(), "note": str(), "call_id": str(),
		"follow_up": boolean(), "follow_up_closed_at": dateTime(), "visited_at": dateTime(), "written_at": dateTime(), "created_at": dateTime(),
	}, "id", "resident_id", "officer_id", "outcome", "visited_at"),
	"CareVisitList": listOf("CareVisit"),
	"NewFraudReport": object(map[string]any{
		"kind": enum("phone", "sms", "url", "account", "app", "other"), "value": str(), "description": str(), "loss_yuan": integer(),
	}, "kind", "value"),
	"FraudReport": object(map[string]any{
		"id": str(), "station_id": str(), "booth_id": str(), "reporter_id": str(), "kind": enum("phone", "sms", "url", "account", "app", "other"),
		"value": str(), "raw_value": str(), "description": str(), "loss_yuan": integer(),
		"status": enum("new", "reviewed", "confirmed", "dismissed"), "note": str(), "reviewed_by": str(), "reviewed_at": dateTime(),
		"confirmed_at": dateTime(), "advised_by": str(), "advised_at": dateTime(), "created_at": dateTime(), "updated_at": dateTime(),
		"screenshots": map[string]any{"type": "array", "items": ref("FraudScreenshot"), "description": "in GET /fraud-reports/{id} only"},
	}, "id", "kind", "value", "status", "created_at"),
	"FraudScreenshot": object(map[string]any{
		"id": str(), "report_id": str(), "width": integer(), "height": integer(), "size": integer(), "created_at": dateTime(),
		"url": str(), "thumb_url": str(),
	}, "id", "report_id", "url", "thumb_url"),
	"FraudReportList": listOf("FraudReport"),
	"FraudTransition": object(map[string]any{"to": enum("reviewed", "confirmed", "dismissed"), "note": str()}, "to"),
	"FraudLookup": object(map[string]any{
		"kind": str(), "value": str(), "confirmed_reports": integer(), "last_confirmed_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time"},
	}, "kind", "value", "confirmed_reports", "last_confirmed_at"),
	"VisitFigures": object(map[string]any{
		"booths":   map[string]any{"type": "array", "items": object(map[string]any{"booth_id": str(), "done": integer(), "due": integer(), "overdue": integer()}, "booth_id", "done", "due", "overdue")},
		"officers": map[string]any{"type": "array", "items": object(map[string]any{"officer_id": str(), "done": integer()}, "officer_id", "done")},
	}, "booths", "officers"),
	"SignOff":         object(map[string]any{"comment": str()}),
	"Pin":             object(map[string]any{"password": str(), "pin": str()}, "password", "pin"),
	"PinSwitch":       object(map[string]any{"officer_id": str(), "pin": str()}, "officer_id", "pin"),
	"NewBooth":        object(map[string]any{"name": str(), "name_en": str(), "phone": str(), "lat": number(), "lng": number()}, "name", "lat", "lng"),
	"AccountDeletion": object(map[string]any{"password": str()}, "password"),
	"KeptRecord": object(map[string]any{
		"kind": enum("service_request", "assistance_call"), "id": str(), "label": str(), "status": str(), "at": dateTime(),
		"reason": object(map[string]any{"zh": str(), "en": str()}),
	}, "kind", "id", "reason"),
	"Erasure":         object(map[string]any{"status": enum("deleted"), "kept": map[string]any{"type": "array", "items": ref("KeptRecord")}}, "status", "kept"),
	"Retention":       object(retentionDays(map[string]any{"station_id": str()}), "station_id", "location_retention_days", "photo_retention_days", "attachment_retention_days"),
	"RetentionUpdate": object(retentionDays(map[string]any{})),
	"NewNotice": object(map[string]any{
		"title": str(), "body": str(), "kind": enum("anti_fraud", "safety", "service", "missing_person"),
		"severity": enum("minor", "moderate", "severe", "extreme"), "urgent": boolean(), "public": boolean(),
		"language": enum("zh-CN", "en"), "booth_ids": map[string]any{"type": "array", "items": str()},
		"starts_at": dateTime(), "expires_at": dateTime(),
	}, "title", "body", "kind", "severity"),
	"NoticeUpdate": object(map[string]any{
		"title": str(), "body": str(), "kind": enum("anti_fraud", "safety", "service", "missing_person"),
		"severity": enum("minor", "moderate", "severe", "extreme"), "urgent": boolean(), "public": boolean(),
		"language": enum("zh-CN", "en"), "booth_ids": map[string]any{"type": "array", "items": str()},
		"starts_at": dateTime(), "expires_at": dateTime(),
	}),
	"Withdraw":      object(map[string]any{"reason": str()}),
	"NoticeReach":   object(map[string]any{"residents": integer(), "received": integer(), "opened": integer(), "acknowledged": integer()}, "residents", "received", "opened", "acknowledged"),
	"NoticeReceipt": object(map[string]any{"notice_id": str(), "received_at": dateTime(), "read_at": dateTime(), "acknowledged_at": dateTime()}, "notice_id", "received_at"),
	"Notice": object(map[string]any{
		"id": str(), "station_id": str(), "author_id": str(), "title": str(), "body": str(),
		"kind": enum("anti_fraud", "safety", "service", "missing_person"), "severity": enum("minor", "moderate", "severe", "extreme"),
		"urgent": boolean(), "public": boolean(), "language": enum("zh-CN", "en"), "booth_ids": map[string]any{"type": "array", "items": str()},
		"starts_at": dateTime(), "expires_at": dateTime(), "version": integer(), "status": enum("scheduled", "current", "expired", "withdrawn"),
		"withdrawn_at": dateTime(), "withdraw_reason": str(), "needs_acknowledgement": boolean(), "cap_url": str(),
		"created_at": dateTime(), "updated_at": dateTime(), "unread": boolean(), "read_at": dateTime(), "acknowledged_at": dateTime(),
		"reach": ref("NoticeReach"),
		"revisions": map[string]any{"type": "array", "items": object(map[string]any{
			"version": integer(), "msg_type": enum("Alert", "Update", "Cancel"), "actor_id": str(), "at": dateTime(), "note": str(),
		}, "version", "msg_type", "at")},
	}, "id", "title", "body", "kind", "severity", "language", "starts_at", "expires_at", "status"),
	"NoticeList": listOf("Notice"),
	"CAPAlert":   map[string]any{"type": "string", "description": "an OASIS CAP 1.2 alert (urn:oasis:names:tc:emergency:cap:1.2)"},
	"OpeningHours": object(map[string]any{
		"weekly": map[string]any{"type": "array", "items": object(map[string]any{
			"weekday": integer(), "opens": str(), "closes": str(), "slot_minutes": integer(), "capacity": integer(),
		}, "weekday", "opens", "closes", "slot_minutes", "capacity")},
		"closed_dates": map[string]any{"type": "array", "items": map[string]any{"type": "string", "format": "date"}},
	}, "weekly", "closed_dates"),
	"QueueTicket": object(map[string]any{"ticket": str(), "window": integer(), "eta_minutes": integer()}, "ticket"),
	"Queue": object(map[string]any{"booth_id": str(), "serving": map[string]any{"type": "array", "items": ref("QueueTicket")},
		"waiting": map[string]any{"type": "array", "items": ref("QueueTicket")}}, "booth_id", "serving", "waiting"),
	"ArrivalCode":    object(map[string]any{"code": str(), "url": str()}, "code", "url"),
	"DisplayKey":     object(map[string]any{"id": str(), "booth_id": str(), "created_by": str(), "created_at": dateTime(), "revoked_at": dateTime(), "key": str(), "url": str()}, "id", "booth_id", "created_at"),
	"DisplayKeyList": listOf("DisplayKey"),
	"Booking":        object(map[string]any{"slot_id": str()}, "slot_id"),
	"Arrival":        object(map[string]any{"lat": number(), "lng": number(), "code": str()}),
	"NewRating":      object(map[string]any{"score": integer(), "comment": str()}, "score"),
	"RatingAnswer":   object(map[string]any{"text": str()}, "text"),
	"Rating": object(map[string]any{"id": str(), "request_id": str(), "booth_id": str(), "score": integer(), "comment": str(), "created_at": dateTime(),
		"response": str(), "responder_id": str(), "responded_at": dateTime()}, "id", "request_id", "score", "created_at"),
	"RatingList":  listOf("Rating"),
	"VisitTarget": object(map[string]any{"visit_target_minutes": integer()}, "visit_target_minutes"),
	"AtomFeed":    map[string]any{"type": "string", "description": "an Atom feed (RFC 4287)"},
}

// retentionDays adds the three retention periods, with their limits, to props.
func retentionDays(props map[string]any) map[string]any {
	days := func(lo, hi int) map[string]any {
		return map[string]any{"type": "integer", "minimum": lo, "maximum": hi}
	}
	props["location_retention_days"] = days(1, 365)
	props["photo_retention_days"] = days(7, 365)
	props["attachment_retention_days"] = days(30, 3650)
	return props
}

func enum(values ...string) map[string]any { return map[string]any{"type": "string", "enum": values} }

func boolean() map[string]any { return map[string]any{"type": "boolean"} }

func number() map[string]any { return map[string]any{"type": "number"} }

func dateTime() map[string]any { return map[string]any{"type": "string", "format": "date-time"} }

func str() map[string]any { return map[string]any{"type": "string"} }

func integer() map[string]any { return map[string]any{"type": "integer"} }

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func object(props map[string]any, required ...string) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func listOf(item string) map[string]any {
	return object(map[string]any{
		"items":       map[string]any{"type": "array", "items": ref(item)},
		"next_cursor": map[string]any{"type": "string", "description": "empty on the last page"},
	}, "items", "next_cursor")
}

// mediaType is the type of an operation's success body.
func mediaType(op apiOperation) string {
	if op.MediaType != "" {
		return op.MediaType
	}
	return "application/json"
}

var pathParam = regexp.MustCompile(`:([a-z_]+)`)

// openAPIPath turns an Echo path into an OpenAPI one: /x/:id → /x/{id}.
func openAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

func buildOpenAPI() ([]byte, error) {
	paths := map[string]map[string]any{}
	for _, op := range apiOperations {
		p := openAPIPath(op.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		responses := map[string]any{
			strconv.Itoa(op.Status): map[string]any{
				"description": http.StatusText(op.Status),
				"content":     map[string]any{mediaType(op): map[string]any{"schema": ref(op.Response)}},
			},
		}
		for _, code := range op.Errors {
			responses[strconv.Itoa(code)] = map[string]any{
				"description": http.StatusText(code),
				"content":     map[string]any{"application/json": map[string]any{"schema": ref("Error")}},
			}
		}
		o := map[string]any{
			"summary":     op.Summary,
			"operationId": strings.ToLower(op.Method) + strings.NewReplacer("/", "_", ":", "", ".", "_", "-", "_").Replace(op.Path),
			"tags":        []string{op.Tag},
			"responses":   responses,
		}
		if op.Auth {
			o["security"] = []map[string]any{{"bearer": []string{}}, {"cookie": []string{}}}
		}
		if op.Request != "" {
			o["requestBody"] = map[string]any{
				"required": true,
				"content":  map[string]any{"application/json": map[string]any{"schema": ref(op.Request)}},
			}
		}
		var params []map[string]any
		for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": str()})
		}
		if params != nil {
			o["parameters"] = params
		}
		paths[p][strings.ToLower(op.Method)] = o
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Police Booth API",
			"version":     "1",
			"description": "The JSON API of a neighbourhood police booth. Errors answer {\"error\":{\"code\",\"message\"}}; ids are strings; lists answer {items, next_cursor}.",
		},
		"servers": []map[string]any{{"url": "/api/v1"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": apiSchemas,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": "pb_access"},
			},
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

var openAPIDoc = sync.OnceValues(buildOpenAPI)

// handleOpenAPI serves the OpenAPI 3.1 document of the API.
func (s *Server) handleOpenAPI(c echo.Context) error {
	doc, err := openAPIDoc()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, doc)
}
