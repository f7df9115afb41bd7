-- +goose Up
-- Accounts. Officers and heads carry their station; residents their home
-- booth; the admin neither.
CREATE TABLE users (
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
    CHECK ((role IN ('officer', 'head')) = (station_id IS NOT NULL))
);
CREATE INDEX users_station ON users (station_id, role) WHERE station_id IS NOT NULL;
CREATE INDEX users_home_booth ON users (home_booth_id) WHERE home_booth_id IS NOT NULL;
CREATE UNIQUE INDEX users_badge ON users (station_id, badge_no) WHERE badge_no <> '';

-- A session is one sign-in on one device; revoking it ends its whole family
-- of refresh tokens.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_used_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    revoked_at   DATETIME
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- Refresh tokens, stored as SHA-256 hashes. A spent token keeps used_at and
-- the token that replaced it; successor_sealed holds that successor
-- encrypted under a key only the spent token derives, for the 10-second
-- retry grace.
CREATE TABLE refresh_tokens (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id       INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash       BLOB NOT NULL UNIQUE,
    created_at       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at       DATETIME NOT NULL,
    used_at          DATETIME,
    replaced_by      INTEGER REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    successor_sealed BLOB
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- One-time codes sent to phones, hashed; one live code per phone and purpose.
CREATE TABLE phone_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    phone      TEXT NOT NULL,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    code_hash  BLOB NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (phone, purpose)
);

-- Attempt counters (sign-in per phone and per address, code requests …),
-- kept in the database so every instance counts against one limit. Times
-- are RFC 3339 text here, which does not sort as text, so the purge
-- compares julianday() values; the index is on that expression.
CREATE TABLE throttles (
    bucket    TEXT PRIMARY KEY,
    hits      INTEGER NOT NULL,
    resets_at DATETIME NOT NULL
);
CREATE INDEX throttles_resets ON throttles (julianday(resets_at));

-- +goose Down
DROP TABLE throttles;
DROP TABLE phone_codes;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
