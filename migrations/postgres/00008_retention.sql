-- +goose Up
-- How long a station keeps personal data (PIPL: no longer than needed).
-- Heads set them within limits; background jobs apply them.
ALTER TABLE stations ADD COLUMN location_retention_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE stations ADD COLUMN photo_retention_days INTEGER NOT NULL DEFAULT 90;
ALTER TABLE stations ADD COLUMN attachment_retention_days INTEGER NOT NULL DEFAULT 365;

-- +goose Down
ALTER TABLE stations DROP COLUMN attachment_retention_days;
ALTER TABLE stations DROP COLUMN photo_retention_days;
ALTER TABLE stations DROP COLUMN location_retention_days;
