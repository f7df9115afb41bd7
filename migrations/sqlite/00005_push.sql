-- +goose Up
-- Web Push subscriptions, one per browser (endpoint), owned by the user
-- signed in when it subscribed. station_id is that user's station when they
-- are staff, so a station's alerts find their devices through one index;
-- a resident's has none. last_error and failed_at keep the latest failed
-- delivery for the operator.
CREATE TABLE push_subscriptions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    station_id INTEGER REFERENCES stations (id),
    endpoint   TEXT NOT NULL UNIQUE CHECK (length(endpoint) <= 2000),
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_error TEXT NOT NULL DEFAULT '',
    failed_at  DATETIME
);
CREATE INDEX push_subscriptions_station ON push_subscriptions (station_id) WHERE station_id IS NOT NULL;
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

-- +goose Down
DROP TABLE push_subscriptions;
