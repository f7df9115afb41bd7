-- +goose Up
-- Immediate assistance. A booth's ack_limit_seconds is how long a call may
-- wait for an acknowledgement before it escalates; an officer's
-- on_duty_booth_id is the booth whose calls ring loudest on their tablet
-- (NULL: off duty), a stand-in until shifts clock officers in.
ALTER TABLE booths ADD COLUMN ack_limit_seconds INTEGER NOT NULL DEFAULT 30 CHECK (ack_limit_seconds > 0);
ALTER TABLE users ADD COLUMN on_duty_booth_id BIGINT REFERENCES booths (id) ON DELETE SET NULL;
CREATE INDEX users_on_duty ON users (on_duty_booth_id) WHERE on_duty_booth_id IS NOT NULL;

-- A resident's call for help. caller_id is cleared when the resident deletes
-- their account; the record stays for the station. next_alert_at is when
-- the escalation worker next looks at an open, unacknowledged call.
CREATE TABLE assistance_calls (
    id               BIGSERIAL PRIMARY KEY,
    station_id       BIGINT NOT NULL REFERENCES stations (id),
    booth_id         BIGINT NOT NULL REFERENCES booths (id),
    caller_id        BIGINT REFERENCES users (id) ON DELETE SET NULL,
    category         TEXT NOT NULL CHECK (category IN ('crime', 'medical', 'lost_person', 'domestic', 'traffic', 'other')),
    message          TEXT NOT NULL DEFAULT '',
    silent           BOOLEAN NOT NULL DEFAULT false,
    lat              DOUBLE PRECISION CHECK (lat BETWEEN -90 AND 90),
    lng              DOUBLE PRECISION CHECK (lng BETWEEN -180 AND 180),
    accuracy_m       DOUBLE PRECISION CHECK (accuracy_m >= 0),
    location_at      TIMESTAMPTZ,
    status           TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'en_route', 'on_scene', 'resolved', 'cancelled')),
    acknowledged_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    acknowledged_at  TIMESTAMPTZ,
    closed_at        TIMESTAMPTZ,
    escalation_level INTEGER NOT NULL DEFAULT 0 CHECK (escalation_level >= 0),
    next_alert_at    TIMESTAMPTZ,
    written_at       TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((lat IS NULL) = (lng IS NULL))
);
CREATE INDEX assistance_calls_station ON assistance_calls (station_id, status, id);
CREATE INDEX assistance_calls_caller ON assistance_calls (caller_id, id) WHERE caller_id IS NOT NULL;
-- One open call per resident, whatever races the application's check.
CREATE UNIQUE INDEX assistance_calls_one_open ON assistance_calls (caller_id)
    WHERE status IN ('open', 'acknowledged', 'en_route', 'on_scene');
-- What the escalation worker claims.
CREATE INDEX assistance_calls_due ON assistance_calls (next_alert_at)
    WHERE status = 'open' AND acknowledged_by IS NULL;

-- Every step of a call. from_status/to_status hold statuses, or for an
-- escalation the levels, for a message the message id.
CREATE TABLE call_entries (
    id          BIGSERIAL PRIMARY KEY,
    call_id     BIGINT NOT NULL REFERENCES assistance_calls (id) ON DELETE CASCADE,
    station_id  BIGINT NOT NULL REFERENCES stations (id),
    at          TIMESTAMPTZ NOT NULL,
    actor_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    kind        TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX call_entries_call ON call_entries (call_id, at);

-- Short messages between the caller and the officers. author_id is a plain
-- id: the message outlives its author's account.
CREATE TABLE call_messages (
    id         BIGSERIAL PRIMARY KEY,
    call_id    BIGINT NOT NULL REFERENCES assistance_calls (id) ON DELETE CASCADE,
    station_id BIGINT NOT NULL REFERENCES stations (id),
    author_id  BIGINT NOT NULL,
    text       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX call_messages_call ON call_messages (call_id, id);

-- +goose Down
DROP TABLE call_messages;
DROP TABLE call_entries;
DROP TABLE assistance_calls;
DROP INDEX users_on_duty;
ALTER TABLE users DROP COLUMN on_duty_booth_id;
ALTER TABLE booths DROP COLUMN ack_limit_seconds;
