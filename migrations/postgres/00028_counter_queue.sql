-- +goose Up
-- The counter as a queue. A request gets its ticket when the resident
-- arrives, so ticket and ticket_day are empty and ticket_no NULL (which
-- UNIQUE lets repeat) until then; called and no_show join the statuses.
ALTER TABLE service_requests ALTER COLUMN ticket SET DEFAULT '';
ALTER TABLE service_requests ALTER COLUMN ticket_day SET DEFAULT '';
ALTER TABLE service_requests ALTER COLUMN ticket_no DROP NOT NULL;
ALTER TABLE service_requests DROP CONSTRAINT service_requests_status_check;
ALTER TABLE service_requests ADD CONSTRAINT service_requests_status_check
    CHECK (status IN ('submitted', 'accepted', 'called', 'in_progress', 'on_hold', 'completed', 'rejected', 'cancelled', 'no_show'));
ALTER TABLE service_requests
    ADD COLUMN arrived_at    TIMESTAMPTZ,
    ADD COLUMN called_at     TIMESTAMPTZ,
    ADD COLUMN skipped_at    TIMESTAMPTZ,
    ADD COLUMN window_no     INTEGER,
    ADD COLUMN walk_in_name  TEXT NOT NULL DEFAULT '',
    ADD COLUMN walk_in_phone TEXT NOT NULL DEFAULT '',
    ADD COLUMN reminded_eve  BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN reminded_soon BOOLEAN NOT NULL DEFAULT false;
-- Requests filed before the queue had their ticket at filing: they count as
-- arrived then.
UPDATE service_requests SET arrived_at = created_at;
-- The waiting line of a booth: arrived, not yet called.
CREATE INDEX service_requests_waiting ON service_requests (booth_id, arrived_at) WHERE arrived_at IS NOT NULL AND status IN ('submitted', 'accepted');
-- Bookings not yet arrived, for reminders and no-shows.
CREATE INDEX service_requests_booked ON service_requests (slot_id) WHERE slot_id IS NOT NULL AND arrived_at IS NULL AND status IN ('submitted', 'accepted');

-- Slots made from a booth's opening hours; the one-off ones stay as they are.
ALTER TABLE slots ADD COLUMN generated BOOLEAN NOT NULL DEFAULT false;
CREATE UNIQUE INDEX slots_generated ON slots (booth_id, starts_at) WHERE generated;

-- A booth's weekly opening hours in the station's zone (weekday 1 is
-- Monday), each range cut into slots of slot_minutes with capacity visits.
CREATE TABLE opening_hours (
    booth_id     BIGINT NOT NULL REFERENCES booths (id) ON DELETE CASCADE,
    station_id   BIGINT NOT NULL REFERENCES stations (id),
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens        TEXT NOT NULL,
    closes       TEXT NOT NULL,
    slot_minutes INTEGER NOT NULL CHECK (slot_minutes > 0),
    capacity     INTEGER NOT NULL CHECK (capacity > 0),
    PRIMARY KEY (booth_id, weekday, opens)
);

-- Days a booth's counter is closed, YYYY-MM-DD in the station's zone.
CREATE TABLE closed_dates (
    booth_id   BIGINT NOT NULL REFERENCES booths (id) ON DELETE CASCADE,
    station_id BIGINT NOT NULL REFERENCES stations (id),
    day        TEXT NOT NULL,
    PRIMARY KEY (booth_id, day)
);

-- Keys that open a booth's display (叫号屏) without signing in; only the
-- key's hash is kept.
CREATE TABLE display_keys (
    id         BIGSERIAL PRIMARY KEY,
    station_id BIGINT NOT NULL REFERENCES stations (id),
    booth_id   BIGINT NOT NULL REFERENCES booths (id) ON DELETE CASCADE,
    key_hash   TEXT NOT NULL UNIQUE,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX display_keys_booth ON display_keys (booth_id, id);

-- A resident's rating of a finished visit (好差评), one per request; the
-- head's answer to a bad one stays with it.
CREATE TABLE ratings (
    id           BIGSERIAL PRIMARY KEY,
    request_id   BIGINT NOT NULL UNIQUE REFERENCES service_requests (id) ON DELETE CASCADE,
    station_id   BIGINT NOT NULL REFERENCES stations (id),
    booth_id     BIGINT NOT NULL REFERENCES booths (id),
    score        INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment      TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    response     TEXT NOT NULL DEFAULT '',
    responder_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    responded_at TIMESTAMPTZ
);
CREATE INDEX ratings_station ON ratings (station_id, created_at);

-- The whole visit's target, arrival to completion; the window an officer
-- serves at; the secret in a booth's printed arrival QR code.
ALTER TABLE stations ADD COLUMN visit_target_minutes INTEGER NOT NULL DEFAULT 20;
ALTER TABLE shifts ADD COLUMN window_no INTEGER NOT NULL DEFAULT 1;
ALTER TABLE booths ADD COLUMN arrival_code TEXT NOT NULL DEFAULT '';
UPDATE booths SET arrival_code = md5(random()::text || clock_timestamp()::text || id::text);

-- +goose Down
ALTER TABLE booths DROP COLUMN arrival_code;
ALTER TABLE shifts DROP COLUMN window_no;
ALTER TABLE stations DROP COLUMN visit_target_minutes;
DROP TABLE ratings;
DROP TABLE display_keys;
DROP TABLE closed_dates;
DROP TABLE opening_hours;
DROP INDEX slots_generated;
ALTER TABLE slots DROP COLUMN generated;
DROP INDEX service_requests_booked;
DROP INDEX service_requests_waiting;
UPDATE service_requests SET status = CASE status WHEN 'called' THEN 'accepted' ELSE 'cancelled' END WHERE status IN ('called', 'no_show');
UPDATE service_requests SET ticket_no = 100000 + id WHERE ticket_no IS NULL;
ALTER TABLE service_requests
    DROP COLUMN arrived_at, DROP COLUMN called_at, DROP COLUMN skipped_at, DROP COLUMN window_no,
    DROP COLUMN walk_in_name, DROP COLUMN walk_in_phone, DROP COLUMN reminded_eve, DROP COLUMN reminded_soon;
ALTER TABLE service_requests DROP CONSTRAINT service_requests_status_check;
ALTER TABLE service_requests ADD CONSTRAINT service_requests_status_check
    CHECK (status IN ('submitted', 'accepted', 'in_progress', 'on_hold', 'completed', 'rejected', 'cancelled'));
ALTER TABLE service_requests ALTER COLUMN ticket_no SET NOT NULL;
