-- +goose Up
-- job_schedule: when each periodic job may next run, claimed by one
-- instance at a time; and when it last succeeded on any instance.
CREATE TABLE job_schedule (
    name            TEXT PRIMARY KEY,
    next_run_at     DATETIME NOT NULL,
    last_success_at DATETIME
);

-- outbox_messages: every text message, written in the transaction of the
-- change that causes it and sent after the commit by send_messages, with
-- retries. kind names the message (its i18n id), params fill it in the
-- language; body is rendered once, at the first attempt, so every retry
-- sends the same body under the same idempotency key.
CREATE TABLE outbox_messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id      INTEGER REFERENCES stations (id) ON DELETE SET NULL,
    phone           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    language        TEXT NOT NULL,
    params          TEXT NOT NULL,
    body            TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    done_at         DATETIME
);
CREATE INDEX outbox_messages_due ON outbox_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_messages_failed ON outbox_messages (station_id, id) WHERE status = 'failed';

-- events_pruned: the last position the event log was pruned through (one
-- row), so a stream resuming from before it is told to reload. tx_id is
-- the position's transaction id as text ('0' on SQLite).
CREATE TABLE events_pruned (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    tx_id    TEXT NOT NULL,
    event_id BIGINT NOT NULL
);

-- +goose Down
DROP TABLE events_pruned;
DROP TABLE outbox_messages;
DROP TABLE job_schedule;
