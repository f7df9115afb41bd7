-- +goose Up
-- The newborn's family photo. A guardian's consent comes first, as its own
-- record: who gave it, when, to what; the family may withdraw it. Photos
-- belong to the request (and so to the resident who filed it); the three
-- stored copies are blobs. delete_after is set from the station's photo
-- retention when the photo is taken; "keep" spares it. notified_at marks the
-- week-before notice, claimed by one instance.
CREATE TABLE photo_consents (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id        INTEGER NOT NULL REFERENCES stations (id),
    request_id        INTEGER NOT NULL REFERENCES service_requests (id) ON DELETE CASCADE,
    guardian_name     TEXT NOT NULL,
    guardian_relation TEXT NOT NULL CHECK (guardian_relation IN ('father', 'mother', 'guardian')),
    keep_in_account   BOOLEAN NOT NULL,
    welcome_board     BOOLEAN NOT NULL DEFAULT 0,
    recorded_by       INTEGER NOT NULL,
    created_at        DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    withdrawn_at      DATETIME,
    withdrawn_by      INTEGER
);
CREATE INDEX photo_consents_request ON photo_consents (request_id, id);

CREATE TABLE photos (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id   INTEGER NOT NULL REFERENCES stations (id),
    request_id   INTEGER NOT NULL REFERENCES service_requests (id),
    consent_id   INTEGER NOT NULL REFERENCES photo_consents (id),
    taken_by     INTEGER NOT NULL,
    full_key     TEXT NOT NULL UNIQUE,
    display_key  TEXT NOT NULL UNIQUE,
    thumb_key    TEXT NOT NULL UNIQUE,
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    size         INTEGER NOT NULL CHECK (size > 0),
    keep         BOOLEAN NOT NULL DEFAULT 0,
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    delete_after DATETIME NOT NULL,
    notified_at  DATETIME
);
CREATE INDEX photos_request ON photos (request_id, id);
CREATE INDEX photos_retention ON photos (delete_after) WHERE keep = 0;

-- Residents the filer invited to see the family's photos (a second guardian).
CREATE TABLE photo_family (
    request_id INTEGER NOT NULL REFERENCES service_requests (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invited_by INTEGER NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (request_id, user_id)
);
CREATE INDEX photo_family_user ON photo_family (user_id);

-- Expiring links to one photo; only the token's SHA-256 is kept.
CREATE TABLE photo_share_links (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    photo_id   INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    station_id INTEGER NOT NULL REFERENCES stations (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at DATETIME NOT NULL,
    revoked_at DATETIME
);
CREATE INDEX photo_share_links_photo ON photo_share_links (photo_id);

-- Blobs of deleted photos still to be removed from the blob store: written
-- in the transaction that deletes the photo, cleared once the store has
-- removed them, so a failed removal is retried and no copy is left behind.
CREATE TABLE blob_purges (
    blob_key   TEXT PRIMARY KEY,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- +goose Down
DROP TABLE blob_purges;
DROP TABLE photo_share_links;
DROP TABLE photo_family;
DROP TABLE photos;
DROP TABLE photo_consents;
