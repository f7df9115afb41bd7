-- +goose Up
-- Security guards and volunteers (#23): two more roles, each tied to one
-- booth (booth_id) and not to a station's records, and whether they are
-- available to help right now (off by default).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('resident', 'officer', 'head', 'admin', 'guard', 'volunteer'));
ALTER TABLE users ADD COLUMN booth_id BIGINT REFERENCES booths (id);
ALTER TABLE users ADD COLUMN available BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE users ADD CONSTRAINT users_booth_check
    CHECK ((role IN ('guard', 'volunteer')) = (booth_id IS NOT NULL));
CREATE INDEX users_booth ON users (booth_id, available) WHERE booth_id IS NOT NULL;

-- +goose Down
DELETE FROM users WHERE role IN ('guard', 'volunteer');
DROP INDEX users_booth;
ALTER TABLE users DROP CONSTRAINT users_booth_check;
ALTER TABLE users DROP COLUMN available;
ALTER TABLE users DROP COLUMN booth_id;
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('resident', 'officer', 'head', 'admin'));
