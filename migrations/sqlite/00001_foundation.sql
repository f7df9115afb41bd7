-- +goose Up
CREATE TABLE stations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    time_zone  TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    phone      TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE booths (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id INTEGER NOT NULL REFERENCES stations (id),
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    lat        REAL NOT NULL,
    lng        REAL NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (station_id, name)
);

-- The event log. SQLite has one writer at a time, so ids commit in order.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id INTEGER NOT NULL REFERENCES stations (id),
    owner_id   INTEGER,
    name       TEXT NOT NULL,
    record_id  INTEGER NOT NULL,
    payload    TEXT NOT NULL DEFAULT '{}',
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX events_station_id ON events (station_id, id);
CREATE INDEX events_owner_id ON events (owner_id, id) WHERE owner_id IS NOT NULL;

CREATE TABLE keys (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE audit_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id INTEGER REFERENCES stations (id),
    actor_id   INTEGER,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    ip         TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX audit_entries_station ON audit_entries (station_id, created_at);

CREATE TABLE idempotent_responses (
    user_id      INTEGER NOT NULL,
    key          TEXT NOT NULL,
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    status       INTEGER NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    body         BLOB NOT NULL,
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
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
