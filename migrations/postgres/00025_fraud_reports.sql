-- +goose Up
-- Residents' fraud reports (反诈举报) and their triage. value is the
-- normalised form that lookups match.
CREATE TABLE fraud_reports (
    id           BIGSERIAL PRIMARY KEY,
    station_id   BIGINT NOT NULL REFERENCES stations (id),
    booth_id     BIGINT NOT NULL REFERENCES booths (id),
    reporter_id  BIGINT REFERENCES users (id),
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    raw_value    TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    loss_yuan    BIGINT,
    status       TEXT NOT NULL DEFAULT 'new',
    note         TEXT NOT NULL DEFAULT '',
    reviewed_by  BIGINT REFERENCES users (id),
    reviewed_at  TIMESTAMPTZ,
    confirmed_at TIMESTAMPTZ,
    advised_by   BIGINT REFERENCES users (id),
    advised_at   TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX fraud_reports_lookup ON fraud_reports (kind, value, status);
CREATE INDEX fraud_reports_station ON fraud_reports (station_id, id);
CREATE INDEX fraud_reports_reporter ON fraud_reports (reporter_id, id);

-- +goose Down
DROP TABLE fraud_reports;
