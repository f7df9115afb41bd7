package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"gocloud.dev/blob"

	"policebooth/server/config"
	"policebooth/server/media"
	"policebooth/server/store"
)

// database is the server's database and blob store, opened from the same
// environment the server reads (DATABASE_URL, POLICEBOOTH_DATA_DIR,
// POLICEBOOTH_BLOB_URL), for seeding and for the checks.
type database struct {
	st     *store.Store
	bucket *blob.Bucket
}

func openDatabase(ctx context.Context) (*database, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(cfg.DatabaseURL, cfg.SQLitePath(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, err
	}
	bucket, err := media.OpenBucket(ctx, cfg.BlobURL)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return &database{st: st, bucket: bucket}, nil
}

func (d *database) close() {
	_ = d.bucket.Close()
	_ = d.st.Close()
}

// addResidents copies the demo resident n times, phones prefix + a
// zero-padded number from 1, with the demo password; existing phones are
// kept. The server's limits (five calls an hour, sign-ins per phone) are
// per resident, so a load spreads over many.
func (d *database) addResidents(ctx context.Context, prefix string, n int) error {
	db := d.st.DB().WithContext(ctx)
	now := time.Now().UTC()
	for i := 1; i <= n; i++ {
		phone := fmt.Sprintf("%s%0*d", prefix, 11-len(prefix), i)
		err := db.Exec(`INSERT INTO users (role, phone, name, language, home_booth_id, password_hash,
				phone_verified, must_change_password, disabled, created_at, updated_at)
			SELECT role, ?, name, language, home_booth_id, password_hash, ?, ?, ?, ?, ?
			FROM users WHERE phone = ? AND NOT EXISTS (SELECT 1 FROM users WHERE phone = ?)`,
			phone, true, false, false, now, now, demoResident, phone).Error
		if err != nil {
			return fmt.Errorf("add resident %s: %w", phone, err)
		}
	}
	return nil
}

// copies counts, per marker of this run, the rows that carry it.
func (d *database) copies(ctx context.Context, run string) (map[string]int, error) {
	like := run + "-%"
	out := map[string]int{}
	for _, q := range []string{
		"SELECT note FROM service_requests WHERE note LIKE ?",
		"SELECT message FROM assistance_calls WHERE message LIKE ?",
		"SELECT text FROM shift_entries WHERE text LIKE ?",
		"SELECT name FROM attachments WHERE name LIKE ?",
	} {
		var markers []string
		if err := d.st.DB().WithContext(ctx).Raw(q, like).Scan(&markers).Error; err != nil {
			return nil, fmt.Errorf("count copies: %w", err)
		}
		for _, m := range markers {
			out[strings.TrimSuffix(m, ".png")]++
		}
	}
	return out, nil
}

// halfWritten lists every record, of any run, that lacks a part written
// with it: a request without its timeline or its services, a call without
// its first timeline entry, an attachment record without its blob. Blobs
// without a record are counted apart: an upload stores the file first, so
// a crash between the two leaves a file nobody refers to, which is
// harmless.
func (d *database) halfWritten(ctx context.Context) (problems []string, orphanBlobs int, err error) {
	db := d.st.DB().WithContext(ctx)
	for _, c := range []struct{ what, query string }{
		{"request without a timeline entry", "SELECT id FROM service_requests r WHERE NOT EXISTS (SELECT 1 FROM timeline_entries t WHERE t.request_id = r.id)"},
		{"request without its services", "SELECT id FROM service_requests r WHERE NOT EXISTS (SELECT 1 FROM request_services s WHERE s.request_id = r.id)"},
		{"call without a timeline entry", "SELECT id FROM assistance_calls c WHERE NOT EXISTS (SELECT 1 FROM call_entries e WHERE e.call_id = c.id)"},
	} {
		var ids []int64
		if err := db.Raw(c.query).Scan(&ids).Error; err != nil {
			return nil, 0, fmt.Errorf("%s: %w", c.what, err)
		}
		for _, id := range ids {
			problems = append(problems, fmt.Sprintf("%s: %d", c.what, id))
		}
	}
	var atts []struct {
		ID      int64
		BlobKey string
		Size    int64
	}
	if err := db.Raw("SELECT id, blob_key, size FROM attachments").Scan(&atts).Error; err != nil {
		return nil, 0, err
	}
	known := map[string]bool{}
	for _, a := range atts {
		known[a.BlobKey] = true
		attrs, err := d.bucket.Attributes(ctx, a.BlobKey)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("attachment %d without its blob %s: %v", a.ID, a.BlobKey, err))
		case attrs.Size != a.Size:
			problems = append(problems, fmt.Sprintf("attachment %d: blob of %d bytes, record says %d", a.ID, attrs.Size, a.Size))
		}
	}
	it := d.bucket.List(&blob.ListOptions{Prefix: "attachments/"})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		if !obj.IsDir && !known[obj.Key] {
			orphanBlobs++
		}
	}
	return problems, orphanBlobs, nil
}
