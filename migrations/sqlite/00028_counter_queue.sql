-- +goose NO TRANSACTION
-- +goose Up
-- The counter as a queue. A request gets its ticket when the resident
-- arrives, so ticket, ticket_day and ticket_no are empty (ticket_no NULL,
-- which UNIQUE lets repeat) until then; called and no_show join the
-- statuses. SQLite changes a CHECK and a NOT NULL only by rebuilding the
-- table: foreign keys are off for this connection while it is rebuilt, so
-- dropping the old table does not cascade to its timelines and services.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE service_requests_next (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id     INTEGER NOT NULL REFERENCES stations (id),
    booth_id       INTEGER NOT NULL REFERENCES booths (id),
    resident_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    ticket         TEXT NOT NULL DEFAULT '',
    ticket_day     TEXT NOT NULL DEFAULT '',
    ticket_no      INTEGER,
    status         TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'called', 'in_progress', 'on_hold', 'completed', 'rejected', 'cancelled', 'no_show')),
    note           TEXT NOT NULL DEFAULT '',
    slot_id        INTEGER REFERENCES slots (id) ON DELETE SET NULL,
    assignee_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    target_minutes INTEGER NOT NULL,
    checked        TEXT NOT NULL DEFAULT '[]',
    newborn        TEXT,
    created_at     DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    closed_at      DATETIME,
    arrived_at     DATETIME,
    called_at      DATETIME,
    skipped_at     DATETIME,
    window_no      INTEGER,
    walk_in_name   TEXT NOT NULL DEFAULT '',
    walk_in_phone  TEXT NOT NULL DEFAULT '',
    reminded_eve   BOOLEAN NOT NULL DEFAULT 0,
    reminded_soon  BOOLEAN NOT NULL DEFAULT 0,
    UNIQUE (booth_id, ticket_day, ticket_no)
);
-- Requests filed before the queue had their ticket at filing: they count as
-- arrived then.
INSERT INTO service_requests_next (id, station_id, booth_id, resident_id, ticket, ticket_day, ticket_no, status, note,
    slot_id, assignee_id, target_minutes, checked, newborn, created_at, updated_at, closed_at, arrived_at)
SELECT id, station_id, booth_id, resident_id, ticket, ticket_day, ticket_no, status, note,
    slot_id, assignee_id, target_minutes, checked, newborn, created_at, updated_at, closed_at, created_at
FROM service_requests;
DROP TABLE service_requests;
ALTER TABLE service_requests_next RENAME TO service_requests;
CREATE INDEX service_requests_station ON service_requests (station_id, status, id);
CREATE INDEX service_requests_resident ON service_requests (resident_id, id) WHERE resident_id IS NOT NULL;
CREATE INDEX service_requests_assignee ON service_requests (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX service_requests_slot ON service_requests (slot_id) WHERE slot_id IS NOT NULL;
CREATE INDEX service_requests_closed ON service_requests (julianday(closed_at)) WHERE closed_at IS NOT NULL;
-- The waiting line of a booth: arrived, not yet called.
CREATE INDEX service_requests_waiting ON service_requests (booth_id, arrived_at) WHERE arrived_at IS NOT NULL AND status IN ('submitted', 'accepted');
-- Bookings not yet arrived, for reminders and no-shows.
CREATE INDEX service_requests_booked ON service_requests (slot_id) WHERE slot_id IS NOT NULL AND arrived_at IS NULL AND status IN ('submitted', 'accepted');

-- Slots made from a booth's opening hours; the one-off ones stay as they are.
ALTER TABLE slots ADD COLUMN generated BOOLEAN NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX slots_generated ON slots (booth_id, starts_at) WHERE generated;

-- A booth's weekly opening hours in the station's zone (weekday 1 is
-- Monday), each range cut into slots of slot_minutes with capacity visits.
CREATE TABLE opening_hours (
    booth_id     INTEGER NOT NULL REFERENCES booths (id) ON DELETE CASCADE,
    station_id   INTEGER NOT NULL REFERENCES stations (id),
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens        TEXT NOT NULL,
    closes       TEXT NOT NULL,
    slot_minutes INTEGER NOT NULL CHECK (slot_minutes > 0),
    capacity     INTEGER NOT NULL CHECK (capacity > 0),
    PRIMARY KEY (booth_id, weekday, opens)
);

-- Days a booth's counter is closed, YYYY-MM-DD in the station's zone.
CREATE TABLE closed_dates (
    booth_id   INTEGER NOT NULL REFERENCES booths (id) ON DELETE CASCADE,
    station_id INTEGER NOT NULL REFERENCES stations (id),
    day        TEXT NOT NULL,
    PRIMARY KEY (booth_id, day)
);

-- Keys that open a booth's display (叫号屏) without signing in; only the
-- key's hash is kept.
CREATE TABLE display_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id INTEGER NOT NULL REFERENCES stations (id),
    booth_id   INTEGER NOT NULL REFERENCES booths (id) ON DELETE CASCADE,
    key_hash   TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL,
    revoked_at DATETIME
);
CREATE INDEX display_keys_booth ON display_keys (booth_id, id);

