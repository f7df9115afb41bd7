-- +goose Up
-- +goose NO TRANSACTION
-- Security guards and volunteers (#23): two more roles, each tied to one
-- booth (booth_id) and not to a station's records, and whether they are
-- available to help right now (off by default). SQLite cannot change a
-- CHECK, so the table is rebuilt, on one connection, with foreign keys
-- off for the swap.
-- +goose StatementBegin
PRAGMA foreign_keys=OFF;
BEGIN;
CREATE TABLE users_new (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    role                 TEXT NOT NULL CHECK (role IN ('resident', 'officer', 'head', 'admin', 'guard', 'volunteer')),
    phone                TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    language             TEXT NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
    station_id           INTEGER REFERENCES stations (id),
    badge_no             TEXT NOT NULL DEFAULT '',
    home_booth_id        INTEGER REFERENCES booths (id) ON DELETE SET NULL,
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT 0,
    disabled             BOOLEAN NOT NULL DEFAULT 0,
    phone_verified       BOOLEAN NOT NULL DEFAULT 0,
    created_at           DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at           DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    stream_seen_at       DATETIME,
    pin_hash             TEXT NOT NULL DEFAULT '',
    elder_mode           BOOLEAN,
    privacy_version      TEXT NOT NULL DEFAULT '',
    privacy_accepted_at  DATETIME,
    booth_id             INTEGER REFERENCES booths (id),
    available            BOOLEAN NOT NULL DEFAULT 0,
    CHECK ((role IN ('officer', 'head')) = (station_id IS NOT NULL)),
    CHECK ((role IN ('guard', 'volunteer')) = (booth_id IS NOT NULL))
);
INSERT INTO users_new (id, role, phone, name, language, station_id, badge_no, home_booth_id, password_hash, must_change_password, disabled, phone_verified, created_at, updated_at, stream_seen_at, pin_hash, elder_mode, privacy_version, privacy_accepted_at)
SELECT id, role, phone, name, language, station_id, badge_no, home_booth_id, password_hash, must_change_password, disabled, phone_verified, created_at, updated_at, stream_seen_at, pin_hash, elder_mode, privacy_version, privacy_accepted_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_station ON users (station_id, role) WHERE station_id IS NOT NULL;
CREATE INDEX users_home_booth ON users (home_booth_id) WHERE home_booth_id IS NOT NULL;
CREATE UNIQUE INDEX users_badge ON users (station_id, badge_no) WHERE badge_no <> '';
CREATE INDEX users_booth ON users (booth_id, available) WHERE booth_id IS NOT NULL;
COMMIT;
PRAGMA foreign_keys=ON;
-- +goose StatementEnd

-- +goose Down
-- +goose NO TRANSACTION
-- +goose StatementBegin
PRAGMA foreign_keys=OFF;
BEGIN;
DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE role IN ('guard', 'volunteer'));
DELETE FROM users WHERE role IN ('guard', 'volunteer');
CREATE TABLE users_new (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    role                 TEXT NOT NULL CHECK (role IN ('resident', 'officer', 'head', 'admin')),
    phone                TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    language             TEXT NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
    station_id           INTEGER REFERENCES stations (id),
    badge_no             TEXT NOT NULL DEFAULT '',
    home_booth_id        INTEGER REFERENCES booths (id) ON DELETE SET NULL,
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT 0,
    disabled             BOOLEAN NOT NULL DEFAULT 0,
    phone_verified       BOOLEAN NOT NULL DEFAULT 0,
    created_at           DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at           DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    stream_seen_at       DATETIME,
    pin_hash             TEXT NOT NULL DEFAULT '',
    elder_mode           BOOLEAN,
    privacy_version      TEXT NOT NULL DEFAULT '',
    privacy_accepted_at  DATETIME,
    CHECK ((role IN ('officer', 'head')) = (station_id IS NOT NULL))
);
INSERT INTO users_new (id, role, phone, name, language, station_id, badge_no, home_booth_id, password_hash, must_change_password, disabled, phone_verified, created_at, updated_at, stream_seen_at, pin_hash, elder_mode, privacy_version, privacy_accepted_at)
SELECT id, role, phone, name, language, station_id, badge_no, home_booth_id, password_hash, must_change_password, disabled, phone_verified, created_at, updated_at, stream_seen_at, pin_hash, elder_mode, privacy_version, privacy_accepted_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_station ON users (station_id, role) WHERE station_id IS NOT NULL;
CREATE INDEX users_home_booth ON users (home_booth_id) WHERE home_booth_id IS NOT NULL;
CREATE UNIQUE INDEX users_badge ON users (station_id, badge_no) WHERE badge_no <> '';
COMMIT;
PRAGMA foreign_keys=ON;
-- +goose StatementEnd
