-- +goose Up
-- Photos added to an assistance call by its caller or the officer who took
-- it. The three copies (full, display, thumbnail: JPEGs without metadata)
-- are blobs. They are kept like the call's location: deleted, their blobs
-- queued for removal, once the call has been closed longer than the
-- station's location period; deleted with a call the caller's erasure
-- drops. added_by is emptied when its resident deletes the account.
CREATE TABLE call_photos (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id     INTEGER NOT NULL REFERENCES assistance_calls (id),
    station_id  INTEGER NOT NULL REFERENCES stations (id),
    added_by    INTEGER,
    full_key    TEXT NOT NULL UNIQUE,
    display_key TEXT NOT NULL UNIQUE,
    thumb_key   TEXT NOT NULL UNIQUE,
    width       INTEGER NOT NULL CHECK (width > 0),
    height      INTEGER NOT NULL CHECK (height > 0),
    size        INTEGER NOT NULL CHECK (size > 0),
    created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX call_photos_call ON call_photos (call_id, id);

-- +goose Down
DROP TABLE call_photos;