-- A resident's rating of a finished visit (好差评), one per request; the
-- head's answer to a bad one stays with it.
CREATE TABLE ratings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id   INTEGER NOT NULL UNIQUE REFERENCES service_requests (id) ON DELETE CASCADE,
    station_id   INTEGER NOT NULL REFERENCES stations (id),
    booth_id     INTEGER NOT NULL REFERENCES booths (id),
    score        INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment      TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    response     TEXT NOT NULL DEFAULT '',
    responder_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    responded_at DATETIME
);
CREATE INDEX ratings_station ON ratings (station_id, created_at);

-- The whole visit's target, arrival to completion; the window an officer
-- serves at; the secret in a booth's printed arrival QR code.
ALTER TABLE stations ADD COLUMN visit_target_minutes INTEGER NOT NULL DEFAULT 20;
ALTER TABLE shifts ADD COLUMN window_no INTEGER NOT NULL DEFAULT 1;
ALTER TABLE booths ADD COLUMN arrival_code TEXT NOT NULL DEFAULT '';
UPDATE booths SET arrival_code = lower(hex(randomblob(16)));
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
ALTER TABLE booths DROP COLUMN arrival_code;
ALTER TABLE shifts DROP COLUMN window_no;
ALTER TABLE stations DROP COLUMN visit_target_minutes;
DROP TABLE ratings;
DROP TABLE display_keys;
DROP TABLE closed_dates;
DROP TABLE opening_hours;
DROP INDEX slots_generated;
ALTER TABLE slots DROP COLUMN generated;
CREATE TABLE service_requests_prev (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id     INTEGER NOT NULL REFERENCES stations (id),
    booth_id       INTEGER NOT NULL REFERENCES booths (id),
    resident_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    ticket         TEXT NOT NULL,
    ticket_day     TEXT NOT NULL,
    ticket_no      INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'in_progress', 'on_hold', 'completed', 'rejected', 'cancelled')),
    note           TEXT NOT NULL DEFAULT '',
    slot_id        INTEGER REFERENCES slots (id) ON DELETE SET NULL,
    assignee_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    target_minutes INTEGER NOT NULL,
    checked        TEXT NOT NULL DEFAULT '[]',
    newborn        TEXT,
    created_at     DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    closed_at      DATETIME,
    UNIQUE (booth_id, ticket_day, ticket_no)
);
-- A request that never arrived gets a number past the day's others, so the
-- old schema's NOT NULL and UNIQUE hold.
INSERT INTO service_requests_prev (id, station_id, booth_id, resident_id, ticket, ticket_day, ticket_no, status, note,
    slot_id, assignee_id, target_minutes, checked, newborn, created_at, updated_at, closed_at)
SELECT id, station_id, booth_id, resident_id, ticket, ticket_day, COALESCE(ticket_no, 100000 + id),
    CASE status WHEN 'called' THEN 'accepted' WHEN 'no_show' THEN 'cancelled' ELSE status END,
    note, slot_id, assignee_id, target_minutes, checked, newborn, created_at, updated_at, closed_at
FROM service_requests;
DROP TABLE service_requests;
ALTER TABLE service_requests_prev RENAME TO service_requests;
CREATE INDEX service_requests_station ON service_requests (station_id, status, id);
CREATE INDEX service_requests_resident ON service_requests (resident_id, id) WHERE resident_id IS NOT NULL;
CREATE INDEX service_requests_assignee ON service_requests (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX service_requests_slot ON service_requests (slot_id) WHERE slot_id IS NOT NULL;
CREATE INDEX service_requests_closed ON service_requests (julianday(closed_at)) WHERE closed_at IS NOT NULL;
COMMIT;
PRAGMA foreign_keys = ON;
