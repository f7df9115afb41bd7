package app

import (
	"context"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Station is a police station: it runs booths and employs their officers.
type Station struct {
	ID       int64  `json:"id,string" gorm:"primaryKey"`
	Name     string `json:"name"`
	NameEn   string `json:"name_en"`
	TimeZone string `json:"time_zone"`
	Phone    string `json:"phone"`
	// Retention periods in days: coordinates of resolved calls, photos not
	// marked "keep", attachments of finished requests.
	LocationRetentionDays   int       `json:"location_retention_days" gorm:"default:30"`
	PhotoRetentionDays      int       `json:"photo_retention_days" gorm:"default:90"`
	AttachmentRetentionDays int       `json:"attachment_retention_days" gorm:"default:365"`
	VisitTargetMinutes      int       `json:"visit_target_minutes" gorm:"default:20"` // a counter visit, arrival to completion
	CreatedAt               time.Time `json:"created_at"`
	UpdatedAt               time.Time `json:"updated_at"`
}

// Booth is a neighbourhood police booth of a station, staffed around the clock.
type Booth struct {
	ID                   int64      `json:"id,string" gorm:"primaryKey"`
	StationID            int64      `json:"station_id,string"`
	Name                 string     `json:"name"`
	NameEn               string     `json:"name_en"`
	Phone                string     `json:"phone"`
	Lat                  float64    `json:"lat"`
	Lng                  float64    `json:"lng"`
	AckLimitSeconds      int        `json:"ack_limit_seconds" gorm:"default:30"`      // how long a call may wait for an acknowledgement before it escalates
	DarkSince            *time.Time `json:"dark_since,omitempty"`                     // on duty but no live tablet stream since then
	CoverageGraceMinutes int        `json:"coverage_grace_minutes" gorm:"default:10"` // nobody clocked in for longer: a coverage gap
	ArrivalCode          string     `json:"-"`                                        // in the booth's printed QR code: arriving by scanning it
	VolunteersVisible    bool       `json:"volunteers_visible"`                       // callers see that a community volunteer is on the way
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
}

// StationService manages stations and their booths.
type StationService interface {
	// CreateStation stores a new station. EINVALID when the name or time zone is bad.
	CreateStation(ctx context.Context, actor Actor, s *Station) error
	// FindStation returns one station, or ENOTFOUND.
	FindStation(ctx context.Context, id int64) (*Station, error)
	// CreateBooth stores a new booth of an existing station. EINVALID when
	// the name or location is bad, ENOTFOUND when the station is missing.
	CreateBooth(ctx context.Context, actor Actor, b *Booth) error
	// FindBooth returns one booth, or ENOTFOUND.
	FindBooth(ctx context.Context, id int64) (*Booth, error)
	// ListBooths returns every booth, ordered by station and name.
	ListBooths(ctx context.Context) ([]Booth, error)
	// ListStations returns every station.
	ListStations(ctx context.Context) ([]Station, error)
	// SetAckLimit changes how long a booth's calls wait for an
	// acknowledgement before they escalate.
	SetAckLimit(ctx context.Context, actor Actor, boothID int64, seconds int) error
}

// Validate checks a station before it is stored.
func (s *Station) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" || utf8.RuneCountInString(s.Name) > 100 {
		return Errorf(EINVALID, "a station needs a name of 1 to 100 characters")
	}
	if s.TimeZone == "" {
		s.TimeZone = "Asia/Shanghai"
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		return Errorf(EINVALID, "unknown time zone %q", s.TimeZone)
	}
	return nil
}

// Validate checks a booth before it is stored.
func (b *Booth) Validate() error {
	b.Name = strings.TrimSpace(b.Name)
	if b.Name == "" || utf8.RuneCountInString(b.Name) > 100 {
		return Errorf(EINVALID, "a booth needs a name of 1 to 100 characters")
	}
	if b.Lat < -90 || b.Lat > 90 || b.Lng < -180 || b.Lng > 180 || (b.Lat == 0 && b.Lng == 0) {
		return Errorf(EINVALID, "a booth needs its location: latitude -90 to 90, longitude -180 to 180")
	}
	if b.AckLimitSeconds == 0 {
		b.AckLimitSeconds = 30
	}
	if b.AckLimitSeconds < 5 || b.AckLimitSeconds > 600 {
		return Errorf(EINVALID, "a booth's acknowledgement limit is 5 to 600 seconds")
	}
	return nil
}

// NearestBooth returns the booth of booths closest to a point by
// great-circle distance, the first of equals; nil when booths is empty. A
// city has few enough booths to measure every one.
func NearestBooth(booths []Booth, lat, lng float64) *Booth {
	var nearest *Booth
	best := math.Inf(1)
	for i := range booths {
		if d := DistanceM(lat, lng, booths[i].Lat, booths[i].Lng); d < best {
			best, nearest = d, &booths[i]
		}
	}
	return nearest
}

// DistanceM is the great-circle distance in metres between two points.
func DistanceM(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371000
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}
