-- +goose Up
-- A verified resident's call is never refused: past the hourly bound it is
-- stored and marked repeated, with how many calls the caller raised in the
-- hour up to and including it, for the officer's board.
ALTER TABLE assistance_calls ADD COLUMN calls_this_hour INTEGER NOT NULL DEFAULT 1 CHECK (calls_this_hour >= 1);
ALTER TABLE assistance_calls ADD COLUMN repeated BOOLEAN NOT NULL DEFAULT 0;

-- The privacy policy and user agreement a person accepted, by version
-- ('' : none yet), and when.
ALTER TABLE users ADD COLUMN privacy_version TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN privacy_accepted_at DATETIME;

-- +goose Down
ALTER TABLE users DROP COLUMN privacy_accepted_at;
ALTER TABLE users DROP COLUMN privacy_version;
ALTER TABLE assistance_calls DROP COLUMN repeated;
ALTER TABLE assistance_calls DROP COLUMN calls_this_hour;
