-- +goose Up
-- location: where a replayed page form redirects (the first answer's
-- Location header), so a double-submitted form lands where the first did.
ALTER TABLE idempotent_responses ADD COLUMN location TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE idempotent_responses DROP COLUMN location;
