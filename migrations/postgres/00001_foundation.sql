-- +goose Up
CREATE TABLE stations (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    time_zone  TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    phone      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE booths (
    id         BIGSERIAL PRIMARY KEY,
    station_id BIGINT NOT NULL REFERENCES stations (id),
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    lat        DOUBLE PRECISION NOT NULL,
    lng        DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (station_id, name)
);

-- The event log. tx_id lets a reader advance only past ids whose
-- transactions have all finished (pg_snapshot_xmin), so no event is skipped.
CREATE TABLE events (
    id         BIGSERIAL PRIMARY KEY,
    station_id BIGINT NOT NULL REFERENCES stations (id),
    owner_id   BIGINT,
    name       TEXT NOT NULL,
    record_id  BIGINT NOT NULL,
    payload    TEXT NOT NULL DEFAULT '{}',
    tx_id      XID8 NOT NULL DEFAULT pg_current_xact_id(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX events_station_id ON events (station_id, id);
CREATE INDEX events_owner_id ON events (owner_id, id) WHERE owner_id IS NOT NULL;

CREATE TABLE keys (
    name       TEXT PRIMARY KEY,
    value      BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE audit_entries (
    id         BIGSERIAL PRIMARY KEY,
    station_id BIGINT REFERENCES stations (id),
    actor_id   BIGINT,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    ip         TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_entries_station ON audit_entries (station_id, created_at);

CREATE TABLE idempotent_responses (
    user_id      BIGINT NOT NULL,
    key          TEXT NOT NULL,
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    status       INTEGER NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    body         BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotent_responses_created ON idempotent_responses (created_at);

-- +goose Down
DROP TABLE idempotent_responses;
DROP TABLE audit_entries;
DROP TABLE keys;
DROP TABLE events;
DROP TABLE booths;
DROP TABLE stations;
