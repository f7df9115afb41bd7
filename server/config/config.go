// Package config reads Police Booth's configuration from the environment.
package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the server. All fields have safe defaults, so
// nothing is required to start.
type Config struct {
	Addr           string         // POLICEBOOTH_ADDR
	DataDir        string         // POLICEBOOTH_DATA_DIR
	DatabaseURL    string         // DATABASE_URL; empty means SQLite in DataDir
	BaseURL        *url.URL       // POLICEBOOTH_BASE_URL
	BlobURL        string         // POLICEBOOTH_BLOB_URL
	Secret         string         // POLICEBOOTH_SECRET; empty means a key kept in the database
	TimeZone       *time.Location // POLICEBOOTH_TIMEZONE
	TrustedProxies []netip.Prefix // POLICEBOOTH_TRUSTED_PROXIES
	NotifyWebhook  string         // POLICEBOOTH_NOTIFY_WEBHOOK
	MetricsToken   string         // POLICEBOOTH_METRICS_TOKEN

	// Abuse bounds (issue 18).
	MaxOpenRequests    int // POLICEBOOTH_MAX_OPEN_REQUESTS: a resident's unfinished requests (bookings included)
	HashingMemoryMiB   int // POLICEBOOTH_HASHING_MEMORY_MIB: password hashing in flight at once
	StreamsPerUser     int // POLICEBOOTH_STREAMS_PER_USER: open event streams of one person; the oldest closes
	StreamsPerAddress  int // POLICEBOOTH_STREAMS_PER_ADDRESS: open event streams of one address; 429 beyond
	TextsPerPhoneDaily int // POLICEBOOTH_TEXTS_PER_PHONE_DAILY: code and notice texts to one number a day
	TextsHourlyBudget  int // POLICEBOOTH_TEXTS_HOURLY_BUDGET: such texts in all, an hour
	// EventReplayWindow is how long the event log keeps events for streams
	// to resume from (POLICEBOOTH_EVENT_REPLAY_DAYS, 7 by default); a
	// stream resuming from before it is told to reload.
	EventReplayWindow time.Duration
}

// Load reads the configuration from the environment and validates it. The
// error names the variable that holds a bad value.
func Load() (Config, error) {
	return LoadFrom(os.Getenv)
}

// LoadFrom reads the configuration through getenv, for tests and tools.
func LoadFrom(getenv func(string) string) (Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	var c Config
	c.Addr = get("POLICEBOOTH_ADDR", ":8080")
	c.DataDir = get("POLICEBOOTH_DATA_DIR", "./data")
	c.DatabaseURL = get("DATABASE_URL", "")
	c.Secret = getenv("POLICEBOOTH_SECRET")
	c.NotifyWebhook = get("POLICEBOOTH_NOTIFY_WEBHOOK", "")
	c.MetricsToken = get("POLICEBOOTH_METRICS_TOKEN", "")
	days, err := strconv.Atoi(get("POLICEBOOTH_EVENT_REPLAY_DAYS", "7"))
	if err != nil || days < 1 || days > 365 {
		return c, fmt.Errorf("config: POLICEBOOTH_EVENT_REPLAY_DAYS must be a whole number of days from 1 to 365")
	}
	c.EventReplayWindow = time.Duration(days) * 24 * time.Hour

	for _, n := range []struct {
		name string
		def  int
		to   *int
	}{
		{"POLICEBOOTH_MAX_OPEN_REQUESTS", 5, &c.MaxOpenRequests},
		{"POLICEBOOTH_HASHING_MEMORY_MIB", 256, &c.HashingMemoryMiB},
		{"POLICEBOOTH_STREAMS_PER_USER", 10, &c.StreamsPerUser},
		{"POLICEBOOTH_STREAMS_PER_ADDRESS", 500, &c.StreamsPerAddress},
		{"POLICEBOOTH_TEXTS_PER_PHONE_DAILY", 10, &c.TextsPerPhoneDaily},
		{"POLICEBOOTH_TEXTS_HOURLY_BUDGET", 1000, &c.TextsHourlyBudget},
	} {
		v, err := strconv.Atoi(get(n.name, strconv.Itoa(n.def)))
		if err != nil || v < 1 {
			return c, fmt.Errorf("config: %s must be a whole number of at least 1", n.name)
		}
		*n.to = v
	}

	base, err := url.Parse(get("POLICEBOOTH_BASE_URL", "http://localhost:8080"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return c, fmt.Errorf("config: POLICEBOOTH_BASE_URL must be an http or https URL such as https://booth.example.org")
	}
	c.BaseURL = base

	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return c, fmt.Errorf("config: POLICEBOOTH_DATA_DIR: %w", err)
	}
	c.BlobURL = get("POLICEBOOTH_BLOB_URL", "file://"+filepath.ToSlash(filepath.Join(abs, "blobs")))

	tz, err := time.LoadLocation(get("POLICEBOOTH_TIMEZONE", "Asia/Shanghai"))
	if err != nil {
		return c, fmt.Errorf("config: POLICEBOOTH_TIMEZONE is not a known time zone (try Asia/Shanghai): %w", err)
	}
	c.TimeZone = tz

	for _, s := range strings.FieldsFunc(getenv("POLICEBOOTH_TRUSTED_PROXIES"), func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return c, fmt.Errorf("config: POLICEBOOTH_TRUSTED_PROXIES: %q is not a CIDR such as 10.0.0.0/8", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, p.Masked())
	}
	return c, c.Validate()
}

// Validate checks values that Load cannot check while parsing.
func (c Config) Validate() error {
	if c.DatabaseURL != "" && !c.Postgres() {
		return fmt.Errorf("config: DATABASE_URL must start with postgres:// or postgresql:// (leave it empty for SQLite)")
	}
	if c.Secret != "" && len(c.Secret) < 32 {
		return fmt.Errorf("config: POLICEBOOTH_SECRET must be at least 32 characters")
	}
	if c.NotifyWebhook != "" {
		u, err := url.Parse(c.NotifyWebhook)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("config: POLICEBOOTH_NOTIFY_WEBHOOK must be an http or https URL")
		}
	}
	u, err := url.Parse(c.BlobURL)
	if err != nil || (u.Scheme != "file" && u.Scheme != "s3") {
		return fmt.Errorf("config: POLICEBOOTH_BLOB_URL must be a file:// or s3:// URL")
	}
	return nil
}

// Postgres reports whether the server runs on PostgreSQL.
func (c Config) Postgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// SecureCookies reports whether cookies must carry the Secure flag.
func (c Config) SecureCookies() bool { return c.BaseURL.Scheme == "https" }

// SQLitePath is the SQLite database file inside the data directory.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "policebooth.db") }
