-- +goose Up
-- stream_seen_at: when an instance last saw the user's live event stream
-- open; dark_since: when an on-duty booth was found with no live tablet
-- stream and its head was told (cleared when a stream is back).
ALTER TABLE users ADD COLUMN stream_seen_at DATETIME;
ALTER TABLE booths ADD COLUMN dark_since DATETIME;

-- +goose Down
ALTER TABLE booths DROP COLUMN dark_since;
ALTER TABLE users DROP COLUMN stream_seen_at;
