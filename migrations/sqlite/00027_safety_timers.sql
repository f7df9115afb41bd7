-- +goose Up
-- A resident's safety timer (安全守护): started before walking home late or
-- meeting a stranger. due_at is when the phone starts alerting; fire_at
-- (30 s later) is when, without a check-in, the timer raises an assistance
-- call by itself. status moves active → checked_in, or active → firing
-- (claimed by one instance) → fired with the call it raised.
CREATE TABLE safety_timers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    minutes    INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 240),
    note       TEXT NOT NULL DEFAULT '',
    lat        REAL CHECK (lat BETWEEN -90 AND 90),
    lng        REAL CHECK (lng BETWEEN -180 AND 180),
    accuracy_m REAL CHECK (accuracy_m >= 0),
    status     TEXT NOT NULL CHECK (status IN ('active', 'checked_in', 'firing', 'fired')),
    started_at DATETIME NOT NULL,
    due_at     DATETIME NOT NULL,
    fire_at    DATETIME NOT NULL,
    claimed_at DATETIME,
    ended_at   DATETIME,
    call_id    INTEGER REFERENCES assistance_calls (id) ON DELETE SET NULL,
    CHECK ((lat IS NULL) = (lng IS NULL))
);
-- One running timer per resident.
CREATE UNIQUE INDEX safety_timers_one_active ON safety_timers (user_id) WHERE status IN ('active', 'firing');
-- What the sweep looks at.
CREATE INDEX safety_timers_due ON safety_timers (fire_at) WHERE status IN ('active', 'firing');

-- +goose Down
DROP TABLE safety_timers;
