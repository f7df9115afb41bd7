-- +goose Up
-- Screenshots a resident adds to their fraud report (#23): the photo
-- pipeline's full-size copy (re-encoded, metadata stripped) and its
-- thumbnail, seen only by the reporter and the station's staff.
CREATE TABLE fraud_screenshots (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id   INTEGER NOT NULL REFERENCES fraud_reports (id) ON DELETE CASCADE,
    station_id  INTEGER NOT NULL REFERENCES stations (id),
    uploader_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    blob_key    TEXT NOT NULL,
    thumb_key   TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    created_at  DATETIME NOT NULL
);
CREATE INDEX fraud_screenshots_report ON fraud_screenshots (report_id, id);

-- +goose Down
DROP TABLE fraud_screenshots;
