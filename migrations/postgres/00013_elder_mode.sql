-- +goose Up
-- elder_mode: the large, simple layout (长辈版); NULL until the person has
-- chosen, so a resident's first visit offers it.
ALTER TABLE users ADD COLUMN elder_mode BOOLEAN;

-- +goose Down
ALTER TABLE users DROP COLUMN elder_mode;
