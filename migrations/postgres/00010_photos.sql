-- +goose Up
-- The newborn's family photo. A guardian's consent comes first, as its own
-- record: who gave it, when, to what; the family may withdraw it. Photos
-- belong to the request (and so to the resident who filed it); the three
-- stored copies are blobs. delete_after is set from the station's photo
-- retention when the photo is taken; "keep" spares it. notified_at marks the
-- week-before notice, claimed by one instance.
CREATE TABLE photo_consents (
    id                BIGSERIAL PRIMARY KEY,
    station_id        BIGINT NOT NULL REFERENCES stations (id),
    request_id        BIGINT NOT NULL REFERENCES service_requests (id) ON DELETE CASCADE,
    guardian_name     TEXT NOT NULL,
    guardian_relation TEXT NOT NULL CHECK (guardian_relation IN ('father', 'mother', 'guardian')),
    keep_in_account   BOOLEAN NOT NULL,
    welcome_board     BOOLEAN NOT NULL DEFAULT false,
    recorded_by       BIGINT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    withdrawn_at      TIMESTAMPTZ,
    withdrawn_by      BIGINT
);
CREATE INDEX photo_consents_request ON photo_consents (request_id, id);

CREATE TABLE photos (
    id           BIGSERIAL PRIMARY KEY,
    station_id   BIGINT NOT NULL REFERENCES stations (id),
    request_id   BIGINT NOT NULL REFERENCES service_requests (id),
    consent_id   BIGINT NOT NULL REFERENCES photo_consents (id),
    taken_by     BIGINT NOT NULL,
    full_key     TEXT NOT NULL UNIQUE,
    display_key  TEXT NOT NULL UNIQUE,
    thumb_key    TEXT NOT NULL UNIQUE,
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    size         BIGINT NOT NULL CHECK (size > 0),
    keep         BOOLEAN NOT NULL DEFAULT false,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    delete_after TIMESTAMPTZ NOT NULL,
    notified_at  TIMESTAMPTZ
);
CREATE INDEX photos_request ON photos (request_id, id);
CREATE INDEX photos_retention ON photos (delete_after) WHERE NOT keep;

-- Residents the filer invited to see the family's photos (a second guardian).
CREATE TABLE photo_family (
    request_id BIGINT NOT NULL REFERENCES service_requests (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invited_by BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, user_id)
);
CREATE INDEX photo_family_user ON photo_family (user_id);

-- Expiring links to one photo; only the token's SHA-256 is kept.
CREATE TABLE photo_share_links (
    id         BIGSERIAL PRIMARY KEY,
    photo_id   BIGINT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    station_id BIGINT NOT NULL REFERENCES stations (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX photo_share_links_photo ON photo_share_links (photo_id);

-- Blobs of deleted photos still to be removed from the blob store: written
-- in the transaction that deletes the photo, cleared once the store has
-- removed them, so a failed removal is retried and no copy is left behind.
CREATE TABLE blob_purges (
    blob_key   TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE blob_purges;
DROP TABLE photo_share_links;
DROP TABLE photo_family;
DROP TABLE photos;
DROP TABLE photo_consents;
