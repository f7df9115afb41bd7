-- +goose Up
-- Shifts replace the stand-in "on duty" mark: an officer is on duty at a
-- booth while they have a shift there with no end.
ALTER TABLE users DROP COLUMN on_duty_booth_id;
-- pin_hash: the officer's 6-digit PIN for switching on a shared tablet.
ALTER TABLE users ADD COLUMN pin_hash TEXT NOT NULL DEFAULT '';
-- A booth nobody covers for longer than this is a coverage gap.
ALTER TABLE booths ADD COLUMN coverage_grace_minutes INTEGER NOT NULL DEFAULT 10;
-- The booth an event happened at, so the shift logs there record it.
ALTER TABLE events ADD COLUMN booth_id BIGINT;

CREATE TABLE shifts (
    id              BIGSERIAL PRIMARY KEY,
    station_id      BIGINT NOT NULL REFERENCES stations (id),
    booth_id        BIGINT NOT NULL REFERENCES booths (id),
    officer_id      BIGINT NOT NULL REFERENCES users (id),
    started_at      TIMESTAMPTZ NOT NULL,
    ended_at        TIMESTAMPTZ,
    lat             DOUBLE PRECISION,
    lng             DOUBLE PRECISION,
    distance_m      INTEGER,
    far             BOOLEAN NOT NULL DEFAULT false,
    handover_note   TEXT NOT NULL DEFAULT '',
    handover_ack_by BIGINT REFERENCES users (id),
    handover_ack_at TIMESTAMPTZ,
    signed_off_by   BIGINT REFERENCES users (id),
    signed_off_at   TIMESTAMPTZ,
    sign_off_note   TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (signed_off_at IS NULL OR ended_at IS NOT NULL)
);
-- One open shift per officer.
CREATE UNIQUE INDEX shifts_open_officer ON shifts (officer_id) WHERE ended_at IS NULL;
CREATE INDEX shifts_open_booth ON shifts (booth_id) WHERE ended_at IS NULL;
CREATE INDEX shifts_station ON shifts (station_id, started_at);

-- The shift log. Append-only: the triggers below refuse every change.
CREATE TABLE shift_entries (
    id          BIGSERIAL PRIMARY KEY,
    shift_id    BIGINT NOT NULL REFERENCES shifts (id),
    station_id  BIGINT NOT NULL REFERENCES stations (id),
    author_id   BIGINT REFERENCES users (id),
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL DEFAULT '',
    event_name  TEXT NOT NULL DEFAULT '',
    record_id   BIGINT,
    corrects_id BIGINT REFERENCES shift_entries (id),
    written_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX shift_entries_shift ON shift_entries (shift_id, id);
-- +goose StatementBegin
CREATE FUNCTION shift_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'shift log entries are append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER shift_entries_no_change BEFORE UPDATE OR DELETE ON shift_entries
    FOR EACH ROW EXECUTE FUNCTION shift_entries_append_only();
CREATE TRIGGER shift_entries_no_truncate BEFORE TRUNCATE ON shift_entries
    FOR EACH STATEMENT EXECUTE FUNCTION shift_entries_append_only();

CREATE TABLE coverage_gaps (
    id         BIGSERIAL PRIMARY KEY,
    station_id BIGINT NOT NULL REFERENCES stations (id),
    booth_id   BIGINT NOT NULL REFERENCES booths (id),
    started_at TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- At most one open gap per booth, whichever instance finds it.
CREATE UNIQUE INDEX coverage_gaps_open ON coverage_gaps (booth_id) WHERE ended_at IS NULL;
CREATE INDEX coverage_gaps_station ON coverage_gaps (station_id, started_at);

-- +goose Down
DROP TABLE coverage_gaps;
DROP TABLE shift_entries;
DROP FUNCTION shift_entries_append_only();
DROP TABLE shifts;
ALTER TABLE events DROP COLUMN booth_id;
ALTER TABLE booths DROP COLUMN coverage_grace_minutes;
ALTER TABLE users DROP COLUMN pin_hash;
ALTER TABLE users ADD COLUMN on_duty_booth_id BIGINT REFERENCES booths (id) ON DELETE SET NULL;
CREATE INDEX users_on_duty ON users (on_duty_booth_id) WHERE on_duty_booth_id IS NOT NULL;
