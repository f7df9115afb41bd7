package app

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"net/url"
	"strings"
	"time"
)

// Limits of a push subscription.
const (
	MaxPushEndpointLen          = 2000
	MaxPushSubscriptionsPerUser = 10 // a new device beyond them replaces the oldest
)

// PushSubscription is one browser's Web Push subscription: where the push
// service takes messages for it (Endpoint) and the keys that encrypt them
// for that browser alone (RFC 8291). It belongs to the user signed in when
// the browser subscribed; StationID is that user's station when they are
// staff, so a station's alerts find their devices.
type PushSubscription struct {
	ID        int64      `json:"id,string" gorm:"primaryKey"`
	UserID    int64      `json:"user_id,string"`
	StationID *int64     `json:"station_id,string,omitempty"`
	Endpoint  string     `json:"endpoint"`
	P256dh    string     `json:"-" gorm:"column:p256dh"` // the browser's P-256 public key, base64url
	Auth      string     `json:"-"`                      // the browser's 16-byte auth secret, base64url
	CreatedAt time.Time  `json:"created_at"`
	LastError string     `json:"last_error,omitempty"` // the latest failure, for the operator
	FailedAt  *time.Time `json:"failed_at,omitempty"`
}

// BrowserSubscription is the JSON a browser's PushSubscription.toJSON()
// gives, which the PWA sends to subscribe.
type BrowserSubscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// Subscription returns the browser's subscription as userID's.
func (b BrowserSubscription) Subscription(userID int64) *PushSubscription {
	return &PushSubscription{UserID: userID, Endpoint: b.Endpoint, P256dh: b.Keys.P256dh, Auth: b.Keys.Auth}
}

// Validate checks that the endpoint is an https URL of at most
// MaxPushEndpointLen bytes and that the keys are base64url (padded or not)
// of a P-256 public key (65 bytes) and a 16-byte secret, and rewrites the
// keys unpadded. EINVALID otherwise.
func (s *PushSubscription) Validate() error {
	s.Endpoint = strings.TrimSpace(s.Endpoint)
	if s.Endpoint == "" || len(s.Endpoint) > MaxPushEndpointLen {
		return Errorf(EINVALID, "endpoint: an https URL of at most %d characters", MaxPushEndpointLen).WithField("endpoint")
	}
	u, err := url.Parse(s.Endpoint)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return Errorf(EINVALID, "endpoint: an https URL of at most %d characters", MaxPushEndpointLen).WithField("endpoint")
	}
	key, err := pushKey(s.P256dh)
	if err == nil {
		_, err = ecdh.P256().NewPublicKey(key)
	}
	if err != nil {
		return Errorf(EINVALID, "keys.p256dh: the browser's P-256 public key, base64url").WithField("keys.p256dh")
	}
	secret, err := pushKey(s.Auth)
	if err != nil || len(secret) != 16 {
		return Errorf(EINVALID, "keys.auth: the browser's 16-byte secret, base64url").WithField("keys.auth")
	}
	s.P256dh = base64.RawURLEncoding.EncodeToString(key)
	s.Auth = base64.RawURLEncoding.EncodeToString(secret)
	return nil
}

// pushKey decodes base64url with or without padding.
func pushKey(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(strings.TrimSpace(s), "="))
}

// PushService keeps Web Push subscriptions.
type PushService interface {
	// SavePushSubscription stores a browser's subscription for its user,
	// or, when the endpoint is known, gives it to that user with the new
	// keys (a device that re-subscribes after another sign-in moves to the
	// new user) and clears its last failure. StationID is set from the
	// user. Past MaxPushSubscriptionsPerUser the user's oldest go. EINVALID as
	// Validate, ENOTFOUND for a missing user, EFORBIDDEN for a disabled one.
	SavePushSubscription(ctx context.Context, s *PushSubscription) error
	// DeletePushSubscription removes a user's subscription by endpoint (the
	// browser unsubscribed, or the user signed out). ENOTFOUND when the
	// user has no such subscription.
	DeletePushSubscription(ctx context.Context, userID int64, endpoint string) error
	// DeletePushSubscriptionByID removes a subscription the push service
	// said is gone (404, 410). Deleting one already gone is no error.
	DeletePushSubscriptionByID(ctx context.Context, id int64) error
	// StationPushSubscriptions returns the subscriptions of the officers and
	// heads of a station whose accounts are enabled, in the order they were
	// first stored.
	StationPushSubscriptions(ctx context.Context, stationID int64) ([]PushSubscription, error)
	// UserPushSubscriptions returns a user's subscriptions, in the order
	// they were first stored.
	UserPushSubscriptions(ctx context.Context, userID int64) ([]PushSubscription, error)
	// NoticePushSubscriptions returns the subscriptions of the enabled
	// residents whose home booth is in a notice's area.
	NoticePushSubscriptions(ctx context.Context, n *Notice) ([]PushSubscription, error)
	// MarkPushFailed records a failed delivery (kept for the operator; the
	// subscription stays). Marking one already gone is no error.
	MarkPushFailed(ctx context.Context, id int64, msg string) error
}
