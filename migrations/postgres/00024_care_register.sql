-- +goose Up
-- The care register (关爱名册): residents an officer visits on a cadence,
-- with who consented; and the visits made.
CREATE TABLE care_enrolments (
    id              BIGSERIAL PRIMARY KEY,
    station_id      BIGINT NOT NULL REFERENCES stations (id),
    booth_id        BIGINT NOT NULL REFERENCES booths (id),
    resident_id     BIGINT NOT NULL REFERENCES users (id),
    reasons         TEXT NOT NULL,
    cadence         TEXT NOT NULL,
    preferred_times TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    consent_by      TEXT NOT NULL,
    consent_name    TEXT NOT NULL DEFAULT '',
    consent_at      TIMESTAMPTZ NOT NULL,
    enrolled_by     BIGINT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- A resident is on the register once.
CREATE UNIQUE INDEX care_enrolments_resident ON care_enrolments (resident_id);
CREATE INDEX care_enrolments_booth ON care_enrolments (station_id, booth_id);

CREATE TABLE care_visits (
    id                  BIGSERIAL PRIMARY KEY,
    station_id          BIGINT NOT NULL REFERENCES stations (id),
    booth_id            BIGINT NOT NULL REFERENCES booths (id),
    enrolment_id        BIGINT REFERENCES care_enrolments (id) ON DELETE SET NULL,
    resident_id         BIGINT NOT NULL REFERENCES users (id),
    officer_id          BIGINT NOT NULL REFERENCES users (id),
    shift_id            BIGINT NOT NULL REFERENCES shifts (id),
    outcome             TEXT NOT NULL,
    wellbeing           TEXT NOT NULL DEFAULT '',
    fraud_warning_given BOOLEAN NOT NULL DEFAULT false,
    note                TEXT NOT NULL DEFAULT '',
    call_id             BIGINT REFERENCES assistance_calls (id) ON DELETE SET NULL,
    follow_up           BOOLEAN NOT NULL DEFAULT false,
    follow_up_closed_at TIMESTAMPTZ,
    visited_at          TIMESTAMPTZ NOT NULL,
    written_at          TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX care_visits_enrolment ON care_visits (enrolment_id, visited_at);
CREATE INDEX care_visits_resident ON care_visits (resident_id, id);
CREATE INDEX care_visits_station ON care_visits (station_id, visited_at);

-- +goose Down
DROP TABLE care_visits;
DROP TABLE care_enrolments;
