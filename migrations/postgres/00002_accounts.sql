-- +goose Up
-- Accounts. Officers and heads carry their station; residents their home
-- booth; the admin neither.
CREATE TABLE users (
    id                   BIGSERIAL PRIMARY KEY,
    role                 TEXT NOT NULL CHECK (role IN ('resident', 'officer', 'head', 'admin')),
    phone                TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    language             TEXT NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
    station_id           BIGINT REFERENCES stations (id),
    badge_no             TEXT NOT NULL DEFAULT '',
    home_booth_id        BIGINT REFERENCES booths (id) ON DELETE SET NULL,
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT false,
    disabled             BOOLEAN NOT NULL DEFAULT false,
    phone_verified       BOOLEAN NOT NULL DEFAULT false,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((role IN ('officer', 'head')) = (station_id IS NOT NULL))
);
CREATE INDEX users_station ON users (station_id, role) WHERE station_id IS NOT NULL;
CREATE INDEX users_home_booth ON users (home_booth_id) WHERE home_booth_id IS NOT NULL;
CREATE UNIQUE INDEX users_badge ON users (station_id, badge_no) WHERE badge_no <> '';

-- A session is one sign-in on one device; revoking it ends its whole family
-- of refresh tokens.
CREATE TABLE sessions (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- Refresh tokens, stored as SHA-256 hashes. A spent token keeps used_at and
-- the token that replaced it; successor_sealed holds that successor
-- encrypted under a key only the spent token derives, for the 10-second
-- retry grace.
CREATE TABLE refresh_tokens (
    id               BIGSERIAL PRIMARY KEY,
    session_id       BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash       BYTEA NOT NULL UNIQUE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at       TIMESTAMPTZ NOT NULL,
    used_at          TIMESTAMPTZ,
    replaced_by      BIGINT REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    successor_sealed BYTEA
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- One-time codes sent to phones, hashed; one live code per phone and purpose.
CREATE TABLE phone_codes (
    id         BIGSERIAL PRIMARY KEY,
    phone      TEXT NOT NULL,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    code_hash  BYTEA NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (phone, purpose)
);

-- Attempt counters (sign-in per phone and per address, code requests …),
-- kept in the database so every instance counts against one limit.
CREATE TABLE throttles (
    bucket    TEXT PRIMARY KEY,
    hits      INTEGER NOT NULL,
    resets_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX throttles_resets ON throttles (resets_at);

-- +goose Down
DROP TABLE throttles;
DROP TABLE phone_codes;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
