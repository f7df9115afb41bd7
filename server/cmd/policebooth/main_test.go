package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"policebooth/server/store/storetest"
)

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("POLICEBOOTH_DATA_DIR", dir)
	t.Setenv("DATABASE_URL", "")
	ctx := context.Background()
	log := storetest.Logger(t)
	var out bytes.Buffer
	for _, args := range [][]string{
		{"migrate"},
		{"demo"},
		{"demo"},
		{"admin", "station-add", "--name", "朝阳派出所", "--name-en", "Chaoyang Station"},
		{"admin", "booth-add", "--station", "2", "--name", "C", "--lat", "39.92", "--lng", "116.44"},
		{"admin", "booths"},
		{"admin", "admin-add", "--phone", "13711112222", "--name", "管理员", "--password", "first-admin-1"},
		{"admin", "staff-add", "--station", "2", "--role", "head", "--phone", "13711113333", "--name", "朝阳所长", "--password", "first-head-1"},
		{"admin", "staff-disable", "--phone", "13711113333"},
		{"backup", filepath.Join(dir, "copy.db")},
	} {
		if err := run(ctx, args, &out, log); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
	for _, want := range []string{"station 2 created", "booth 3 created", "C ", "admin 35 created", "head 36 created", "head 36: disabled=true", "backup written to"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// The demo's history put its family pictures in the blob store.
	if _, err := os.Stat(filepath.Join(dir, "blobs", "demo", "photos", "00-thumb.jpg")); err != nil {
		t.Errorf("the demo's family picture is not in the blob store: %v", err)
	}
	table := out.String()[strings.Index(out.String(), "ID  "):]
	if rows := strings.Count(strings.TrimSpace(table[:strings.Index(table, "admin 35")]), "\n"); rows != 3 {
		t.Errorf("%d booths listed, want 3 (demo loaded once, plus C):\n%s", rows, table)
	}
}

func TestBadConfigurationStopsTheStart(t *testing.T) {
	t.Setenv("POLICEBOOTH_TIMEZONE", "Nowhere/Land")
	err := run(context.Background(), []string{"serve"}, &bytes.Buffer{}, storetest.Logger(t))
	if err == nil || !strings.Contains(err.Error(), "POLICEBOOTH_TIMEZONE") {
		t.Fatalf("run with a bad time zone: %v", err)
	}
}

func TestUnknownCommand(t *testing.T) {
	err := run(context.Background(), []string{"explode"}, &bytes.Buffer{}, storetest.Logger(t))
	if err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("%v", err)
	}
}
