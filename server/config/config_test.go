package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := LoadFrom(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" || c.Postgres() || c.BaseURL.String() != "http://localhost:8080" ||
		c.TimeZone.String() != "Asia/Shanghai" || c.SecureCookies() || !strings.HasPrefix(c.BlobURL, "file:///") || !strings.HasSuffix(c.BlobURL, "/data/blobs") {
		t.Fatalf("defaults: %+v", c)
	}
	if c.MaxOpenRequests != 5 || c.HashingMemoryMiB != 256 || c.StreamsPerUser != 10 || c.StreamsPerAddress != 500 ||
		c.TextsPerPhoneDaily != 10 || c.TextsHourlyBudget != 1000 {
		t.Errorf("abuse bounds: %+v", c)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	cases := map[string]string{
		"DATABASE_URL":                      "mysql://x",
		"POLICEBOOTH_BASE_URL":              "ftp://booth",
		"POLICEBOOTH_TIMEZONE":              "Mars/Olympus",
		"POLICEBOOTH_TRUSTED_PROXIES":       "10.0.0.0/8, not-a-cidr",
		"POLICEBOOTH_SECRET":                "short",
		"POLICEBOOTH_NOTIFY_WEBHOOK":        "gateway",
		"POLICEBOOTH_BLOB_URL":              "gs://bucket",
		"POLICEBOOTH_MAX_OPEN_REQUESTS":     "0",
		"POLICEBOOTH_HASHING_MEMORY_MIB":    "lots",
		"POLICEBOOTH_STREAMS_PER_USER":      "-1",
		"POLICEBOOTH_STREAMS_PER_ADDRESS":   "1.5",
		"POLICEBOOTH_TEXTS_PER_PHONE_DAILY": "x",
		"POLICEBOOTH_TEXTS_HOURLY_BUDGET":   "0",
	}
	for name, value := range cases {
		_, err := LoadFrom(env(map[string]string{name: value}))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: error %v, want one naming %s", name, value, err, name)
		}
	}
}

func TestProductionValues(t *testing.T) {
	c, err := LoadFrom(env(map[string]string{
		"DATABASE_URL":                "postgres://booth@db/booth",
		"POLICEBOOTH_BASE_URL":        "https://booth.example.org",
		"POLICEBOOTH_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7",
		"POLICEBOOTH_BLOB_URL":        "s3://photos?region=cn-north-1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Postgres() || !c.SecureCookies() || len(c.TrustedProxies) != 2 || c.TrustedProxies[1].String() != "192.168.1.7/32" {
		t.Fatalf("%+v", c)
	}
}
