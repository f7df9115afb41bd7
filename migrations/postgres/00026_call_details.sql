-- +goose Up
-- The trail of a caller's positions while a call is open (the call keeps
-- the latest in its own columns); cleared with the call's location when
-- the station's location period ends, deleted with the call.
CREATE TABLE call_positions (
    id         BIGSERIAL PRIMARY KEY,
    call_id    BIGINT NOT NULL REFERENCES assistance_calls (id) ON DELETE CASCADE,
    station_id BIGINT NOT NULL REFERENCES stations (id),
    lat        DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng        DOUBLE PRECISION NOT NULL CHECK (lng BETWEEN -180 AND 180),
    accuracy_m DOUBLE PRECISION CHECK (accuracy_m >= 0),
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX call_positions_call ON call_positions (call_id, id);

-- A resident's own safety profile (长者/健康信息), shown to the staff of a
-- call's station while the call is open. needs and emergency_contacts are
-- JSON arrays; deleted with the account.
CREATE TABLE safety_profiles (
    user_id            BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    medical_notes      TEXT NOT NULL DEFAULT '',
    lives_alone        BOOLEAN NOT NULL DEFAULT false,
    needs              TEXT NOT NULL DEFAULT '[]',
    emergency_contacts TEXT NOT NULL DEFAULT '[]',
    notify_contacts    BOOLEAN NOT NULL DEFAULT false,
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE safety_profiles;
DROP TABLE call_positions;
