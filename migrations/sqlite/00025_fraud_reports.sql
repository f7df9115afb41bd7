-- +goose Up
-- Residents' fraud reports (反诈举报) and their triage. value is the
-- normalised form that lookups match.
CREATE TABLE fraud_reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id   INTEGER NOT NULL REFERENCES stations (id),
    booth_id     INTEGER NOT NULL REFERENCES booths (id),
    reporter_id  INTEGER REFERENCES users (id),
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    raw_value    TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    loss_yuan    INTEGER,
    status       TEXT NOT NULL DEFAULT 'new',
    note         TEXT NOT NULL DEFAULT '',
    reviewed_by  INTEGER REFERENCES users (id),
    reviewed_at  DATETIME,
    confirmed_at DATETIME,
    advised_by   INTEGER REFERENCES users (id),
    advised_at   DATETIME,
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX fraud_reports_lookup ON fraud_reports (kind, value, status);
CREATE INDEX fraud_reports_station ON fraud_reports (station_id, id);
CREATE INDEX fraud_reports_reporter ON fraud_reports (reporter_id, id);

-- +goose Down
DROP TABLE fraud_reports;
