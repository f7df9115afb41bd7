-- +goose Up
-- The care register (关爱名册): residents an officer visits on a cadence,
-- with who consented; and the visits made.
CREATE TABLE care_enrolments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id      INTEGER NOT NULL REFERENCES stations (id),
    booth_id        INTEGER NOT NULL REFERENCES booths (id),
    resident_id     INTEGER NOT NULL REFERENCES users (id),
    reasons         TEXT NOT NULL,
    cadence         TEXT NOT NULL,
    preferred_times TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    consent_by      TEXT NOT NULL,
    consent_name    TEXT NOT NULL DEFAULT '',
    consent_at      DATETIME NOT NULL,
    enrolled_by     INTEGER NOT NULL REFERENCES users (id),
    created_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
-- A resident is on the register once.
CREATE UNIQUE INDEX care_enrolments_resident ON care_enrolments (resident_id);
CREATE INDEX care_enrolments_booth ON care_enrolments (station_id, booth_id);

CREATE TABLE care_visits (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id          INTEGER NOT NULL REFERENCES stations (id),
    booth_id            INTEGER NOT NULL REFERENCES booths (id),
    enrolment_id        INTEGER REFERENCES care_enrolments (id) ON DELETE SET NULL,
    resident_id         INTEGER NOT NULL REFERENCES users (id),
    officer_id          INTEGER NOT NULL REFERENCES users (id),
    shift_id            INTEGER NOT NULL REFERENCES shifts (id),
    outcome             TEXT NOT NULL,
    wellbeing           TEXT NOT NULL DEFAULT '',
    fraud_warning_given BOOLEAN NOT NULL DEFAULT 0,
    note                TEXT NOT NULL DEFAULT '',
    call_id             INTEGER REFERENCES assistance_calls (id) ON DELETE SET NULL,
    follow_up           BOOLEAN NOT NULL DEFAULT 0,
    follow_up_closed_at DATETIME,
    visited_at          DATETIME NOT NULL,
    written_at          DATETIME,
    created_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX care_visits_enrolment ON care_visits (enrolment_id, visited_at);
CREATE INDEX care_visits_resident ON care_visits (resident_id, id);
CREATE INDEX care_visits_station ON care_visits (station_id, visited_at);

-- +goose Down
DROP TABLE care_visits;
DROP TABLE care_enrolments;
