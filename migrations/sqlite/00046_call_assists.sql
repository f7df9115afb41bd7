-- +goose Up
-- A guard's or volunteer's answer to a call of their booth (#23): on their
-- way, then arrived. The officer still owns the call; the caller hears
-- that a community volunteer is coming only where the booth allows it.
CREATE TABLE call_assists (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id    INTEGER NOT NULL REFERENCES assistance_calls (id) ON DELETE CASCADE,
    station_id INTEGER NOT NULL REFERENCES stations (id),
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    status     TEXT NOT NULL CHECK (status IN ('on_my_way', 'arrived')),
    created_at DATETIME NOT NULL
);
CREATE INDEX call_assists_call ON call_assists (call_id, id);
ALTER TABLE booths ADD COLUMN volunteers_visible BOOLEAN NOT NULL DEFAULT 0;

-- Guards and volunteers an officer names on a patrol entry of the log.
CREATE TABLE shift_entry_participants (
    entry_id   INTEGER NOT NULL REFERENCES shift_entries (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    station_id INTEGER NOT NULL REFERENCES stations (id),
    PRIMARY KEY (entry_id, user_id)
);
CREATE INDEX shift_entry_participants_user ON shift_entry_participants (user_id);

-- +goose Down
DROP TABLE shift_entry_participants;
ALTER TABLE booths DROP COLUMN volunteers_visible;
DROP TABLE call_assists;
